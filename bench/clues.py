"""Bench data and figures for clues: the office's ledger and a receiving
department's ledger over 20,000 clues.

The "clues" part of the shared data set: 20,000 clues at city scale on the
targets and teams of the "rounds" part, the only clues of the whole bench
(the dashboard counts these). A later run finds them through the bench
rounds (their handover numbers also start with ``BENCH-``), and the grants
and reports through the bench departments, so clues another data set or a
person made in the same database are never mistaken for the bench's.
A fifth are still with the team or the office; the rest were received, most
by the bench discipline commission, and half of those are closed. Each
received clue is granted to its department's group (a
``ClueGroupObjectPermission`` row, as ``clue_receive`` makes it) and most
carry a disposition report, so the department's ledger is scoped the real way.
"""

import datetime
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.utils import timezone

from bench.citydata import PREFIX
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
from clues.models import Clue, ClueGroupObjectPermission, Disposition, DispositionPerson
from rounds.models import Membership, Target
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.accounts.services import ensure_role_groups
from xuncha.orgs.models import Department
from xuncha.orgs.services import department_create

CITY_CLUES = 20_000
DEPARTMENTS = [
    (f"{PREFIX}JW", "市纪委监委（基准）", Department.Kind.DISCIPLINE),
    (f"{PREFIX}ZZB", "市委组织部（基准）", Department.Kind.ORGANIZATION),
    (f"{PREFIX}CZJ", "市财政局（基准）", Department.Kind.OTHER),
]
# Of every 20 clues: which department (index into DEPARTMENTS) and how far it got.
DEPARTMENT_CYCLE = [0] * 12 + [1] * 5 + [2] * 3
STATUS_CYCLE = (
    [Clue.Status.DRAFT, Clue.Status.SUBMITTED, Clue.Status.APPROVED, Clue.Status.APPROVED]
    + [Clue.Status.RECEIVED] * 8
    + [Clue.Status.CLOSED] * 8
)
POSITIONS = [
    ("副局长", Clue.Rank.DEPARTMENT, False),
    ("财务科科长", Clue.Rank.SECTION, False),
    ("党组书记、局长", Clue.Rank.DEPARTMENT, True),
    ("办公室主任", Clue.Rank.SECTION, False),
    ("村党支部书记", Clue.Rank.OTHER, True),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "秀英", "志强", "丽华", "海涛", "敏", "军", "红梅", "伟", "静", "国庆", "春燕"]
SUMMARY = "反映{name}在担任{position}期间，利用职务便利在工程项目中为他人谋取利益，收受好处费。"


@dataclass(frozen=True)
class CluesData:
    office_user: User  # city office staff holding clues.manage_clue
    department_user: User  # a user of the bench discipline commission
    clue_count: int


def _ensure_departments() -> list[Department]:
    found = {d.code: d for d in Department.objects.filter(code__startswith=PREFIX)}
    for code, name, kind in DEPARTMENTS:
        if code not in found:
            found[code] = department_create(code=code, name=name, kind=kind)
    return [found[code] for code, _name, _kind in DEPARTMENTS]


def _department_users(departments: list[Department]) -> dict[int, User]:
    """One user per bench department, by department id; the discipline
    commission's is ``bench_department``, whose ledger is measured."""
    groups = ensure_role_groups()
    users = {}
    for index, department in enumerate(departments):
        user, _ = User.objects.get_or_create(
            username="bench_department" if index == 0 else f"bench_department_{index + 1}",
            defaults={
                "full_name": f"基准测试·{department.name}",
                "password": make_password(None),
                "department": department,
            },
        )
        user.groups.add(groups[Role.DEPARTMENT], department.group)
        users[department.pk] = user
    return users


