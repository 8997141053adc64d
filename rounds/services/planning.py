"""Planning a round: the round itself, its teams and members, its targets."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from rounds import handoffs
from rounds.access import require_office
from rounds.models import Commitment, Membership, Round, RoundKind, Target, Team
from rounds.recusal import recusal_conflicts
from rounds.services.team_reports import check_report_due
from rounds.workflow import ROUND
from xuncha.audit.context import current_ip
from xuncha.audit.services import log_action
from xuncha.core import workflow
from xuncha.orgs.models import Cadre, Office, Organization

MAX_TEAM_SIZE = 7
MAX_DEPUTIES = 2
VIEW_TARGET = "rounds.view_target"


@transaction.atomic
def round_create(
    *,
    office: Office,
    term: int,
    number: int,
    year: int,
    kinds: list[RoundKind],
    planned_start: datetime.date,
    planned_end: datetime.date,
    theme: str = "",
    report_due: datetime.date | None = None,
    user,
) -> Round:
    round_ = Round(
        office=office,
        term=term,
        number=number,
        year=year,
        theme=theme,
        planned_start=planned_start,
        planned_end=planned_end,
        report_due=report_due,
    )
    require_office(user, round_)
    if not kinds:
        raise ValidationError({"kinds": _("请至少选择一种巡察类型。")})
    if any(k.code == "special" for k in kinds) and not theme:
        raise ValidationError({"theme": _("专项巡察须填写专项主题。")})
    if Round.objects.filter(office=office, term=term, number=number).exists():
        # Said before full_clean, which would give Django's raw unique-constraint text.
        raise ValidationError(
            {
                "number": _("「%(round)s」已经存在，请核对届次和轮次，不要重复新建。")
                % {"round": round_.name}
            }
        )
    check_report_due(round_, report_due)
    round_.full_clean()
    round_.save()
    round_.kinds.set(kinds)
    log_action(user, "round.create", round_, {"kinds": [k.code for k in kinds]})
    return round_


@transaction.atomic
def team_create(*, round_: Round, number: int, liaison: str = "", user) -> Team:
    require_office(user, round_)
    workflow.check(ROUND, user, round_, "form_team")
    team = Team(round=round_, number=number, liaison=liaison)
    team.full_clean()
    team.save()
    log_action(user, "team.create", team, {"round": round_.pk, "number": number})
    return team


def _check_pool(cadre: Cadre, role: str) -> None:
    if not cadre.is_active:
        raise ValidationError(_("%(cadre)s 目前不可选派。") % {"cadre": cadre.name})
    if role == Membership.Role.LEADER and not cadre.in_leader_pool:
        raise ValidationError(_("%(cadre)s 不在组长库中，不能担任组长。") % {"cadre": cadre.name})
    if role == Membership.Role.MEMBER and not cadre.in_talent_pool:
        raise ValidationError(_("%(cadre)s 不在人才库中，不能担任组员。") % {"cadre": cadre.name})
    if role == Membership.Role.DEPUTY and not (cadre.in_leader_pool or cadre.in_talent_pool):
        raise ValidationError(_("%(cadre)s 不在组长库或人才库中。") % {"cadre": cadre.name})


def _check_team_shape(team: Team, role: str) -> None:
    members = list(team.memberships.values_list("role", flat=True))
    if len(members) >= MAX_TEAM_SIZE:
        raise ValidationError(
            _("%(team)s已有 %(max)s 人，不能再增加。") % {"team": team.name, "max": MAX_TEAM_SIZE}
        )
    if role == Membership.Role.LEADER and Membership.Role.LEADER in members:
        raise ValidationError(_("%(team)s已有组长。") % {"team": team.name})
    if role == Membership.Role.DEPUTY and members.count(Membership.Role.DEPUTY) >= MAX_DEPUTIES:
        raise ValidationError(
            _("%(team)s最多设 %(max)s 名副组长。") % {"team": team.name, "max": MAX_DEPUTIES}
        )


def _raise_conflicts(conflicts) -> None:
    if conflicts:
        raise ValidationError([str(conflict) for conflict in conflicts])


# A team still at work: a cadre on one of these cannot quietly be sent elsewhere too.
ACTIVE_ROUND_STATUSES = (
    Round.Status.PLANNED,
    Round.Status.PREPARING,
    Round.Status.ON_SITE,
    Round.Status.REPORTING,
)


def busy_elsewhere(cadre: Cadre, round_: Round) -> list[str]:
    """The other active teams this cadre is on, named for the warning."""
    others = (
        Membership.objects.filter(cadre=cadre, round__status__in=ACTIVE_ROUND_STATUSES)
        .exclude(round=round_)
        .select_related("team__round__office")
    )
    return [
        f"「{m.team.round.name}」{m.team.name}（{m.team.round.get_status_display()}）"
        for m in others
    ]


@transaction.atomic
def team_add_member(
    *, team: Team, cadre: Cadre, role: str, user, confirm_busy: bool = False
) -> Membership:
    """Put a cadre on a team: pool, size and recusal checked; the team's targets granted.

    A cadre already on another active team is refused with a warning naming
    it, unless the office confirms (``confirm_busy``) that both are intended."""
    team = Team.objects.select_for_update().select_related("round__office").get(pk=team.pk)
    require_office(user, team.round)
    if team.round.status not in (
        Round.Status.PLANNED,
        Round.Status.PREPARING,
        Round.Status.ON_SITE,
    ):
        raise ValidationError(_("本轮巡察已进入报告阶段，不能再调整巡察组成员。"))
    if cadre.user_id is None:
        raise ValidationError(
            _("%(cadre)s 还没有登录账号，请先由系统管理员开通。") % {"cadre": cadre.name}
        )
    _check_pool(cadre, role)
    _check_team_shape(team, role)
    if Membership.objects.filter(round=team.round, cadre=cadre).exists():
        raise ValidationError(_("%(cadre)s 已在本轮其他巡察组中。") % {"cadre": cadre.name})
    if not confirm_busy and (elsewhere := busy_elsewhere(cadre, team.round)):
        raise ValidationError(
            {
                "confirm_busy": _(
                    "%(cadre)s 正在%(elsewhere)s工作。"
                    "如确需同时选派，请勾选“确认同时选派”后再编入。"
                )
                % {"cadre": cadre.name, "elsewhere": "、".join(elsewhere)}
            }
        )
    targets = list(team.targets.select_related("organization"))
    _raise_conflicts(recusal_conflicts(cadre, [t.organization for t in targets]))
    membership = Membership.objects.create(team=team, round=team.round, cadre=cadre, role=role)
    for target in targets:
        assign_perm(VIEW_TARGET, cadre.user, target)
    log_action(user, "team.member_add", team, {"cadre": cadre.pk, "role": role})
    handoffs.member_added(membership)
    return membership


@transaction.atomic
def team_remove_member(*, membership: Membership, user) -> None:
    team = (
        Team.objects.select_for_update().select_related("round__office").get(pk=membership.team_id)
    )
    require_office(user, team.round)
    if team.round.status not in (
        Round.Status.PLANNED,
        Round.Status.PREPARING,
        Round.Status.ON_SITE,
    ):
        raise ValidationError(_("本轮巡察已进入报告阶段，不能再调整巡察组成员。"))
    for target in team.targets.all():
        remove_perm(VIEW_TARGET, membership.cadre.user, target)
    log_action(
        user, "team.member_remove", team, {"cadre": membership.cadre_id, "role": membership.role}
    )
    membership.delete()


@transaction.atomic
def commitment_sign(*, membership: Membership, kind: str, user) -> Commitment:
    """The member signs for themself; when all three are signed, data opens."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.cadre.user_id != user.pk:
        raise PermissionDenied(_("承诺书只能由本人签署。"))
    if kind not in Commitment.Kind.values:
        raise ValidationError(_("未知的承诺类型。"))
    if membership.round.status == Round.Status.ARCHIVED:
        # A past team's record (an imported one too) opens nothing any more.
        raise ValidationError(_("本轮巡察已归档，不能再签署承诺书。"))
    commitment, created = Commitment.objects.get_or_create(
        membership=membership,
        kind=kind,
        defaults={"signed_at": timezone.now(), "ip_address": current_ip.get()},
    )
    if created:
        log_action(user, "commitment.sign", membership, {"kind": kind})
    signed = set(membership.commitments.values_list("kind", flat=True))
    if signed == set(Commitment.Kind.values) and membership.commitments_completed_at is None:
        membership.commitments_completed_at = timezone.now()
        membership.save(update_fields=["commitments_completed_at"])
    return commitment


