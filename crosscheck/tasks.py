from celery import shared_task
from django.db.models import F

from crosscheck.jobs import JOB_KIND, RUN_JOB_KIND
from crosscheck.models import Source
from crosscheck.services import runs, sources
from xuncha.ops import leases


@shared_task(name="crosscheck.tasks.import_source")
def import_source(source_id: int) -> str:
    with leases.holding(JOB_KIND, source_id) as lease:
        if lease is None:  # a live worker has it
            return "held"
        Source.objects.filter(pk=source_id).update(attempts=F("attempts") + 1)
        return sources.source_import(source_id).status


@shared_task(name="crosscheck.tasks.run_rule")
def run_rule(run_id: int) -> str:
    with leases.holding(RUN_JOB_KIND, run_id) as lease:
        if lease is None:  # a live worker has it
            return "held"
        return runs.rule_run_execute(run_id).status


@shared_task(name="crosscheck.tasks.purge_expired_files")
def purge_expired_files() -> int:
    return sources.purge_expired_files()
