"""The dashboard's bench figures, over the shared data set.

Data set "dashboard" adds no rows but the leadership user: the dashboard
reads the bench term (届 99) of the shared data set, its ten rounds, one
target per organization, 100,000 problems, one rectification item per
problem and 20,000 clues with their dispositions (see ``bench/citydata.py``).

The bench rows are written with ``bulk_create``, which leaves no change
notes: building the data set counts the dashboard's summary rows once, as the
nightly rebuild would (``portal.dashboard.summary.rebuild``).

Figures: the dashboard's server time uncached (the cache generation is bumped
before each timed request) and cached, its query count uncached, and
``dashboard.sql_ratio``: the uncached time over the time of the same
aggregates written by hand as SQL over the records and run through
``connection.cursor()`` in the same run (the target is at most 2). At
province scale the two times are also reported as
``dashboard.province.uncached.median_ms`` and ``...cached.median_ms``.
``dashboard.rebuild.s`` is the time of counting every summary row again, and
``dashboard.apply_change.median_ms`` what one saved record costs the next
view: counting its segment again.
"""

import datetime
import statistics
import time
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.clues import CluesData
from bench.measure import logged_in_client, measure_callable, measuring
from bench.rectification import RectificationData
from bench.registry import BenchContext, Measurement, bench_dataset, bench_figure
from bench.rounds import BENCH_TERM, RoundsData
from portal.dashboard.cache import bring_up_to_date, bump_generation
from portal.dashboard.models import FigureChange
from portal.dashboard.summary import rebuild
from rounds.models import Problem, Target
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.accounts.services import ensure_role_groups
from xuncha.orgs.models import Office


@dataclass(frozen=True)
class DashboardData:
    leadership_user: User
    term: int
    problems: int
    clues: int
    items: int


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


@bench_dataset("dashboard", needs=["rounds", "rectification", "clues"])
def build_dashboard(context: BenchContext) -> DashboardData:
    rounds: RoundsData = context.data["rounds"]
    rectification: RectificationData = context.data["rectification"]
    clues: CluesData = context.data["clues"]
    started = time.perf_counter()
    segments = rebuild()
    context.log(f"dashboard: {segments} summary rows in {time.perf_counter() - started:.1f} s")
    return DashboardData(
        leadership_user=_leadership_user(rounds.office_user.office),
        term=BENCH_TERM,
        problems=rounds.problem_count,
        clues=clues.clue_count,
        items=rectification.item_count,
    )


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
            "SUM(d.money_recovered) FROM clues_clue c "
            "JOIN rounds_round r ON r.id = c.round_id "
            "LEFT JOIN clues_disposition d ON d.clue_id = c.id "
            "WHERE r.term = %s AND c.status IN ('approved', 'received', 'closed')",
            [term],
        ),
        (
            "SELECT COUNT(DISTINCT c.id || '|' || p.name) FILTER (WHERE "
            "p.party_discipline > '' OR p.government_sanction > ''), "
            "COUNT(DISTINCT c.id || '|' || p.name) FILTER (WHERE "
            "p.transferred_to_justice) FROM clues_dispositionperson p "
            "JOIN clues_disposition d ON d.id = p.disposition_id "
            "JOIN clues_clue c ON c.id = d.clue_id JOIN rounds_round r ON r.id = c.round_id "
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
        "dashboard.province.uncached.median_ms",
        "dashboard.province.cached.median_ms",
        "dashboard.rebuild.s",
        "dashboard.apply_change.median_ms",
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
    started = time.perf_counter()
    rebuild()
    rebuild_s = time.perf_counter() - started
    apply_ms = measure_callable(lambda: _apply_one_change(data.term), context.runs)
    figures = [
        ("dashboard.uncached.median_ms", uncached_ms, "ms"),
        ("dashboard.cached.median_ms", cached_ms, "ms"),
        ("dashboard.queries", query_count, "queries"),
        ("dashboard.sql_ratio", uncached_ms / sql_ms, "ratio"),
        ("dashboard.rebuild.s", rebuild_s, "s"),
        ("dashboard.apply_change.median_ms", apply_ms, "ms"),
    ]
    if context.scale.name == "province":
        figures += [
            ("dashboard.province.uncached.median_ms", uncached_ms, "ms"),
            ("dashboard.province.cached.median_ms", cached_ms, "ms"),
        ]
    return figures


def _apply_one_change(term: int) -> None:
    """What a saved problem costs the next view: its note, then its segment counted again."""
    target = Target.objects.filter(round__term=term).values_list("round_id", "organization_id")
    round_id, organization_id = target.order_by("pk").first()
    FigureChange.objects.create(round_key=round_id, organization_key=organization_id)
    bring_up_to_date()
