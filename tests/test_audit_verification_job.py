"""The auditor verifies the chain from the page: a button queues a Celery task,
the page polls it and says in Chinese what it found. Nobody else sees any of it."""

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.test_audit_log import tampering
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry, AuditVerification
from xuncha.audit.services import log_action, verification_run
from xuncha.audit.tasks import run_verification

pytestmark = pytest.mark.django_db

V = AuditVerification.Status


@pytest.fixture
def auditor(client):
    user = make_user(Role.AUDITOR)
    client.force_login(user)
    return user


@pytest.fixture
def entries():
    return [log_action(None, "test.entry", None, {"n": n}) for n in range(5)]


def start(client, capture) -> AuditVerification:
    """Click the button; then do what the worker does with the queued task."""
    with capture(execute=False) as callbacks:
        response = client.post(reverse("audit:verification_start"))
    verification = AuditVerification.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:verification_detail", args=[verification.pk])
    assert verification.status == V.QUEUED
    assert len(callbacks) == 1  # the Celery task, sent once the request commits
    run_verification(verification.pk)
    return AuditVerification.objects.get(pk=verification.pk)


def test_auditor_starts_a_verification_and_reads_the_result(
    client, auditor, entries, django_capture_on_commit_callbacks
):
    verification = start(client, django_capture_on_commit_callbacks)
    assert verification.status == V.OK
    assert verification.checked == 6  # five entries and the audit.verify entry itself
    assert verification.requested_by == auditor
    assert verification.active is None
    assert AuditEntry.objects.filter(action="audit.verify", actor=auditor).exists()
    html = client.get(reverse("audit:verification_detail", args=[verification.pk])).content
    assert "审计日志完好：共校验 6 条" in html.decode()
    # The audit page shows the latest result too.
    assert "审计日志完好" in client.get(reverse("audit:entry_list")).content.decode()


def test_a_broken_chain_is_reported_with_the_first_bad_entry_and_why(
    client, auditor, entries, django_capture_on_commit_callbacks
):
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'harmless' WHERE id = 3")
    verification = start(client, django_capture_on_commit_callbacks)
    assert verification.status == V.BROKEN
    assert (verification.broken_at, verification.checked) == (3, 2)
    html = client.get(reverse("audit:verification_detail", args=[verification.pk])).content
    text = html.decode()
    assert "在第 3 条处断裂" in text and "该记录被修改" in text


def test_the_page_polls_while_the_verification_runs(client, auditor, entries):
    verification = AuditVerification.objects.create(requested_by=auditor)
    url = reverse("audit:verification_detail", args=[verification.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{url}"' in partial and "<html" not in partial
    assert 'data-status="queued"' in partial
    run_verification(verification.pk)
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in partial
    assert 'data-status="ok"' in partial


def test_a_second_click_while_one_runs_starts_no_second_verification(client, auditor, entries):
    first = AuditVerification.objects.create(requested_by=auditor)
    response = client.post(reverse("audit:verification_start"))
    assert response["Location"] == reverse("audit:verification_detail", args=[first.pk])
    assert AuditVerification.objects.count() == 1


def test_running_the_task_twice_changes_nothing(auditor, entries):
    verification = AuditVerification.objects.create(requested_by=auditor)
    assert run_verification(verification.pk) == V.OK
    finished = AuditVerification.objects.get(pk=verification.pk).finished_at
    assert run_verification(verification.pk) == V.OK
    assert AuditVerification.objects.get(pk=verification.pk).finished_at == finished


def test_a_requester_who_lost_the_auditor_role_gets_no_result(auditor, entries):
    verification = AuditVerification.objects.create(requested_by=auditor)
    auditor.groups.clear()
    auditor.__dict__.pop("roles", None)
    result = verification_run(verification.pk)
    assert result.status == V.FAILED
    assert result.checked == 0


@pytest.mark.parametrize("role", [r for r in Role if r != Role.AUDITOR], ids=lambda r: r.value)
def test_nobody_but_the_auditor_may_start_or_see_a_verification(client, role, entries):
    auditor = make_user(Role.AUDITOR)
    verification = AuditVerification.objects.create(requested_by=auditor)
    client.force_login(make_user(role))
    assert client.post(reverse("audit:verification_start")).status_code == 404
    assert client.get(reverse("audit:verification_start")).status_code == 404
    url = reverse("audit:verification_detail", args=[verification.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert AuditVerification.objects.count() == 1


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.post(reverse("audit:verification_start"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not AuditVerification.objects.exists()
