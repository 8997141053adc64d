"""Writes for the rounds app. Views, admin, imports and tasks all call these."""

from rounds.services.lifecycle import round_advance, round_missing_for_next
from rounds.services.planning import (
    commitment_sign,
    round_create,
    target_add,
    target_set_dates,
    team_add_member,
    team_create,
    team_remove_member,
)
from rounds.services.problems import (
    allowed_transitions,
    problem_attach,
    problem_create,
    problem_transition,
    problem_update,
    target_give_feedback,
)
from rounds.services.team_reports import round_set_report_due, team_report_submit
from rounds.services.worklogs import weekly_summary_compile, worklog_file

__all__ = [
    "allowed_transitions",
    "commitment_sign",
    "problem_attach",
    "problem_create",
    "problem_transition",
    "problem_update",
    "round_advance",
    "round_create",
    "round_missing_for_next",
    "round_set_report_due",
    "target_add",
    "target_give_feedback",
    "target_set_dates",
    "team_add_member",
    "team_create",
    "team_remove_member",
    "team_report_submit",
    "weekly_summary_compile",
    "worklog_file",
]
