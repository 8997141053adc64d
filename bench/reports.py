"""Bench figures for reports, imports and exports (found by ``manage.py bench``).

- ``reports.ledger_pdf_500.s``: the 三单五账 ledger PDF of a target with 500
  items, through the document's own generate() (its queries; the overview's
  head laid out by WeasyPrint from its template, the rest of the overview and
  the item tables drawn by ReportLab on from its last page, both with the
  shipped fonts, in one PDF), median of up to five runs;
- ``reports.ledger_pdf_500.peak_mb``: the process's peak resident memory while
  it runs (see peak_rss_mb);
- ``reports.ledger_pdf_3500.ratio_to_500`` and ``.peak_mb``: a round ledger
  of 3,500 items (the first targets, in the ledger's order, of the ledger
  round, whose 10,000 items are cut to the targets that make 3,500), through
  the same code as the round ledger (rectification.reports.ledger_pdf: its
  overview, longer by a row per organization, and the organizations'
  tables: 92 at city scale), timed after the 500-item runs (the median of
  up to five runs, as theirs): its time over theirs, and the process's peak
  resident memory while the first runs;
- ``reports.ledger_pdf_500.baseline_ratio``: the baseline's time over ours
  (medians: up to three baseline runs; the log adds both sides' CPU time,
  steadier on a shared machine). The
  baseline renders the same rows as a plain HTML table with WeasyPrint's
  defaults and the full Noto Serif CJK font of Debian's fonts-noto-cjk, found
  through fontconfig: what a first, naive implementation would do;
- ``import.problems_10k.s``: upload (read, header check, store), check (dry
  run) and commit of a generated 10,000-row .xlsx through xuncha.imports'
  services, inside a transaction that is rolled back afterwards, so the bench
  data does not grow from run to run; ``.check_s`` the two checks (at upload
  and again at commit: reading the sheet and validating every row),
  ``.write_s`` the write (one bulk insert of the problems and one of their
  audit entries), ``.bulk_ratio`` that write over a bare ``bulk_create`` of
  the same validated rows in the same run, ``.peak_mb`` the peak memory;
- ``export.problems_100k.s`` and ``.peak_mb``: the 100,000 problems of the
  bench term to .xlsx through the problem list export (rounds.resources.problem_export_rows
  and xuncha.core.xlsx): the list's own export view, its download read to the end;
  ``.raw_s`` a bare openpyxl write-only dump of the same values (already in
  memory) and ``.raw_ratio`` ours over that, in the same run.

Counts scale with ``--scale`` (a hundredth at "tiny"), so the names say the
city-scale count. The data set "reports" adds no rows: it reads the shared
one (see ``bench/citydata.py``): the ledger target of the "rounds" part, whose
500 problems have their items, and the bench term's problems for the export.
"""

import contextlib
import ctypes
import datetime
import gc
import io
import re
import resource
import shutil
import statistics
import subprocess
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bench.measure import measuring
from bench.registry import BenchContext, Measurement, bench_dataset, bench_figure
from bench.rounds import BENCH_TERM, RoundsData
from rectification.models import Item
from rounds.models import ProblemCategory, Target

IMPORT_ROWS = 10_000
BASELINE_FONT = "Noto Serif CJK SC"

DESCRIPTIONS = [
    "违规向在职人员发放津补贴，涉及金额{n}万元，相关制度执行不严格。",
    "“三重一大”事项未经党组会集体研究决策，个人说了算现象仍有发生。",
    "政府采购项目化整为零规避公开招标，合同管理不规范，验收把关不严。",
    "组织生活会批评与自我批评辣味不足，会前谈心谈话不深入，流于形式。",
    "公款存放不规范，未按规定开展竞争性存放，存在廉政风险隐患。",
]


@dataclass(frozen=True)
class ReportsData:
    office_user: object
    ledger_target_id: int
    ledger_items: int
    export_term: int
    export_problems: int
    import_rows: int


@bench_dataset("reports", needs=["rounds", "rectification"])
def build_reports(context: BenchContext) -> ReportsData:
    rounds: RoundsData = context.data["rounds"]
    return ReportsData(
        office_user=rounds.office_user,
        ledger_target_id=rounds.ledger_target_id,
        ledger_items=Item.objects.filter(plan__target_id=rounds.ledger_target_id).count(),
        export_term=BENCH_TERM,
        export_problems=rounds.problem_count,
        import_rows=context.scale.count(IMPORT_ROWS),
    )


# --- Measuring ----------------------------------------------------------------