def _ensure_clues(
    total: int, departments: list[Department], receivers: dict[int, User], rounds: RoundsData
) -> int:
    existing = Clue.objects.filter(round__in=rounds.round_ids).count()
    if existing >= total:
        return 0
    targets = list(
        Target.objects.filter(round__in=rounds.round_ids)
        .order_by("round__number", "team__number", "organization__code")
        .values_list("pk", "round_id", "team_id", "entry_date")
    )
    drafters = dict(
        Membership.objects.filter(
            round__in=rounds.round_ids, role=Membership.Role.DEPUTY
        ).values_list("team_id", "cadre__user_id")
    )
    leaders = dict(
        Membership.objects.filter(
            round__in=rounds.round_ids, role=Membership.Role.LEADER
        ).values_list("team_id", "cadre__user_id")
    )
    office, today = rounds.office_user, timezone.localdate()
    disciplines = list(Clue.Discipline.values)
    sources = ["interview", "documents", "petition", "visit", "data"]
    created = 0
    for start in range(existing, total, BATCH_SIZE):
        batch = []
        for i in range(start, min(start + BATCH_SIZE, total)):
            target_id, round_id, team_id, entry = targets[(i * 7) % len(targets)]
            status = STATUS_CYCLE[i % len(STATUS_CYCLE)]
            department = departments[DEPARTMENT_CYCLE[(i // 3) % len(DEPARTMENT_CYCLE)]]
            position, rank, top = POSITIONS[i % len(POSITIONS)]
            name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]
            drafted = timezone.make_aware(
                datetime.datetime.combine(
                    min(entry + datetime.timedelta(days=i % 30), today), datetime.time(10)
                )
            )
            clue = Clue(
                number=f"{PREFIX}{i + 1:06d}",
                round_id=round_id,
                team_id=team_id,
                target_id=target_id,
                person_name=name,
                person_position=position,
                person_rank=rank,
                person_is_top_leader=top,
                discipline=disciplines[i % len(disciplines)],
                source=sources[i % len(sources)],
                summary=SUMMARY.format(name=name, position=position),
                department=department,
                urgent=i % 50 == 0,
                status=status,
                drafted_by_id=drafters[team_id],
                drafted_at=drafted,
            )
            steps = list(Clue.Status.values).index(status)
            if steps >= 1:
                clue.submitted_by_id, clue.submitted_at = leaders[team_id], drafted
            if steps >= 2:
                clue.approved_by, clue.approved_at = office, drafted + datetime.timedelta(days=3)
            if steps >= 3:
                received = drafted + datetime.timedelta(days=5)
                clue.received_at, clue.received_by = received, receivers[department.pk]
                # Most within their deadline, a share of them overdue.
                clue.disposition_due = min(
                    received.date() + datetime.timedelta(days=30),
                    today + datetime.timedelta(days=(i % 40) - 10),
                )
            if steps >= 4:
                clue.closed_by, clue.closed_at = office, drafted + datetime.timedelta(days=90)
            batch.append(clue)
        Clue.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        created += len(batch)
    return created


def _ensure_grants_and_dispositions(
    rounds: RoundsData, departments: list[Department], receivers: dict[int, User]
) -> tuple[int, int]:
    """The department's grant at receipt, and its reports (a final one on the closed)."""
    permission = Permission.objects.get(content_type__app_label="clues", codename="view_clue")
    groups = {d.pk: d.group_id for d in departments}
    received = Clue.objects.filter(
        round__in=rounds.round_ids,
        department__in=departments,
        status__in=[Clue.Status.RECEIVED, Clue.Status.CLOSED],
    )
    granted = set(
        ClueGroupObjectPermission.objects.filter(content_object__in=received).values_list(
            "content_object_id", flat=True
        )
    )
    reported = set(Disposition.objects.filter(clue__in=received).values_list("clue_id", flat=True))
    rows = list(received.values_list("pk", "department_id", "status"))
    grants, dispositions = [], []
    for pk, department_id, status in rows:
        if pk not in granted:
            grants.append(
                ClueGroupObjectPermission(
                    group_id=groups[department_id], permission=permission, content_object_id=pk
                )
            )
        if pk not in reported and (status == Clue.Status.CLOSED or pk % 3):
            closed = status == Clue.Status.CLOSED
            dispositions.append(
                Disposition(
                    clue_id=pk,
                    method=Disposition.Method.CASE if closed else Disposition.Method.VERIFY,
                    money_recovered=Decimal(pk % 7 * 10000),
                    is_final=closed,
                    note="经初步核实，反映的问题部分属实。",
                    reported_by=receivers[department_id],
                )
            )
    ClueGroupObjectPermission.objects.bulk_create(
        grants, batch_size=BATCH_SIZE, ignore_conflicts=True
    )
    Disposition.objects.bulk_create(dispositions, batch_size=BATCH_SIZE)
    # The dashboard's outcomes, in people: the reported person of a share of
    # the closed cases disciplined, a smaller share sent to justice.
    people = [
        DispositionPerson(
            disposition_id=d.pk,
            name=f"被处理人{d.clue_id}",
            party_discipline="warning" if d.clue_id % 2 else "",
            government_sanction="demerit" if d.clue_id % 4 == 1 else "",
            transferred_to_justice=d.clue_id % 8 == 0,
            organizational_handling="" if d.clue_id % 8 else "免职",
        )
        for d in dispositions
        if d.is_final and (d.clue_id % 2 or d.clue_id % 4 == 1 or d.clue_id % 8 == 0)
    ]
    DispositionPerson.objects.bulk_create(people, batch_size=BATCH_SIZE)
    return len(grants), len(dispositions)


@bench_dataset("clues", needs=["rounds"])
def build_clues(context: BenchContext) -> CluesData:
    rounds: RoundsData = context.data["rounds"]
    started = time.perf_counter()
    office = rounds.office_user
    # The security officer's grant, written directly as the bench writes its users.
    office.user_permissions.add(
        Permission.objects.get(content_type__app_label="clues", codename="manage_clue")
    )
    departments = _ensure_departments()
    receivers = _department_users(departments)
    created = _ensure_clues(context.scale.count(CITY_CLUES), departments, receivers, rounds)
    grants, dispositions = _ensure_grants_and_dispositions(rounds, departments, receivers)
    department_user = receivers[departments[0].pk]
    if created or grants or dispositions:
        analyze(Clue, ClueGroupObjectPermission, Disposition)
    data = CluesData(
        office_user=User.objects.select_related("office").get(pk=office.pk),
        department_user=User.objects.select_related("department").get(pk=department_user.pk),
        clue_count=Clue.objects.filter(round__in=rounds.round_ids).count(),
    )
    context.log(
        f"clues: {data.clue_count} clues ({created} new), {grants} new grants, "
        f"{dispositions} new dispositions in {time.perf_counter() - started:.1f} s"
    )
    return data


@bench_figure(
    "clues.ledger.office",
    names=["clues.ledger.office.median_ms", "clues.ledger.office.queries"],
    needs=["clues"],
)
def clue_ledger_office(context: BenchContext) -> list[Measurement]:
    data: CluesData = context.data["clues"]
    url = list_url("clues:clue_list")
    return list_figures(context, "clues.ledger.office", data.office_user, url)


@bench_figure(
    "clues.ledger.dept",
    names=["clues.ledger.dept.median_ms", "clues.ledger.dept.queries"],
    needs=["clues"],
)
def clue_ledger_department(context: BenchContext) -> list[Measurement]:
    data: CluesData = context.data["clues"]
    url = list_url("clues:clue_list")
    return list_figures(context, "clues.ledger.dept", data.department_user, url)


@bench_figure(
    "clues.ledger.office.province_ratio",
    names=["clues.ledger.office.province_ratio"],
    needs=["clues", "rounds"],
)
def clue_ledger_office_province_ratio(context: BenchContext) -> list[Measurement]:
    """The whole ledger over one bench round's (a tenth): see bench/rounds.py slice_ratio."""
    data: CluesData = context.data["clues"]
    url = list_url("clues:clue_list")
    sliced = with_query(url, f"round={slice_round_id(context.data['rounds'])}")
    return slice_ratio(context, "clues.ledger.office.province_ratio", data.office_user, url, sliced)
