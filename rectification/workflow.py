"""The rule tables of rectification (三单五账一评估): the plan, the ledger item
and the 巡察建议书. The services enforce these rows (workflow.check) and
the pages offer exactly what they allow (workflow.actions_for)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from rectification.access import carries_item, is_top_leader, is_unit_contact
from rectification.models import Item, LedgerEntry, Plan, Recommendation
from rounds.access import office_manages
from xuncha.accounts.roles import Role
from xuncha.core.workflow import Rule, Workflow

OFFICE, CONTACT, DEPARTMENT = Role.OFFICE, Role.UNIT_CONTACT, Role.DEPARTMENT

# --- 整改方案: draft → signed → submitted → accepted / returned ----------------

P = Plan.Status
PLAN_EDITABLE = (P.DRAFT, P.RETURNED, P.SIGNED)


def _plan_contact(user, plan: Plan) -> bool:
    return is_unit_contact(user, plan.organization_id)


def plan_office_manages(user, plan: Plan) -> bool:
    return office_manages(user, plan.target.round.office)


def _plan_complete(plan: Plan) -> list[str]:
    # Imported here: the services import this module.
    from rectification.services.plans import plan_missing

    return plan_missing(plan)


def _not_assessed(plan: Plan) -> str | None:
    from rectification.models import Assessment

    if Assessment.objects.filter(target_id=plan.target_id).exists():
        return _("该巡察对象已开展整改评估。")
    return None


PLAN = Workflow(
    "plan",
    noun=pgettext_lazy("refusal subject", "方案"),
    rules=(
        Rule(
            "edit",
            gettext_lazy("填写整改措施"),
            PLAN_EDITABLE,
            _plan_contact,
            gettext_lazy("本单位的联络人"),
            (CONTACT,),
            refusal=gettext_lazy("整改方案已报送，不能修改；如需调整请联系巡察办退回。"),
        ),
        Rule(
            "sign",
            gettext_lazy("签字背书"),
            (P.DRAFT, P.RETURNED),
            is_top_leader,
            gettext_lazy("本单位主要负责人"),
            (CONTACT,),
            (_plan_complete,),
            target=P.SIGNED,
            refusal=gettext_lazy("方案不在待签字状态，不能签字。"),
            denial=gettext_lazy("整改方案须由本单位主要负责人签字背书。"),
            # Someone who never signs is told so (403), whatever the plan's state.
            who_first=True,
        ),
        Rule(
            "submit",
            gettext_lazy("报送巡察办"),
            (P.SIGNED,),
            _plan_contact,
            gettext_lazy("本单位的联络人"),
            (CONTACT,),
            target=P.SUBMITTED,
            refusal=gettext_lazy("方案须经主要负责人签字背书后才能报送。"),
            who_first=True,
        ),
        Rule(
            "review",
            gettext_lazy("审核整改方案"),
            (P.SUBMITTED,),
            plan_office_manages,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            target=P.ACCEPTED,
            refusal=gettext_lazy("只有已报送的方案可以审核。"),
        ),
        # 一评估 judges a rectification the office has accepted a plan for:
        # a draft plan, or a target still on site, has nothing to assess yet.
        Rule(
            "assess",
            gettext_lazy("开展整改评估"),
            (P.ACCEPTED,),
            plan_office_manages,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            (_not_assessed,),
            refusal=gettext_lazy("整改方案经巡察办审核通过后才能开展整改评估。"),
        ),
    ),
)

# --- 整改台账: the five actions on one item -------------------------------------

A = LedgerEntry.Action
ST = Item.State
OPEN_FOR_WORK = (ST.IN_PROGRESS, ST.TRANSFERRED)
CARRIER = gettext_lazy("整改责任单位（或承接部门）")


def _item_office(user, item: Item) -> bool:
    return office_manages(user, item.office)


ITEM = Workflow(
    "item",
    (
        Rule(
            A.REPORT,
            A.REPORT.label,
            OPEN_FOR_WORK,
            carries_item,
            CARRIER,
            (CONTACT, DEPARTMENT),
            refusal=gettext_lazy("只有整改中的事项可以报账。"),
        ),
        Rule(
            A.HAND_IN,
            A.HAND_IN.label,
            OPEN_FOR_WORK,
            carries_item,
            CARRIER,
            (CONTACT, DEPARTMENT),
            target=ST.HANDED_IN,
            refusal=gettext_lazy("只有整改中的事项可以交账。"),
        ),
        Rule(
            A.TRANSFER,
            A.TRANSFER.label,
            (ST.IN_PROGRESS, ST.HANDED_IN, ST.TRANSFERRED),
            _item_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            target=ST.TRANSFERRED,
            refusal=gettext_lazy("已查验通过或已销号的事项不能转账。"),
        ),
        Rule(
            A.CHECK_ACCEPT,
            A.CHECK_ACCEPT.label,
            (ST.HANDED_IN,),
            _item_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            target=ST.ACCEPTED,
            refusal=gettext_lazy("只有已交账的事项可以查账。"),
        ),
        Rule(
            A.CHECK_RETURN,
            A.CHECK_RETURN.label,
            (ST.HANDED_IN,),
            _item_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            target=ST.IN_PROGRESS,
            refusal=gettext_lazy("只有已交账的事项可以查账退回。"),
        ),
        Rule(
            A.CLOSE,
            A.CLOSE.label,
            (ST.ACCEPTED,),
            _item_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            target=ST.CLOSED,
            refusal=gettext_lazy("只有查验通过的事项才能销账（销号）。"),
        ),
        Rule(
            A.REOPEN,
            gettext_lazy("回头看"),
            (ST.CLOSED,),
            _item_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            refusal=gettext_lazy("回头看只针对已销号的事项。"),
            who_first=True,
        ),
    ),
    state_field="state",
    noun=pgettext_lazy("refusal subject", "该事项"),
)

# --- 一评估: the survey while open, the verdict and accountability at any time ----


def _assessment_office(user, assessment) -> bool:
    return office_manages(user, assessment.target.round.office)


def _no_answers_yet(assessment) -> str | None:
    if assessment.responses.exists() or assessment.links.filter(answered_at__isnull=False).exists():
        return _("已有人作答，不能再更换问卷。")
    return None


ASSESSMENT = Workflow(
    "assessment",
    state_field="survey_state",
    rules=(
        Rule(
            "questionnaire",
            gettext_lazy("选用问卷"),
            ("open",),
            _assessment_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            checks=(_no_answers_yet,),
            refusal=gettext_lazy("本次测评{state}，不能再更换问卷。"),
        ),
        Rule(
            "links",
            gettext_lazy("生成测评链接"),
            ("open",),
            _assessment_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            refusal=gettext_lazy("本次测评{state}，不能再生成测评链接。"),
        ),
        Rule(
            "close",
            gettext_lazy("结束测评"),
            ("open",),
            _assessment_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            target="closed",
            refusal=gettext_lazy("本次测评{state}。"),
        ),
        Rule(
            "verdict",
            gettext_lazy("保存评估结论"),
            ("open", "closed"),
            _assessment_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
        ),
        Rule(
            "accountability",
            gettext_lazy("添加问责记录"),
            ("open", "closed"),
            _assessment_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
        ),
    ),
)

# --- 巡察建议书: issued → received → answered → closed ---------------------------

R = Recommendation.Status


def _recommendation_department(user, recommendation: Recommendation) -> bool:
    return user.has_role(Role.DEPARTMENT) and user.department_id == recommendation.department_id


def _recommendation_office(user, recommendation: Recommendation) -> bool:
    return office_manages(user, recommendation.office)


RECOMMENDATION = Workflow(
    "recommendation",
    noun=pgettext_lazy("refusal subject", "建议书"),
    rules=(
        Rule(
            R.RECEIVED,
            gettext_lazy("签收"),
            (R.ISSUED,),
            _recommendation_department,
            gettext_lazy("主送部门"),
            (DEPARTMENT,),
            target=R.RECEIVED,
        ),
        Rule(
            R.ANSWERED,
            gettext_lazy("反馈落实情况"),
            (R.RECEIVED, R.ANSWERED),
            _recommendation_department,
            gettext_lazy("主送部门"),
            (DEPARTMENT,),
            target=R.ANSWERED,
        ),
        Rule(
            R.CLOSED,
            gettext_lazy("办结"),
            (R.ANSWERED,),
            _recommendation_office,
            gettext_lazy("巡察办工作人员"),
            (OFFICE,),
            target=R.CLOSED,
        ),
    ),
)


# --- what rectification leaves for 归档 (registered in rounds.workflow) --------


def round_archive_blockers(round_) -> list[str]:
    """Each target whose plan is not accepted, and each with items still
    outstanding, by state: 归档 tells the truth about what remains."""
    from django.db.models import Count, Exists, OuterRef

    from rounds.models import Problem, Target

    reasons: list[str] = []
    counts: dict[int, list[tuple[str, int]]] = {}
    rows = (
        Item.objects.filter(round=round_)
        .outstanding()
        .order_by()
        .values("plan__target_id", "state")
        .annotate(n=Count("pk"))
        .order_by("plan__target_id", "state")
    )
    for row in rows:
        counts.setdefault(row["plan__target_id"], []).append((row["state"], row["n"]))
    fed_back = Problem.objects.filter(target=OuterRef("pk"), status=Problem.Status.FED_BACK)
    targets = (
        Target.objects.filter(round=round_)
        .select_related("organization", "plan")
        .annotate(has_fed_back=Exists(fed_back))
    )
    for target in targets.order_by("pk"):
        name = target.organization.name
        plan = getattr(target, "plan", None)
        if plan is None:
            # A target where nothing was fed back has nothing to rectify.
            if target.has_fed_back:
                reasons.append(_("「%(organization)s」尚未编制整改方案。") % {"organization": name})
        elif plan.status != P.ACCEPTED:
            reasons.append(
                _("「%(organization)s」的整改方案尚未通过审核（当前为「%(status)s」）。")
                % {"organization": name, "status": plan.get_status_display()}
            )
        if found := counts.get(target.pk):
            parts = "、".join(
                _("%(state)s %(count)s 项")
                % {
                    "state": _("已转办但未明确承接部门")
                    if state == ST.TRANSFERRED
                    else ST(state).label,
                    "count": n,
                }
                for state, n in found
            )
            total = sum(n for _state, n in found)
            reasons.append(
                _("「%(organization)s」还有 %(total)s 项整改事项未完成（%(parts)s）。")
                % {"organization": name, "total": total, "parts": parts}
            )
    return reasons
