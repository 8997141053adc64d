"""Bench data and figures for rectification: a unit contact's item list, the
office's overdue list, and the daily reminder scan, over 100,000 ledger items.

The "rectification" part of the shared data set: one item for each problem
of the "rounds" part (100,000 at city scale; it makes no problems of its
own), under one plan per target: accepted, except in the round that has just
fed back, whose plans are still being drawn up and whose items are in
planning. Items are found again through the bench rounds. Deadlines spread from two months overdue to three months ahead, so each
colour has its share; every item past planning has a ledger entry for its
state, and half of those already warned carry the reminder of their current
colour (``ItemReminder``), as after the daily task has been running.
"""

import datetime
import time
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from bench.citydata import OrgsData
from bench.measure import measure_callable
from bench.registry import BenchContext, Measurement, analyze, bench_dataset, bench_figure
from bench.rounds import (
    BATCH_SIZE,
    RoundsData,
    list_figures,
    list_url,
    slice_ratio,
    slice_round_id,
    with_query,
)
from rectification.models import Item, ItemReminder, LedgerEntry, Plan
from rectification.services.reminders import due_reminders
from rounds.models import Problem, Round
from xuncha.accounts.models import User

ST = Item.State
A = LedgerEntry.Action
# Of every 20 items on a rectifying round's ledger, how far each has got.
RECTIFYING_CYCLE = (
    [ST.IN_PROGRESS] * 9
    + [ST.HANDED_IN] * 3
    + [ST.TRANSFERRED]
    + [ST.ACCEPTED] * 2
    + [ST.CLOSED] * 5
)
ARCHIVED_CYCLE = [ST.CLOSED] * 9 + [ST.ACCEPTED]
ENTRY_FOR_STATE = {
    ST.IN_PROGRESS: A.REPORT,
    ST.HANDED_IN: A.HAND_IN,
    ST.TRANSFERRED: A.TRANSFER,
    ST.ACCEPTED: A.CHECK_ACCEPT,
    ST.CLOSED: A.CLOSE,
}
MEASURES = (
    "1. 全面清理排查同类问题，违规资金限期追回；2. 修订完善财务报销、采购和公务接待管理办法；"
    "3. 对相关责任人批评教育，情节严重的移交纪检监察机关处理。"
)


@dataclass(frozen=True)
class RectificationData:
    unit_user: User  # contact of the first bench 市直 unit
    office_user: User
    item_count: int


def _bench_rounds(rounds: RoundsData) -> list[Round]:
    return list(Round.objects.filter(pk__in=rounds.round_ids).order_by("number"))


def _ensure_plans(fed_back: list[Round], office_user: User) -> int:
    planned = set(
        Plan.objects.filter(target__round__in=fed_back).values_list("target_id", flat=True)
    )
    now = timezone.now()
    plans = []
    for round_ in fed_back:
        drawing_up = round_.status == Round.Status.FEEDBACK
        for target_id, organization_id in round_.targets.values_list("pk", "organization_id"):
            if target_id in planned:
                continue
            plans.append(
                Plan(
                    target_id=target_id,
                    organization_id=organization_id,
                    status=Plan.Status.SUBMITTED if drawing_up else Plan.Status.ACCEPTED,
                    signed_at=now,
                    submitted_at=now,
                    reviewed_by=None if drawing_up else office_user,
                    reviewed_at=None if drawing_up else now,
                )
            )
    Plan.objects.bulk_create(plans, batch_size=BATCH_SIZE)
    return len(plans)


def _batches(queryset, *fields: str):
    """``values_list`` rows (primary key first) a batch at a time, by primary
    key: what is written between batches does not disturb the reading (SQLite
    does not isolate a cursor from inserts on its own connection), and a
    province's million rows are never in memory at once."""
    after = 0
    while rows := list(
        queryset.filter(pk__gt=after).order_by("pk").values_list("pk", *fields)[:BATCH_SIZE]
    ):
        yield rows
        after = rows[-1][0]


def _ensure_items(rounds: list[Round], office_user: User) -> int:
    """One item for each bench problem that has none."""
    index = Item.objects.filter(round__in=rounds).count()
    plans = dict(Plan.objects.filter(target__round__in=rounds).values_list("target_id", "pk"))
    status = {r.pk: r.status for r in rounds}
    missing = Problem.objects.filter(round__in=rounds, rectification_item__isnull=True)
    created = 0
    for rows in _batches(
        missing, "target_id", "target__organization_id", "round_id", "immediate_fix"
    ):
        batch = []
        for problem_id, target_id, organization_id, round_id, immediate in rows:
            item = _item(index, status[round_id], immediate)
            item.plan_id, item.problem_id = plans[target_id], problem_id
            item.organization_id, item.round_id = organization_id, round_id
            item.office_id = office_user.office_id
            batch.append(item)
            index += 1
        Item.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        created += len(batch)
    return created


