"""Bringing an outside list into a round: upload, map the columns, read it in the worker.

1. ``source_upload`` checks the file by its content (a CSV is text, an .xlsx
   a zip whose directory is no bomb), stores it under a random name, reads
   the header and a few rows for the mapping page and guesses the mapping
   (the one saved for this kind of list, else by header names);
2. ``source_set_mapping`` saves the chosen mapping for next time and queues
   the import;
3. ``source_import`` (in the worker) streams the file and writes its rows in
   batches of BATCH rows (COPY on PostgreSQL), so memory stays bounded at any
   size; each batch commits with the progress, so the page's bar moves. A run
   starts by deleting what an interrupted run wrote: running it twice is safe.
"""

import csv
import datetime
import io
import itertools
import logging
import operator
import time
import zipfile
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crosscheck import normalize, reading
from crosscheck.access import may_build_held_list, may_see_round, sees_whole_round, team_targets
from crosscheck.kinds import FIELD_LABELS, FIELD_NAMES, ListKind, guess_mapping
from crosscheck.models import ColumnMapping, Row, Source
from rounds.models import Round, Target
from xuncha.audit.services import log_action
from xuncha.core.uploads import check_zip_expansion, safe_display_name
from xuncha.orgs.models import Cadre, CadreRelation, CadreWorkHistory

logger = logging.getLogger(__name__)

BATCH = 100_000  # rows per COPY and commit
COPY_READ = 1 << 16  # characters COPY asks for at a time
BAD_ROWS_KEPT = 500
S = Source.Status
KEY_FIELDS = ("name", "id_number", "enterprise", "credit_code")
# The Row columns each imported row fills, in COPY order.
COLUMNS = (
    "source_id", "line", "name", "id_masked", "id_hash", "birth_date", "name_birth",
    "enterprise", "credit_code", "role", "unit", "amount", "date", "note",
)  # fmt: skip


def require_round_access(user, round_: Round) -> None:
    if not may_see_round(user, round_):
        raise PermissionDenied(_("只有本轮巡察的巡察组和巡察办可以使用比对名单。"))


def _file_format(name: str, head: bytes) -> str:
    extension = PurePosixPath(name).suffix.lower()
    if extension == ".xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise ValidationError(_("文件扩展名是 .xlsx，内容却不是 Excel 表格。"))
        return "xlsx"
    if extension in (".csv", ".txt"):
        if b"\x00" in head or head.startswith(b"PK\x03\x04"):
            raise ValidationError(_("文件扩展名是 .csv，内容却不是文本。"))
        return "csv"
    raise ValidationError(_("只能上传 .xlsx 或 .csv 文件。"))


