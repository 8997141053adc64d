"""Bench figures for 大数据比对 (found by ``manage.py bench``).

- ``crosscheck.import_1m.s`` and ``.peak_mb``: a 1,000,000-row CSV (name, ID
  number, enterprise, credit code, amount, date, note: every field cleaned,
  every ID number validated and hashed) uploaded, mapped and read into a
  source through the services, as the worker reads it; inside a transaction
  rolled back afterwards. The peak is the process's resident high-water mark
  (bench.reports.peak_rss_mb), so it includes Django and the bench's own data;
- ``crosscheck.match_1m.s``: the shipped rule "奖补资金 × 干部及亲属关联企业"
  over 1,000,000 payment rows, through 150,000 enterprise registrations to
  150,000 cadres and relatives (one enterprise in LINKED has a cadre as legal
  representative, so about 10,000 hits), queued through ``rule_run`` and run
  by the task as the worker runs it: its lease, the statements, the hits
  inserted, the run's outcome and its audit entries;
- ``crosscheck.sql_ratio``: that time over a hand-written INSERT … SELECT of
  the same hits over the same rows (plain joins, no ON CONFLICT), timed in
  the same run, each after the rule's hits were deleted. Median of the runs.

Counts scale with ``--scale`` (a hundredth at "tiny"); the names say the
city-scale count. The lists live in the last bench round; a later run finds
them by their labels and row counts and builds only what is missing.
"""

import csv
import datetime
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.db import connection, transaction

from bench.measure import measuring
from bench.registry import BenchContext, Measurement, analyze, bench_dataset, bench_figure
from bench.reports import peak_rss_mb
from bench.rounds import RoundsData
from crosscheck.models import Hit, Row, Rule, Source
from crosscheck.normalize import check_digit, id_key, mask_id, name_birth_key
from crosscheck.services import sources
from crosscheck.services.runs import rule_run
from crosscheck.shipped import COMPANY_ROLES
from crosscheck.tasks import run_rule
from rounds.models import Round

CITY_PAYMENTS = 1_000_000
CITY_ENTERPRISES = 150_000
CITY_PEOPLE = 150_000
CITY_IMPORT_ROWS = 1_000_000
LINKED = 100  # one enterprise in this many has a cadre as legal representative
RULE = "subsidy-cadre-enterprise"
LABEL = "BENCH-crosscheck-{kind}"
BATCH = 20_000
BASE_DAY = datetime.date(1950, 1, 1)


@dataclass(frozen=True)
class CrosscheckData:
    office_user: object
    round_id: int
    payments: int
    enterprises: int
    people: int
    import_rows: int


def person_id(j: int) -> str:
    """A valid, distinct 18-digit number for person j."""
    born = BASE_DAY + datetime.timedelta(days=j % 20_000)
    first17 = f"330100{born:%Y%m%d}{j // 20_000:03d}"
    return first17 + check_digit(first17)


def credit_code(i: int) -> str:
    return f"91330100BE{i:08d}"


def _person_row(source_id: int, line: int, j: int, name: str, **extra) -> tuple:
    number = person_id(j)
    born = BASE_DAY + datetime.timedelta(days=j % 20_000)
    values = {
        "enterprise": None, "credit_code": None, "role": "", "unit": "", "amount": None,
        "date": None, "note": "",
    }  # fmt: skip
    values.update(extra)
    return (
        source_id, line, name, mask_id(number), id_key(number), born,
        name_birth_key(name, born), values["enterprise"], values["credit_code"], values["role"],
        values["unit"], values["amount"], values["date"], values["note"],
    )  # fmt: skip


def _people_rows(source_id: int, count: int):
    for j in range(count):
        yield _person_row(source_id, j + 2, j, f"基准干部{j}", role="本人", unit="基准单位")


