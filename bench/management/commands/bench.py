"""``manage.py bench``: build the bench data, print one ``name: value unit`` per figure.

Figures and data sets are registered by the modules of this package (see
``bench/registry.py``; the list is ``bench.MODULES``). Figures go
to stdout; progress and ``name: error reason`` lines go to stderr, and the
command fails at the end if any figure could not be measured.
"""

import time
from importlib import import_module

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from bench import MODULES
from bench.measure import measuring
from bench.registry import (
    SCALES,
    BenchContext,
    build_datasets,
    format_measurement,
    measured_at,
    registry,
)


def discover_bench_modules() -> None:
    """Import the modules that register figures and data sets. They live in
    this package, not in the apps they measure: production code never loads them."""
    for module in MODULES:
        import_module(module)


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split()) or "(no message)"
    return f"{type(error).__name__}: {text}"


class Command(BaseCommand):
    help = (
        "Measure the server time and query count of the main pages on a city-scale data "
        "set built in the configured database (rows marked BENCH-, reused on the next run). "
        "Prints one 'name: value unit' line per figure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="city",
            help=(
                "Size of the shared data set: city (3,000 organizations, 100,000 problems and "
                "items, 20,000 clues), province (ten times city), small (a tenth), tiny "
                "(a hundredth)."
            ),
        )
        parser.add_argument(
            "--runs", type=int, default=15, help="Timed runs per figure; the median is printed."
        )
        parser.add_argument(
            "--only",
            default="",
            metavar="PREFIX",
            help="Only the figures whose names start with PREFIX, e.g. 'orgs.' or 'audit.list'.",
        )

    def handle(self, *args, scale: str, runs: int, only: str, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        if settings.PRODUCTION:
            raise CommandError(
                "bench writes thousands of rows and audit entries to the configured database; "
                "run it against a database of its own, not with XUNCHA_ENV=production."
            )
        discover_bench_modules()
        figures = registry.select(only)
        if not figures:
            known = sorted(name for figure in registry.figures.values() for name in figure.names)
            raise CommandError(
                f"No figure name starts with {only!r}. Known figures: {', '.join(known)}"
            )
        try:
            datasets = registry.datasets_for(figures)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error

        verbose = options["verbosity"] >= 1
        context = BenchContext(scale=SCALES[scale], runs=runs)
        if verbose:
            context.log = self._note
        with measuring():
            started = time.perf_counter()
            build_datasets(datasets, context)
            if verbose and datasets:
                self._note(
                    f"data sets {', '.join(d.name for d in datasets)} ready "
                    f"in {time.perf_counter() - started:.1f} s ({scale} scale)"
                )
            failed = [name for figure in figures for name in self._run(figure, context, only)]
        if failed:
            raise CommandError(
                f"{len(failed)} figure(s) could not be measured: {', '.join(failed)}"
            )

    def _note(self, message: str) -> None:
        # Progress, plainly: stderr's default style is the error colour.
        self.stderr.write(message, style_func=str)

    def _run(self, figure, context: BenchContext, only: str) -> list[str]:
        """Print the figure's matching lines; return the names that failed."""
        # A province figure is measured only with --scale province.
        wanted = [name for name in figure.names_matching(only) if measured_at(name, context.scale)]
        try:
            lines = {
                measurement[0]: format_measurement(measurement, figure.names)
                for measurement in figure.func(context)
            }
        except Exception as error:  # any failure of one figure must not stop the others
            reason = _one_line(error)
            for name in wanted:
                self.stderr.write(f"{name}: error {reason}")
            return wanted
        failed = []
        for name in wanted:
            if name in lines:
                self.stdout.write(lines[name])
            else:
                self.stderr.write(f"{name}: error not returned by {figure.key}")
                failed.append(name)
        return failed
