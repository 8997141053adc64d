"""Report jobs as the sweep (xuncha.ops.sweep) sees them."""

from xuncha.ops.sweep import JobKind, register_job_kind
from xuncha.reports.models import ReportJob
from xuncha.reports.services import JOB_KIND, job_fail


def _send(job: ReportJob) -> None:
    from xuncha.reports.tasks import run_report

    run_report.delay(job.pk)


def register() -> None:
    register_job_kind(
        JobKind(
            name=JOB_KIND,
            model=ReportJob,
            active=(ReportJob.Status.QUEUED, ReportJob.Status.RUNNING),
            send=_send,
            fail=job_fail,
        )
    )
