"""The triage rule table: what the team may do with a report, from which
state, and what blocks it. Services check it; the report page offers it."""

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
        return "只有在进驻和报告阶段才能转为问题。"
    return None


TRIAGE = Workflow(
    "intake",
    state_field="state",
    noun="该反映",
    rules=(
        Rule(
            "problem",
            "转为问题",
            (S.NEW,),
            _team,
            "本组已签署三项承诺的成员",
            TEAM,
            checks=(_round_open_for_problems,),
            target=S.PROBLEM,
        ),
        Rule(
            "clue", "转为线索草稿", (S.NEW,), _team, "本组已签署三项承诺的成员", TEAM, target=S.CLUE
        ),
        Rule(
            "transfer",
            "转办",
            (S.NEW,),
            _team,
            "本组已签署三项承诺的成员",
            TEAM,
            target=S.TRANSFERRED,
        ),
        Rule(
            "receipt",
            "登记转办回执",
            (S.TRANSFERRED,),
            _team,
            "本组已签署三项承诺的成员",
            TEAM,
        ),
        Rule(
            "outside",
            "不属于受理范围",
            (S.NEW,),
            _team,
            "本组已签署三项承诺的成员",
            TEAM,
            target=S.OUTSIDE,
        ),
        Rule(
            "duplicate",
            "标记为重复反映",
            (S.NEW,),
            _team,
            "本组已签署三项承诺的成员",
            TEAM,
            target=S.DUPLICATE,
        ),
    ),
)
