"""What ``manage.py bench`` can measure and the data it needs, registered by decorators.

A *figure function* measures one thing and returns one or more figures as
``(name, value, unit)``; it declares every name it may return, so that
``--only PREFIX`` can pick functions without running them. A *data set* is
built once per run, before the figures that need it, and hands the figures
what they look up (users, ids) through ``context.data[name]``::

    @bench_dataset("rounds", needs=["orgs"])
    def build_rounds(context: BenchContext) -> RoundsData: ...

    @bench_figure("rounds.list.office", names=["rounds.list.office.median_ms"], needs=["rounds"])
    def round_list(context: BenchContext) -> list[Measurement]: ...
"""

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction

NAME_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
UNIT_PATTERN = re.compile(r"^\S+$")

Measurement = tuple[str, float | int, str]


@dataclass(frozen=True)
class Scale:
    """How big the data sets are. Builders write their city-scale counts and
    scale them with :meth:`count`, so each data set keeps its proportions."""

    name: str
    factor: float

    def count(self, city_count: int) -> int:
        return max(1, round(city_count * self.factor))


# city: 3,000 organizations, 100,000 problems and items, 20,000 clues (the
# figures' names say these counts); province: ten times that, for the
# performance work; small: a tenth, for quick looks; tiny: a hundredth, for the
# bench's own tests.
SCALES = {
    scale.name: scale
    for scale in (
        Scale("city", 1.0),
        Scale("province", 10.0),
        Scale("small", 0.1),
        Scale("tiny", 0.01),
    )
}


def measured_at(name: str, scale: "Scale") -> bool:
    """Whether a figure is expected at this scale: those named for the
    province (``dashboard.province.…``) only at province scale."""
    return ".province." not in name or scale.name == "province"


def _quiet(message: str) -> None:
    pass


@dataclass
class BenchContext:
    scale: Scale
    runs: int
    # What each built data set returned, by data set name.
    data: dict[str, Any] = field(default_factory=dict)
    # Progress messages (the command sends them to stderr, keeping stdout for figures).
    log: Callable[[str], None] = _quiet


FigureFunction = Callable[[BenchContext], list[Measurement]]
DatasetBuilder = Callable[[BenchContext], Any]


