"""Background jobs that finish or say why: a job whose worker died is given to
another worker by the sweep, fails with a reason after a bounded number of
starts, and never blocks a new request for the same document."""

import dataclasses
import datetime
import os
import time
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from tests.reports_data import build_city
from tests.workers import real_worker
from xuncha.imports.models import ImportJob
from xuncha.ops import leases
from xuncha.ops.models import JobLease
from xuncha.ops.sweep import _KINDS, DIED, NEVER_STARTED, sweep_jobs
from xuncha.reports import services
from xuncha.reports.models import ReportJob
from xuncha.reports.registry import DOCUMENTS, PDF, Document, Generated

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_leases_left():
    """Lease files (SQLite) outlive a test's rolled-back rows, whose ids come again."""

    def clear():
        for path in leases._lease_dir().glob("*-*"):
            path.unlink()

    clear()
    yield
    clear()


@pytest.fixture
def quick_document(monkeypatch):
    monkeypatch.setitem(
        DOCUMENTS,
        "test.quick",
        Document(
            "test.quick",
            "测试",
            lambda u, p: None,
            lambda u, p, progress: Generated("q.pdf", b"%PDF-1.7", PDF),
        ),
    )
    return "test.quick"


@pytest.fixture
def sent(monkeypatch):
    """What the sweep puts on the queue, per job kind."""
    messages = []
    for name, kind in list(_KINDS.items()):
        monkeypatch.setitem(
            _KINDS,
            name,
            dataclasses.replace(kind, send=lambda job, n=name: messages.append((n, job.pk))),
        )
    return messages


def seed_reference_data() -> None:
    from django.apps import apps

    from rounds.models import ProblemCategory

    if not ProblemCategory.objects.exists():
        import_module("rounds.migrations.0002_seed_kinds_and_categories").seed(apps, None)


