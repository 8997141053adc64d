"""Importing the office's spreadsheets: upload, check (dry run), confirm, write.

1. ``import_upload`` refuses, with a message in Chinese, what is not an
   .xlsx by its container alone (no zip, or a zip that would expand past
   IMPORT_XLSX_MAX_UNCOMPRESSED_MB or UPLOAD_ZIP_MAX_RATIO), stores the file
   under MEDIA_ROOT/imports/ with a random name and queues the check;
2. the check (``import_validate``, in the worker) parses the sheet, refuses
   wrong headers, runs the whole import as a dry run and lists every bad row
   (sheet row number, column, reason); it writes nothing;
3. ``import_confirm`` by the owner, only for a file that passed, queues
   ``import_commit`` (in the worker), which writes every row in one
   transaction, or none.

The request never parses a spreadsheet: openpyxl holds the whole sheet in
memory (a 63 KB file can declare 63 MB of XML), which belongs in a worker
with its time limits, not in a web process. The tasks
(xuncha.imports.tasks) check the owner's permission again. Progress of a
running task is written to a small file beside the upload: the import's own
transaction holds the job row until it ends, so the page could not see
progress written there.
"""

import logging
import os
from pathlib import Path

import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.imports.kinds import ImportKind, get_kind
from xuncha.imports.models import ImportJob
from xuncha.orgs.imports import (
    SpreadsheetError,
    check_headers,
    check_xlsx_container,
    read_xlsx,
    row_problems,
)

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 100  # rows between two progress writes
S = ImportJob.Status


def may_import(user) -> bool:
    """Office staff of an office: the only ones who bring in the office's records."""
    return (
        user.is_authenticated
        and user.is_active
        and user.has_role(Role.OFFICE)
        and user.office_id is not None
    )


def require_importer(user) -> None:
    if not may_import(user):
        raise PermissionDenied("只有巡察办工作人员可以导入数据。")


def load_dataset(content: bytes, kind: ImportKind) -> tablib.Dataset:
    """The sheet as a dataset with the template's headers, or SpreadsheetError."""
    dataset = read_xlsx(content)
    dataset.headers = [str(h).strip() if h is not None else "" for h in dataset.headers]
    # Spreadsheets often carry formatted but empty rows at the end.
    while len(dataset) and all(v is None or str(v).strip() == "" for v in dataset[-1]):
        del dataset[-1]
    if len(dataset) == 0:
        raise SpreadsheetError("表格中没有数据行。")
    check_headers(kind.resource(None), dataset)
    return dataset


