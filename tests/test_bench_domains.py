"""The bench figures of the three domain apps (rounds, clues, rectification),
at tiny scale: each prints its lines, their data sets are built once, and
their query counts depend neither on the page nor on the number of rows."""

import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from bench.measure import logged_in_client
from bench.registry import SCALES, BenchContext, Scale, build_datasets, registry
from bench.rounds import list_url, query_count
from clues.models import Clue, ClueGroupObjectPermission
from rectification.models import Item, LedgerEntry
from rounds.models import Membership, Problem, TargetUserObjectPermission
from rounds.selectors import problem_list

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

LINE = re.compile(r"^[a-z0-9_.]+: [0-9.]+ \S+$")
PROBLEM_FIGURES = {
    "problems.list.office.median_ms",
    "problems.list.office.queries",
    "problems.list.office_category.median_ms",
    "problems.list.office_category.queries",
    "problems.list.member.median_ms",
    "problems.list.member.queries",
    "problems.list.admin_ratio",
    "problems.list.office.province_ratio",
}
CLUE_FIGURES = {
    "clues.ledger.office.median_ms",
    "clues.ledger.office.queries",
    "clues.ledger.dept.median_ms",
    "clues.ledger.dept.queries",
    "clues.ledger.office.province_ratio",
}
RECTIFICATION_FIGURES = {
    "rectification.unit_list.median_ms",
    "rectification.unit_list.queries",
    "rectification.overdue_list.median_ms",
    "rectification.overdue_list.queries",
    "rectification.reminder_scan.ms",
    "rectification.overdue_list.province_ratio",
}


def bench(prefix: str) -> dict[str, float]:
    out = io.StringIO()
    call_command(
        "bench",
        "--scale",
        "tiny",
        "--runs",
        "2",
        "--only",
        prefix,
        stdout=out,
        stderr=io.StringIO(),
    )
    lines = out.getvalue().splitlines()
    assert all(LINE.match(line) for line in lines), lines
    return {line.split(":")[0]: float(line.split()[1]) for line in lines}


def build(scale: Scale, *keys: str) -> BenchContext:
    context = BenchContext(scale=scale, runs=1)
    build_datasets(registry.datasets_for(registry.figures[key] for key in keys), context)
    return context


def queries(context: BenchContext, key: str) -> float:
    return next(
        value for name, value, _ in registry.figures[key].func(context) if "queries" in name
    )


def test_the_problem_list_figures_over_the_bench_problems():
    figures = bench("problems.")

    assert set(figures) == PROBLEM_FIGURES
    assert figures["problems.list.admin_ratio"] > 0
    assert Problem.objects.count() == SCALES["tiny"].count(100_000)


def test_the_clue_ledger_figures_over_the_bench_clues():
    figures = bench("clues.")

    assert set(figures) == CLUE_FIGURES
    assert Clue.objects.count() == SCALES["tiny"].count(20_000)
    received = Clue.objects.filter(status__in=["received", "closed"]).count()
    assert ClueGroupObjectPermission.objects.count() == received > 0


def test_the_rectification_figures_over_the_bench_items():
    figures = bench("rectification.")

    assert set(figures) == RECTIFICATION_FIGURES
    assert Item.objects.count() == SCALES["tiny"].count(100_000)
    assert LedgerEntry.objects.exists()
    assert set(Item.objects.values_list("state", flat=True)) == set(Item.State.values)


def test_the_bench_member_sees_only_their_teams_problems():
    context = build(SCALES["tiny"], "problems.list.member")
    member = context.data["rounds"].member_user
    teams = set(Membership.objects.filter(cadre__user=member).values_list("team_id", flat=True))

    visible = problem_list(user=member)

    assert len(teams) == 10
    assert visible.count() == Problem.objects.filter(team__in=teams).count() > 0
    assert TargetUserObjectPermission.objects.filter(user=member).count() == (
        Problem.objects.filter(team__in=teams).values("target").distinct().count()
    )


def test_the_domain_data_sets_are_built_once():
    keys = ("problems.list.office", "clues.ledger.office", "rectification.unit_list")
    build(SCALES["tiny"], *keys)
    counts = (Problem.objects.count(), Clue.objects.count(), Item.objects.count())

    build(SCALES["tiny"], *keys)

    assert (Problem.objects.count(), Clue.objects.count(), Item.objects.count()) == counts


LISTS = {
    # figure: (data set, user attribute, URL name)
    "problems.list.office": ("rounds", "office_user", "rounds:problem_list"),
    "problems.list.member": ("rounds", "member_user", "rounds:problem_list"),
    "clues.ledger.dept": ("clues", "department_user", "clues:clue_list"),
    "rectification.overdue_list": ("rectification", "office_user", "rectification:overdue_list"),
}


def list_queries(context: BenchContext) -> dict[str, int]:
    counts = {}
    for key, (dataset, attribute, url_name) in LISTS.items():
        user = getattr(context.data[dataset], attribute)
        cache.clear()  # what a page keeps for a minute (the overdue summary) is counted too
        counts[key] = query_count(logged_in_client(user), list_url(url_name))
    return counts


def test_list_query_counts_do_not_grow_with_the_rows():
    small = build(SCALES["tiny"], *LISTS)
    before = list_queries(small)

    larger = build(Scale("larger", 0.03), *LISTS)
    after = list_queries(larger)

    assert larger.data["rounds"].problem_count > small.data["rounds"].problem_count
    assert after == before
