"""The dashboard's bench figures, and the city-scale data they need.

Data set "dashboard" (on top of the foundation's "orgs"): the city office's
12th and 13th terms, twelve rounds of six teams, about 3,600 targets (most
organizations inspected in the 13th term, some twice), 100,000 problems,
one rectification item per problem (100,000), and 20,000 clues with their
dispositions. Rows are bulk-created in batches of 5,000 and marked: problems
by a ``BENCH-`` description, clues by a ``BENCH-`` number, rounds by a
``BENCH`` theme; a second run finds them and builds only what is missing.

Figures: the dashboard's server time uncached (the cache generation is bumped
before each timed request) and cached, its query count uncached, and
``dashboard.sql_ratio``: the uncached time over the time of the same
aggregates written by hand as SQL and run through ``connection.cursor()`` in
the same run (the target is at most 3).
"""

import datetime
import statistics
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clues.models import Clue, Disposition
from portal.dashboard.cache import bump_generation
from rectification.models import Item, Plan
from rounds.models import Problem, ProblemCategory, Round, Target, Team
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.accounts.services import ensure_role_groups
from xuncha.core.bench.citydata import PREFIX, OrgsData
from xuncha.core.bench.measure import logged_in_client, measure_callable, measuring
from xuncha.core.bench.registry import BenchContext, Measurement, bench_dataset, bench_figure
from xuncha.orgs.models import Department, Office, Organization

