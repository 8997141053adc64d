from celery import shared_task

from archive.services import archive_run


@shared_task(name="archive.tasks.build_archive")
def build_archive(archive_id: int) -> str:
    return archive_run(archive_id).status
