"""The plan and its three lists (三单), signed by the organization's top leader."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rectification import handoffs
from rectification.access import (
    is_unit_contact,
)
from rectification.models import Item, Plan
from rectification.workflow import PLAN, PLAN_EDITABLE
from rounds.access import office_manages
from rounds.models import Problem, Target
from xuncha.audit.services import log_action
from xuncha.core import workflow

PLAN_FIELDS = (
    "measures",
    "kind",
    "responsible_leader",
    "responsible_person",
    "responsible_user",
    "supervisor_user",
    "responsible_department",
    "deadline",
)
EDITABLE = PLAN_EDITABLE
PLANNABLE_TARGET_STATUSES = (
    Target.Status.FED_BACK,
    Target.Status.RECTIFYING,
    Target.Status.CLOSED,
)


def may_open_plan(user, target: Target) -> bool:
    """The inspected organization's contact draws up the plan; the office may open it too."""
    return is_unit_contact(user, target.organization_id) or office_manages(
        user, target.round.office
    )


@transaction.atomic
def plan_open(*, target: Target, user=None) -> Plan:
    """The plan of a fed-back target, with one item per problem fed back (idempotent).

    ``user=None`` is for the demo seed and imports; a person must be allowed."""
    if user is not None and not may_open_plan(user, target):
        raise PermissionDenied(_("只有本单位的联络人或巡察办工作人员可以编制整改方案。"))
    if target.status not in PLANNABLE_TARGET_STATUSES:
        raise ValidationError(_("巡察反馈后才能编制整改方案。"))
    plan, created = Plan.objects.get_or_create(
        target=target, defaults={"organization_id": target.organization_id}
    )
    problems = Problem.objects.filter(target=target, status=Problem.Status.FED_BACK).exclude(
        rectification_item__isnull=False
    )
    items = [
        Item(
            plan=plan,
            problem=problem,
            organization_id=target.organization_id,
            round_id=target.round_id,
            office_id=target.round.office_id,
            kind=Item.Kind.IMMEDIATE if problem.immediate_fix else Item.Kind.DEADLINE,
        )
        for problem in problems
    ]
    Item.objects.bulk_create(items)
    if created or items:
        log_action(user, "plan.open", plan, {"items_added": len(items)})
    return plan


@transaction.atomic
def item_plan_update(*, item: Item, user, **fields) -> Item:
    """Fill in an item's measures and responsibility. Changing a signed plan
    voids the signature: the top leader signs what is actually submitted."""
    item = (
        Item.objects.select_for_update(of=("self",))
        .select_related("plan__organization", "plan__target__round__office")
        .get(pk=item.pk)
    )
    plan = item.plan
    workflow.check(PLAN, user, plan, "edit")
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"未知字段：{unknown}")
    for name, value in fields.items():
        setattr(item, name, value)
    feedback = plan.target.feedback_date
    if item.deadline and feedback and item.deadline < feedback:
        raise ValidationError(
            {
                "deadline": _("完成时限不能早于反馈日期（%(date)s）。")
                % {"date": f"{feedback:%Y-%m-%d}"}
            }
        )
    item.full_clean()
    item.save()
    if plan.status == Plan.Status.SIGNED:
        plan.status, plan.signed_by, plan.signed_at = Plan.Status.DRAFT, None, None
        plan.save()
    log_action(user, "item.plan_update", item, {"fields": sorted(fields)})
    if plan.status in (Plan.Status.DRAFT, Plan.Status.RETURNED) and not plan_missing(plan):
        handoffs.plan_ready(plan)
    return item


def plan_missing(plan: Plan) -> list[str]:
    missing = []
    for item in plan.items.select_related("problem"):
        label = _("问题“%(description)s”") % {"description": item.problem.description[:20]}
        if not item.measures.strip():
            missing.append(_("%(problem)s尚未填写整改措施。") % {"problem": label})
        if not item.responsible_person:
            missing.append(_("%(problem)s尚未明确责任人。") % {"problem": label})
        if item.kind != Item.Kind.ONGOING and item.deadline is None:
            missing.append(_("%(problem)s尚未明确完成时限。") % {"problem": label})
    if not plan.items.exists():
        missing.append(_("方案中没有整改事项。"))
    return missing


@transaction.atomic
def plan_sign(*, plan: Plan, user) -> Plan:
    """签字背书: the top leader, first person responsible, signs the plan."""
    plan = Plan.objects.select_for_update().select_related("organization").get(pk=plan.pk)
    workflow.check(PLAN, user, plan, "sign")
    plan.status, plan.signed_by, plan.signed_at = Plan.Status.SIGNED, user, timezone.now()
    plan.save()
    log_action(user, "plan.sign", plan, {})
    handoffs.plan_signed(plan)
    return plan


@transaction.atomic
def plan_submit(*, plan: Plan, user) -> Plan:
    plan = Plan.objects.select_for_update().select_related("organization").get(pk=plan.pk)
    workflow.check(PLAN, user, plan, "submit")
    plan.status, plan.submitted_at = Plan.Status.SUBMITTED, timezone.now()
    plan.save()
    log_action(user, "plan.submit", plan, {})
    handoffs.plan_submitted(plan)
    return plan


@transaction.atomic
def plan_review(*, plan: Plan, user, accept: bool, reason: str = "") -> Plan:
    """The office accepts the plan (its items go on the ledger) or sends it back."""
    plan = Plan.objects.select_for_update().select_related("target__round__office").get(pk=plan.pk)
    workflow.check(PLAN, user, plan, "review")
    if not accept and not reason.strip():
        raise ValidationError(_("退回须说明理由。"))
    plan.status = Plan.Status.ACCEPTED if accept else Plan.Status.RETURNED
    plan.reviewed_by, plan.reviewed_at = user, timezone.now()
    plan.return_reason = "" if accept else reason.strip()
    if not accept:
        plan.signed_by = plan.signed_at = None
    plan.save()
    if accept:
        plan.items.filter(state=Item.State.PLANNING).update(state=Item.State.IN_PROGRESS)
        Target.objects.filter(pk=plan.target_id, status=Target.Status.FED_BACK).update(
            status=Target.Status.RECTIFYING
        )
    log_action(user, "plan.accept" if accept else "plan.return", plan, {"reason": reason.strip()})
    handoffs.plan_reviewed(plan, accepted=accept)
    return plan