def _check_file(upload) -> str:
    limit = settings.CROSSCHECK_UPLOAD_MAX_MB
    if upload.size == 0:
        raise ValidationError(_("文件是空的。"))
    if upload.size > limit * 1024 * 1024:
        raise ValidationError(
            _("文件超过 %(limit)s MB 的上限，请拆分后再上传。") % {"limit": limit}
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    file_format = _file_format(upload.name or "", head)
    if file_format == "xlsx":
        try:
            with zipfile.ZipFile(upload) as archive:
                # The directory only: nothing is decompressed here.
                check_zip_expansion(archive, _("该 Excel 文件"), max_mb=limit * 4)
                _check_shared_strings(archive)
        except zipfile.BadZipFile:
            raise ValidationError(_("无法读取该 Excel 文件，文件可能已损坏。")) from None
        upload.seek(0)
    return file_format


# openpyxl holds every shared string in memory, read-only mode too, and the
# header is read in the web request: a list's strings beyond this are refused.
SHARED_STRINGS_MAX_MB = 200


def _check_shared_strings(archive: zipfile.ZipFile) -> None:
    declared = sum(
        info.file_size
        for info in archive.infolist()
        if info.filename.lower().lstrip("/") == "xl/sharedstrings.xml"
    )
    if declared > SHARED_STRINGS_MAX_MB * 1024 * 1024:
        raise ValidationError(
            _("该 Excel 文件的文字内容解压后超过 %(size)s MB，请另存为 .csv 或拆分后再上传。")
            % {"size": SHARED_STRINGS_MAX_MB}
        )


def _saved_mapping(round_: Round, kind: str) -> dict:
    saved = ColumnMapping.objects.filter(office=round_.office, kind=kind).first()
    return saved.mapping if saved else {}


def check_list_target(user, round_: Round, target: Target | None) -> None:
    """A team brings a list in for one of its own targets; the office for any
    target of the round, or for the whole round."""
    if target is not None and target.round_id != round_.pk:
        raise ValidationError(_("所选巡察对象不在本轮。"))
    if sees_whole_round(user, round_):
        return
    if target is None or not team_targets(user, round_).filter(pk=target.pk).exists():
        raise ValidationError(_("请选择本组的巡察对象：组内上传的名单只用于本组的巡察对象。"))


def source_upload(
    *, user, round_: Round, kind: str, label: str, upload, target: Target | None = None
) -> Source:
    require_round_access(user, round_)
    if kind not in ListKind.values:
        raise ValidationError(_("未知的名单类型。"))
    check_list_target(user, round_, target)
    file_format = _check_file(upload)
    source = Source(
        round=round_,
        target=target,
        kind=kind,
        label=(label or safe_display_name(upload.name))[:100],
        file_format=file_format,
        original_name=safe_display_name(upload.name),
        size=upload.size,
        uploaded_by=user,
    )
    source.file.save(f"upload.{file_format}", upload, save=False)
    try:
        with source.file.open("rb") as stored:
            headers, preview = reading.header_and_preview(stored, file_format)
    except reading.ListFileError as error:
        source.file.delete(save=False)
        raise ValidationError(str(error)) from None
    except BaseException:
        # The raw file holds full ID numbers: it never outlives a failed upload.
        source.file.delete(save=False)
        raise
    source.headers = headers
    # Read once, here: the mapping page shows this instead of reading the file again.
    source.preview = [[reading.masked_cell(cell) for cell in row] for row in preview]
    source.mapping = guess_mapping(headers, _saved_mapping(round_, kind))
    try:
        with transaction.atomic():
            source.save()
            log_action(
                user, "crosscheck.source.upload", source,
                {
                    "round": round_.pk,
                    "kind": kind,
                    "size": upload.size,
                    "target": target.pk if target else None,
                },
            )  # fmt: skip
    except Exception:
        source.file.delete(save=False)
        raise
    return source


def source_preview(source: Source) -> list[list[str]]:
    """A few rows for the mapping page, anything shaped like an ID number masked."""
    return source.preview


@transaction.atomic
def source_set_mapping(*, user, source: Source, mapping: dict[str, str]) -> Source:
    """Save the chosen mapping (for this list and as the office's default for
    its kind) and queue the import."""
    source = (
        Source.objects.select_for_update(of=("self",))
        .select_related("round__office")
        .get(pk=source.pk)
    )
    require_round_access(user, source.round)
    if source.status != S.MAPPING:
        raise ValidationError(_("该名单已开始读取，不能再修改列对应。"))
    cleaned = {field: header for field, header in mapping.items() if header}
    unknown_fields = set(cleaned) - set(FIELD_NAMES)
    if unknown_fields:
        raise ValidationError(_("未知的字段。"))
    missing = [header for header in cleaned.values() if header not in source.headers]
    if missing:
        raise ValidationError(_("文件中没有这一列：%(column)s") % {"column": missing[0]})
    headers = list(cleaned.values())
    duplicated = {header for header in headers if headers.count(header) > 1}
    if duplicated:
        raise ValidationError(
            _("同一列不能对应两个字段：%(column)s") % {"column": sorted(duplicated)[0]}
        )
    if not set(cleaned) & set(KEY_FIELDS):
        raise ValidationError(_("至少要对应姓名、身份证号、企业名称或统一社会信用代码中的一项。"))
    if not source.file:
        raise ValidationError(_("原文件已按保留期限删除，请重新上传。"))
    source.mapping = cleaned
    source.status = S.IMPORTING
    source.progress = 0
    source.queued_at = timezone.now()
    source.preview = []  # the mapping page is done with it
    source.save(update_fields=["mapping", "status", "progress", "queued_at", "preview"])
    ColumnMapping.objects.update_or_create(
        office=source.round.office, kind=source.kind, defaults={"mapping": cleaned}
    )
    log_action(user, "crosscheck.source.map", source, {"fields": sorted(cleaned)})
    from crosscheck.tasks import import_source

    transaction.on_commit(lambda: import_source.delay(source.pk))
    return source


# --- reading the rows (in the worker) -------------------------------------------------


class RowReader:
    """Turns the cells of one row into Row column values, collecting what is wrong."""

    def __init__(self, source: Source):
        self.source_id = source.pk
        index = {header: position for position, header in enumerate(source.headers)}
        positions = {field: index[header] for field, header in source.mapping.items()}
        self.width = len(source.headers)
        # Every field's cell in one C call: an unmapped field reads the None
        # appended at position `width`.
        self.cells = operator.itemgetter(*(positions.get(f, self.width) for f in FIELD_NAMES))
        self.bad: list[list] = []
        self.bad_count = 0
        self.without_id = 0
        self.without_code = 0
        self.count = 0

    def _report(self, line: int, field: str, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad) < BAD_ROWS_KEPT:
            self.bad.append([line, str(FIELD_LABELS[field]), reason])

    def convert(self, line: int, values: list) -> tuple:
        # Called a million times for a large list: cells are read by position
        # directly, and each cleaner skips its work on an empty cell.
        self.count += 1
        missing = self.width + 1 - len(values)
        if missing > 0:
            values.extend([None] * missing)
        else:
            values.append(None)
        (raw_name, raw_id, raw_birth, raw_enterprise, raw_code, raw_role, raw_unit, raw_amount,
         raw_date, raw_note) = self.cells(values)  # fmt: skip
        name = normalize.person_name(raw_name) or None
        id_masked, id_hash, born = "", None, None
        if raw_id not in (None, ""):
            try:
                number, born = normalize.id_number_and_birth(raw_id)
            except normalize.BadIdNumber as error:
                self._report(line, "id_number", str(error))
            else:
                id_masked, id_hash = normalize.mask_id(number), normalize.id_key(number)
        if born is None and raw_birth not in (None, ""):
            try:
                born = normalize.date(raw_birth)
            except ValueError as error:
                self._report(line, "birth_date", str(error))
        amount = day = None
        if raw_amount not in (None, ""):
            try:
                amount = normalize.amount(raw_amount)
            except ValueError as error:
                self._report(line, "amount", str(error))
        if raw_date not in (None, ""):
            try:
                day = normalize.date(raw_date)
            except ValueError as error:
                self._report(line, "date", str(error))
        code = None
        if raw_code not in (None, ""):
            code = normalize.credit_code(raw_code)
            if code is None:
                self._report(line, "credit_code", "统一社会信用代码应为 18 位字母或数字")
        name_birth = normalize.name_birth_key(name or "", born)
        if id_hash is not None:
            # The birth date an ID carries is not kept beside its masked form:
            # the two together are the whole number.
            born = None
        enterprise = normalize.enterprise_name(raw_enterprise) or None
        self.without_id += id_hash is None and name_birth is not None
        self.without_code += code is None and enterprise is not None
        return (
            self.source_id,
            line,
            name,
            id_masked,
            id_hash,
            born,
            name_birth,
            enterprise,
            code,
            normalize.text(raw_role)[:50],
            normalize.text(raw_unit)[:200],
            amount,
            day,
            normalize.text(raw_note)[:300],
        )


# Columns that are never NULL: an empty field is an empty string, not NULL.
NOT_NULL = ("id_masked", "role", "unit", "note")


class _CsvStream:
    """A file for COPY to read that converts rows only as it is read: the
    database stores one part of a batch while this process converts the
    next, so both cores work, and only a part is ever held in memory."""

    def __init__(self, rows: Iterable[tuple]):
        self.rows = iter(rows)
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.pending = ""

    def read(self, size: int = -1) -> str:
        while size < 0 or len(self.pending) < size:
            part = list(itertools.islice(self.rows, 500))
            if not part:
                break
            self.buffer.seek(0)
            self.buffer.truncate()
            self.writer.writerows(part)
            self.pending += self.buffer.getvalue()
        if size < 0:
            size = len(self.pending)
        out, self.pending = self.pending[:size], self.pending[size:]
        return out

    readline = read


def write_rows(rows: Iterable[tuple]) -> None:
    """Rows into the row table: COPY on PostgreSQL (CSV, written by the csv
    module in C; an empty unquoted field is NULL, except in NOT_NULL),
    bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.copy_expert(
                f"COPY {Row._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN"
                f" WITH (FORMAT csv, FORCE_NOT_NULL ({', '.join(NOT_NULL)}))",
                _CsvStream(rows),
                COPY_READ,
            )
        return
    Row.objects.bulk_create(
        (Row(**dict(zip(COLUMNS, values, strict=True))) for values in rows), batch_size=2000
    )


def _estimate_total(source: Source) -> int:
    """Rows expected, for the progress bar: counted by lines for a CSV (cheap,
    streamed); an .xlsx sheet declares its size."""
    with source.file.open("rb") as stored:
        if source.file_format == "csv":
            return max(
                1, sum(chunk.count(b"\n") for chunk in iter(lambda: stored.read(1 << 20), b""))
            )
    return 0


def source_import(source_id: int) -> Source:
    """Read the whole file into rows (in the worker). Safe to run again."""
    source = Source.objects.select_related("round__office", "uploaded_by").get(pk=source_id)
    if source.status != S.IMPORTING:
        return source
    if not may_see_round(source.uploaded_by, source.round):
        return _fail(source, "上传人已无权使用本轮的比对名单。")
    if not source.file:
        return _fail(source, "原文件已按保留期限删除，请重新上传。")
    started = time.monotonic()
    delete_rows(source.pk)  # what an interrupted run wrote
    reader = RowReader(source)
    total = _estimate_total(source)
    count = 0
    try:
        with source.file.open("rb") as stored:
            lines = reading.rows(stored, source.file_format)
            next(lines, None)  # the header
            converted = (reader.convert(line, values) for line, values in enumerate(lines, start=2))
            while True:
                # One COPY and one commit per batch: the progress bar moves, and
                # a batch's rows are converted while the database stores them.
                before = count
                with transaction.atomic():
                    write_rows(itertools.islice(converted, BATCH))
                    count = reader.count
                    percent = min(99, 100 * count // total) if total else 50
                    Source.objects.filter(pk=source.pk).update(progress=percent, rows=count)
                if count - before < BATCH:
                    break
    except reading.ListFileError as error:
        delete_rows(source.pk)
        return _fail(source, str(error))
    except Exception as error:
        logger.exception("crosscheck source %s: import failed", source.pk)
        delete_rows(source.pk)
        return _fail(source, f"读取失败：{type(error).__name__}")
    with transaction.atomic():
        Source.objects.filter(pk=source.pk, status=S.IMPORTING).update(
            status=S.DONE,
            progress=100,
            rows=count,
            bad_count=reader.bad_count,
            bad_rows=reader.bad,
            rows_without_id=reader.without_id,
            rows_without_code=reader.without_code,
            imported_at=timezone.now(),
            message=f"已读取 {count} 行，其中 {reader.bad_count} 处数据有误（该项不参与比对）。"
            if reader.bad_count
            else f"已读取 {count} 行。",
        )
        log_action(
            source.uploaded_by, "crosscheck.source.import", source,
            {"rows": count, "bad": reader.bad_count, "seconds": round(time.monotonic() - started, 1)},
        )  # fmt: skip
    source.refresh_from_db()
    return source


def delete_rows(source_id: int) -> None:
    """A list's rows, in one statement (the ORM would load them all to delete
    them one by one). Hits are made only from finished lists, so none points here."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Row._meta.db_table} WHERE source_id = %s", [source_id])  # noqa: S608


