"""A report job's life: queued, progress, done or failed with its reason,
deduplicated while it runs, the permission checked again when it runs; the
pages around it; and ``manage.py report`` for operators."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.factories import make_user
from tests.reports_data import build_city
from xuncha.accounts.roles import Role
from xuncha.reports import services
from xuncha.reports.models import ReportJob
from xuncha.reports.registry import DOCUMENTS, PDF, Document, Generated

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.reports_urls")]


@pytest.fixture
def city(office_user):
    return build_city(office_user)


def ledger_params(city) -> dict:
    return {"scope": "target", "id": str(city.target.pk), "format": "pdf"}


def request_job(user, kind, params, capture):
    with capture(execute=False) as callbacks:
        job, created = services.job_request(user=user, kind=kind, params=params)
    return job, created, callbacks


def test_a_job_is_queued_then_done_with_its_file(city, django_capture_on_commit_callbacks):
    job, created, callbacks = request_job(
        city.office_user,
        "rectification.ledger",
        ledger_params(city),
        django_capture_on_commit_callbacks,
    )

    assert created and job.status == ReportJob.Status.QUEUED and job.progress == 0
    assert len(callbacks) == 1  # the Celery task, sent once the request commits

    job = services.job_run(job.pk)

    assert job.status == ReportJob.Status.DONE and job.progress == 100
    assert job.content_type == PDF and job.filename.endswith(".pdf")
    with job.file.open("rb") as stored:
        assert stored.read(5) == b"%PDF-"
    assert job.started_at and job.finished_at


def test_progress_is_written_while_the_document_is_produced(office_user, monkeypatch):
    seen = []

    def generate(user, params, progress):
        for percent in (10, 60):
            progress(percent)
            seen.append(ReportJob.objects.get(owner=user).progress)
        return Generated("x.pdf", b"%PDF-1.7", PDF)

    monkeypatch.setitem(
        DOCUMENTS, "test.doc", Document("test.doc", "测试", lambda u, p: None, generate)
    )
    job, _ = services.job_request(user=office_user, kind="test.doc", params={})

    services.job_run(job.pk)

    assert seen == [10, 60]


def test_a_failure_is_recorded_with_its_reason(office_user, monkeypatch):
    def generate(user, params, progress):
        raise ValueError("boom")

    monkeypatch.setitem(
        DOCUMENTS, "test.bad", Document("test.bad", "测试", lambda u, p: None, generate)
    )
    job, _ = services.job_request(user=office_user, kind="test.bad", params={})

    job = services.job_run(job.pk)

    assert job.status == ReportJob.Status.FAILED
    assert job.message == "生成失败：ValueError"
    assert not job.file


def test_the_same_request_while_it_runs_is_not_started_twice(
    city, django_capture_on_commit_callbacks
):
    params = ledger_params(city)
    first, created, callbacks = request_job(
        city.office_user, "rectification.ledger", params, django_capture_on_commit_callbacks
    )
    second, created_again, callbacks_again = request_job(
        city.office_user, "rectification.ledger", params, django_capture_on_commit_callbacks
    )

    assert created and not created_again
    assert second.pk == first.pk
    assert len(callbacks) == 1 and callbacks_again == []
    ReportJob.objects.filter(pk=first.pk).update(status=ReportJob.Status.RUNNING)
    third, created_third, _ = request_job(
        city.office_user, "rectification.ledger", params, django_capture_on_commit_callbacks
    )
    assert third.pk == first.pk and not created_third

    services.job_run(first.pk)
    fourth, created_fourth, _ = request_job(
        city.office_user, "rectification.ledger", params, django_capture_on_commit_callbacks
    )
    assert created_fourth and fourth.pk != first.pk  # done: a new request is a new job


def test_running_a_job_twice_changes_nothing(city):
    job, _ = services.job_request(
        user=city.office_user, kind="rectification.ledger", params=ledger_params(city)
    )
    done = services.job_run(job.pk)
    again = services.job_run(job.pk)

    assert again.status == ReportJob.Status.DONE and again.file.name == done.file.name


def test_the_permission_is_checked_again_when_the_job_runs(city):
    job, _ = services.job_request(
        user=city.unit_user, kind="rectification.ledger", params=ledger_params(city)
    )
    # Between request and run the contact is moved to another organization.
    city.unit_user.organization = city.other_organization
    city.unit_user.save()

    job = services.job_run(job.pk)

    assert job.status == ReportJob.Status.FAILED
    assert job.message == "您已无权查看该文书涉及的数据。"
    assert not job.file


def test_a_clue_handover_job_fails_once_the_clue_is_out_of_reach(city):
    job, _ = services.job_request(
        user=city.department_user, kind="clues.handover", params={"id": str(city.clue.pk)}
    )
    city.department_user.department = None
    city.department_user.save()

    assert services.job_run(job.pk).status == ReportJob.Status.FAILED


def test_pages_request_poll_and_download(client, city, django_capture_on_commit_callbacks):
    client.force_login(city.office_user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("reports:job_create"),
            {"kind": "rectification.ledger", **ledger_params(city)},
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    partial = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert 'data-status="queued"' in partial.content.decode()

    services.job_run(job.pk)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "下载" in page
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == PDF
    assert b"".join(download.streaming_content).startswith(b"%PDF-")

    client.force_login(make_user(Role.OFFICE, username="someone_else"))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


def test_a_request_for_what_one_may_not_see_is_a_404(client, city):
    client.force_login(city.member_user)
    response = client.post(
        reverse("reports:job_create"), {"kind": "rectification.ledger", **ledger_params(city)}
    )
    assert response.status_code == 404
    assert not ReportJob.objects.exists()


def test_report_command_writes_the_ledger(city, tmp_path):
    out = tmp_path / "ledger.pdf"
    call_command(
        "report", "ledger", "--target", str(city.target.pk), "--format", "pdf", "--out", str(out)
    )
    assert out.read_bytes().startswith(b"%PDF-")

    xlsx = tmp_path / "round.xlsx"
    call_command(
        "report", "ledger", "--round", str(city.round.pk), "--format", "xlsx", "--out", str(xlsx)
    )
    assert xlsx.read_bytes().startswith(b"PK")


def test_report_command_still_checks_access(city, tmp_path):
    with pytest.raises(CommandError, match="无权"):
        call_command(
            "report",
            "ledger",
            "--target",
            str(city.target.pk),
            "--out",
            str(tmp_path / "x.pdf"),
            "--user",
            city.member_user.username,
        )
    with pytest.raises(CommandError, match="--target"):
        call_command("report", "ledger", "--out", str(tmp_path / "x.pdf"))
