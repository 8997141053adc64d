from celery import shared_task

from xuncha.ops.sweep import sweep_jobs


@shared_task(name="xuncha.ops.tasks.sweep_stale_jobs")
def sweep_stale_jobs() -> dict:
    """Beat, every JOB_SWEEP_SECONDS: jobs of dead workers go to another one."""
    return sweep_jobs()
