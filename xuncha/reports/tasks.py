from celery import shared_task

from xuncha.reports.services import expire_old_reports, job_run


@shared_task(name="xuncha.reports.tasks.run_report")
def run_report(job_id: int) -> str:
    return job_run(job_id).status


@shared_task(name="xuncha.reports.tasks.expire_reports")
def expire_reports() -> int:
    return expire_old_reports()