def ago(seconds: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def backdate_lease(kind: str, job_id: int, seconds: int) -> None:
    """Leave the lease as a worker killed ``seconds`` ago leaves it."""
    token = leases.acquire(kind, job_id)
    assert token
    when = ago(seconds)
    if JobLease.objects.filter(kind=kind, job_id=job_id).exists():
        JobLease.objects.filter(kind=kind, job_id=job_id).update(beat_at=when)
    else:
        path = leases._lease_file(kind, job_id)
        os.utime(path, (when.timestamp(), when.timestamp()))


def running_job(owner, kind: str, *, attempts: int = 1, died_seconds_ago: int = 120) -> ReportJob:
    job = ReportJob.objects.create(
        owner=owner,
        kind=kind,
        params={},
        params_hash=f"h{attempts}",
        status=ReportJob.Status.RUNNING,
        progress=30,
        attempts=attempts,
        queued_at=ago(died_seconds_ago + 10),
    )
    ReportJob.objects.filter(pk=job.pk).update(created_at=ago(died_seconds_ago + 10))
    backdate_lease("report", job.pk, died_seconds_ago)
    job.refresh_from_db()
    return job


def test_a_job_whose_worker_died_is_sent_again_and_finished(office_user, quick_document, sent):
    job = running_job(office_user, quick_document)

    counts = sweep_jobs()

    assert counts == {"resent": 1, "failed": 0}
    assert sent == [("report", job.pk)]
    finished = services.job_run(job.pk)  # what the next worker does with the message
    assert finished.status == ReportJob.Status.DONE
    assert finished.attempts == 2
    assert leases.last_beats("report", [job.pk]) == {}  # the lease is released


def test_a_second_sweep_does_not_send_the_job_again_while_it_waits(
    office_user, quick_document, sent
):
    job = running_job(office_user, quick_document)
    sweep_jobs()
    sweep_jobs()
    assert sent == [("report", job.pk)]


def test_a_job_with_a_live_worker_is_left_alone(office_user, quick_document, sent):
    job = running_job(office_user, quick_document)
    JobLease.objects.all().delete()
    for path in leases._lease_dir().glob("report-*"):
        path.unlink()
    assert leases.acquire("report", job.pk)  # a live worker holds it now

    assert sweep_jobs() == {"resent": 0, "failed": 0}
    assert services.job_run(job.pk).status == ReportJob.Status.RUNNING  # not run twice
    assert sent == []


def test_after_the_last_attempt_the_job_fails_saying_why(office_user, quick_document, sent):
    job = running_job(office_user, quick_document, attempts=django_settings.JOB_MAX_ATTEMPTS)

    assert sweep_jobs() == {"resent": 0, "failed": 1}

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert job.message == DIED.format(attempts=django_settings.JOB_MAX_ATTEMPTS)
    assert "请重新申请" in job.message
    assert sent == []


def test_a_job_never_taken_by_any_worker_fails_after_the_queue_timeout(
    office_user, quick_document, sent, settings
):
    job = services.job_request(user=office_user, kind=quick_document, params={})[0]
    waited = settings.JOB_QUEUE_TIMEOUT_MINUTES * 60 + 60
    ReportJob.objects.filter(pk=job.pk).update(created_at=ago(waited), queued_at=ago(waited))

    assert sweep_jobs() == {"resent": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert job.message == NEVER_STARTED.format(minutes=settings.JOB_QUEUE_TIMEOUT_MINUTES)


def test_a_lost_message_is_sent_again(office_user, quick_document, sent):
    job = services.job_request(user=office_user, kind=quick_document, params={})[0]
    ReportJob.objects.filter(pk=job.pk).update(created_at=ago(600), queued_at=ago(600))

    assert sweep_jobs() == {"resent": 1, "failed": 0}
    assert sent == [("report", job.pk)]


def test_a_stale_job_does_not_block_a_new_request(office_user, quick_document):
    stale = running_job(office_user, quick_document)
    digest = ReportJob.objects.get(pk=stale.pk)
    ReportJob.objects.filter(pk=stale.pk).update(
        params_hash=services.params_digest(quick_document, {})
    )

    job, created = services.job_request(user=office_user, kind=quick_document, params={})

    assert created and job.pk != digest.pk
    stale.refresh_from_db()
    assert stale.status == ReportJob.Status.FAILED
    assert stale.message == services.SUPERSEDED


def test_a_live_job_still_deduplicates_the_same_request(office_user, quick_document):
    first, created = services.job_request(user=office_user, kind=quick_document, params={})
    again, created_again = services.job_request(user=office_user, kind=quick_document, params={})
    assert created and not created_again and again.pk == first.pk


def test_an_import_whose_worker_died_is_checked_again(office_user, sent):
    job = ImportJob.objects.create(
        owner=office_user,
        kind="problems",
        original_name="x.xlsx",
        status=ImportJob.Status.VALIDATING,
        attempts=1,
        queued_at=ago(200),
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=ago(200))
    backdate_lease("import", job.pk, 120)

    assert sweep_jobs() == {"resent": 1, "failed": 0}
    assert sent == [("import", job.pk)]


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection
def test_the_heartbeat_keeps_a_long_job_alive(office_user, settings, monkeypatch):
    settings.JOB_HEARTBEAT_SECONDS = 1
    settings.JOB_STALE_SECONDS = 6

    def generate(user, params, progress):
        time.sleep(7)  # longer than the stale limit, with no progress call
        assert sweep_jobs()["resent"] == 0  # the sweep sees a live lease
        return Generated("slow.pdf", b"%PDF-1.7", PDF)

    monkeypatch.setitem(
        DOCUMENTS, "test.slow", Document("test.slow", "测试", lambda u, p: None, generate)
    )
    job, _ = services.job_request(user=office_user, kind="test.slow", params={})

    assert services.job_run(job.pk).status == ReportJob.Status.DONE


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_finishes_a_job_left_by_a_dead_one(office_user, monkeypatch, tmp_path):
    """A job left RUNNING by a dead worker (its lease stopped beating) is
    finished by a real worker, through the real broker, within one sweep.
    ``make faults`` does the same after a real ``kill -9``."""
    seed_reference_data()  # an earlier transactional test may have flushed it
    city = build_city(office_user)
    params = {"scope": "target", "id": str(city.target.pk), "format": "pdf"}
    job = ReportJob.objects.create(
        owner=office_user,
        kind="rectification.ledger",
        params=params,
        params_hash=services.params_digest("rectification.ledger", params),
        status=ReportJob.Status.RUNNING,
        attempts=1,
        queued_at=ago(300),
    )
    ReportJob.objects.filter(pk=job.pk).update(created_at=ago(300))
    backdate_lease("report", job.pk, 120)

    with real_worker(tmp_path) as queue:
        from xuncha.reports.tasks import run_report

        kind = _KINDS["report"]
        monkeypatch.setitem(
            _KINDS,
            "report",
            dataclasses.replace(kind, send=lambda j: run_report.apply_async([j.pk], queue=queue)),
        )
        started = time.monotonic()
        assert sweep_jobs()["resent"] == 1
        while time.monotonic() - started < 90:
            job.refresh_from_db()
            if job.status != ReportJob.Status.RUNNING:
                break
            time.sleep(0.5)

    assert job.status == ReportJob.Status.DONE, job.message
    assert job.attempts == 2
    with job.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