def _item(j: int, round_status: str, immediate: bool) -> Item:
    """The j-th bench item: state and deadline follow from j and its round's status."""
    today = timezone.localdate()
    if round_status == Round.Status.FEEDBACK:
        state, deadline = ST.PLANNING, today + datetime.timedelta(days=60 + j % 60)
    elif round_status == Round.Status.ARCHIVED:
        state = ARCHIVED_CYCLE[j % len(ARCHIVED_CYCLE)]
        deadline = today - datetime.timedelta(days=200 + j % 300)
    else:
        state = RECTIFYING_CYCLE[j % len(RECTIFYING_CYCLE)]
        # From two months overdue to three months ahead: every colour, and none.
        deadline = today + datetime.timedelta(days=(j * 37) % 150 - 60)
    if j % 10 == 9:
        kind = Item.Kind.ONGOING
    else:
        kind = Item.Kind.IMMEDIATE if immediate else Item.Kind.DEADLINE
    return Item(
        measures=MEASURES,
        kind=kind,
        responsible_leader="分管副职",
        responsible_person="责任科室负责人",
        responsible_department="财务科",
        deadline=deadline,
        state=state,
        progress=100 if state in (ST.HANDED_IN, ST.ACCEPTED, ST.CLOSED) else j % 90,
        closed_at=timezone.now() if state == ST.CLOSED else None,
        # The dashboard's totals: rules made and money recovered, on a share of the items.
        rules_made=1 if j % 10 == 0 else 0,
        money_recovered=Decimal(10000 + (j % 7) * 1000) if j % 25 == 0 else Decimal(0),
    )


def _ensure_entries(rounds: list[Round], unit_user: User, office_user: User) -> int:
    """One entry for each item's state, for the items that have none yet."""
    without = Item.objects.filter(round__in=rounds, entries__isnull=True).exclude(state=ST.PLANNING)
    created = 0
    for rows in _batches(without, "state"):
        batch = []
        for pk, state in rows:
            action = ENTRY_FOR_STATE[state]
            before = ST.IN_PROGRESS if action in (A.REPORT, A.HAND_IN, A.TRANSFER) else ST.HANDED_IN
            if action == A.CLOSE:
                before = ST.ACCEPTED
            batch.append(
                LedgerEntry(
                    item_id=pk,
                    action=action,
                    actor=unit_user if action in (A.REPORT, A.HAND_IN) else office_user,
                    note="整改进展顺利。" if action == A.REPORT else "",
                    progress=50 if action == A.REPORT else None,
                    state_before=before,
                    state_after=state,
                )
            )
        LedgerEntry.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        created += len(batch)
    return created


def _ensure_sent_reminders(fed_back: list[Round]) -> int:
    """Half the items due a warning have had it already (the task ran before)."""
    due = due_reminders(timezone.localdate())
    ids = set(Item.objects.filter(round__in=fed_back).values_list("pk", flat=True))
    sent = [
        ItemReminder(item_id=reminder.item_id, level=reminder.level)
        for reminder in due
        if reminder.item_id in ids and reminder.item_id % 2
    ]
    ItemReminder.objects.bulk_create(sent, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(sent)


@bench_dataset("rectification", needs=["orgs", "rounds"])
def build_rectification(context: BenchContext) -> RectificationData:
    orgs: OrgsData = context.data["orgs"]
    rounds: RoundsData = context.data["rounds"]
    started = time.perf_counter()
    office_user = rounds.office_user
    bench_rounds = _bench_rounds(rounds)
    plans = _ensure_plans(bench_rounds, office_user)
    items = _ensure_items(bench_rounds, office_user)
    entries = _ensure_entries(bench_rounds, orgs.unit_user, office_user)
    reminders = _ensure_sent_reminders(bench_rounds)
    if plans or items or entries or reminders:
        analyze(Plan, Item, LedgerEntry, ItemReminder)
    data = RectificationData(
        unit_user=User.objects.select_related("organization").get(pk=orgs.unit_user.pk),
        office_user=office_user,
        item_count=Item.objects.filter(round__in=bench_rounds).count(),
    )
    context.log(
        f"rectification: {data.item_count} items ({items} new), "
        f"{plans} new plans, {entries} new entries, {reminders} reminders marked sent "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return data


@bench_figure(
    "rectification.unit_list",
    names=["rectification.unit_list.median_ms", "rectification.unit_list.queries"],
    needs=["rectification"],
)
def unit_item_list(context: BenchContext) -> list[Measurement]:
    data: RectificationData = context.data["rectification"]
    url = list_url("rectification:item_list")
    return list_figures(context, "rectification.unit_list", data.unit_user, url)


@bench_figure(
    "rectification.overdue_list",
    names=["rectification.overdue_list.median_ms", "rectification.overdue_list.queries"],
    needs=["rectification"],
)
def office_overdue_list(context: BenchContext) -> list[Measurement]:
    data: RectificationData = context.data["rectification"]
    url = list_url("rectification:overdue_list")
    return list_figures(context, "rectification.overdue_list", data.office_user, url)


@bench_figure(
    "rectification.reminder_scan", names=["rectification.reminder_scan.ms"], needs=["rectification"]
)
def reminder_scan(context: BenchContext) -> list[Measurement]:
    """The daily task's scan: find the (item, colour) reminders not yet sent."""
    today = timezone.localdate()
    found = []

    def scan() -> None:
        found[:] = due_reminders(today)

    median_ms = measure_callable(scan, context.runs)
    if not found:
        raise RuntimeError("the reminder scan found nothing due: the data set has no deadlines")
    return [("rectification.reminder_scan.ms", median_ms, "ms")]


@bench_figure(
    "rectification.overdue_list.province_ratio",
    names=["rectification.overdue_list.province_ratio"],
    needs=["rectification", "rounds"],
)
def overdue_list_province_ratio(context: BenchContext) -> list[Measurement]:
    """The whole overdue list over one bench round's: see bench/rounds.py slice_ratio.
    The overdue items live in the rectifying rounds (7-10), so the slice holds
    about a third of them, not a tenth: this ratio understates the growth."""
    data: RectificationData = context.data["rectification"]
    url = list_url("rectification:overdue_list")
    sliced = with_query(url, f"round={slice_round_id(context.data['rounds'])}")
    return slice_ratio(
        context, "rectification.overdue_list.province_ratio", data.office_user, url, sliced
    )
