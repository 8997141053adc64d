"""Moving a round through 计划 → 准备 → 进驻 → 报告 → 反馈 → 整改 → 归档.

Each step names what must be true first; a refusal lists, in Chinese,
everything still missing, so the office can fix it all in one go.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from rounds.access import require_office
from rounds.models import Membership, Problem, Round, Target
from xuncha.audit.services import log_action

S = Round.Status
NEXT_STATUS = {
    S.PLANNED: S.PREPARING,
    S.PREPARING: S.ON_SITE,
    S.ON_SITE: S.REPORTING,
    S.REPORTING: S.FEEDBACK,
    S.FEEDBACK: S.RECTIFYING,
    S.RECTIFYING: S.ARCHIVED,
}
# The targets' own status follows the round's where the round decides it.
TARGET_STATUS_ON_ENTRY = {
    S.ON_SITE: Target.Status.ON_SITE,
    S.REPORTING: Target.Status.REPORTING,
    S.RECTIFYING: Target.Status.RECTIFYING,
    S.ARCHIVED: Target.Status.CLOSED,
}
MIN_TEAM_SIZE, MAX_TEAM_SIZE = 5, 7


def _teams_formed(round_: Round) -> list[str]:
    missing = []
    teams = list(round_.teams.prefetch_related("memberships"))
    if not teams:
        missing.append("尚未组建巡察组。")
    for team in teams:
        roles = [m.role for m in team.memberships.all()]
        if Membership.Role.LEADER not in roles:
            missing.append(f"{team.name}尚未确定组长。")
    if not round_.targets.exists():
        missing.append("尚未确定巡察对象。")
    return missing


def _ready_to_enter(round_: Round) -> list[str]:
    missing = _teams_formed(round_)
    for team in round_.teams.prefetch_related("memberships__cadre"):
        memberships = list(team.memberships.all())
        deputies = sum(m.role == Membership.Role.DEPUTY for m in memberships)
        if not MIN_TEAM_SIZE <= len(memberships) <= MAX_TEAM_SIZE:
            missing.append(
                f"{team.name}现有 {len(memberships)} 人，应为 {MIN_TEAM_SIZE}–{MAX_TEAM_SIZE} 人。"
            )
        if not 1 <= deputies <= 2:
            missing.append(f"{team.name}应设 1–2 名副组长，现有 {deputies} 名。")
        unsigned = [m.cadre.name for m in memberships if not m.has_signed_all]
        if unsigned:
            missing.append(f"{team.name}以下成员尚未签署三项承诺：{'、'.join(unsigned)}。")
    no_entry = round_.targets.filter(entry_date__isnull=True).select_related("organization")
    for target in no_entry:
        missing.append(f"「{target.organization.name}」尚未确定进驻日期。")
    return missing


def _ready_to_report(round_: Round) -> list[str]:
    return [
        f"「{t.organization.name}」尚未确定撤离日期。"
        for t in round_.targets.filter(exit_date__isnull=True).select_related("organization")
    ]


def _ready_for_feedback(round_: Round) -> list[str]:
    return [
        f"「{t.organization.name}」尚未反馈。"
        for t in round_.targets.exclude(status=Target.Status.FED_BACK).select_related(
            "organization"
        )
    ]


def _nothing_more(round_: Round) -> list[str]:
    return []


GUARDS = {
    S.PREPARING: _teams_formed,
    S.ON_SITE: _ready_to_enter,
    S.REPORTING: _ready_to_report,
    S.FEEDBACK: _ready_for_feedback,
    S.RECTIFYING: _nothing_more,
    S.ARCHIVED: _nothing_more,
}


def round_missing_for_next(round_: Round) -> list[str]:
    """What must still be done before the round can move on ([] = ready)."""
    next_status = NEXT_STATUS.get(round_.status)
    if next_status is None:
        return ["本轮巡察已归档。"]
    return GUARDS[next_status](round_)


@transaction.atomic
def round_advance(*, round_: Round, user) -> Round:
    round_ = Round.objects.select_for_update().select_related("office").get(pk=round_.pk)
    require_office(user, round_)
    missing = round_missing_for_next(round_)
    if missing:
        raise ValidationError(missing)
    before, round_.status = round_.status, NEXT_STATUS[round_.status]
    round_.save(update_fields=["status"])
    if target_status := TARGET_STATUS_ON_ENTRY.get(round_.status):
        round_.targets.update(status=target_status)
    log_action(user, "round.advance", round_, {"from": before, "to": round_.status})
    return round_


def pending_problem_count(target: Target) -> int:
    return target.problems.filter(
        status__in=[Problem.Status.DRAFT, Problem.Status.TEAM_REVIEW, Problem.Status.OFFICE_REVIEW]
    ).count()
