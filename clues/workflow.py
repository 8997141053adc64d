"""The rule table of a clue: handover (草稿 → 待审批 → 待签收 → 已签收, three
signatures), the receiving department's disposition reports, 销号 and
reopening. The services enforce these rows; the clue page offers them."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from clues.access import is_clue_officer, is_receiving_user
from clues.models import OUTCOME_KINDS, Clue, Disposition
from rounds.access import active_membership
from rounds.models import Membership
from xuncha.accounts.roles import Role
from xuncha.core import workflow
from xuncha.core.workflow import Available, Rule, Workflow

S = Clue.Status
OFFICE, DEPARTMENT = Role.OFFICE, Role.DEPARTMENT
TEAM = (Role.TEAM_MEMBER, Role.TEAM_LEADER)
OFFICER = gettext_lazy("持有线索管理权限的巡察办工作人员")
OFFICER_ONLY = gettext_lazy("只有持有线索管理权限的巡察办工作人员可以进行此操作。")


def _member(user, clue: Clue) -> bool:
    return active_membership(user, clue.team) is not None


def _leader(user, clue: Clue) -> bool:
    membership = active_membership(user, clue.team)
    return membership is not None and membership.role == Membership.Role.LEADER


def _officer(user, clue: Clue) -> bool:
    return is_clue_officer(user, clue)


def _has_materials(clue: Clue) -> str | None:
    # The page has always told the leader to upload the material package
    # first; a handover with nothing attached reaches the department empty.
    if not clue.files.exists():
        return _("尚未上传线索材料，请先上传谈话笔录、书证等材料再签字报送。")
    return None


def _disposed(clue: Clue) -> str | None:
    from clues.services.disposition import latest_disposition

    latest = latest_disposition(clue)
    if latest is None or not latest.is_final:
        return _("接收部门尚未报告处置完毕，不能销号。")
    return None


# Each clue service asked who before what, and still does (who_first): a
# clue's state is itself confidential to those outside the handover.
CLUE = Workflow(
    "clue",
    noun=pgettext_lazy("refusal subject", "线索"),
    rules=(
        Rule(
            "edit",
            gettext_lazy("修改线索"),
            (S.DRAFT,),
            _member,
            gettext_lazy("本组成员"),
            TEAM,
            refusal=gettext_lazy("组长签字后，线索不能再修改。"),
            who_first=True,
            denial=gettext_lazy("只有已签署三项承诺的本组成员可以进行此操作。"),
        ),
        Rule(
            "upload",
            gettext_lazy("上传材料"),
            (S.DRAFT,),
            _member,
            gettext_lazy("本组成员"),
            TEAM,
            refusal=gettext_lazy("组长签字后，不能再补充材料。"),
            who_first=True,
            denial=gettext_lazy("只有已签署三项承诺的本组成员可以进行此操作。"),
        ),
        Rule(
            "submit",
            gettext_lazy("组长签字报送"),
            (S.DRAFT,),
            _leader,
            gettext_lazy("巡察组组长"),
            (Role.TEAM_LEADER,),
            (_has_materials,),
            target=S.SUBMITTED,
            refusal=gettext_lazy("线索当前为「{state}」，不能签字报送。"),
            who_first=True,
            denial=gettext_lazy("交接单须由巡察组组长签字。"),
        ),
        Rule(
            "approve",
            gettext_lazy("巡察办审批"),
            (S.SUBMITTED,),
            _officer,
            OFFICER,
            (OFFICE,),
            target=S.APPROVED,
            refusal=gettext_lazy("线索当前为「{state}」，不能审批。"),
            who_first=True,
            denial=OFFICER_ONLY,
        ),
        Rule(
            "return",
            gettext_lazy("退回巡察组"),
            (S.SUBMITTED,),
            _officer,
            OFFICER,
            (OFFICE,),
            target=S.DRAFT,
            refusal=gettext_lazy("只有待审批的线索可以退回。"),
            who_first=True,
            denial=OFFICER_ONLY,
        ),
        Rule(
            "receive",
            gettext_lazy("接收部门签收"),
            (S.APPROVED,),
            is_receiving_user,
            gettext_lazy("接收部门的工作人员"),
            (DEPARTMENT,),
            target=S.RECEIVED,
            refusal=gettext_lazy("线索当前为「{state}」，不能签收。"),
            who_first=True,
            denial=gettext_lazy("只有接收部门的工作人员可以进行此操作。"),
        ),
        Rule(
            "disposition",
            gettext_lazy("报告处置情况"),
            (S.RECEIVED,),
            is_receiving_user,
            gettext_lazy("接收部门的工作人员"),
            (DEPARTMENT,),
            refusal=gettext_lazy("只有已签收、未销号的线索可以报告处置情况。"),
            who_first=True,
            denial=gettext_lazy("只有接收部门的工作人员可以进行此操作。"),
        ),
        Rule(
            "close",
            gettext_lazy("销号"),
            (S.RECEIVED,),
            _officer,
            OFFICER,
            (OFFICE,),
            (_disposed,),
            target=S.CLOSED,
            refusal=gettext_lazy("只有已签收的线索可以销号。"),
            who_first=True,
            denial=OFFICER_ONLY,
        ),
        Rule(
            "reopen",
            gettext_lazy("重新打开"),
            (S.CLOSED,),
            _officer,
            OFFICER,
            (OFFICE,),
            target=S.RECEIVED,
            refusal=gettext_lazy("只有已销号的线索可以重新打开。"),
            who_first=True,
            denial=OFFICER_ONLY,
        ),
    ),
)


def clue_offers(user, clue: Clue) -> dict[str, Available]:
    return workflow.actions_for(CLUE, user, clue)


def allowed_clue_actions(user, clue: Clue) -> frozenset[str]:
    """The buttons to show: the table's allowed actions for this person now."""
    return frozenset(code for code, offer in clue_offers(user, clue).items() if offer.allowed)