def _origin(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


@dataclass(frozen=True)
class Figure:
    key: str
    names: tuple[str, ...]
    needs: tuple[str, ...]
    func: FigureFunction

    def names_matching(self, prefix: str) -> list[str]:
        return [name for name in self.names if name.startswith(prefix)]


@dataclass(frozen=True)
class Dataset:
    name: str
    needs: tuple[str, ...]
    build: DatasetBuilder


class Registry:
    def __init__(self) -> None:
        self.figures: dict[str, Figure] = {}
        self.datasets: dict[str, Dataset] = {}

    def add_figure(self, figure: Figure) -> None:
        if not figure.names:
            raise ImproperlyConfigured(f"bench figure {figure.key!r} declares no names")
        for name in figure.names:
            if not NAME_PATTERN.match(name):
                raise ImproperlyConfigured(
                    f"bench figure name {name!r} is not dotted lower-case ([a-z0-9_.])"
                )
        self._check_replaces(self.figures.get(figure.key), figure.func, "figure", figure.key)
        for other in self.figures.values():
            if other.key != figure.key and (shared := set(other.names) & set(figure.names)):
                raise ImproperlyConfigured(
                    f"bench figures {other.key!r} and {figure.key!r} both declare {sorted(shared)}"
                )
        self.figures[figure.key] = figure

    def add_dataset(self, dataset: Dataset) -> None:
        self._check_replaces(
            self.datasets.get(dataset.name), dataset.build, "data set", dataset.name
        )
        self.datasets[dataset.name] = dataset

    @staticmethod
    def _check_replaces(existing, func: Callable, kind: str, key: str) -> None:
        # Re-importing the same module (importlib.reload) registers the same
        # function again; a different function under the same key is a mistake.
        if existing is None:
            return
        old = existing.func if isinstance(existing, Figure) else existing.build
        if _origin(old) != _origin(func):
            raise ImproperlyConfigured(
                f"bench {kind} {key!r} registered twice: {_origin(old)} and {_origin(func)}"
            )

    def select(self, prefix: str = "") -> list[Figure]:
        """The figure functions with at least one name starting with ``prefix``."""
        chosen = [f for f in self.figures.values() if f.names_matching(prefix)]
        return sorted(chosen, key=lambda figure: figure.key)

    def datasets_for(self, figures: Iterable[Figure]) -> list[Dataset]:
        """The data sets these figures need, each after the ones it needs."""
        ordered: list[Dataset] = []
        done: set[str] = set()
        visiting: list[str] = []

        def visit(name: str, needed_by: str) -> None:
            if name in done:
                return
            if name in visiting:
                cycle = " -> ".join([*visiting[visiting.index(name) :], name])
                raise ImproperlyConfigured(f"bench data sets need each other: {cycle}")
            dataset = self.datasets.get(name)
            if dataset is None:
                raise ImproperlyConfigured(
                    f"bench data set {name!r} (needed by {needed_by}) is not registered"
                )
            visiting.append(name)
            for need in dataset.needs:
                visit(need, f"data set {name!r}")
            visiting.pop()
            done.add(name)
            ordered.append(dataset)

        for figure in figures:
            for need in figure.needs:
                visit(need, f"figure {figure.key!r}")
        return ordered


registry = Registry()


def bench_figure(
    key: str,
    *,
    names: Iterable[str],
    needs: Iterable[str] = (),
    into: Registry | None = None,
) -> Callable[[FigureFunction], FigureFunction]:
    """Register a function that takes a :class:`BenchContext` and returns
    ``[(name, value, unit), ...]``, every name one of ``names``."""

    def register(func: FigureFunction) -> FigureFunction:
        (into or registry).add_figure(Figure(key, tuple(names), tuple(needs), func))
        return func

    return register


def bench_dataset(
    name: str, *, needs: Iterable[str] = (), into: Registry | None = None
) -> Callable[[DatasetBuilder], DatasetBuilder]:
    """Register the builder of a data set. It must be idempotent: find what an
    earlier run created (by a ``BENCH-`` code prefix or similar) and create
    only what is missing, then return the handle figures read from
    ``context.data[name]``. It runs inside one transaction."""

    def register(build: DatasetBuilder) -> DatasetBuilder:
        (into or registry).add_dataset(Dataset(name, tuple(needs), build))
        return build

    return register


def build_datasets(datasets: Iterable[Dataset], context: BenchContext) -> None:
    from portal.dashboard.summary import vacuum_notes_if_bloated

    for dataset in datasets:
        with transaction.atomic():
            context.data[dataset.name] = dataset.build(context)
    # The builds' saves wrote and counted change notes by the million; the
    # nightly rebuild then vacuums their table (outside a transaction), as here.
    vacuum_notes_if_bloated()


def analyze(*models) -> None:
    """Fresh planner statistics for tables just bulk-loaded. Autovacuum would
    gather them within a minute or so on PostgreSQL, and a production
    database has them; a plan made on empty statistics measures the wrong
    thing. SQLite's planner reads its own (sqlite_stat1) the same way."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def format_measurement(measurement: Measurement, declared: Iterable[str]) -> str:
    """``name: value unit``, refusing what the line format cannot carry."""
    name, value, unit = measurement
    if name not in declared:
        raise ValueError(f"figure {name!r} was not declared by its function")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name}: value {value!r} is not a number")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name}: value {value!r} is not a finite non-negative number")
    if not UNIT_PATTERN.match(unit):
        raise ValueError(f"{name}: unit {unit!r} must be one word")
    if isinstance(value, int):
        text = str(value)
    else:
        # One decimal is enough above a millisecond; keep three below it.
        text = f"{value:.1f}" if value >= 1 else f"{value:.3f}"
    return f"{name}: {text} {unit}"
