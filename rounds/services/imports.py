"""The office's historical problems, imported from its Excel ledgers.

A problem normally enters through a signed team member (problem_create) and
the review steps. Records of past rounds have no such member any more: the
office imports them directly, already in the report or fed back, through
this one service, which checks and audit-logs every row like any other write.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rounds.access import office_manages
from rounds.models import Problem, Target
from xuncha.audit.services import log_actions

IMPORTABLE_STATUSES = (Problem.Status.IN_REPORT, Problem.Status.FED_BACK)
FED_BACK_TARGET = (Target.Status.FED_BACK, Target.Status.RECTIFYING, Target.Status.CLOSED)


def default_status(target: Target) -> str:
    """A fed-back target's problems were fed back; otherwise they stand in the report."""
    return Problem.Status.FED_BACK if target.status in FED_BACK_TARGET else Problem.Status.IN_REPORT


def problem_import_check(*, problem: Problem, user, today: datetime.date | None = None) -> None:
    """Everything that must hold before an imported problem is written, as a
    ValidationError keyed by field. The import's preview runs this alone."""
    errors: dict[str, list[str]] = {}
    target = problem.target
    if not office_manages(user, target.round.office):
        errors.setdefault("target", []).append(
            f"「{target.organization.name}」所在的{target.round.name}不属于本级巡察办，不能导入。"
        )
    if problem.status not in IMPORTABLE_STATUSES:
        errors.setdefault("status", []).append("导入的问题状态只能是“列入报告”或“已反馈”。")
    elif problem.status == Problem.Status.FED_BACK and target.status not in FED_BACK_TARGET:
        errors.setdefault("status", []).append("该巡察对象尚未反馈，问题状态不能为“已反馈”。")
    if not problem.category.is_active:
        errors.setdefault("category", []).append(f"问题类别「{problem.category.name}」已停用。")
    if problem.found_on and problem.found_on > (today or timezone.localdate()):
        errors.setdefault("found_on", []).append("发现日期不能晚于今天。")
    if not (problem.description or "").strip():
        errors.setdefault("description", []).append("问题描述不能为空。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def problems_import(*, problems: list[Problem], user) -> list[Problem]:
    """Write imported problems: each checked, validated and audit-logged.

    ``problems`` are unsaved, with their target, category and fields set (by
    the import resource, which hands them over in batches); the importing
    office user is recorded as who entered them. They are inserted with one
    statement per batch; the audit log still gets one entry per problem."""
    for problem in problems:
        problem_import_check(problem=problem, user=user)
        problem.round_id = problem.target.round_id
        problem.team_id = problem.target.team_id
        problem.found_by = user
        # The related rows were loaded by the caller: skip full_clean's query per foreign key.
        problem.full_clean(exclude=["target", "category", "round", "team", "found_by"])
    Problem.objects.bulk_create(problems)
    log_actions(
        user,
        "problem.import",
        [
            (
                problem,
                {
                    "target": problem.target_id,
                    "category": problem.category_id,
                    "status": problem.status,
                },
            )
            for problem in problems
        ],
    )
    return problems