def _enterprise_rows(source_id: int, count: int, people: int):
    for i in range(count):
        # The linked enterprises' legal representative is a cadre; the others' a
        # person on no other list (numbers above the cadres').
        j = (i // LINKED) % people if i % LINKED == 0 else people + i
        yield _person_row(
            source_id, i + 2, j, f"法人{i}", enterprise=f"基准企业{i}有限公司",
            credit_code=credit_code(i), role="法定代表人",
        )  # fmt: skip


def _payment_rows(source_id: int, count: int, enterprises: int):
    day = datetime.date(2023, 1, 1)
    for k in range(count):
        i = k % enterprises
        yield (
            source_id, k + 2, None, "", None, None, None, f"基准企业{i}有限公司", credit_code(i),
            "", "", 10_000 + k % 90_000, day + datetime.timedelta(days=k % 365), "产业扶持资金",
        )  # fmt: skip


def _ensure_source(round_: Round, user, kind: str, count: int, rows) -> Source:
    label = LABEL.format(kind=kind)
    source = Source.objects.filter(round=round_, label=label).first()
    if source and source.status == Source.Status.DONE and source.rows == count:
        return source
    if source:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Hit._meta.db_table} WHERE round_id = %s", [round_.pk])  # noqa: S608
            cursor.execute(f"DELETE FROM {Row._meta.db_table} WHERE source_id = %s", [source.pk])  # noqa: S608
        source.delete()
    source = Source.objects.create(
        round=round_, kind=kind, label=label, file_format=Source.Format.CSV,
        status=Source.Status.IMPORTING, uploaded_by=user,
    )  # fmt: skip
    batch = []
    for values in rows(source.pk):
        batch.append(values)
        if len(batch) >= BATCH:
            sources.write_rows(batch)
            batch = []
    sources.write_rows(batch)
    Source.objects.filter(pk=source.pk).update(status=Source.Status.DONE, progress=100, rows=count)
    source.refresh_from_db()
    return source


@bench_dataset("crosscheck", needs=["rounds"])
def build_crosscheck(context: BenchContext) -> CrosscheckData:
    rounds: RoundsData = context.data["rounds"]
    round_ = Round.objects.select_related("office").get(pk=rounds.round_ids[-1])
    user = rounds.office_user
    scale = context.scale
    payments = scale.count(CITY_PAYMENTS)
    enterprises = scale.count(CITY_ENTERPRISES)
    people = scale.count(CITY_PEOPLE)
    built = [
        _ensure_source(round_, user, "cadres", people, lambda s: _people_rows(s, people)),
        _ensure_source(
            round_, user, "enterprises", enterprises,
            lambda s: _enterprise_rows(s, enterprises, people),
        ),
        _ensure_source(
            round_, user, "payments", payments, lambda s: _payment_rows(s, payments, enterprises)
        ),
    ]  # fmt: skip
    analyze(Row, Source)
    context.log(f"crosscheck lists: {', '.join(f'{s.kind} {s.rows}' for s in built)}")
    return CrosscheckData(
        office_user=user,
        round_id=round_.pk,
        payments=payments,
        enterprises=enterprises,
        people=people,
        import_rows=scale.count(CITY_IMPORT_ROWS),
    )


# --- Import ---------------------------------------------------------------------


class _RolledBack(Exception):
    pass


def _write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["姓名", "身份证号", "企业名称", "统一社会信用代码", "金额", "发放日期", "资金名称"]
        )
        for k in range(rows):
            writer.writerow(
                [f"领款人{k}", person_id(k), f"基准企业{k % 5000}有限公司", credit_code(k % 5000),
                 f"{1000 + k % 9000}.50", f"2023-{1 + k % 12:02d}-{1 + k % 28:02d}", "补贴"]
            )  # fmt: skip


