"""The bench's data sets compose: every ``--only X`` in any order on one
database, then a full run, leave exactly one shared data set at the stated
scale (issue 12: ``--only dashboard`` then ``--only clues`` used to crash,
and a full run held three times the stated problems)."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from bench.citydata import PREFIX, SAMPLE_ACTION
from bench.fieldwork import THEME as FIELD_THEME
from bench.registry import SCALES, Figure, analyze, measured_at, registry
from clues.models import Clue, ClueGroupObjectPermission, Disposition
from rectification.models import Item, LedgerEntry, Plan
from rounds.models import Membership, Problem, Round, Target, Team
from xuncha.audit.models import AuditEntry
from xuncha.orgs.models import Cadre, Organization

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

LINE = re.compile(r"^[a-z0-9_.]+: [0-9.]+ \S+$")
TINY = SCALES["tiny"]
# One prefix for every data set a figure needs, each part of the shared data set.
PREFIXES = [
    "orgs.",
    "home.",
    "audit.",
    "problems.",
    "rectification.",
    "clues.",
    "dashboard",
    "reports.",
    "import.",
    "export.",
    "field.",
]
# The order of issue 12's crash first, then the rest backwards.
ORDERS = {
    "dashboard_first": ["dashboard", "clues.", *reversed(PREFIXES)],
    "as_listed": PREFIXES,
}


@pytest.fixture
def quick_figures(monkeypatch):
    """Every figure answers at once with zeros: these tests are about the data
    sets the command builds for each selection, which run as they are."""
    for key, figure in registry.figures.items():

        def zeros(context, names=figure.names):
            return [(name, 0, "x") for name in names]

        monkeypatch.setitem(registry.figures, key, Figure(key, figure.names, figure.needs, zeros))


def bench(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("bench", "--scale", "tiny", "--runs", "1", *args, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines and all(LINE.match(line) for line in lines), lines
    return lines


def counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.filter(code__startswith=PREFIX).count(),
        "cadres": Cadre.objects.filter(code__startswith=PREFIX).count(),
        "audit samples": AuditEntry.objects.filter(action=SAMPLE_ACTION).count(),
        # The field edition's figures have a small round of their own (bench/fieldwork.py).
        "rounds": Round.objects.exclude(theme=FIELD_THEME).count(),
        "targets": Target.objects.exclude(round__theme=FIELD_THEME).count(),
        "problems": Problem.objects.count(),
        "items": Item.objects.count(),
        "clues": Clue.objects.count(),
    }


STATED = {
    "organizations": TINY.count(3000),
    "cadres": TINY.count(300),
    "audit samples": TINY.count(5000),
    "rounds": 10,
    "targets": TINY.count(3000),  # one per organization
    "problems": TINY.count(100_000),
    "items": TINY.count(100_000),
    "clues": TINY.count(20_000),
}


def expected_names() -> set[str]:
    """Every declared figure but those measured only at province scale."""
    return {
        name
        for figure in registry.figures.values()
        for name in figure.names
        if measured_at(name, TINY)
    }


def all_rows() -> tuple[int, ...]:
    """Every table the data sets write, the join tables included."""
    models = [Team, Membership, Plan, LedgerEntry, ClueGroupObjectPermission, Disposition]
    return (*counts().values(), *(model.objects.count() for model in models))


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
def test_each_selection_in_any_order_then_a_full_run_hold_the_stated_scale(quick_figures, order):
    for prefix in order:
        bench("--only", prefix)
        # Never more than the stated scale, whichever parts are built so far.
        assert all(counts()[name] in (0, STATED[name]) for name in STATED), (prefix, counts())
    built = all_rows()

    lines = bench()

    assert len(lines) == len(expected_names())
    assert counts() == STATED
    # Every part was found again: the full run added nothing.
    assert all_rows() == built


def test_the_full_run_prints_every_figure_once_on_the_stated_scale():
    lines = bench()

    names = {line.split(":")[0] for line in lines}
    assert names == expected_names()
    assert len(names) == len(lines)
    assert counts() == STATED
    # Each problem has its one item, the ledger target its share.
    assert Item.objects.values("problem").distinct().count() == STATED["problems"]


def test_province_scale_is_ten_cities():
    province = SCALES["province"]

    assert (province.count(100_000), province.count(20_000), province.count(3000)) == (
        1_000_000,
        200_000,
        30_000,
    )


def test_analyze_runs_on_this_database():
    # PostgreSQL and SQLite both take ANALYZE <table>; a failure would stop every bulk load.
    analyze(Organization, Problem, Item)


def test_each_bulk_load_is_followed_by_analyze(quick_figures):
    analyzed = []

    def record(execute, sql, params, many, context):
        if sql.startswith("ANALYZE"):
            analyzed.append(sql)
        return execute(sql, params, many, context)

    # A wrapper, not the query log: that keeps only the last 9,000 queries.
    with connection.execute_wrapper(record):
        bench("--only", "dashboard")

    for model in (Organization, Target, Problem, Item, LedgerEntry, Clue, Disposition):
        assert any(model._meta.db_table in sql for sql in analyzed), model