# --- What a disposition's method can produce (处置方式 → 处理结果) ---------------
#
# Discipline (党纪处分, 政务处分) and a transfer to the judiciary follow only a
# filed case (立案审查调查): the regulations on supervision and discipline
# enforcement impose sanctions at the end of a case, never on a talk, a
# preliminary verification or a shelving. A talk or letter (谈话函询), a
# preliminary verification (初步核实) and a closing (予以了结, often after 批评
# 教育: the "first form" of the four) can end in organizational handling (诫勉,
# 批评教育, 调离岗位, 免职 …: the seeds' "组织处理"); shelving (暂存待查) deals
# with nobody.
M = Disposition.Method
OUTCOME_LABELS = {
    "party_discipline": gettext_lazy("党纪处分"),
    "government_sanction": gettext_lazy("政务处分"),
    "organizational_handling": gettext_lazy("组织处理"),
    "transferred_to_justice": gettext_lazy("移送司法机关"),
}
OUTCOMES: dict[str, frozenset[str]] = {
    M.TALK: frozenset({"organizational_handling"}),
    M.VERIFY: frozenset({"organizational_handling"}),
    M.SHELVE: frozenset(),
    M.CLOSE: frozenset({"organizational_handling"}),
    M.CASE: frozenset(OUTCOME_KINDS),
}


def outcome_refusals(method: str, outcomes: list[str]) -> list[str]:
    """Why a person's outcomes cannot follow this method, in words (empty: they can)."""
    allowed = OUTCOMES.get(method, frozenset())
    method_label = Disposition.Method(method).label if method in M.values else method
    refused = [str(OUTCOME_LABELS[kind]) for kind in outcomes if kind not in allowed]
    if not refused:
        return []
    if allowed:
        can = "、".join(str(OUTCOME_LABELS[kind]) for kind in OUTCOME_KINDS if kind in allowed)
        return [
            _("处置方式为“%(method)s”时只能记录%(can)s，不能记录%(refused)s。")
            % {"method": method_label, "can": can, "refused": "、".join(refused)}
        ]
    return [
        _("处置方式为“%(method)s”时不处理任何人，不能记录%(refused)s。")
        % {"method": method_label, "refused": "、".join(refused)}
    ]
