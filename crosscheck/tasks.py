from celery import shared_task
from django.db.models import F

from crosscheck.jobs import JOB_KIND
from crosscheck.models import Source
from crosscheck.services import sources
from xuncha.ops import leases


@shared_task(name="crosscheck.tasks.import_source")
def import_source(source_id: int) -> str:
    with leases.holding(JOB_KIND, source_id) as lease:
        if lease is None:  # a live worker has it
            return "held"
        Source.objects.filter(pk=source_id).update(attempts=F("attempts") + 1)
        return sources.source_import(source_id).status


@shared_task(name="crosscheck.tasks.purge_expired_files")
def purge_expired_files() -> int:
    return sources.purge_expired_files()
