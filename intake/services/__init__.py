"""Writes for 码上巡察. The public pages, the team's pages, the posters and the
demo seed all call these."""

from intake.services.public import (
    Submitted,
    channel_for,
    report_submit,
    status_for_receipt,
    stay_open,
)
from intake.services.triage import (
    report_duplicate,
    report_outside,
    report_read,
    report_receipt,
    report_to_clue,
    report_to_problem,
    report_transfer,
)

__all__ = [
    "Submitted",
    "channel_for",
    "report_duplicate",
    "report_outside",
    "report_read",
    "report_receipt",
    "report_submit",
    "report_to_clue",
    "report_to_problem",
    "report_transfer",
    "status_for_receipt",
    "stay_open",
]
