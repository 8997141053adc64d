"""The rounds' cards on the home page, registered in ``RoundsConfig.ready()``
(the registry is ``xuncha/core/cards.py``; the page is ``portal/home.py``)."""

import datetime
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rounds import selectors as rounds
from rounds.models import Membership, Problem, Round
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.core.cards import Card, register_cards

# 准备 to 反馈: the rounds someone is working on (整改 is the units' to do).
IN_PROGRESS = [
    Round.Status.PREPARING,
    Round.Status.ON_SITE,
    Round.Status.REPORTING,
    Round.Status.FEEDBACK,
]


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


def office_cards(user: User) -> list[Card]:
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


def team_cards(user: User) -> list[Card]:
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


def unit_cards(user: User) -> list[Card]:
    # Without an organization the unit sees nothing of the rounds yet; the
    # portal's card tells them to ask the office.
    if user.organization is None:
        return []
    return [
        Card(
            _("巡察反馈的问题"),
            _("巡察组反馈给本单位、需要整改的问题。"),
            rounds.problem_list(user=user).count(),
            _url("rounds:problem_list"),
            _("查看反馈问题"),
        ),
    ]


def leadership_cards(user: User) -> list[Card]:
    return [
        _rounds_in_progress(user),
        Card(
            _("已反馈的问题"),
            _("经巡察办审核、已向被巡察党组织反馈的问题。"),
            rounds.problem_list(user=user).count(),
            _url("rounds:problem_list"),
            _("查看问题"),
        ),
    ]


def register() -> None:
    """Called from ``RoundsConfig.ready()``. The orders leave room for the
    portal's organization cards (20) after these (10) and the unit's own (10) before."""
    register_cards([Role.OFFICE], office_cards, order=10)
    register_cards([Role.TEAM_LEADER, Role.TEAM_MEMBER], team_cards, order=10)
    register_cards([Role.UNIT_CONTACT], unit_cards, order=20)
    register_cards([Role.LEADERSHIP], leadership_cards, order=10)