def _fail(source: Source, message: str) -> Source:
    Source.objects.filter(pk=source.pk).update(
        status=S.FAILED, message=message[:500], imported_at=timezone.now()
    )
    source.refresh_from_db()
    return source


# --- the office's own records as a list ------------------------------------------------


def _held_rows(round_: Round) -> Iterable[tuple]:
    """The cadre pool, declared relatives, work history and the leaders of the
    round's targets, as rows of a "cadres" list. The pool holds no ID numbers
    and no birth dates: these rows match only under a rule keyed on the name."""
    line = 1
    cadres = Cadre.objects.select_related("organization").order_by("pk")
    for cadre in cadres.iterator(chunk_size=2000):
        line += 1
        yield (line, cadre.name, "本人", cadre.organization.name, cadre.position)
    relations = CadreRelation.objects.select_related("cadre", "organization").order_by("pk")
    for relation in relations.iterator(chunk_size=2000):
        line += 1
        workplace = relation.organization.name if relation.organization else relation.workplace
        role = f"{relation.get_relation_display()}（{relation.cadre.name}）"
        yield (line, relation.name, role, workplace, relation.position)
    history = CadreWorkHistory.objects.select_related("cadre", "organization").order_by("pk")
    for entry in history.iterator(chunk_size=2000):
        line += 1
        workplace = entry.organization.name if entry.organization else entry.workplace
        yield (line, entry.cadre.name, "曾任职", workplace, f"{entry.position} {entry.start_date}")
    targets = Target.objects.filter(round=round_).select_related("organization")
    for target in targets:
        leader = target.leader_name or target.organization.leader_name
        if leader:
            line += 1
            yield (
                line,
                leader,
                "主要负责人",
                target.organization.name,
                target.organization.leader_title,
            )


