from celery import shared_task
from django.db.models import F

from xuncha.imports.jobs import JOB_KIND
from xuncha.imports.models import ImportJob
from xuncha.imports.services import import_commit, import_validate
from xuncha.ops import leases


def _started(job_id: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(attempts=F("attempts") + 1)


@shared_task(name="xuncha.imports.tasks.validate_import")
def validate_import(job_id: int) -> str:
    with leases.holding(JOB_KIND, job_id) as lease:
        if lease is None:  # a live worker has it
            return "held"
        _started(job_id)
        return import_validate(job_id).status


@shared_task(name="xuncha.imports.tasks.commit_import")
def commit_import(job_id: int) -> str:
    # A worker that died inside the import's transaction wrote nothing (it
    # rolled back): running it again under a fresh lease is safe.
    with leases.holding(JOB_KIND, job_id) as lease:
        if lease is None:
            return "held"
        _started(job_id)
        return import_commit(job_id).status
