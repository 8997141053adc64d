"""The benchmark harness behind ``manage.py bench``.

Each app may have a ``bench`` module (``rounds/bench.py``...) that registers
figures with :func:`~xuncha.core.bench.registry.bench_figure` and the data
sets they need with :func:`~xuncha.core.bench.registry.bench_dataset`; the
command imports them, builds the data sets the selected figures need and
prints one ``name: value unit`` line per figure. The foundation's own data set
and figures are in ``citydata`` and ``figures`` here.

The harness writes to the configured database (bench rows carry the
``BENCH-`` code prefix, and the audit log, being append-only, keeps what the
bench appends): run it on a database of its own, never on production data.
"""
