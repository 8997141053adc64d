"""Moving a round through 计划 → 准备 → 进驻 → 报告 → 反馈 → 整改 → 归档,
each step as its row in rounds.workflow.ROUND allows."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rounds.access import require_office
from rounds.models import Problem, Round, Target
from rounds.workflow import ADVANCES, ROUND, next_step
from xuncha.audit.services import log_action
from xuncha.core import workflow

S = Round.Status
NEXT_STATUS = {rule.sources[0]: rule.target for rule in ADVANCES}
# The targets' own status follows the round's where the round decides it.
TARGET_STATUS_ON_ENTRY = {
    S.ON_SITE: Target.Status.ON_SITE,
    S.REPORTING: Target.Status.REPORTING,
    S.RECTIFYING: Target.Status.RECTIFYING,
    # Only reached through ready_to_archive: every item of every target done.
    S.ARCHIVED: Target.Status.CLOSED,
}
ARCHIVED = gettext_noop("本轮巡察已归档。")

# What other apps do when a round reaches a stage (the archive app queues the
# round's package at 归档), called inside the advance's transaction: a hook
# that queues work does so with transaction.on_commit.
AFTER_ADVANCE: list[Callable[[Round, object], None]] = []


def register_after_advance(hook: Callable[[Round, object], None]) -> None:
    if hook not in AFTER_ADVANCE:
        AFTER_ADVANCE.append(hook)


def round_missing_for_next(round_: Round) -> list[str]:
    """What must still be done before the round can move on ([] = ready)."""
    rule = next_step(round_)
    if rule is None:
        return [_(ARCHIVED)]
    return workflow.blocking_reasons(rule, round_)


@transaction.atomic
def round_advance(*, round_: Round, user) -> Round:
    round_ = Round.objects.select_for_update().select_related("office").get(pk=round_.pk)
    require_office(user, round_)
    rule = next_step(round_)
    if rule is None:
        raise ValidationError([_(ARCHIVED)])
    workflow.check(ROUND, user, round_, rule.action)
    before, round_.status = round_.status, rule.target
    round_.save(update_fields=["status"])
    if target_status := TARGET_STATUS_ON_ENTRY.get(round_.status):
        round_.targets.update(status=target_status)
    log_action(user, "round.advance", round_, {"from": before, "to": round_.status})
    for hook in AFTER_ADVANCE:
        hook(round_, user)
    return round_


def pending_problem_count(target: Target) -> int:
    return target.problems.filter(
        status__in=[Problem.Status.DRAFT, Problem.Status.TEAM_REVIEW, Problem.Status.OFFICE_REVIEW]
    ).count()
