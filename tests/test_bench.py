import io
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from bench import figures
from bench.citydata import SAMPLE_ACTION
from bench.registry import (
    SCALES,
    BenchContext,
    Figure,
    Registry,
    Scale,
    bench_dataset,
    bench_figure,
    build_datasets,
    registry,
)
from xuncha.audit.models import AuditEntry
from xuncha.orgs.models import Cadre, Organization

pytestmark = pytest.mark.bench

LINE = re.compile(r"^[a-z0-9_.]+: [0-9.]+ \S+$")
FOUNDATION_FIGURES = {
    "orgs.list.office.median_ms",
    "orgs.list.office.queries",
    "orgs.list.office_filtered.median_ms",
    "orgs.list.office_filtered.queries",
    "home.office.median_ms",
    "home.office.queries",
    "audit.list.auditor.median_ms",
    "audit.list.auditor.queries",
    "audit.verify.ms",
    "audit.log_action.median_ms",
}
PAGE_FIGURES = [
    "orgs.list.office",
    "orgs.list.office_filtered",
    "home.office",
    "audit.list.auditor",
]


def bench(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("bench", "--scale", "tiny", "--runs", "2", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()


def build(scale: Scale, *keys: str) -> BenchContext:
    context = BenchContext(scale=scale, runs=1)
    build_datasets(registry.datasets_for(registry.figures[key] for key in keys), context)
    return context


def measured(context: BenchContext, key: str) -> dict[str, float]:
    return {name: value for name, value, _unit in registry.figures[key].func(context)}


@pytest.mark.django_db
def test_only_prints_the_figures_with_that_prefix():
    lines = bench("--only", "audit.")

    names = {line.split(":")[0] for line in lines}
    assert names == {n for n in FOUNDATION_FIGURES if n.startswith("audit.")}


@pytest.mark.django_db
def test_only_builds_just_the_data_sets_its_figures_need():
    lines = bench("--only", "orgs.list.office.queries")

    assert [line.split(":")[0] for line in lines] == ["orgs.list.office.queries"]
    assert not AuditEntry.objects.filter(action=SAMPLE_ACTION).exists()


@pytest.mark.django_db
def test_only_with_an_unknown_prefix_is_an_error():
    with pytest.raises(CommandError, match=re.escape("No figure name starts with 'nope.'")):
        bench("--only", "nope.")


@pytest.mark.django_db
def test_a_failing_figure_is_reported_and_fails_the_command(monkeypatch):
    def broken(context):
        raise ValueError("no such page")

    def fine(context):
        return [("zz_test.fine.ms", 1.5, "ms")]

    monkeypatch.setitem(
        registry.figures,
        "zz_test.broken",
        Figure("zz_test.broken", ("zz_test.broken.ms",), (), broken),
    )
    monkeypatch.setitem(
        registry.figures, "zz_test.fine", Figure("zz_test.fine", ("zz_test.fine.ms",), (), fine)
    )
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 figure"):
        call_command("bench", "--scale", "tiny", "--only", "zz_test.", stdout=out, stderr=err)

    assert out.getvalue().splitlines() == ["zz_test.fine.ms: 1.5 ms"]
    assert "zz_test.broken.ms: error ValueError: no such page" in err.getvalue()


@pytest.mark.django_db
def test_page_query_counts_do_not_grow_with_the_data():
    small = build(SCALES["tiny"], *PAGE_FIGURES)
    before = {key: measured(small, key)[f"{key}.queries"] for key in PAGE_FIGURES}

    larger = build(Scale("larger", 0.03), *PAGE_FIGURES)
    after = {key: measured(larger, key)[f"{key}.queries"] for key in PAGE_FIGURES}

    assert larger.data["orgs"].organization_count == 90 > small.data["orgs"].organization_count
    assert AuditEntry.objects.filter(action=SAMPLE_ACTION).count() == 150
    assert after == before


@pytest.mark.django_db
def test_building_the_data_set_twice_reuses_the_first_rows():
    first = build(SCALES["tiny"], "audit.list.auditor")
    counts = (Organization.objects.count(), Cadre.objects.count(), AuditEntry.objects.count())

    second = build(SCALES["tiny"], "audit.list.auditor")

    assert (
        Organization.objects.count(),
        Cadre.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    assert second.data["orgs"].office_user == first.data["orgs"].office_user


@pytest.mark.django_db
def test_figure_functions_are_importable_and_registered():
    declared = {name for figure in registry.figures.values() for name in figure.names}
    assert declared >= FOUNDATION_FIGURES
    assert registry.figures["orgs.list.office"].func is figures.organization_list_office


def test_data_sets_are_built_after_the_ones_they_need():
    local = Registry()
    bench_dataset("c", needs=["b"], into=local)(lambda context: None)
    bench_dataset("a", into=local)(lambda context: None)
    bench_dataset("b", needs=["a"], into=local)(lambda context: None)
    bench_figure("x.y", names=["x.y.ms"], needs=["c", "a"], into=local)(lambda context: [])

    assert [d.name for d in local.datasets_for(local.select("x."))] == ["a", "b", "c"]


def test_a_cycle_or_a_missing_data_set_is_refused():
    local = Registry()
    bench_dataset("a", needs=["b"], into=local)(lambda context: None)
    bench_dataset("b", needs=["a"], into=local)(lambda context: None)
    bench_figure("x.y", names=["x.y.ms"], needs=["a"], into=local)(lambda context: [])
    bench_figure("x.z", names=["x.z.ms"], needs=["nowhere"], into=local)(lambda context: [])

    with pytest.raises(ImproperlyConfigured, match="a -> b -> a"):
        local.datasets_for(local.select("x.y"))
    with pytest.raises(ImproperlyConfigured, match="'nowhere'"):
        local.datasets_for(local.select("x.z"))


def test_figure_names_must_be_dotted_lower_case_and_unique():
    local = Registry()
    bench_figure("x.y", names=["x.y.ms"], into=local)(lambda context: [])

    with pytest.raises(ImproperlyConfigured, match="dotted lower-case"):
        bench_figure("x.bad", names=["X.Bad ms"], into=local)(lambda context: [])
    with pytest.raises(ImproperlyConfigured, match="both declare"):
        bench_figure("x.other", names=["x.y.ms"], into=local)(lambda context: [])