CITY_PROBLEMS = 100_000
CITY_CLUES = 20_000
BATCH_SIZE = 5000
THEME = "BENCH"
TEAMS_PER_ROUND = 6
# (term, number, year): four rounds of the 12th term, eight of the 13th.
ROUNDS = [(12, n, 2019 + (n - 1) // 2) for n in range(1, 5)] + [
    (13, n, min(2021 + (n - 1) // 2, 2025)) for n in range(1, 9)
]
CURRENT_TERM = 13
SOURCES = Problem.Source.values
CLUE_STATUSES = ["draft", "submitted", "approved", *["received"] * 5, "closed", "closed"]
METHODS = Disposition.Method.values


@dataclass(frozen=True)
class DashboardData:
    leadership_user: User
    term: int
    problems: int
    clues: int
    items: int


def _office() -> Office:
    office = Office.objects.filter(level=Office.Level.CITY).first()
    return office or Office.objects.create(name="市委巡察办", level=Office.Level.CITY)


def _leadership_user(office: Office) -> User:
    user, _ = User.objects.get_or_create(
        username="bench_leadership",
        defaults={"full_name": "基准测试·领导", "password": make_password(None), "office": office},
    )
    if user.office_id != office.pk:
        user.office = office
        user.save(update_fields=["office"])
    user.groups.add(ensure_role_groups()[Role.LEADERSHIP])
    return user


def _rounds(office: Office) -> list[tuple[Round, list[Team]]]:
    result = []
    for term, number, year in ROUNDS:
        round_, _ = Round.objects.get_or_create(
            office=office,
            term=term,
            number=number,
            defaults={
                "year": year,
                "theme": THEME,
                "planned_start": datetime.date(year, 3 if number % 2 else 9, 1),
                "planned_end": datetime.date(year, 5 if number % 2 else 11, 30),
                "status": Round.Status.ARCHIVED if term < CURRENT_TERM else Round.Status.RECTIFYING,
            },
        )
        teams = [
            Team.objects.get_or_create(round=round_, number=n)[0]
            for n in range(1, TEAMS_PER_ROUND + 1)
        ]
        result.append((round_, teams))
    return result


def _targets(rounds: list[tuple[Round, list[Team]]]) -> list[Target]:
    """13th term: 85% of the organizations, one in fifty twice; 12th: a third."""
    organizations = list(
        Organization.objects.filter(code__startswith=PREFIX).order_by("code").values_list("pk")
    )
    term12 = [entry for entry in rounds if entry[0].term == 12]
    term13 = [entry for entry in rounds if entry[0].term == 13]
    wanted: list[tuple[Round, Team, int]] = []
    for i, (org_id,) in enumerate(organizations):
        team_index = (i // 8) % TEAMS_PER_ROUND
        if i % 100 < 85:
            round_, teams = term13[i % len(term13)]
            wanted.append((round_, teams[team_index], org_id))
        if i % 50 == 0:  # inspected again in the same term (回头看)
            round_, teams = term13[(i + 3) % len(term13)]
            wanted.append((round_, teams[team_index], org_id))
        if i % 3 == 0:
            round_, teams = term12[i % len(term12)]
            wanted.append((round_, teams[team_index], org_id))
    round_ids = [round_.pk for round_, _teams in rounds]
    existing = set(
        Target.objects.filter(round_id__in=round_ids).values_list("round_id", "organization_id")
    )
    new = [
        Target(
            round=round_,
            team=team,
            organization_id=org_id,
            status=Target.Status.RECTIFYING,
            entry_date=round_.planned_start,
            feedback_date=round_.planned_end,
        )
        for round_, team, org_id in wanted
        if (round_.pk, org_id) not in existing
    ]
    Target.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return list(
        Target.objects.filter(round_id__in=round_ids)
        .select_related("round")
        .order_by("round__term", "round__number", "pk")
    )


def _problems(total: int, targets: list[Target], user: User) -> int:
    existing = Problem.objects.filter(description__startswith=PREFIX).count()
    leaves = list(
        ProblemCategory.objects.filter(parent__isnull=False).order_by("code").values_list("pk")
    ) or list(ProblemCategory.objects.values_list("pk"))
    severities = ["minor"] * 6 + ["serious"] * 3 + ["grave"]
    created = 0
    for start in range(existing, total, BATCH_SIZE):
        batch = []
        for j in range(start, min(start + BATCH_SIZE, total)):
            target = targets[(j * 7) % len(targets)]
            batch.append(
                Problem(
                    target=target,
                    round_id=target.round_id,
                    team_id=target.team_id,
                    category_id=leaves[(j * 11) % len(leaves)][0],
                    description=f"{PREFIX}P{j:06d} 基准测试问题",
                    source=SOURCES[j % len(SOURCES)],
                    severity=severities[j % len(severities)],
                    immediate_fix=j % 7 == 0,
                    status=Problem.Status.FED_BACK,
                    found_by=user,
                    found_on=target.round.planned_start,
                )
            )
        Problem.objects.bulk_create(batch)
        created += len(batch)
    return created


def _items(targets: list[Target]) -> int:
    """One item per bench problem still without one, on its target's plan."""
    today = timezone.localdate()
    target_rows = {t.pk: t for t in targets}
    plans = dict(Plan.objects.filter(target__in=targets).values_list("target_id", "pk"))
    Plan.objects.bulk_create(
        [
            Plan(target=t, organization_id=t.organization_id, status=Plan.Status.ACCEPTED)
            for t in targets
            if t.pk not in plans
        ],
        batch_size=BATCH_SIZE,
    )
    plans = dict(Plan.objects.filter(target__in=targets).values_list("target_id", "pk"))
    missing = (
        Problem.objects.filter(description__startswith=PREFIX, rectification_item__isnull=True)
        .order_by("pk")
        .values_list("pk", "target_id", "immediate_fix")
    )
    days = datetime.timedelta
    # By j % 20: most done, then overdue (red), yellow, green, and plain open.
    deadlines = {16: -12, 17: 5, 18: 15, 19: 60}
    created, batch = 0, []
    for j, (problem_id, target_id, immediate) in enumerate(missing.iterator(chunk_size=BATCH_SIZE)):
        target = target_rows[target_id]
        slot = j % 20
        state = (
            Item.State.CLOSED
            if slot < 15
            else Item.State.ACCEPTED
            if slot == 15
            else Item.State.HANDED_IN
            if slot == 18
            else Item.State.IN_PROGRESS
        )
        kind = Item.Kind.IMMEDIATE if immediate else Item.Kind.DEADLINE
        if j % 97 == 0:
            kind = Item.Kind.ONGOING
        batch.append(
            Item(
                plan_id=plans[target_id],
                problem_id=problem_id,
                organization_id=target.organization_id,
                round_id=target.round_id,
                office_id=target.round.office_id,
                kind=kind,
                measures="基准测试整改措施",
                responsible_person="基准测试",
                deadline=today + days(deadlines.get(slot, -30)),
                state=state,
                progress=100 if slot <= 15 else 50,
                rules_made=1 if j % 10 == 0 else 0,
                money_recovered=Decimal(10000 + (j % 7) * 1000) if j % 25 == 0 else Decimal(0),
                closed_at=timezone.now() if state == Item.State.CLOSED else None,
            )
        )
        if len(batch) == BATCH_SIZE:
            Item.objects.bulk_create(batch)
            created, batch = created + len(batch), []
    Item.objects.bulk_create(batch)
    return created + len(batch)


def _department() -> Department:
    code = f"{PREFIX}D01"
    department = Department.objects.filter(code=code).first()
    if department is None:
        group, _ = Group.objects.get_or_create(name=f"dept:{code}")
        department = Department.objects.create(
            code=code, name="基准测试纪委监委", kind=Department.Kind.DISCIPLINE, group=group
        )
    return department


def _clues(total: int, targets: list[Target], user: User) -> int:
    existing = set(Clue.objects.filter(number__startswith=PREFIX).values_list("number", flat=True))
    department = _department()
    now = timezone.now()
    created = 0
    for start in range(0, total, BATCH_SIZE):
        batch = []
        for k in range(start, min(start + BATCH_SIZE, total)):
            number = f"{PREFIX}X{k:06d}"
            if number in existing:
                continue
            target = targets[(k * 13) % len(targets)]
            status = CLUE_STATUSES[k % len(CLUE_STATUSES)]
            signed = status in ("received", "closed")
            batch.append(
                Clue(
                    number=number,
                    round_id=target.round_id,
                    team_id=target.team_id,
                    target=target,
                    person_name="基准测试",
                    person_position="科长",
                    person_rank=Clue.Rank.SECTION,
                    discipline=Clue.Discipline.values[k % 6],
                    source=SOURCES[k % len(SOURCES)],
                    summary="基准测试线索摘要",
                    department=department,
                    drafted_by=user,
                    status=status,
                    submitted_at=now if status != "draft" else None,
                    approved_at=now if status in ("approved", "received", "closed") else None,
                    received_at=now if signed else None,
                    closed_at=now if status == "closed" else None,
                )
            )
        if not batch:
            continue
        Clue.objects.bulk_create(batch)
        created += len(batch)
        _dispositions([clue.number for clue in batch], user)
    return created


def _dispositions(numbers: list[str], user: User) -> None:
    """A received clue's reports: one, a second for every third clue."""
    rows = Clue.objects.filter(number__in=numbers, status__in=["received", "closed"]).values_list(
        "pk", "number"
    )
    dispositions = []
    for pk, number in rows:
        k = int(number.removeprefix(f"{PREFIX}X"))
        for report in range(2 if k % 3 == 0 else 1):
            method = METHODS[(k + report) % len(METHODS)]
            case = method == Disposition.Method.CASE
            dispositions.append(
                Disposition(
                    clue_id=pk,
                    method=method,
                    party_discipline="warning" if case and k % 2 == 0 else "",
                    government_sanction="demerit" if k % 4 == 1 else "",
                    transferred_to_justice=case and k % 8 == 0,
                    money_recovered=Decimal(50000) if k % 6 == 0 else Decimal(0),
                    is_final=report == 1,
                    note="基准测试处置情况",
                    reported_by=user,
                )
            )
    Disposition.objects.bulk_create(dispositions, batch_size=BATCH_SIZE)


@bench_dataset("dashboard", needs=["orgs"])
def build_dashboard(context: BenchContext) -> DashboardData:
    orgs: OrgsData = context.data["orgs"]
    started = time.perf_counter()
    office = _office()
    rounds = _rounds(office)
    targets = _targets(rounds)
    new_problems = _problems(context.scale.count(CITY_PROBLEMS), targets, orgs.office_user)
    new_items = _items(targets)
    new_clues = _clues(context.scale.count(CITY_CLUES), targets, orgs.office_user)
    data = DashboardData(
        leadership_user=_leadership_user(office),
        term=CURRENT_TERM,
        problems=Problem.objects.filter(description__startswith=PREFIX).count(),
        clues=Clue.objects.filter(number__startswith=PREFIX).count(),
        items=Item.objects.filter(problem__description__startswith=PREFIX).count(),
    )
    context.log(
        f"dashboard: {len(targets)} targets, {data.problems} problems ({new_problems} new), "
        f"{data.items} items ({new_items} new), {data.clues} clues ({new_clues} new) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return data


# --- the figures -----------------------------------------------------------------


def _get_ok(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def hand_written_sql(term: int, today: datetime.date) -> list[tuple[str, list]]:
    """The dashboard's queries for the city office and one term, by hand.

    The pieces put into the strings are the models' own choice codes and
    constants (S608 below); the term and the dates are parameters."""
    from django.conf import settings

    yellow_from = today + datetime.timedelta(days=settings.RECTIFICATION_YELLOW_DAYS)
    green_from = today + datetime.timedelta(days=settings.RECTIFICATION_GREEN_DAYS)
    open_states = "('in_progress', 'handed_in', 'transferred')"
    on_ledger = f"i.state IN {open_states} AND i.deadline IS NOT NULL AND i.kind <> 'ongoing'"
    sources = ", ".join(
        f"COUNT(*) FILTER (WHERE p.source = '{code}')" for code in Problem.Source.values
    )
    severities = ", ".join(
        f"COUNT(*) FILTER (WHERE p.severity = '{code}')" for code in Problem.Severity.values
    )
    return [
        (
            "SELECT r.id, r.term, r.number, r.year, o.name, o.level FROM rounds_round r "
            "JOIN orgs_office o ON o.id = r.office_id ORDER BY r.year, r.term, r.number, r.id",
            [],
        ),
        ("SELECT id, name FROM orgs_region ORDER BY sort_order, code", []),
        ("SELECT id, parent_id, name FROM rounds_problemcategory ORDER BY sort_order, code", []),
        (
            "SELECT t.round_id, COUNT(*) FROM rounds_target t "
            "JOIN rounds_round r ON r.id = t.round_id WHERE r.term = %s GROUP BY t.round_id",
            [term],
        ),
        (
            "SELECT COUNT(DISTINCT t.organization_id) FROM rounds_target t "
            "JOIN rounds_round r ON r.id = t.round_id WHERE r.term = %s",
            [term],
        ),
        (
            "SELECT p.round_id, COUNT(*), COUNT(*) FILTER (WHERE p.immediate_fix), "  # noqa: S608
            f"{sources}, {severities} FROM rounds_problem p "
            "JOIN rounds_round r ON r.id = p.round_id WHERE r.term = %s GROUP BY p.round_id",
            [term],
        ),
        (
            "SELECT p.category_id, COUNT(*) FROM rounds_problem p "
            "JOIN rounds_round r ON r.id = p.round_id WHERE r.term = %s GROUP BY p.category_id",
            [term],
        ),
        (
            "SELECT o.region_id, o.sector, o.level, COUNT(*), COUNT(*) FILTER (WHERE EXISTS ("
            "SELECT 1 FROM rounds_target t JOIN rounds_round r ON r.id = t.round_id "
            "WHERE r.term = %s AND t.organization_id = o.id)) "
            "FROM orgs_organization o WHERE o.is_active GROUP BY o.region_id, o.sector, o.level",
            [term],
        ),
        (
            "SELECT COUNT(DISTINCT c.id), "
            "COUNT(DISTINCT c.id) FILTER (WHERE d.method = 'case'), "
            "COUNT(DISTINCT c.id) FILTER (WHERE d.party_discipline > '' "
            "OR d.government_sanction > ''), "
            "COUNT(DISTINCT c.id) FILTER (WHERE d.transferred_to_justice), "
            "SUM(d.money_recovered) FROM clues_clue c "
            "JOIN rounds_round r ON r.id = c.round_id "
            "LEFT JOIN clues_disposition d ON d.clue_id = c.id "
            "WHERE r.term = %s AND c.status IN ('approved', 'received', 'closed')",
            [term],
        ),
        (
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE i.state IN ('accepted', 'closed')), "  # noqa: S608
            "SUM(i.rules_made), SUM(i.money_recovered), "
            f"COUNT(*) FILTER (WHERE {on_ledger} AND i.deadline < %s), "
            f"COUNT(*) FILTER (WHERE {on_ledger} AND i.deadline >= %s AND i.deadline <= %s), "
            f"COUNT(*) FILTER (WHERE {on_ledger} AND i.deadline > %s AND i.deadline <= %s) "
            "FROM rectification_item i JOIN rounds_round r ON r.id = i.round_id WHERE r.term = %s",
            [today, today, yellow_from, yellow_from, green_from, term],
        ),
        (
            "SELECT i.organization_id, o.name, COUNT(*) AS n FROM rectification_item i "  # noqa: S608
            "JOIN rounds_round r ON r.id = i.round_id "
            "JOIN orgs_organization o ON o.id = i.organization_id "
            f"WHERE r.term = %s AND {on_ledger} AND i.deadline < %s "
            "GROUP BY i.organization_id, o.name ORDER BY n DESC, o.name LIMIT 10",
            [term, today],
        ),
    ]


def run_hand_written_sql(term: int) -> None:
    with connection.cursor() as cursor:
        for sql, params in hand_written_sql(term, timezone.localdate()):
            cursor.execute(sql, params)
            cursor.fetchall()


@bench_figure(
    "dashboard",
    names=[
        "dashboard.uncached.median_ms",
        "dashboard.cached.median_ms",
        "dashboard.queries",
        "dashboard.sql_ratio",
    ],
    needs=["dashboard"],
)
def dashboard_figures(context: BenchContext) -> list[Measurement]:
    data: DashboardData = context.data["dashboard"]
    client = logged_in_client(data.leadership_user)
    # The page as it first opens: the current term, every district and sector.
    url = f"{reverse('dashboard:index')}?term={data.term}"

    with measuring():
        _get_ok(client, url)  # warm-up: templates, the first connection
        uncached = []
        for _ in range(context.runs):
            bump_generation()  # a new generation: every cached figure is out of date
            start = time.perf_counter()
            _get_ok(client, url)
            uncached.append((time.perf_counter() - start) * 1000)
        bump_generation()
        with CaptureQueriesContext(connection) as queries:
            _get_ok(client, url)
        # Read now: the next request empties the connection's query log.
        query_count = len(queries.captured_queries)
    uncached_ms = statistics.median(uncached)
    cached_ms = measure_callable(lambda: _get_ok(client, url), context.runs)
    sql_ms = measure_callable(lambda: run_hand_written_sql(data.term), context.runs)
    return [
        ("dashboard.uncached.median_ms", uncached_ms, "ms"),
        ("dashboard.cached.median_ms", cached_ms, "ms"),
        ("dashboard.queries", query_count, "queries"),
        ("dashboard.sql_ratio", uncached_ms / sql_ms, "ratio"),
    ]