def _check_target_scope(round_: Round, organization: Organization) -> None:
    check_target_scope(
        round_.office, set(round_.kinds.values_list("code", flat=True)), organization
    )


def check_target_scope(office, kinds: set[str], organization: Organization) -> None:
    """Which organizations a round of ``office`` with these kind codes may
    inspect (提级 and 交叉 per DOMAIN.md)."""
    if office.is_city:
        below_city = organization.level in (
            Organization.Level.TOWNSHIP,
            Organization.Level.VILLAGE,
        )
        if below_city and not kinds & {"elevated", "extended", "cross"}:
            raise ValidationError(
                _("「%(organization)s」属于区县管理的基层组织，市委巡察须为提级、延伸或交叉巡察。")
                % {"organization": organization.name}
            )
        return
    if organization.region_id is None:
        raise ValidationError(
            _("「%(organization)s」是市直单位，区县巡察不能直接巡察。")
            % {"organization": organization.name}
        )
    own_region = organization.region_id == office.region_id
    if "cross" in kinds and own_region:
        raise ValidationError(
            _("交叉巡察不能巡察本区县的「%(organization)s」。")
            % {"organization": organization.name}
        )
    if "cross" not in kinds and not own_region:
        raise ValidationError(
            _("「%(organization)s」不属于本区县，只有交叉巡察可以巡察外区县单位。")
            % {"organization": organization.name}
        )


