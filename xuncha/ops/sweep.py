"""The sweep: background jobs that finish or say why.

Every JOB_SWEEP_SECONDS (beat) each active job is looked at:

- its worker's lease stopped beating (the worker died: ``kill -9``, OOM, a
  lost machine): the job is sent to the queue again, and after
  JOB_MAX_ATTEMPTS starts it fails with a reason in Chinese;
- nobody ever claimed it (its message was lost with a dead worker, which on
  the file-system broker may never come back): it is sent again now and then,
  and after JOB_QUEUE_TIMEOUT_MINUTES it fails, saying the service is down.

Sending a job twice is harmless: a worker runs it only after taking its lease
(``xuncha.ops.leases``), and the job's own state says whether work remains.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Model
from django.utils import timezone

from xuncha.ops import leases

logger = logging.getLogger(__name__)

DIED = "后台处理进程已中断 {attempts} 次，本任务已停止。请重新申请；如仍失败，请联系系统管理员。"
NEVER_STARTED = "后台服务长时间未处理本任务（排队超过 {minutes} 分钟），已停止。请稍后重新申请。"


@dataclass(frozen=True)
class JobKind:
    name: str
    model: type[Model]
    active: tuple[str, ...]
    send: Callable[[Model], None]  # put the job's task on the queue again
    fail: Callable[[Model, str], None]


_KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    _KINDS[kind.name] = kind


def job_kinds() -> list[JobKind]:
    return list(_KINDS.values())


def last_sign_of_life(job, beat: datetime.datetime | None) -> datetime.datetime:
    signs = [t for t in (beat, job.queued_at, job.created_at) if t is not None]
    return max(signs)


def is_stale(kind_name: str, job, now: datetime.datetime | None = None) -> bool:
    """True when nothing has moved the job for JOB_STALE_SECONDS: no live lease,
    and not sent to the queue since."""
    beat = leases.last_beats(kind_name, [job.pk]).get(job.pk)
    return last_sign_of_life(job, beat) < leases.stale_cutoff(now)


def _resend(kind: JobKind, job, now: datetime.datetime) -> bool:
    # Only one sweep may resend: the row must still show the queued_at it was read with.
    moved = kind.model.objects.filter(
        pk=job.pk, status__in=kind.active, queued_at=job.queued_at
    ).update(queued_at=now)
    if moved:
        job.queued_at = now
        kind.send(job)
    return bool(moved)


def sweep_jobs(now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    cutoff = leases.stale_cutoff(now)
    unclaimed_resend = datetime.timedelta(seconds=settings.JOB_STALE_SECONDS * 4)
    queue_timeout = datetime.timedelta(minutes=settings.JOB_QUEUE_TIMEOUT_MINUTES)
    counts = {"resent": 0, "failed": 0}
    for kind in job_kinds():
        jobs = list(kind.model.objects.filter(status__in=kind.active))
        beats = leases.last_beats(kind.name, [job.pk for job in jobs])
        leases.forget_stale(kind.name, [job.pk for job in jobs])
        for job in jobs:
            beat = beats.get(job.pk)
            if last_sign_of_life(job, beat) >= cutoff:
                continue
            if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                kind.fail(job, DIED.format(attempts=job.attempts))
                counts["failed"] += 1
                logger.warning("%s #%s failed after %s attempts", kind.name, job.pk, job.attempts)
            elif job.attempts == 0 and now - job.created_at > queue_timeout:
                minutes = settings.JOB_QUEUE_TIMEOUT_MINUTES
                kind.fail(job, NEVER_STARTED.format(minutes=minutes))
                counts["failed"] += 1
            else:
                # A worker died holding it (its last beat is newer than the last
                # sending): send it now. Sent but not yet taken (a busy queue, or a
                # message lost): send again only now and then.
                died = beat is not None and (job.queued_at is None or beat > job.queued_at)
                waited = job.queued_at is None or now - job.queued_at > unclaimed_resend
                if died or waited:
                    counts["resent"] += _resend(kind, job, now)
    return counts
