"""The office's existing rectification ledgers (整改台账), imported from Excel.

One row is one fed-back problem's item with its three lists and the state it
has reached on the office's old ledger. The plan is opened if it is not
(plan_open, which creates the item); the item takes the row's values, and its
state is recorded as a ledger entry by the importing office user, with the
note "导入历史台账", so the ledger stays the item's whole history.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rectification.models import Item, LedgerEntry, Plan
from rectification.services.plans import plan_open
from rounds.access import office_manages
from rounds.models import Problem, Target
from xuncha.audit.services import log_action

ST = Item.State
A = LedgerEntry.Action
# The ledger action that leaves an item in each state.
ENTRY_FOR_STATE = {
    ST.IN_PROGRESS: A.REPORT,
    ST.HANDED_IN: A.HAND_IN,
    ST.TRANSFERRED: A.TRANSFER,
    ST.ACCEPTED: A.CHECK_ACCEPT,
    ST.CLOSED: A.CLOSE,
}
ITEM_FIELDS = (
    "measures",
    "kind",
    "responsible_leader",
    "responsible_person",
    "responsible_department",
    "deadline",
    "state",
    "progress",
    "transferred_to",
    "rules_made",
    "money_recovered",
    "closed_at",
)
IMPORT_NOTE = "导入历史台账"
FED_BACK_TARGET = (Target.Status.FED_BACK, Target.Status.RECTIFYING, Target.Status.CLOSED)


def item_import_check(*, problem: Problem, values: dict, user) -> None:
    """What must hold before the row is written, keyed by field; the preview runs this alone."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    target: Target = problem.target
    if not office_manages(user, target.round.office):
        refuse("target", f"「{target.organization.name}」不属于本级巡察办的巡察对象，不能导入。")
    if target.status not in FED_BACK_TARGET:
        refuse("target", "该巡察对象尚未反馈，不能导入整改台账。")
    if problem.status != Problem.Status.FED_BACK:
        refuse("problem", "只有已反馈的问题才有整改事项。")
    existing = getattr(problem, "rectification_item", None)
    if existing is not None and (existing.state != ST.PLANNING or existing.entries.exists()):
        refuse(
            "problem",
            f"该问题的整改事项已在台账中（{existing.get_state_display()}），不能重复导入。",
        )
    state = values.get("state")
    if state == ST.TRANSFERRED and not values.get("transferred_to"):
        refuse("transferred_to", "台账状态为“已转办”时须填写转办部门。")
    if values.get("kind") != Item.Kind.ONGOING and not values.get("deadline"):
        refuse("deadline", "立行立改和限期整改事项须填写完成时限。")
    progress = values.get("progress")
    if progress is not None and not 0 <= progress <= 100:
        refuse("progress", "进度应在 0 到 100 之间。")
    if (values.get("money_recovered") or 0) < 0:
        refuse("money_recovered", "挽回经济损失不能为负数。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def item_import(*, problem: Problem, values: dict, note: str = "", user) -> Item:
    """Write one imported ledger row: plan opened if needed, item filled in,
    its state recorded as a ledger entry, everything audit-logged."""
    item_import_check(problem=problem, values=values, user=user)
    target = problem.target
    plan = Plan.objects.filter(target=target).first()
    if plan is None or not Item.objects.filter(problem=problem).exists():
        plan = plan_open(target=target, user=None)  # the office's import, checked above
    item = Item.objects.select_for_update().get(problem=problem)
    before = item.state
    for name in ITEM_FIELDS:
        if name in values:
            setattr(item, name, values[name])
    if item.state == ST.CLOSED and item.closed_at is None:
        item.closed_at = timezone.now()
    if item.state in (ST.HANDED_IN, ST.ACCEPTED, ST.CLOSED) and "progress" not in values:
        item.progress = 100
    item.full_clean(exclude=["plan", "problem", "organization", "round", "office"])
    item.version += 1
    item.save()
    if item.state != ST.PLANNING:
        LedgerEntry.objects.create(
            item=item,
            action=ENTRY_FOR_STATE[item.state],
            actor=user,
            note=f"{IMPORT_NOTE}：{note}" if note else IMPORT_NOTE,
            progress=item.progress if item.state == ST.IN_PROGRESS else None,
            state_before=before,
            state_after=item.state,
        )
        _plan_on_ledger(plan, target, user)
    log_action(
        user,
        "item.import",
        item,
        {"problem": problem.pk, "from": before, "to": item.state, "plan": plan.pk},
    )
    return item


def _plan_on_ledger(plan: Plan, target: Target, user) -> None:
    """Items on the ledger belong to an accepted plan: an imported ledger is one
    the office already accepted on paper."""
    if plan.status == Plan.Status.ACCEPTED:
        return
    before = plan.status
    plan.status, plan.reviewed_by, plan.reviewed_at = Plan.Status.ACCEPTED, user, timezone.now()
    plan.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    Target.objects.filter(pk=target.pk, status=Target.Status.FED_BACK).update(
        status=Target.Status.RECTIFYING
    )
    log_action(user, "plan.import_accept", plan, {"from": before, "note": IMPORT_NOTE})
