"""Import jobs as the sweep (xuncha.ops.sweep) sees them: checking and
writing are both safe to run again (the check writes nothing; the write is
one transaction that a dead worker rolled back)."""

from django.utils import timezone

from xuncha.imports.models import ImportJob
from xuncha.ops.sweep import JobKind, register_job_kind

JOB_KIND = "import"
S = ImportJob.Status


def _send(job: ImportJob) -> None:
    from xuncha.imports.tasks import commit_import, validate_import

    task = validate_import if job.status == S.VALIDATING else commit_import
    task.delay(job.pk)


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk, status__in=(S.VALIDATING, S.IMPORTING)).update(
        status=S.FAILED, message=message[:500], finished_at=timezone.now()
    )


def register() -> None:
    register_job_kind(
        JobKind(
            name=JOB_KIND,
            model=ImportJob,
            active=(S.VALIDATING, S.IMPORTING),
            send=_send,
            fail=_fail,
        )
    )