@bench_figure(
    "crosscheck.import_1m",
    names=["crosscheck.import_1m.s", "crosscheck.import_1m.peak_mb"],
    needs=["crosscheck"],
)
def import_1m(context: BenchContext) -> list[Measurement]:
    data: CrosscheckData = context.data["crosscheck"]
    round_ = Round.objects.select_related("office").get(pk=data.round_id)
    stored = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        _write_csv(path, data.import_rows)

        def run() -> Source:
            with path.open("rb") as handle:
                upload = File(handle, name="bench.csv")
                source = sources.source_upload(
                    user=data.office_user, round_=round_, kind="payroll", label="BENCH-import",
                    upload=upload,
                )  # fmt: skip
            stored.append(source.file.name)
            source = sources.source_set_mapping(
                user=data.office_user, source=source, mapping=source.mapping
            )
            source = sources.source_import(source.pk)
            if source.status != Source.Status.DONE or source.rows != data.import_rows:
                raise RuntimeError(f"bench import failed: {source.status} {source.message}")
            return source

        try:
            with measuring(), transaction.atomic():
                started = time.perf_counter()
                peak, source = peak_rss_mb(run, context.log)
                seconds = time.perf_counter() - started
                context.log(f"import: {source.rows} rows, {source.bad_count} bad, {seconds:.1f} s")
                raise _RolledBack
        except _RolledBack:
            pass
        finally:
            from django.core.files.storage import default_storage

            for name in stored:
                default_storage.delete(name)
    return [("crosscheck.import_1m.s", seconds, "s"), ("crosscheck.import_1m.peak_mb", peak, "MB")]


# --- Matching -------------------------------------------------------------------


def _clear_hits(rule: Rule, round_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Hit._meta.db_table} WHERE rule_id = %s AND round_id = %s",  # noqa: S608
            [rule.pk, round_id],
        )


def _hand_written(rule: Rule, round_id: int, ids: dict[str, int]) -> int:
    """What a person would write for this rule over these three lists."""
    row, hit = Row._meta.db_table, Hit._meta.db_table
    roles = ", ".join(["%s"] * len(COMPANY_ROLES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {hit} (round_id, rule_id, left_row_id, via_row_id, right_row_id, basis,"  # noqa: S608
            " via_basis, status, review_note, created_at)"
            " SELECT %s, %s, p.id, e.id, c.id, 'credit_code', 'id', 'open', '', %s"
            f" FROM {row} p JOIN {row} e ON e.credit_code = p.credit_code AND e.source_id = %s"
            f" JOIN {row} c ON c.id_hash = e.id_hash AND c.source_id = %s"
            f" WHERE p.source_id = %s AND e.role IN ({roles})",
            [round_id, rule.pk, datetime.datetime.now(datetime.UTC), ids["enterprises"],
             ids["cadres"], ids["payments"], *COMPANY_ROLES],
        )  # fmt: skip
        return cursor.rowcount


@bench_figure(
    "crosscheck.match_1m",
    names=["crosscheck.match_1m.s", "crosscheck.sql_ratio"],
    needs=["crosscheck"],
)
def match_1m(context: BenchContext) -> list[Measurement]:
    data: CrosscheckData = context.data["crosscheck"]
    round_ = Round.objects.select_related("office").get(pk=data.round_id)
    rule = Rule.objects.get(code=RULE)
    ids = dict(
        Source.objects.filter(round=round_, label__startswith="BENCH-crosscheck-").values_list(
            "kind", "pk"
        )
    )
    ours, theirs = [], []
    with measuring():
        for _ in range(context.runs):
            _clear_hits(rule, round_.pk)
            started = time.perf_counter()
            run = rule_run(user=data.office_user, round_=round_, rule=rule, send=False)
            run_rule(run.pk)  # the task, as the worker runs it (its lease included)
            run.refresh_from_db()
            ours.append(time.perf_counter() - started)
            _clear_hits(rule, round_.pk)
            started = time.perf_counter()
            with transaction.atomic():
                hand = _hand_written(rule, round_.pk, ids)
            theirs.append(time.perf_counter() - started)
            if hand != run.new_hits:
                raise RuntimeError(f"the rule found {run.new_hits} hits, the SQL {hand}")
            context.log(
                f"match: {run.new_hits} hits in {ours[-1]:.2f} s, by hand {theirs[-1]:.2f} s"
            )
    _clear_hits(rule, round_.pk)
    seconds = statistics.median(ours)
    return [
        ("crosscheck.match_1m.s", seconds, "s"),
        ("crosscheck.sql_ratio", seconds / statistics.median(theirs), "x"),
    ]