def import_upload(*, user, kind: str, upload) -> ImportJob:
    """Store an uploaded file and check it (now, or as a job for a large file)."""
    require_importer(user)
    try:
        spec = get_kind(kind)
    except LookupError:
        raise ValidationError("未知的导入内容。") from None
    if upload.size > settings.UPLOAD_MAX_MB * 1024 * 1024:
        raise ValidationError(f"文件超过 {settings.UPLOAD_MAX_MB} MB，请拆分后再上传。")
    content = upload.read()
    try:
        # The zip directory only: nothing is decompressed in the request.
        check_xlsx_container(content)
    except SpreadsheetError as error:
        raise ValidationError(str(error)) from None
    job = ImportJob(owner=user, kind=spec.key, original_name=upload.name[:200], rows=0)
    job.file.save("upload.xlsx", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            job.save()
            log_action(user, "import.upload", job, {"kind": kind, "size": upload.size})
    except Exception:
        job.file.delete(save=False)
        raise
    from xuncha.imports.tasks import validate_import

    run_in_worker(validate_import, job.pk)
    job.refresh_from_db()
    return job


def run_in_worker(task, job_id: int) -> None:
    """Queue a job's task once the job row is committed (the worker must find it).
    The time it was queued is what the sweep (xuncha.ops.sweep) measures from."""
    ImportJob.objects.filter(pk=job_id).update(queued_at=timezone.now())
    transaction.on_commit(lambda: task.delay(job_id))


def _progress_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"job-{job.pk}.progress"


def _write_progress(job: ImportJob, percent: int) -> None:
    path = _progress_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(str(max(0, min(100, int(percent)))))
    os.replace(temporary, path)  # a reader sees the old number or the new, never half


def live_progress(job: ImportJob) -> int:
    """The job's progress as the page should show it."""
    if not job.is_active:
        return job.progress
    try:
        return int(_progress_path(job).read_text() or 0)
    except (OSError, ValueError):
        return job.progress


def _clear_progress(job: ImportJob) -> None:
    _progress_path(job).unlink(missing_ok=True)


class _Counting:
    """Wraps a resource's after_import_row to report progress every few rows."""

    def __init__(self, job: ImportJob, resource, total: int, start: int, span: int):
        self.job, self.total, self.start, self.span = job, max(total, 1), start, span
        self.done = 0
        original = resource.after_import_row

        def after_import_row(row, row_result, **kwargs):
            original(row, row_result, **kwargs)
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                _write_progress(job, self.start + self.span * self.done // self.total)

        resource.after_import_row = after_import_row


def _run(job: ImportJob, *, dry_run: bool, dataset: tablib.Dataset | None = None):
    """Run the import (or its dry run) of a stored job: result and problems."""
    spec = get_kind(job.kind)
    if dataset is None:
        with job.file.open("rb") as stored:
            dataset = load_dataset(stored.read(), spec)
    resource = spec.resource(job.owner)
    _Counting(job, resource, len(dataset), 5, 90)
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            # import-export's own transaction (a savepoint per row) only where
            # the preview saves rows to roll them back. The commit runs in our
            # transaction, all or nothing, and the services it calls are atomic
            # themselves: savepoints per row would only cost time (a tenth of a
            # 10,000-row import on PostgreSQL).
            use_transactions=dry_run and spec.saves_in_preview,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
        problems = [[p.row_number, p.column, p.message] for p in row_problems(result)]
        # An error outside any row (the last batch's write, say) stops the import too.
        problems += [[0, "", str(error.error)] for error in result.base_errors]
        if not dry_run and not problems:
            log_action(
                job.owner,
                f"import.{job.kind}",
                job,
                {"rows": len(dataset), "totals": dict(result.totals)},
            )
    return result, problems


def _owner_may_still_import(job: ImportJob) -> bool:
    job.owner.refresh_from_db()
    job.owner.__dict__.pop("roles", None)  # the cached roles, read again
    return may_import(job.owner)


def import_validate(job_id: int) -> ImportJob:
    """The dry run, in the worker: the sheet parsed, every bad row listed,
    nothing written. Safe to run twice."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    if job.status != S.VALIDATING:
        return job
    if not _owner_may_still_import(job):
        return _fail(job, "您已无权导入数据。")
    try:
        with job.file.open("rb") as stored:
            dataset = load_dataset(stored.read(), get_kind(job.kind))
        ImportJob.objects.filter(pk=job.pk).update(rows=len(dataset))
        result, problems = _run(job, dry_run=True, dataset=dataset)
    except SpreadsheetError as error:
        return _fail(job, str(error))
    except Exception as error:
        logger.exception("import %s: check failed", job.pk)
        return _fail(job, f"校验失败：{type(error).__name__}")
    status = S.INVALID if problems else S.VALID
    ImportJob.objects.filter(pk=job.pk, status=S.VALIDATING).update(
        status=status,
        problems=problems,
        totals=dict(result.totals),
        progress=100,
        validated_at=timezone.now(),
        message="" if status == S.VALID else f"共有 {len(problems)} 处错误，未导入任何数据。",
    )
    _clear_progress(job)
    job.refresh_from_db()
    return job


def import_confirm(*, job: ImportJob, user) -> ImportJob:
    """The owner confirms a file that passed the check. Confirming twice starts one import."""
    require_importer(user)
    if job.owner_id != user.pk:
        raise PermissionDenied("只能确认自己上传的文件。")
    claimed = ImportJob.objects.filter(pk=job.pk, status=S.VALID).update(
        status=S.IMPORTING, progress=0, queued_at=timezone.now()
    )
    job.refresh_from_db()
    if not claimed:
        if job.status in (S.IMPORTING, S.DONE):
            return job  # already confirmed: nothing more to start
        raise ValidationError("该文件未通过校验，不能导入。")
    from xuncha.imports.tasks import commit_import

    run_in_worker(commit_import, job.pk)
    job.refresh_from_db()
    return job


def import_commit(job_id: int) -> ImportJob:
    """Write every row in one transaction, or none. The job's move to DONE is
    committed with the rows, under a lock on the job: a second run of the same
    task waits for the first and then finds the job done."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    if job.status != S.IMPORTING:
        return job
    if not _owner_may_still_import(job):
        return _fail(job, "您已无权导入数据。")
    try:
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk)
            if locked.status != S.IMPORTING:
                return locked
            result, problems = _run(job, dry_run=False)
            if problems:
                # Something changed since the check (a row now refused): nothing is written.
                transaction.set_rollback(True)
            else:
                ImportJob.objects.filter(pk=job.pk).update(
                    status=S.DONE,
                    progress=100,
                    totals=dict(result.totals),
                    problems=[],
                    finished_at=timezone.now(),
                    message=f"已导入 {job.rows} 行。",
                )
    except SpreadsheetError as error:
        return _fail(job, str(error))
    except Exception as error:
        logger.exception("import %s: commit failed", job.pk)
        return _fail(job, f"导入失败，未写入任何数据：{type(error).__name__}")
    finally:
        _clear_progress(job)
    if problems:
        ImportJob.objects.filter(pk=job.pk, status=S.IMPORTING).update(
            status=S.INVALID,
            problems=problems,
            finished_at=timezone.now(),
            message=f"导入时发现 {len(problems)} 处错误，未导入任何数据。",
        )
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, message: str) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=S.FAILED, message=message[:500], finished_at=timezone.now()
    )
    _clear_progress(job)
    job.refresh_from_db()
    return job
