"""The triage rule table: what the team may do with a report, from which
state, and what blocks it. Services check it; the report page offers it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from intake.models import Report
from rounds.access import active_membership
from xuncha.accounts.roles import Role
from xuncha.core.workflow import Rule, Workflow

S = Report.State
TEAM = (Role.TEAM_LEADER.value, Role.TEAM_MEMBER.value)


def _team(user, report: Report) -> bool:
    return active_membership(user, report.target.team) is not None


def _round_open_for_problems(report: Report) -> str | None:
    from rounds.models import Round

    if report.target.round.status not in (Round.Status.ON_SITE, Round.Status.REPORTING):
        return _("只有在进驻和报告阶段才能转为问题。")
    return None


TRIAGE = Workflow(
    "intake",
    state_field="state",
    noun=pgettext_lazy("refusal subject", "该反映"),
    rules=(
        Rule(
            "problem",
            gettext_lazy("转为问题"),
            (S.NEW,),
            _team,
            gettext_lazy("本组已签署三项承诺的成员"),
            TEAM,
            checks=(_round_open_for_problems,),
            target=S.PROBLEM,
        ),
        Rule(
            "clue",
            gettext_lazy("转为线索草稿"),
            (S.NEW,),
            _team,
            gettext_lazy("本组已签署三项承诺的成员"),
            TEAM,
            target=S.CLUE,
        ),
        Rule(
            "transfer",
            gettext_lazy("转办"),
            (S.NEW,),
            _team,
            gettext_lazy("本组已签署三项承诺的成员"),
            TEAM,
            target=S.TRANSFERRED,
        ),
        Rule(
            "receipt",
            gettext_lazy("登记转办回执"),
            (S.TRANSFERRED,),
            _team,
            gettext_lazy("本组已签署三项承诺的成员"),
            TEAM,
        ),
        Rule(
            "outside",
            gettext_lazy("不属于受理范围"),
            (S.NEW,),
            _team,
            gettext_lazy("本组已签署三项承诺的成员"),
            TEAM,
            target=S.OUTSIDE,
        ),
        Rule(
            "duplicate",
            gettext_lazy("标记为重复反映"),
            (S.NEW,),
            _team,
            gettext_lazy("本组已签署三项承诺的成员"),
            TEAM,
            target=S.DUPLICATE,
        ),
    ),
)