def _hwm_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def _release_memory() -> None:
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def peak_rss_mb(fn, log) -> tuple[float, object]:
    """Peak resident memory of this process while ``fn`` runs, in MB: the
    high-water mark (VmHWM) is reset through /proc/self/clear_refs just
    before. It counts everything the process holds (Python, Django, the
    libraries' native memory such as Pango's and lxml's), not only what
    ``fn`` adds; the log line gives the resident size it started from. Where
    /proc cannot be used, tracemalloc's peak of Python allocations instead."""
    _release_memory()
    try:
        Path("/proc/self/clear_refs").write_text("5")
        start = _rss_mb()
    except OSError:
        tracemalloc.start()
        try:
            result = fn()
            peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
        finally:
            tracemalloc.stop()
        log(f"peak memory by tracemalloc (Python allocations only): {peak:.0f} MB")
        return peak, result
    result = fn()
    peak = _hwm_mb()
    log(f"peak resident memory {peak:.0f} MB (from {start:.0f} MB before the call)")
    return peak, result


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def _cpu_seconds() -> float:
    """CPU time of this process: on a shared machine, steadier than the clock."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _timed_cpu(fn) -> tuple[float, float]:
    """Seconds by the clock and of CPU of one call."""
    cpu = _cpu_seconds()
    seconds, _result = _timed(fn)
    return seconds, _cpu_seconds() - cpu


# --- The ledger PDF -------------------------------------------------------------


BASELINE_COLUMNS = [
    "序号", "整改类型", "台账状态", "进度", "预警", "问题类别", "问题描述", "整改措施",
    "责任领导", "责任人", "责任部门", "完成时限", "转办部门", "台账记录",
]  # fmt: skip


def _baseline_html(sections) -> str:
    """The fields our PDF shows for each item, one per cell of a plain table
    (as a first implementation would lay out a ledger), with WeasyPrint's
    defaults and a system CJK font named in the stylesheet."""
    from django.utils.html import escape

    cells = []
    for section in sections:
        for row in section.rows:
            item = row.item
            values = [
                row.number,
                item.get_kind_display(),
                item.get_state_display(),
                item.progress,
                row.colour_label,
                item.problem.category.name,
                item.problem.description,
                item.measures,
                item.responsible_leader,
                item.responsible_person,
                item.responsible_department,
                item.deadline or "",
                item.transferred_to.name if item.transferred_to else "",
                "；".join(row.history),
            ]
            cells.append("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in values) + "</tr>")
    header = "".join(f"<th>{name}</th>" for name in BASELINE_COLUMNS)
    return (
        '<html><head><meta charset="utf-8"><style>'
        f'body {{ font-family: "{BASELINE_FONT}"; }}'
        f"</style></head><body><table><tr>{header}</tr>" + "".join(cells) + "</table></body></html>"
    )


def _require_baseline_font() -> None:
    found = ""
    if fc_list := shutil.which("fc-list"):
        # A constant command line: fontconfig's own listing of the family.
        found = subprocess.run(  # noqa: S603
            [fc_list, f":family={BASELINE_FONT}", "family"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    if BASELINE_FONT not in found:
        raise RuntimeError(
            f"the baseline needs the system font {BASELINE_FONT!r} from Debian's "
            "fonts-noto-cjk (apt-get install fonts-noto-cjk); it is not installed"
        )


def _ledger(context: BenchContext):
    from rectification.reports import LEDGER

    data: ReportsData = context.data["reports"]
    params = {"scope": "target", "id": data.ledger_target_id, "format": "pdf"}

    def ours():
        LEDGER.authorize(data.office_user, params)
        return LEDGER.generate(data.office_user, params, lambda percent: None)

    return data, params, ours


def _ledger_seconds(context: BenchContext) -> float:
    """Median of up to five runs after a warm-up (fonts, templates), measured
    once per bench run and shared by the two ledger figures."""
    if "reports.ledger_s" not in context.data:
        data, _params, ours = _ledger(context)
        with measuring():
            ours()
            timings = [_timed_cpu(ours) for _ in range(min(context.runs, 5))]
        context.log(
            f"ledger PDF: {data.ledger_items} items, runs "
            f"{', '.join(f'{t:.2f} s ({cpu:.2f} s CPU)' for t, cpu in timings)}"
        )
        context.data["reports.ledger_s"] = statistics.median(t for t, _cpu in timings)
        context.data["reports.ledger_cpu_s"] = statistics.median(cpu for _t, cpu in timings)
    return context.data["reports.ledger_s"]


@bench_figure(
    "reports.ledger_pdf_500",
    names=["reports.ledger_pdf_500.s", "reports.ledger_pdf_500.peak_mb"],
    needs=["reports"],
)
def ledger_pdf(context: BenchContext) -> list[Measurement]:
    seconds = _ledger_seconds(context)
    _data, _params, ours = _ledger(context)
    with measuring():
        peak, generated = peak_rss_mb(ours, context.log)
    context.log(f"ledger PDF: {len(generated.content) / 1024:.0f} KB")
    return [
        ("reports.ledger_pdf_500.s", seconds, "s"),
        ("reports.ledger_pdf_500.peak_mb", peak, "MB"),
    ]


LONG_LEDGER_ITEMS = 3_500


def _long_ledger_targets(context: BenchContext, round_id: int) -> list[int]:
    """The first targets of the round, in the ledger's order, that hold
    LONG_LEDGER_ITEMS items (scaled) between them."""
    wanted = context.scale.count(LONG_LEDGER_ITEMS)
    counts = (
        Item.objects.filter(round_id=round_id)
        .values_list("plan__target_id", "organization__code")
        .order_by("organization__code")
        .annotate(n=Count("pk"))
    )
    targets, total = [], 0
    for target_id, _code, n in counts:
        targets.append(target_id)
        total += n
        if total >= wanted:
            break
    return targets


@bench_figure(
    "reports.ledger_pdf_3500",
    names=["reports.ledger_pdf_3500.ratio_to_500", "reports.ledger_pdf_3500.peak_mb"],
    needs=["reports"],
)
def long_ledger_pdf(context: BenchContext) -> list[Measurement]:
    from rectification.reports import ledger_pdf

    seconds_500 = _ledger_seconds(context)
    data: ReportsData = context.data["reports"]
    round_id = Target.objects.get(pk=data.ledger_target_id).round_id
    targets = _long_ledger_targets(context, round_id)
    params = {"scope": "round", "id": round_id, "format": "pdf"}
    items = Item.objects.filter(plan__target_id__in=targets).count()

    timings: list[tuple[float, float]] = []

    def run():
        # Timed inside: peak_rss_mb's own housekeeping before the call (a full
        # collection, malloc_trim, resetting the high-water mark: 0.1 s and
        # more) is not the document's time, and the 500-item runs exclude it.
        started, cpu = time.perf_counter(), _cpu_seconds()
        result = ledger_pdf(data.office_user, params, targets=targets)
        timings.append((time.perf_counter() - started, _cpu_seconds() - cpu))
        return result

    with measuring():
        peak, (_ledger, content) = peak_rss_mb(run, context.log)
        # The median of as many runs as the 500 items' median (up to five):
        # one run alone read from 1.15 to 2.0 s on a shared machine.
        for _ in range(min(context.runs, 5) - 1):
            run()
    seconds = statistics.median(t for t, _cpu in timings)
    cpu = statistics.median(c for _t, c in timings)
    context.log(
        f"round ledger PDF: {items} items of {len(targets)} targets, runs "
        f"{', '.join(f'{t:.2f} s' for t, _c in timings)}, median {seconds:.2f} s "
        f"({cpu:.2f} s CPU; 500 items: {context.data['reports.ledger_cpu_s']:.2f} s CPU), "
        f"{len(content) / 1024 / 1024:.1f} MB; 500 items: {seconds_500:.2f} s"
    )
    return [
        ("reports.ledger_pdf_3500.ratio_to_500", seconds / seconds_500, "x"),
        ("reports.ledger_pdf_3500.peak_mb", peak, "MB"),
    ]


@bench_figure(
    "reports.ledger_pdf_500_baseline",
    names=["reports.ledger_pdf_500.baseline_ratio"],
    needs=["reports"],
)
def ledger_pdf_baseline(context: BenchContext) -> list[Measurement]:
    from weasyprint import HTML

    from rectification.reports import build_ledger

    _require_baseline_font()
    ours_s = _ledger_seconds(context)
    data, params, _ours = _ledger(context)
    html = _baseline_html(build_ledger(data.office_user, params).sections)
    with measuring():
        timings = [
            _timed_cpu(lambda: HTML(string=html).write_pdf()) for _ in range(min(context.runs, 3))
        ]
    baseline_s = statistics.median(t for t, _cpu in timings)
    baseline_cpu = statistics.median(cpu for _t, cpu in timings)
    context.log(
        f"baseline (plain table, system {BASELINE_FONT}): runs "
        f"{', '.join(f'{t:.1f} s ({cpu:.1f} s CPU)' for t, cpu in timings)}; "
        f"ours {ours_s:.2f} s ({context.data['reports.ledger_cpu_s']:.2f} s CPU); "
        f"CPU ratio {baseline_cpu / context.data['reports.ledger_cpu_s']:.1f}x"
    )
    return [("reports.ledger_pdf_500.baseline_ratio", baseline_s / ours_s, "x")]


# --- Import ---------------------------------------------------------------------


def _import_file(rows: int, target: Target) -> bytes:
    from rounds.resources import IMPORT_COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("发现问题")
    sheet.append([header for header, _required, _example in IMPORT_COLUMNS])
    codes = list(
        ProblemCategory.objects.filter(parent__isnull=False).values_list("code", flat=True)
    )
    sources, severities = ["谈话", "调阅", "信访", "走访"], ["一般", "较重", "严重"]
    for i in range(rows):
        sheet.append(
            [
                None,
                target.organization.code,
                target.round.term,
                target.round.number,
                codes[i % len(codes)],
                f"导入基准：{DESCRIPTIONS[i % len(DESCRIPTIONS)].format(n=i % 40 + 1)}（{i}）",
                sources[i % 4],
                severities[i % 3],
                "是" if i % 9 == 0 else "否",
                datetime.date(2025, 4, 1) + datetime.timedelta(days=i % 30),
                "已反馈",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class _RolledBack(Exception):
    pass


@bench_figure(
    "import.problems_10k",
    names=[
        "import.problems_10k.s",
        "import.problems_10k.check_s",
        "import.problems_10k.write_s",
        "import.problems_10k.bulk_ratio",
        "import.problems_10k.peak_mb",
    ],
    needs=["reports"],
)
def import_problems(context: BenchContext) -> list[Measurement]:
    """The whole import (upload, check in the worker, confirm, check again
    and write), and in the same run the reference: a bare
    ``Problem.objects.bulk_create`` of the same validated rows.
    ``bulk_ratio`` is the import's write (its one bulk insert with the
    audit log's entries) over that bare insert; ``check_s`` is the check
    (reading the sheet and validating every row), the rest of its time."""
    from rounds.models import Problem
    from rounds.resources import ProblemImporter
    from xuncha.audit.models import AuditEntry
    from xuncha.imports import services
    from xuncha.imports.models import ImportJob

    data: ReportsData = context.data["reports"]
    target = Target.objects.select_related("organization", "round").get(pk=data.ledger_target_id)
    content = _import_file(data.import_rows, target)
    stored = []
    phases: dict[str, float] = {"check": 0.0, "write": 0.0}
    check, write = services._check, ProblemImporter.write

    def timed_check(job, *args, **kwargs):
        seconds, checked = _timed(lambda: check(job, *args, **kwargs))
        phases["check"] += seconds
        return checked

    def timed_write(importer, rows, *, job):
        seconds, written = _timed(lambda: write(importer, rows, job=job))
        phases["write"] = seconds
        return written

    def run() -> ImportJob:
        upload = SimpleUploadedFile("bench.xlsx", content)
        job = services.import_upload(user=data.office_user, kind="problems", upload=upload)
        stored.append(job.file.name)
        if job.status != ImportJob.Status.VALID:
            raise RuntimeError(f"bench import refused: {job.message} {job.problems[:3]}")
        job = services.import_confirm(job=job, user=data.office_user)
        if job.status != ImportJob.Status.DONE:
            raise RuntimeError(f"bench import not written: {job.message} {job.problems[:3]}")
        return job

    def bare_rows() -> list:
        """The same rows validated by the importer, as unsaved problems."""
        from xuncha.imports.engine import check_sheet, read_sheet
        from xuncha.imports.kinds import get_kind

        headers, rows = read_sheet(content)
        spec = get_kind("problems")
        checked = check_sheet(ProblemImporter(data.office_user), spec.columns, headers, rows)
        return [row.values["problem"] for row in checked.rows]

    # Synchronously in this process (no worker), then everything is rolled
    # back: the next run imports into the same data.
    # The tasks run here, at once, instead of after a commit that never comes.
    queue, services.run_in_worker = services.run_in_worker, lambda task, job_id: task(job_id)
    services._check, ProblemImporter.write = timed_check, timed_write
    try:
        with measuring():
            try:
                with transaction.atomic():
                    peak, (seconds, job) = peak_rss_mb(lambda: _timed(run), context.log)
                    context.log(
                        f"import: {job.rows} rows checked and written in {seconds:.1f} s "
                        f"(checks {phases['check']:.1f} s, write {phases['write']:.2f} s; "
                        "rolled back)"
                    )
                    raise _RolledBack
            except _RolledBack:
                pass
            # Each side starts on clean tables: not the bare insert behind
            # the import's ten thousand dead rows.
            _vacuum_after_rollback(Problem, AuditEntry)
            problems = bare_rows()
            try:
                with transaction.atomic():
                    bare_s, _ = _timed(lambda: Problem.objects.bulk_create(problems))
                    raise _RolledBack
            except _RolledBack:
                pass
    finally:
        services.run_in_worker = queue
        services._check, ProblemImporter.write = check, write
        from django.core.files.storage import default_storage

        for name in stored:
            default_storage.delete(name)
    context.log(f"import: bare bulk_create of the same {len(problems)} rows {bare_s:.2f} s")
    _vacuum_after_rollback(Problem, AuditEntry)
    return [
        ("import.problems_10k.s", seconds, "s"),
        ("import.problems_10k.check_s", phases["check"], "s"),
        ("import.problems_10k.write_s", phases["write"], "s"),
        ("import.problems_10k.bulk_ratio", phases["write"] / bare_s, "x"),
        ("import.problems_10k.peak_mb", peak, "MB"),
    ]


def _vacuum_after_rollback(*models) -> None:
    """VACUUM the tables a rolled-back run wrote to (PostgreSQL). Its rows
    are dead at the end of their primary keys' indexes, and until a vacuum
    the planner walks them to find each key's range: after a few runs a
    ledger batch's join spent 7 ms planning for 2.6 ms of execution, and the
    figures measured after this one would carry it."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM {connection.ops.quote_name(model._meta.db_table)}")


