"""The office's existing rectification ledgers (整改台账), imported from Excel.

One row is one fed-back problem's item with its three lists and the state it
has reached on the office's old ledger. The plan is opened if it is not
(plan_open, which creates the item); the item takes the row's values, and its
state is recorded as a ledger entry by the importing office user, with the
note "导入历史台账", so the ledger stays the item's whole history.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rectification.models import Item, LedgerEntry, Plan
from rectification.services.plans import plan_open
from rounds.access import office_manages
from rounds.models import Problem, Target
from rounds.workflow import import_refusal
from xuncha.audit.services import log_action, log_actions

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
# Steps of one item on the same day are put in the ledger's own order.
STATE_ORDER = [ST.PLANNING, ST.IN_PROGRESS, ST.TRANSFERRED, ST.HANDED_IN, ST.ACCEPTED, ST.CLOSED]
FED_BACK_TARGET = (Target.Status.FED_BACK, Target.Status.RECTIFYING, Target.Status.CLOSED)


def item_import_check(*, problem: Problem, values: dict, user) -> None:
    """What must hold before the row is written, keyed by field; the preview runs this alone."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    target: Target = problem.target
    if not office_manages(user, target.round.office):
        refuse("target", f"「{target.organization.name}」不属于本级巡察办的巡察对象，不能导入。")
    elif reason := import_refusal(target.round):
        # A live round's plans are under review: an import would accept them.
        refuse("target", reason)
    if target.status not in FED_BACK_TARGET:
        refuse("target", "该巡察对象尚未反馈，不能导入整改台账。")
    if problem.status != Problem.Status.FED_BACK:
        refuse("problem", "只有已反馈的问题才有整改事项。")
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


def ledger_moment(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """A ledger date as a moment: noon of that day, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def put_back_dates(model, created: list, moments: list[datetime.datetime]) -> None:
    """Date freshly inserted ledger rows as the old ledger dates them: their
    created_at is set on insert (auto_now_add), so it is put back after."""
    by_moment: dict[datetime.datetime, list[int]] = {}
    for row, at in zip(created, moments, strict=True):
        by_moment.setdefault(at, []).append(row.pk)
    for at, pks in by_moment.items():
        model.objects.filter(pk__in=pks).update(created_at=at)


@transaction.atomic
def items_import(*, steps: list[dict], user, job=None) -> dict:
    """Write imported ledgers: for each problem, its plan opened if needed,
    its item filled in from its latest step, and every step recorded as a
    ledger entry dated as the old ledger dates it (an item closed in 2022 has
    its 销账 in 2022, and its 销号时间 too). Checked by item_import_check in
    this same transaction; everything marked as imported in the audit log.

    ``steps``: dicts of problem, values (the item's fields and state), on (the
    date) and note, in any order."""
    imported = job.pk if job is not None else True
    by_problem: dict[int, list[dict]] = {}
    for step in steps:
        by_problem.setdefault(step["problem"].pk, []).append(step)
    plans: dict[int, Plan] = {}
    entries: list[tuple[LedgerEntry, datetime.datetime]] = []
    audit = []
    for problem_steps in by_problem.values():
        problem_steps.sort(
            key=lambda step: (step["on"], STATE_ORDER.index(step["values"]["state"]))
        )
        problem = problem_steps[0]["problem"]
        target = problem.target
        if reason := import_refusal(target.round):
            raise ValidationError(f"「{target.organization.name}」：{reason}")
        if target.pk not in plans:
            plans[target.pk] = Plan.objects.filter(target=target).first() or plan_open(
                target=target, user=None
            )
        if not Item.objects.filter(problem=problem).exists():
            plans[target.pk] = plan_open(target=target, user=None)
        item = Item.objects.select_for_update().get(problem=problem)
        if item.state != ST.PLANNING or item.entries.exists():
            raise ValidationError(
                f"问题 {problem.pk} 的整改事项已在台账中（{item.get_state_display()}），不能重复导入。"
            )
        state = ST.PLANNING
        for step in problem_steps:
            values = step["values"]
            at = ledger_moment(step["on"])
            after = values["state"]
            if after != ST.PLANNING:
                note = step["note"]
                entries.append(
                    (
                        LedgerEntry(
                            item=item,
                            action=ENTRY_FOR_STATE[after],
                            actor=user,
                            note=f"{IMPORT_NOTE}：{note}" if note else IMPORT_NOTE,
                            progress=values.get("progress") if after == ST.IN_PROGRESS else None,
                            state_before=state,
                            state_after=after,
                        ),
                        at,
                    )
                )
            state = after
            if after == ST.CLOSED:
                item.closed_at = at
        latest = problem_steps[-1]["values"]
        for name in ITEM_FIELDS:
            if name in latest:
                setattr(item, name, latest[name])
        if item.state in (ST.HANDED_IN, ST.ACCEPTED, ST.CLOSED) and "progress" not in latest:
            item.progress = 100
        if item.state != ST.CLOSED:
            item.closed_at = None
        item.full_clean(exclude=["plan", "problem", "organization", "round", "office"])
        item.version += 1
        item.save()
        if item.state != ST.PLANNING:
            _plan_on_ledger(plans[target.pk], target, user)
        audit.append(
            (
                item,
                {
                    "imported": imported,
                    "problem": problem.pk,
                    "to": item.state,
                    "entries": len(problem_steps),
                    "date": problem_steps[-1]["on"],
                },
            )
        )
    created = LedgerEntry.objects.bulk_create([entry for entry, _at in entries], batch_size=1000)
    put_back_dates(LedgerEntry, created, [at for _entry, at in entries])
    log_actions(user, "item.import", audit)
    return {"items": len(audit), "entries": len(entries)}


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
