"""What each person sees first: the things they have to do, role by role.

Each role contributes cards; a card is a title, a line of text, an optional
figure and a link. Later features add their cards here.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rounds import selectors as rounds
from rounds.models import Membership, Problem, Round
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.orgs.selectors import cadre_list, organization_list

# 准备 to 反馈: the rounds someone is working on (整改 is the units' to do).
IN_PROGRESS = [
    Round.Status.PREPARING,
    Round.Status.ON_SITE,
    Round.Status.REPORTING,
    Round.Status.FEEDBACK,
]


@dataclass(frozen=True)
class Card:
    title: str
    text: str
    figure: int | str | None = None
    url: str = ""
    link_text: str = ""

    @property
    def figure_is_number(self) -> bool:
        return isinstance(self.figure, int)


def _url(name: str, **params) -> str:
    return reverse(name) + (f"?{urlencode(params)}" if params else "")


def _rounds_in_progress(user: User) -> Card:
    count = rounds.round_list(user=user).filter(status__in=IN_PROGRESS).count()
    return Card(
        _("进行中的巡察"),
        _("处于准备、进驻、报告、反馈阶段的巡察轮次。"),
        count,
        _url("rounds:round_list"),
        _("查看巡察轮次"),
    )


def _office_cards(user: User) -> list[Card]:
    orgs = organization_list(user=user)
    cadres = cadre_list(user=user)
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    # Today's log may still come this evening: count up to yesterday.
    missing = rounds.teams_missing_logs(
        user=user, start=monday, end=today - datetime.timedelta(days=1)
    )
    missing_text = (
        "、".join(f"{team.round.name}{team.name}" for team, _days in missing[:5])
        if missing
        else _("本周进驻中的巡察组都已按时报送工作日报。")
    )
    return [
        _rounds_in_progress(user),
        Card(
            _("本周缺报日报的巡察组"),
            missing_text,
            len(missing),
            _url("rounds:weekly_summary_list"),
            _("查看周汇总"),
        ),
        Card(
            _("组织库"),
            _("本级可巡察的党组织，可按区县、领域、层级查询，也可从 Excel 批量导入。"),
            orgs.count(),
            reverse("orgs:organization_list"),
            _("查看组织库"),
        ),
        Card(
            _("组长库"),
            _("可担任巡察组组长的干部。组建巡察组前请核对回避关系。"),
            cadres.filter(in_leader_pool=True).count(),
            reverse("orgs:cadre_list") + "?pool=leader",
            _("查看组长库"),
        ),
        Card(
            _("人才库"),
            _("可抽调为巡察组成员的干部。"),
            cadres.filter(in_talent_pool=True).count(),
            reverse("orgs:cadre_list") + "?pool=talent",
            _("查看人才库"),
        ),
    ]


def _membership_card(membership: Membership, today: datetime.date) -> Card:
    team = membership.team
    title = f"{team.round.name} · {team.name}（{membership.get_role_display()}）"
    if not membership.has_signed_all:
        return Card(
            title,
            _("请先签署保密、回避、纪律三项承诺，签署后才能看到本组的巡察对象。"),
            _("待签署承诺"),
            reverse("rounds:commitments", args=[team.pk]),
            _("签署承诺"),
        )
    if membership.role == Membership.Role.LEADER and team.round.status == Round.Status.ON_SITE:
        filed = team.logs.filter(date=today).exists()
        return Card(
            title,
            _("今日工作日报已报送，可以修改。") if filed else _("请在今天结束前报送工作日报。"),
            _("已报送") if filed else _("待报送"),
            reverse("rounds:worklog_form", args=[team.pk]) + f"?date={today.isoformat()}",
            _("修改今日日报") if filed else _("填报今日日报"),
        )
    return Card(
        title,
        _("三项承诺已签署。"),
        team.round.get_status_display(),
        team.get_absolute_url(),
        _("进入巡察组"),
    )


def _team_cards(user: User) -> list[Card]:
    today = timezone.localdate()
    memberships = list(
        rounds.my_memberships(user).exclude(team__round__status=Round.Status.ARCHIVED)[:6]
    )
    if not memberships:
        return [
            Card(
                _("我的巡察组"),
                _("您被编入巡察组并签署保密、回避、纪律三项承诺后，才能看到本组的巡察对象。"),
            )
        ]
    cards = [_membership_card(m, today) for m in memberships]
    in_team = rounds.problem_list(user=user).filter(
        status__in=[Problem.Status.DRAFT, Problem.Status.TEAM_REVIEW]
    )
    cards += [
        Card(
            _("本组巡察对象"),
            _("本组负责巡察的党组织。"),
            rounds.target_list(user=user).count(),
            _url("rounds:target_list"),
            _("查看巡察对象"),
        ),
        Card(
            _("草稿和组内研判中的问题"),
            _("尚未报巡察办审核的问题，核实后提交组内研判。"),
            in_team.count(),
            _url("rounds:problem_list"),
            _("查看问题"),
        ),
    ]
    return cards


def _unit_cards(user: User) -> list[Card]:
    org = user.organization
    if org is None:
        return [Card(_("所属党组织"), _("您的账号尚未关联党组织，请联系巡察办。"))]
    return [
        Card(
            _("所属党组织"),
            _("您只能看到本单位的反馈意见和整改事项。"),
            org.name,
            org.get_absolute_url(),
            _("查看本单位信息"),
        ),
        Card(
            _("巡察反馈的问题"),
            _("巡察组反馈给本单位、需要整改的问题。"),
            rounds.problem_list(user=user).count(),
            _url("rounds:problem_list"),
            _("查看反馈问题"),
        ),
    ]


def _leadership_cards(user: User) -> list[Card]:
    return [
        _rounds_in_progress(user),
        Card(
            _("已反馈的问题"),
            _("经巡察办审核、已向被巡察党组织反馈的问题。"),
            rounds.problem_list(user=user).count(),
            _url("rounds:problem_list"),
            _("查看问题"),
        ),
        Card(
            _("巡察对象总数"),
            _("纳入本级巡察范围的党组织。"),
            organization_list(user=user).count(),
            reverse("orgs:organization_list"),
            _("查看组织库"),
        ),
    ]


def _department_cards(user: User) -> list[Card]:
    name = user.department.name if user.department else _("（未关联部门）")
    return [Card(_("本部门台账"), _("移交给本部门的问题线索和建议会出现在这里。"), name)]


def _sysadmin_cards(user: User) -> list[Card]:
    return [
        Card(
            _("账号"),
            _("系统管理员管理账号，但不查看任何案件数据；角色由安全保密管理员授予。"),
            User.objects.filter(is_active=True).count(),
            reverse("admin:accounts_user_changelist"),
            _("管理账号"),
        )
    ]


def _security_officer_cards(user: User) -> list[Card]:
    without_roles = User.objects.filter(is_active=True, groups__isnull=True).count()
    return [
        Card(
            _("待授权账号"),
            _("已启用但尚未授予任何角色的账号。"),
            without_roles,
            reverse("admin:accounts_user_changelist"),
            _("授予角色"),
        )
    ]


def _auditor_cards(user: User) -> list[Card]:
    from xuncha.audit.selectors import audit_entry_list

    today = timezone.localdate()
    entries = audit_entry_list(user=user, filters={"date_from": today})
    return [
        Card(
            _("今日审计记录"),
            _("所有数据变更和问题线索的查阅都记入不可篡改的审计日志。"),
            entries.count(),
            reverse("audit:entry_list"),
            _("查看审计日志"),
        )
    ]


CARDS_BY_ROLE = {
    Role.OFFICE: _office_cards,
    Role.TEAM_LEADER: _team_cards,
    Role.TEAM_MEMBER: _team_cards,
    Role.UNIT_CONTACT: _unit_cards,
    Role.LEADERSHIP: _leadership_cards,
    Role.DEPARTMENT: _department_cards,
    Role.SYSADMIN: _sysadmin_cards,
    Role.SECURITY_OFFICER: _security_officer_cards,
    Role.AUDITOR: _auditor_cards,
}


def home_cards(user: User) -> list[Card]:
    cards, seen = [], set()
    for role in Role:
        builder = CARDS_BY_ROLE[role]
        if role in user.roles and builder not in seen:
            seen.add(builder)
            cards.extend(builder(user))
    return cards
