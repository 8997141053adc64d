"""Leases: which worker holds a background job, and whether it is still alive.

A worker claims a job by taking its lease, and while it works a thread
renews the lease every JOB_HEARTBEAT_SECONDS. A lease not renewed for
JOB_STALE_SECONDS belongs to a dead worker: the next worker may take it over,
and the sweep (``xuncha.ops.sweep``) sends the job to one.

On PostgreSQL the leases are rows of their own table (JobLease). On SQLite,
every write waits for the one open write transaction, so a heartbeat could not
be written while an import commits: there the leases are small files beside
the database instead (SQLite means one machine, so files are shared by all).
"""

import contextlib
import datetime
import fcntl
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from xuncha.ops.models import JobLease

logger = logging.getLogger(__name__)


def stale_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)


def _use_files() -> bool:
    return connection.vendor == "sqlite"


# --- the table ---------------------------------------------------------------------------


def _db_acquire(kind: str, job_id: int, token: str) -> bool:
    now = timezone.now()
    try:
        with transaction.atomic():
            JobLease.objects.create(kind=kind, job_id=job_id, token=token, beat_at=now)
        return True
    except IntegrityError:
        pass
    held = JobLease.objects.filter(kind=kind, job_id=job_id).first()
    if held is None:  # released in between: try once more
        return _db_acquire(kind, job_id, token)
    if held.beat_at >= stale_cutoff(now):
        return False
    # Take over a dead worker's lease: only one taker can match the old token.
    return bool(
        JobLease.objects.filter(pk=held.pk, token=held.token).update(token=token, beat_at=now)
    )


def _db_renew(kind: str, job_id: int, token: str) -> bool:
    return bool(
        JobLease.objects.filter(kind=kind, job_id=job_id, token=token).update(
            beat_at=timezone.now()
        )
    )


def _db_release(kind: str, job_id: int, token: str) -> None:
    JobLease.objects.filter(kind=kind, job_id=job_id, token=token).delete()


def _db_beats(kind: str, job_ids: list[int]) -> dict[int, datetime.datetime]:
    rows = JobLease.objects.filter(kind=kind, job_id__in=job_ids).values_list("job_id", "beat_at")
    return dict(rows)


# --- the files (SQLite) ------------------------------------------------------------------


def _lease_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "jobs" / "leases"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _lease_file(kind: str, job_id: int) -> Path:
    return _lease_dir() / f"{kind}-{job_id}"


@contextlib.contextmanager
def _files_locked() -> Iterator[None]:
    with (_lease_dir() / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _file_mtime(path: Path) -> datetime.datetime | None:
    try:
        return datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
    except FileNotFoundError:
        return None


def _file_acquire(kind: str, job_id: int, token: str) -> bool:
    path = _lease_file(kind, job_id)
    with _files_locked():
        beat = _file_mtime(path)
        if beat is not None and beat >= stale_cutoff():
            return False
        path.write_text(token)
        return True


def _file_renew(kind: str, job_id: int, token: str) -> bool:
    path = _lease_file(kind, job_id)
    with _files_locked():
        try:
            if path.read_text() != token:
                return False
        except FileNotFoundError:
            return False
        os.utime(path)
        return True


def _file_release(kind: str, job_id: int, token: str) -> None:
    path = _lease_file(kind, job_id)
    with _files_locked(), contextlib.suppress(FileNotFoundError):
        if path.read_text() == token:
            path.unlink()


def _file_beats(kind: str, job_ids: list[int]) -> dict[int, datetime.datetime]:
    beats = {}
    for job_id in job_ids:
        beat = _file_mtime(_lease_file(kind, job_id))
        if beat is not None:
            beats[job_id] = beat
    return beats


# --- the interface -----------------------------------------------------------------------


def acquire(kind: str, job_id: int) -> str | None:
    """Take the job's lease; None when a live worker holds it."""
    token = uuid.uuid4().hex
    taken = (_file_acquire if _use_files() else _db_acquire)(kind, job_id, token)
    return token if taken else None


def renew(kind: str, job_id: int, token: str) -> bool:
    return (_file_renew if _use_files() else _db_renew)(kind, job_id, token)


def release(kind: str, job_id: int, token: str) -> None:
    (_file_release if _use_files() else _db_release)(kind, job_id, token)


def last_beats(kind: str, job_ids: list[int]) -> dict[int, datetime.datetime]:
    """When each job's lease was last renewed (jobs nobody has claimed are absent)."""
    if not job_ids:
        return {}
    return (_file_beats if _use_files() else _db_beats)(kind, job_ids)


def forget_stale(kind: str, active_ids: list[int]) -> int:
    """Drop the dead leases of jobs that are no longer active (a worker that
    died after the job was finished or failed never released its lease)."""
    cutoff = stale_cutoff()
    if not _use_files():
        dead = JobLease.objects.filter(kind=kind, beat_at__lt=cutoff).exclude(job_id__in=active_ids)
        return dead.delete()[0]
    forgotten = 0
    with _files_locked():
        for path in _lease_dir().glob(f"{kind}-*"):
            job_id = int(path.name.rsplit("-", 1)[1])
            beat = _file_mtime(path)
            if job_id not in active_ids and beat is not None and beat < cutoff:
                path.unlink(missing_ok=True)
                forgotten += 1
    return forgotten


def _beat_until(stop: threading.Event, kind: str, job_id: int, token: str) -> None:
    try:
        while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
            try:
                if not renew(kind, job_id, token):
                    logger.warning("%s #%s: lease lost to another worker", kind, job_id)
                    return
            except Exception:  # a missed beat is not fatal; the next one may pass
                logger.exception("%s #%s: heartbeat failed", kind, job_id)
    finally:
        # The thread's own database connection, opened by its first beat.
        connections.close_all()


@contextlib.contextmanager
def holding(kind: str, job_id: int) -> Iterator[str | None]:
    """Hold the job's lease while the block runs, renewing it from a thread.

    Yields the lease token, or None when another live worker holds the job
    (the caller then does nothing: the job is in good hands)."""
    token = acquire(kind, job_id)
    if token is None:
        yield None
        return
    stop = threading.Event()
    beater = threading.Thread(
        target=_beat_until, args=(stop, kind, job_id, token), name=f"heartbeat-{kind}-{job_id}"
    )
    beater.daemon = True
    beater.start()
    try:
        yield token
    finally:
        stop.set()
        beater.join(timeout=settings.JOB_HEARTBEAT_SECONDS + 5)
        release(kind, job_id, token)
