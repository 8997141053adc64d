"""Writes for clues. Views, tasks and the demo seed all call these."""

from clues.services.disposition import (
    clue_close,
    clue_record_read,
    clue_reopen,
    disposition_report,
    latest_disposition,
)
from clues.services.handover import (
    clue_approve,
    clue_attach_file,
    clue_create,
    clue_receive,
    clue_return,
    clue_submit,
    clue_update,
)
from clues.services.reminders import send_due_reminders

__all__ = [
    "clue_approve",
    "clue_attach_file",
    "clue_close",
    "clue_create",
    "clue_receive",
    "clue_record_read",
    "clue_reopen",
    "clue_return",
    "clue_submit",
    "clue_update",
    "disposition_report",
    "latest_disposition",
    "send_due_reminders",
]
