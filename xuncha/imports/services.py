"""Importing the office's spreadsheets: upload, check (dry run), confirm, write.

1. ``import_upload`` refuses, with a message in Chinese, what is not an
   .xlsx by its container alone (no zip, or a zip that would expand past
   IMPORT_XLSX_MAX_UNCOMPRESSED_MB or UPLOAD_ZIP_MAX_RATIO), stores the file
   under MEDIA_ROOT/imports/ with a random name and queues the check;
2. the check (``import_validate``, in the worker) parses the sheet, lists
   every bad row (sheet row number, column, reason) and classifies the good
   ones as new / updated / unchanged / duplicate (xuncha.imports.engine); it
   writes nothing;
3. ``import_confirm`` by the owner, only for a file that passed, queues
   ``import_commit`` (in the worker), which checks again and writes every
   row in one transaction, or none. A database fault (SQLite's "database is
   locked", a lost connection) is reported as what it is, never as rows to
   correct.

The request never parses a spreadsheet: openpyxl holds the whole sheet in
memory (a 63 KB file can declare 63 MB of XML), which belongs in a worker
with its time limits, not in a web process. The tasks
(xuncha.imports.tasks) check the owner's permission again. Progress of a
running task is written to a small file beside the upload: the import's own
transaction holds the job row until it ends, so the page could not see
progress written there.
"""

import hashlib
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.imports.engine import Checked, check_sheet, read_sheet
from xuncha.imports.kinds import get_kind
from xuncha.imports.models import ImportJob
from xuncha.orgs.imports import SpreadsheetError, check_xlsx_container

logger = logging.getLogger(__name__)

S = ImportJob.Status
PROGRESS_EVERY = 200  # rows between two progress writes
# A fault of the database or the machine, not of the file: say so, and that
# nothing was written, and never ask the user to correct rows that are fine.
INFRASTRUCTURE_FAULT = (
    "数据库暂时繁忙或不可用（{error}），本次{what}未完成，未写入任何数据。"
    "这不是表格内容的问题，无需修改表格，请稍后重试；多次失败请联系系统管理员。"
)


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
        raise PermissionDenied(_("只有巡察办工作人员可以导入数据。"))


def _already_imported(user, kind: str, digest: str) -> ImportJob | None:
    """A file with the same content, of the same kind, already imported by this office."""
    return (
        ImportJob.objects.filter(
            kind=kind, sha256=digest, status=S.DONE, owner__office_id=user.office_id
        )
        .order_by("-finished_at")
        .first()
    )


def import_upload(*, user, kind: str, upload) -> ImportJob:
    """Store an uploaded file and queue its check in the worker.

    A file whose content is that of a file this office already imported (same
    kind) is refused here: importing it again could only add every row twice
    (problems, clues, items) or change nothing (organizations, cadres)."""
    require_importer(user)
    try:
        spec = get_kind(kind)
    except LookupError:
        raise ValidationError(_("未知的导入内容。")) from None
    if upload.size > settings.UPLOAD_MAX_MB * 1024 * 1024:
        raise ValidationError(
            _("文件超过 %(max)s MB，请拆分后再上传。") % {"max": settings.UPLOAD_MAX_MB}
        )
    content = upload.read()
    try:
        # The zip directory only: nothing is decompressed in the request.
        check_xlsx_container(content)
    except SpreadsheetError as error:
        raise ValidationError(str(error)) from None
    digest = hashlib.sha256(content).hexdigest()
    earlier = _already_imported(user, spec.key, digest)
    if earlier is not None:
        raise ValidationError(
            _(
                "该文件已于 %(when)s 导入过"
                "（导入任务 %(job)s，%(name)s），不能重复导入。"
                "如需补充或更正，请只上传新增或修改的行。"
            )
            % {
                "when": f"{timezone.localtime(earlier.finished_at):%Y-%m-%d %H:%M}",
                "job": earlier.pk,
                "name": earlier.original_name,
            }
        )
    job = ImportJob(
        owner=user, kind=spec.key, original_name=upload.name[:200], rows=0, sha256=digest
    )
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


