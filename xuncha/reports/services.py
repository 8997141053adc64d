"""Requesting and running report jobs."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from xuncha.audit.services import log_action
from xuncha.ops import leases
from xuncha.ops.sweep import is_stale
from xuncha.reports.models import ReportJob, params_digest
from xuncha.reports.registry import get_document

logger = logging.getLogger(__name__)

JOB_KIND = "report"
SUPERSEDED = "后台处理进程已中断，本任务已由新的申请取代。"


@transaction.atomic
def job_request(*, user, kind: str, params: dict) -> tuple[ReportJob, bool]:
    """Queue a document, or return the same request's job already running."""
    document = get_document(kind)
    document.authorize(user, params)
    digest = params_digest(kind, params)
    active = ReportJob.objects.filter(
        owner=user,
        params_hash=digest,
        status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING],
    ).first()
    if active and not is_stale(JOB_KIND, active):
        return active, False
    if active:
        # Its worker died and nothing has moved it since: asking again starts
        # afresh instead of showing a progress bar that will not move.
        job_fail(active, SUPERSEDED)
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                owner=user, kind=kind, params=params, params_hash=digest, queued_at=timezone.now()
            )
    except IntegrityError:
        # The same request, posted twice at once: the other one made the job.
        return ReportJob.objects.get(
            owner=user,
            params_hash=digest,
            status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING],
        ), False
    log_action(user, "report.request", job, {"kind": kind, "params": params})
    from xuncha.reports.tasks import run_report

    run_report.delay_on_commit(job.pk)
    return job, True


def _set_progress(job_id: int, percent: int) -> None:
    ReportJob.objects.filter(pk=job_id).update(progress=max(0, min(100, int(percent))))


def job_run(job_id: int) -> ReportJob:
    """Take the job's lease and produce its file.

    A job whose worker died comes back here (Celery's acks_late redelivery, or
    the sweep in xuncha.ops): its lease has stopped beating, so this worker
    takes it over and starts again. A job another live worker holds, or one
    already done or failed, is left as it is: running twice changes nothing."""
    with leases.holding(JOB_KIND, job_id) as lease:
        if lease is None:
            return ReportJob.objects.get(pk=job_id)
        return _produce(job_id)


def _produce(job_id: int) -> ReportJob:
    claimed = ReportJob.objects.filter(
        pk=job_id, status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING]
    ).update(
        status=ReportJob.Status.RUNNING,
        started_at=timezone.now(),
        progress=0,
        attempts=F("attempts") + 1,
    )
    job = ReportJob.objects.select_related("owner").get(pk=job_id)
    if not claimed:
        return job
    document = get_document(job.kind)
    try:
        # The permission is checked again: it may have been withdrawn since the request.
        document.authorize(job.owner, job.params)
        generated = document.generate(job.owner, job.params, lambda p: _set_progress(job.pk, p))
    except (PermissionDenied, Http404):
        return job_fail(job, "您已无权查看该文书涉及的数据。")
    except Exception as error:
        logger.exception("report %s failed", job.pk)
        return job_fail(job, f"生成失败：{type(error).__name__}")
    job.file.save(f"{job.pk}-{generated.filename}", ContentFile(generated.content), save=False)
    job.filename, job.content_type = generated.filename, generated.content_type
    job.status, job.progress, job.finished_at = ReportJob.Status.DONE, 100, timezone.now()
    job.message = ""
    job.save()
    return job


def job_fail(job: ReportJob, message: str) -> ReportJob:
    """Fail a job still active (the sweep may meet one a worker just finished)."""
    now = timezone.now()
    ReportJob.objects.filter(
        pk=job.pk, status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING]
    ).update(status=ReportJob.Status.FAILED, message=message[:500], finished_at=now)
    job.refresh_from_db()
    return job


def expire_old_reports(now: datetime.datetime | None = None) -> int:
    """Delete report files older than REPORT_RETENTION_DAYS (the job rows stay, without file)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.REPORT_RETENTION_DAYS)
    expired = 0
    for job in ReportJob.objects.filter(finished_at__lt=cutoff).exclude(file=""):
        job.file.delete(save=False)
        ReportJob.objects.filter(pk=job.pk).update(file="", message="文件已过期删除")
        expired += 1
    return expired
