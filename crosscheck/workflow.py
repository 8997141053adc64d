"""The rule table of a hit's review (待研判 → 已转为问题 / 已起草线索 / 已排除).

The service checks it before acting, and the hit page shows the forms it
allows: a problem or a clue is the team's (only a member may file for a
target), while the office may also dismiss a hit."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from crosscheck.access import is_target_member, sees_whole_round
from crosscheck.models import Hit
from rounds.access import office_manages
from rounds.models import Round
from xuncha.accounts.roles import Role
from xuncha.core.workflow import Rule, Workflow

OPEN = (Hit.Status.OPEN,)
TEAM = (Role.TEAM_LEADER.value, Role.TEAM_MEMBER.value)
REVIEWED = gettext_lazy("该命中已研判。")


def _member(user, hit: Hit) -> bool:
    # The team of the hit's target: a hit is a lead for that team only.
    return is_target_member(user, hit)


def _member_or_office(user, hit: Hit) -> bool:
    return office_manages(user, hit.round.office) or _member(user, hit)


def _whole_round(user, hit: Hit) -> bool:
    # Only who sees the whole round's hits may place one at a target.
    return sees_whole_round(user, hit.round)


def round_on_site(hit: Hit) -> str | None:
    if hit.round.status not in (Round.Status.ON_SITE, Round.Status.REPORTING):
        return _("只有在进驻和报告阶段才能据命中录入问题。")
    return None


HIT = Workflow(
    "crosscheck.hit",
    (
        Rule(
            "problem",
            gettext_lazy("转为问题"),
            OPEN,
            _member,
            gettext_lazy("该巡察对象所在巡察组成员"),
            TEAM,
            checks=(round_on_site,),
            target=Hit.Status.PROBLEM,
            refusal=REVIEWED,
        ),
        Rule(
            "clue",
            gettext_lazy("起草问题线索"),
            OPEN,
            _member,
            gettext_lazy("该巡察对象所在巡察组成员"),
            TEAM,
            target=Hit.Status.CLUE,
            refusal=REVIEWED,
        ),
        Rule(
            "dismiss",
            gettext_lazy("排除"),
            OPEN,
            _member_or_office,
            gettext_lazy("该巡察对象所在巡察组成员或巡察办"),
            (*TEAM, Role.OFFICE.value),
            target=Hit.Status.DISMISSED,
            refusal=REVIEWED,
        ),
        Rule(
            "assign",
            gettext_lazy("指定巡察对象"),
            OPEN,
            _whole_round,
            gettext_lazy("本级巡察办工作人员"),
            (Role.OFFICE.value,),
            refusal=gettext_lazy("该命中已研判，不能再改派。"),
            who_first=True,
            denial=gettext_lazy("只有本级巡察办工作人员可以指定命中所属的巡察对象。"),
        ),
    ),
    noun=pgettext_lazy("refusal subject", "该命中"),
)
