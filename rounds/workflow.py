"""The rule tables of a round: its lifecycle (计划 → 准备 → 进驻 → 报告 → 反馈 →
整改 → 归档) and the review of a problem (草稿 → 组内研判 → 办审核 → 列入报告).

Each step of the lifecycle names what must be true first; a refusal lists,
in Chinese, everything still missing, so the office can fix it all in one go.
"""

from collections.abc import Callable

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from rounds.access import active_membership, office_manages
from rounds.models import Membership, Problem, Round, Target
from xuncha.accounts.roles import Role
from xuncha.core.workflow import Rule, Workflow

S = Round.Status
OFFICE = Role.OFFICE
MIN_TEAM_SIZE, MAX_TEAM_SIZE = 5, 7


def _office(user, obj) -> bool:
    return office_manages(user, obj.office if isinstance(obj, Round) else obj.round.office)


# --- what each stage needs ----------------------------------------------------


def teams_formed(round_: Round) -> list[str]:
    missing = []
    teams = list(round_.teams.prefetch_related("memberships"))
    if not teams:
        missing.append(_("尚未组建巡察组。"))
    for team in teams:
        roles = [m.role for m in team.memberships.all()]
        if Membership.Role.LEADER not in roles:
            missing.append(_("%(team)s尚未确定组长。") % {"team": team.name})
    if not round_.targets.exists():
        missing.append(_("尚未确定巡察对象。"))
    return missing


def ready_to_enter(round_: Round) -> list[str]:
    missing = teams_formed(round_)
    for team in round_.teams.prefetch_related("memberships__cadre"):
        memberships = list(team.memberships.all())
        deputies = sum(m.role == Membership.Role.DEPUTY for m in memberships)
        if not MIN_TEAM_SIZE <= len(memberships) <= MAX_TEAM_SIZE:
            missing.append(
                _("%(team)s现有 %(count)s 人，应为 %(min)s–%(max)s 人。")
                % {
                    "team": team.name,
                    "count": len(memberships),
                    "min": MIN_TEAM_SIZE,
                    "max": MAX_TEAM_SIZE,
                }
            )
        if not 1 <= deputies <= 2:
            missing.append(
                _("%(team)s应设 1–2 名副组长，现有 %(count)s 名。")
                % {"team": team.name, "count": deputies}
            )
        unsigned = [m.cadre.name for m in memberships if not m.has_signed_all]
        if unsigned:
            missing.append(
                _("%(team)s以下成员尚未签署三项承诺：%(names)s。")
                % {"team": team.name, "names": "、".join(unsigned)}
            )
    no_entry = round_.targets.filter(entry_date__isnull=True).select_related("organization")
    for target in no_entry:
        missing.append(
            _("「%(organization)s」尚未确定进驻日期。") % {"organization": target.organization.name}
        )
    return missing


# What else keeps a round from 报告: the on-site checklist (checklist app)
# registers itself here, as rectification does for 归档 below.
REPORT_BLOCKERS: list[Callable[[Round], list[str]]] = []


def register_report_blocker(blocker: Callable[[Round], list[str]]) -> None:
    if blocker not in REPORT_BLOCKERS:
        REPORT_BLOCKERS.append(blocker)


def ready_to_report(round_: Round) -> list[str]:
    missing = [
        _("「%(organization)s」尚未确定撤离日期。") % {"organization": t.organization.name}
        for t in round_.targets.filter(exit_date__isnull=True).select_related("organization")
    ]
    return missing + [reason for blocker in REPORT_BLOCKERS for reason in blocker(round_)]


def ready_for_feedback(round_: Round) -> list[str]:
    return [
        _("「%(organization)s」尚未反馈。") % {"organization": t.organization.name}
        for t in round_.targets.exclude(status=Target.Status.FED_BACK).select_related(
            "organization"
        )
    ]


# What still keeps a round from 归档. Rectification lives in its own app, a
# floor beside this one: it registers its blockers here (rectification.apps)
# rather than this app importing it.
ARCHIVE_BLOCKERS: list[Callable[[Round], list[str]]] = []


def register_archive_blocker(blocker: Callable[[Round], list[str]]) -> None:
    if blocker not in ARCHIVE_BLOCKERS:
        ARCHIVE_BLOCKERS.append(blocker)


def ready_to_archive(round_: Round) -> list[str]:
    return [reason for blocker in ARCHIVE_BLOCKERS for reason in blocker(round_)]


# --- historical imports -------------------------------------------------------

