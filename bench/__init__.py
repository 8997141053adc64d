"""The benchmark harness behind ``manage.py bench`` (a development app).

Settings install this app only outside production, and no production module
imports it: it may import anything (the domain apps, ``django.test``). Each
module in :data:`MODULES` registers figures with
:func:`~bench.registry.bench_figure` and the data sets they need with
:func:`~bench.registry.bench_dataset`; the command imports them, builds the
data sets the selected figures need and prints one ``name: value unit`` line
per figure.

Every figure reads one shared data set, built in parts (see
``bench/citydata.py`` for the plan): a later run, or a run of other figures,
finds each part by its marker and builds only what is missing, so at city
scale the database holds 3,000 organizations, 100,000 problems, 100,000
rectification items and 20,000 clues, whatever was run before.

The harness writes to the configured database (bench rows carry the
``BENCH-`` code prefix, and the audit log, being append-only, keeps what the
bench appends): run it on a database of its own, never on production data.
"""

# The modules that register figures and data sets, in the order they are imported.
MODULES = [
    "bench.citydata",
    "bench.figures",
    "bench.rounds",
    "bench.rectification",
    "bench.clues",
    "bench.dashboard",
    "bench.reports",
    "bench.archive",
    "bench.crosscheck",
    "bench.fieldwork",
    "bench.intake",
]