def source_from_held_data(*, user, round_: Round) -> Source:
    """A "cadres" list made from what the system already holds: the office's
    cadre pool, so only the office that manages the round may make it."""
    require_round_access(user, round_)
    if not may_build_held_list(user, round_):
        raise PermissionDenied(_("只有管理本轮巡察的巡察办可以从干部库生成名单。"))
    with transaction.atomic():
        source = Source.objects.create(
            round=round_,
            kind=ListKind.CADRES,
            label="库内干部、亲属、工作经历及主要负责人",
            file_format=Source.Format.HELD,
            status=S.IMPORTING,
            uploaded_by=user,
        )
        batch, count = [], 0
        for line, name, role, unit, note in _held_rows(round_):
            cleaned = normalize.person_name(name) or None
            batch.append(
                (source.pk, line, cleaned, "", None, None, None, None, None,
                 normalize.text(role)[:50], normalize.text(unit)[:200], None, None,
                 normalize.text(note)[:300])
            )  # fmt: skip
            count += 1
            if len(batch) >= BATCH:
                write_rows(batch)
                batch = []
        write_rows(batch)
        Source.objects.filter(pk=source.pk).update(
            status=S.DONE, progress=100, rows=count, imported_at=timezone.now(),
            message=f"已从干部库生成 {count} 行（库内数据无身份证号，仅能按姓名比对）。",
        )  # fmt: skip
        log_action(user, "crosscheck.source.held", source, {"rows": count})
    source.refresh_from_db()
    return source


# --- confidentiality --------------------------------------------------------------------


def source_record_read(*, user, source: Source, what: str) -> None:
    """Every look at a list is on the audit log."""
    log_action(user, "crosscheck.source.read", source, {"view": what})


def purge_expired_files(now: datetime.datetime | None = None) -> int:
    """Delete uploaded files older than CROSSCHECK_FILE_RETENTION_DAYS; the rows stay."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.CROSSCHECK_FILE_RETENTION_DAYS)
    expired = Source.objects.filter(created_at__lt=cutoff, file_deleted_at__isnull=True).exclude(
        file=""
    )
    purged = 0
    for source in expired.iterator():
        if source.status == S.IMPORTING:
            continue  # the worker is reading it; the next night's run deletes it
        source.file.delete(save=False)
        with transaction.atomic():
            Source.objects.filter(pk=source.pk).update(file="", file_deleted_at=now, preview=[])
            log_action(
                None,
                "crosscheck.source.file_deleted",
                source,
                {"days": settings.CROSSCHECK_FILE_RETENTION_DAYS},
            )
        purged += 1
    return purged