# --- Export ---------------------------------------------------------------------


@bench_figure(
    "export.problems_100k",
    names=[
        "export.problems_100k.s",
        "export.problems_100k.peak_mb",
        "export.problems_100k.raw_s",
        "export.problems_100k.raw_ratio",
    ],
    needs=["reports"],
)
def export_problems(context: BenchContext) -> list[Measurement]:
    """The problem list's own export view (rounds.views.export), called with
    the round filter as the list page's link would, and the download read to
    its end; in the same run the reference: the same values, already in
    memory, dumped by a bare openpyxl write-only workbook to a temporary file
    (``raw_ratio`` = ours / that)."""
    import tempfile

    from django.test import RequestFactory

    from rounds import selectors
    from rounds.resources import problem_export_columns, problem_export_rows
    from rounds.views.export import problem_export

    data: ReportsData = context.data["reports"]
    request = RequestFactory().get("/rounds/problems/export.xlsx", {"term": data.export_term})
    request.user = data.office_user

    def run() -> int:
        response = problem_export(request)
        if response.status_code != 200:
            raise RuntimeError(f"the export answered {response.status_code}")
        size = sum(len(chunk) for chunk in response.streaming_content)
        # Not response.close(): that signals request_finished, which closes the
        # database connection under the rest of the bench.
        response.file_to_stream.close()
        return size

    with measuring():
        started = time.perf_counter()
        peak, size = peak_rss_mb(run, context.log)
        seconds = time.perf_counter() - started
        problems = selectors.problem_list(user=data.office_user, filters={"term": data.export_term})
        # The values as they end up in the file: text as text (the labels are
        # lazy translations), without the control characters safe_cell strips.
        values = [
            [
                v
                if v is None or isinstance(v, int | float | datetime.date)
                else ILLEGAL_CHARACTERS_RE.sub("", str(v))
                for v in row
            ]
            for row in problem_export_rows(problems)
        ]
        headers = [title for title, _width in problem_export_columns()]

        def raw() -> None:
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("发现问题")
            sheet.append(headers)
            for row in values:
                sheet.append(row)
            with tempfile.TemporaryFile() as out:
                workbook.save(out)

        raw_s, _ = _timed(raw)
    context.log(
        f"export: {data.export_problems} problems, {size / 1024 / 1024:.1f} MB .xlsx "
        f"in {seconds:.1f} s; bare openpyxl dump of the same {len(values)} rows {raw_s:.1f} s"
    )
    return [
        ("export.problems_100k.s", seconds, "s"),
        ("export.problems_100k.peak_mb", peak, "MB"),
        ("export.problems_100k.raw_s", raw_s, "s"),
        ("export.problems_100k.raw_ratio", seconds / raw_s, "x"),
    ]