def _check(job: ImportJob, content: bytes | None = None) -> Checked:
    """Parse and check the stored file (no write): every row, every refusal."""
    spec = get_kind(job.kind)
    if content is None:
        with job.file.open("rb") as stored:
            content = stored.read()
    check_xlsx_container(content)
    headers, data = read_sheet(content)
    if not data:
        raise SpreadsheetError(_("表格中没有数据行。"))

    def progress(done: int, total: int) -> None:
        _write_progress(job, 5 + 80 * done // max(total, 1))

    return check_sheet(
        spec.importer(job.owner),
        spec.columns,
        headers,
        data,
        progress=progress,
        every=PROGRESS_EVERY,
    )


def _owner_may_still_import(job: ImportJob) -> bool:
    job.owner.refresh_from_db()
    job.owner.__dict__.pop("roles", None)  # the cached roles, read again
    return may_import(job.owner)


def _summary(totals: dict) -> str:
    return (
        f"新增 {totals.get('new', 0)} 行，更新 {totals.get('updated', 0)} 行，"
        f"无变化 {totals.get('unchanged', 0)} 行，重复 {totals.get('duplicate', 0)} 行"
    )


def import_validate(job_id: int) -> ImportJob:
    """The check, in the worker: the sheet parsed, every bad row listed,
    every row classified (new / updated / unchanged / duplicate), nothing
    written. Safe to run twice."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    if job.status != S.VALIDATING:
        return job
    if not _owner_may_still_import(job):
        return _fail(job, "您已无权导入数据。")
    try:
        checked = _check(job)
    except SpreadsheetError as error:
        return _fail(job, str(error))
    except DatabaseError as error:
        logger.exception("import %s: check failed on the database", job.pk)
        return _fail(job, INFRASTRUCTURE_FAULT.format(error=type(error).__name__, what="校验"))
    except Exception as error:
        logger.exception("import %s: check failed", job.pk)
        return _fail(
            job, f"校验失败（系统错误 {type(error).__name__}），未写入任何数据，请稍后重试。"
        )
    problems = checked.problems
    status = S.INVALID if problems else S.VALID
    if status == S.VALID:
        message = _summary(checked.totals) + "。"
        if not checked.to_write:
            message += "没有需要写入的行。"
    else:
        message = f"共有 {len(problems)} 处错误，未导入任何数据。"
    ImportJob.objects.filter(pk=job.pk, status=S.VALIDATING).update(
        status=status,
        rows=checked.totals["rows"],
        problems=problems,
        totals=checked.totals,
        progress=100,
        validated_at=timezone.now(),
        message=message,
    )
    _clear_progress(job)
    job.refresh_from_db()
    return job


def import_confirm(*, job: ImportJob, user) -> ImportJob:
    """The owner confirms a file that passed the check. Confirming twice starts one import."""
    require_importer(user)
    if job.owner_id != user.pk:
        raise PermissionDenied(_("只能确认自己上传的文件。"))
    claimed = ImportJob.objects.filter(pk=job.pk, status=S.VALID).update(
        status=S.IMPORTING, progress=0, queued_at=timezone.now()
    )
    job.refresh_from_db()
    if not claimed:
        if job.status in (S.IMPORTING, S.DONE):
            return job  # already confirmed: nothing more to start
        raise ValidationError(_("该文件未通过校验，不能导入。"))
    from xuncha.imports.tasks import commit_import

    run_in_worker(commit_import, job.pk)
    job.refresh_from_db()
    return job


def import_commit(job_id: int) -> ImportJob:
    """Check again and write every row in one transaction, or none.

    The sheet is read and every row validated before the transaction opens;
    inside it, under a lock on the job, each row is classified again against
    the database (what was written since is refused) and the rows are
    written. The write lock is so held for the write alone: on SQLite, one
    writer at a time, a long check inside the transaction would keep every
    other writer (the polling page's session, the other users) waiting. The
    job's move to DONE is committed with the rows: a second run of the same
    task waits for the first and then finds the job done."""
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    if job.status != S.IMPORTING:
        return job
    if not _owner_may_still_import(job):
        return _fail(job, "您已无权导入数据。")
    problems: list = []
    try:
        checked = _check(job)
        problems = checked.problems
        if not problems:
            with transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status != S.IMPORTING:
                    return locked
                problems = checked.reclassify()
                if problems:
                    transaction.set_rollback(True)
                else:
                    _write_progress(job, 90)
                    written = checked.importer.write(checked.to_write, job=job)
                    totals = {**checked.totals, "written": written}
                    log_action(
                        job.owner,
                        f"import.{job.kind}",
                        job,
                        {"rows": checked.totals["rows"], "totals": _counts(checked.totals)},
                    )
                    ImportJob.objects.filter(pk=job.pk).update(
                        status=S.DONE,
                        progress=100,
                        totals=totals,
                        problems=[],
                        finished_at=timezone.now(),
                        message=f"已导入：{_summary(checked.totals)}。",
                    )
    except SpreadsheetError as error:
        return _fail(job, str(error))
    except ValidationError as error:
        # A service's refusal that the check could not foresee (a race with
        # another writer): the rows are named by the service's message.
        problems = [[0, "", message] for message in error.messages]
    except DatabaseError as error:
        logger.exception("import %s: commit failed on the database", job.pk)
        return _fail(job, INFRASTRUCTURE_FAULT.format(error=type(error).__name__, what="导入"))
    except Exception as error:
        logger.exception("import %s: commit failed", job.pk)
        return _fail(
            job, f"导入失败（系统错误 {type(error).__name__}），未写入任何数据，请稍后重试。"
        )
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


def _counts(totals: dict) -> dict:
    return {name: value for name, value in totals.items() if name != "samples"}


def _fail(job: ImportJob, message: str) -> ImportJob:
    for attempt in range(3):
        try:
            ImportJob.objects.filter(pk=job.pk).update(
                status=S.FAILED, message=message[:500], finished_at=timezone.now()
            )
            break
        except DatabaseError:
            # The fault that stopped the import may still hold the database;
            # if it outlasts the retries, the sweep fails the job later.
            if attempt == 2:
                raise
            time.sleep(2)
    _clear_progress(job)
    job.refresh_from_db()
    return job
