"""Sign-in lock-out keys on the account and the real client address, and the
security officer lifts it (audited)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD, make_user
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PROXY = "10.0.0.2"


def login(client, username, password, **headers):
    return client.post(LOGIN, {"username": username, "password": password}, **headers)


def fail_until_locked(client, username, **headers):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, username, "wrong-password", **headers)


def test_behind_the_proxy_an_attacker_locks_only_their_own_address(client, settings):
    settings.TRUST_X_REAL_IP = True
    victim = make_user(Role.OFFICE)
    fail_until_locked(client, victim.username, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.9")
    locked = login(
        client, victim.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="203.0.113.9"
    )
    assert locked.status_code in (403, 429)

    response = login(
        client, victim.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.7"
    )

    assert response.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


def test_x_forwarded_for_is_used_behind_the_proxy_when_there_is_no_x_real_ip(settings):
    from django.test import RequestFactory

    from xuncha.accounts.lockout import client_ip

    settings.TRUST_X_REAL_IP = True
    request = RequestFactory().get(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7"
    )
    assert client_ip(request) == "198.51.100.7"


def test_without_a_trusted_proxy_a_forged_header_does_not_escape_the_lockout(client, settings):
    settings.TRUST_X_REAL_IP = False
    victim = make_user(Role.OFFICE)
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, victim.username, "wrong-password", HTTP_X_REAL_IP=f"192.0.2.{n}")
    response = login(client, victim.username, PASSWORD, HTTP_X_REAL_IP="192.0.2.200")
    assert response.status_code in (403, 429)


@pytest.fixture
def locked_user(client):
    user = make_user(Role.OFFICE)
    fail_until_locked(client, user.username)
    assert AccessAttempt.objects.filter(username=user.username).exists()
    return user


def test_security_officer_sees_and_lifts_a_lockout_and_it_is_audited(client, locked_user):
    officer = make_user(Role.SECURITY_OFFICER)
    client.force_login(officer)
    page = client.get(reverse("accounts:lockout_list"))
    assert page.status_code == 200
    assert locked_user.username in page.content.decode()
    attempt = AccessAttempt.objects.get(username=locked_user.username)

    response = client.post(reverse("accounts:lockout_unlock", args=[attempt.pk]))

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    entry = AuditEntry.objects.get(action="user.unlock")
    assert entry.actor == officer
    assert entry.object_id == str(locked_user.pk)
    assert entry.data["username"] == locked_user.username
    client.logout()
    assert login(client, locked_user.username, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "role", [Role.SYSADMIN, Role.AUDITOR, Role.OFFICE, Role.TEAM_MEMBER], ids=str
)
def test_nobody_else_finds_the_unlock_page(client, locked_user, role):
    client.force_login(make_user(role, username=f"other-{role}"))
    attempt = AccessAttempt.objects.get(username=locked_user.username)
    assert client.get(reverse("accounts:lockout_list")).status_code == 404
    assert client.post(reverse("accounts:lockout_unlock", args=[attempt.pk])).status_code == 404
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert not AuditEntry.objects.filter(action="user.unlock").exists()


def test_unlocking_a_lockout_that_is_gone_says_so(client):
    client.force_login(make_user(Role.SECURITY_OFFICER))
    response = client.post(reverse("accounts:lockout_unlock", args=[999999]), follow=True)
    assert "已不存在" in response.content.decode()
    assert not AuditEntry.objects.filter(action="user.unlock").exists()