@transaction.atomic
def target_add(*, team: Team, organization: Organization, user) -> Target:
    """Assign an organization to a team: scope and every member's recusal checked."""
    team = Team.objects.select_for_update().select_related("round__office").get(pk=team.pk)
    round_ = team.round
    require_office(user, round_)
    if round_.status not in (Round.Status.PLANNED, Round.Status.PREPARING):
        raise ValidationError(_("进驻后不能再增加巡察对象。"))
    if Target.objects.filter(round=round_, organization=organization).exists():
        raise ValidationError(
            _("「%(organization)s」已是本轮的巡察对象。") % {"organization": organization.name}
        )
    _check_target_scope(round_, organization)
    memberships = list(
        team.memberships.select_related("cadre__organization__parent", "cadre__user")
    )
    conflicts = []
    for membership in memberships:
        conflicts += recusal_conflicts(membership.cadre, [organization])
    _raise_conflicts(conflicts)
    target = Target(
        round=round_, team=team, organization=organization, leader_name=organization.leader_name
    )
    target.full_clean()
    target.save()
    for membership in memberships:
        assign_perm(VIEW_TARGET, membership.cadre.user, target)
    log_action(user, "target.add", target, {"team": team.pk, "organization": organization.pk})
    return target


@transaction.atomic
def target_set_dates(
    *,
    target: Target,
    entry_date: datetime.date | None,
    exit_date: datetime.date | None,
    feedback_date: datetime.date | None,
    user,
) -> Target:
    require_office(user, target.round)
    if entry_date and exit_date and exit_date < entry_date:
        raise ValidationError({"exit_date": _("撤离日期不能早于进驻日期。")})
    if feedback_date and entry_date and feedback_date < entry_date:
        raise ValidationError({"feedback_date": _("反馈日期不能早于进驻日期。")})
    before = {
        "entry_date": target.entry_date,
        "exit_date": target.exit_date,
        "feedback_date": target.feedback_date,
    }
    target.entry_date, target.exit_date, target.feedback_date = entry_date, exit_date, feedback_date
    target.save()
    log_action(
        user,
        "target.dates",
        target,
        {
            "before": before,
            "after": {
                "entry_date": entry_date,
                "exit_date": exit_date,
                "feedback_date": feedback_date,
            },
        },
    )
    return target
