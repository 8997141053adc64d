from celery import shared_task

from xuncha.imports.services import import_commit, import_validate


@shared_task(name="xuncha.imports.tasks.validate_import")
def validate_import(job_id: int) -> str:
    return import_validate(job_id).status


@shared_task(name="xuncha.imports.tasks.commit_import")
def commit_import(job_id: int) -> str:
    return import_commit(job_id).status