# An import writes the past. It may add to or change an existing round only
# once the round is over: 归档 comes after every rectification blocker above is
# cleared, and the lifecycle never leaves it. Before that the round is someone's
# live work (targets on site, plans under the office's review), which an import
# would change behind the team's and the unit's backs. Rounds that an import
# creates are new history and need no such rule.
IMPORT_OPEN_STATUSES = (S.ARCHIVED,)
IMPORT_RULE = (
    "已在系统中的轮次，只有处于“归档”阶段的才能通过导入补充或更正（增加或更改巡察对象、"
    "巡察组成员，导入整改台账、巡察建议书）；未归档的轮次正在进行中，请在系统中办理。"
    "本次导入新建的轮次不受此限。"
)


def import_refusal(round_: Round) -> str:
    """Why an import may not change this existing round, in words; "" when it may."""
    if round_.status in IMPORT_OPEN_STATUSES:
        return ""
    return _(
        "%(round)s处于“%(stage)s”阶段，尚未归档，"
        "导入不能改变进行中的轮次，请在系统中办理；轮次归档后才能导入其历史数据。"
    ) % {"round": round_.name, "stage": Round.Status(round_.status).label}


def _advance(action: str, source: str, target: str, check=None) -> Rule:
    label = format_lazy(gettext_lazy("推进到{stage}"), stage=Round.Status(target).label)
    return Rule(
        action,
        label,
        (source,),
        _office,
        gettext_lazy("本级巡察办工作人员"),
        (OFFICE,),
        (check,) if check else (),
        target=target,
        refusal=format_lazy(
            gettext_lazy("只有处于{stage}阶段的轮次才能{action}。"),
            stage=Round.Status(source).label,
            action=label,
        ),
    )


ROUND = Workflow(
    "round",
    noun=pgettext_lazy("refusal subject", "本轮巡察"),
    rules=(
        _advance("prepare", S.PLANNED, S.PREPARING, teams_formed),
        _advance("enter", S.PREPARING, S.ON_SITE, ready_to_enter),
        _advance("report", S.ON_SITE, S.REPORTING, ready_to_report),
        _advance("feedback", S.REPORTING, S.FEEDBACK, ready_for_feedback),
        _advance("rectify", S.FEEDBACK, S.RECTIFYING),
        _advance("archive", S.RECTIFYING, S.ARCHIVED, ready_to_archive),
        Rule(
            "form_team",
            gettext_lazy("组建巡察组"),
            (S.PLANNED, S.PREPARING),
            _office,
            gettext_lazy("本级巡察办工作人员"),
            (OFFICE,),
            refusal=gettext_lazy("进驻后不能再增加巡察组。"),
        ),
    ),
)
ADVANCES = tuple(rule for rule in ROUND.rules if rule.action != "form_team")


def next_step(round_: Round) -> Rule | None:
    """The lifecycle row that moves this round on; None once archived."""
    return next((rule for rule in ADVANCES if round_.status in rule.sources), None)


# --- problem review -----------------------------------------------------------

P = Problem.Status


def _member(user, problem: Problem) -> bool:
    return active_membership(user, problem.team) is not None


def _leader(user, problem: Problem) -> bool:
    membership = active_membership(user, problem.team)
    return membership is not None and membership.role == Membership.Role.LEADER


def _review(action, label, source, target, who, actor, roles) -> Rule:
    return Rule(
        action,
        label,
        (source,),
        who,
        actor,
        roles,
        target=target,
        refusal=format_lazy(
            gettext_lazy("该问题当前为「{{state}}」，不能执行「{action}」。"), action=label
        ),
    )


PROBLEM = Workflow(
    "problem",
    noun=pgettext_lazy("refusal subject", "该问题"),
    rules=(
        _review(
            "submit",
            gettext_lazy("提交组内研判"),
            P.DRAFT,
            P.TEAM_REVIEW,
            _member,
            gettext_lazy("本组成员"),
            (Role.TEAM_MEMBER, Role.TEAM_LEADER),
        ),
        _review(
            "team_approve",
            gettext_lazy("研判通过，报巡察办审核"),
            P.TEAM_REVIEW,
            P.OFFICE_REVIEW,
            _leader,
            gettext_lazy("本组组长"),
            (Role.TEAM_LEADER,),
        ),
        _review(
            "team_return",
            gettext_lazy("退回修改"),
            P.TEAM_REVIEW,
            P.DRAFT,
            _leader,
            gettext_lazy("本组组长"),
            (Role.TEAM_LEADER,),
        ),
        _review(
            "office_approve",
            gettext_lazy("审核通过，列入巡察报告"),
            P.OFFICE_REVIEW,
            P.IN_REPORT,
            _office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
        ),
        _review(
            "office_return",
            gettext_lazy("退回巡察组"),
            P.OFFICE_REVIEW,
            P.TEAM_REVIEW,
            _office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
        ),
    ),
)
