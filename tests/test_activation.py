"""Accounts for seconded cadres: the system admin is told, issues a one-time
code, and the person sets their own password with it, signed out."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from rounds.models import Round
from rounds.services.planning import round_create, team_add_member, team_create
from tests.factories import OfficeFactory, make_user
from tests.rounds_factories import cadre_with_user, round_kind
from xuncha.accounts import activation
from xuncha.accounts.models import Activation
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.notifications.models import Notification

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zhang-San-2026!x"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def sysadmin():
    return make_user(Role.SYSADMIN, username="sysadmin", is_staff=True)


@pytest.fixture
def cadre_user():
    cadre = cadre_with_user(role=Role.TEAM_MEMBER, name="张三", username="zhangsan")
    cadre.user.set_unusable_password()
    cadre.user.save()
    return cadre.user


def signs_in(password: str) -> bool:
    from xuncha.accounts.models import User

    return User.objects.get(username="zhangsan").check_password(password)


def issue(client, sysadmin, person) -> str:
    client.force_login(sysadmin)
    response = client.post(reverse("accounts:activation_issue", args=[person.pk]))
    assert response.status_code == 200
    return response.context["code"]


def test_putting_a_cadre_on_a_team_tells_the_system_admin_and_the_team_page_shows_it(
    sysadmin, cadre_user, client, django_capture_on_commit_callbacks
):
    office = OfficeFactory()
    officer = make_user(Role.OFFICE, office=office, username="office")
    today = timezone.localdate()
    round_ = round_create(
        office=office,
        term=13,
        number=1,
        year=today.year,
        kinds=[round_kind("regular")],
        planned_start=today,
        planned_end=today + datetime.timedelta(days=30),
        user=officer,
    )
    team = team_create(round_=round_, number=1, user=officer)
    with django_capture_on_commit_callbacks(execute=True):
        team_add_member(team=team, cadre=cadre_user.cadre, role="member", user=officer)
    [notice] = Notification.objects.filter(recipient=sysadmin)
    assert "张三" in notice.title and "激活码" in notice.title
    client.force_login(sysadmin)
    assert client.get(notice.url).status_code == 200
    assert "zhangsan" in client.get(notice.url).content.decode()

    client.force_login(officer)
    page = client.get(team.get_absolute_url()).content.decode()
    assert "尚未激活，不能登录" in page

    with django_capture_on_commit_callbacks(execute=True):
        issue(client, sysadmin, cadre_user)
    notice.refresh_from_db()
    assert notice.resolved_at is not None
    assert Round.objects.filter(pk=round_.pk).exists()


def test_the_code_sets_the_persons_own_password_once(sysadmin, cadre_user, client):
    code = issue(client, sysadmin, cadre_user)
    stored = Activation.objects.get(user=cadre_user)
    assert activation.normalise(code) not in stored.code_hash and len(stored.code_hash) == 64
    assert AuditEntry.objects.filter(action="user.activation_issue").exists()
    assert code not in str(AuditEntry.objects.values_list("data", flat=True)[::1])

    client.logout()
    form = client.get(reverse("accounts:activate") + f"?code={code}")
    assert form.status_code == 200 and code in form.content.decode()
    data = {
        "code": code,
        "username": "zhangsan",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    response = client.post(reverse("accounts:activate"), data)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert signs_in(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="user.activate").exists()

    # Used once: the same code again changes nothing.
    again = client.post(
        reverse("accounts:activate"),
        {**data, "password1": "Other-pass-2026!", "password2": "Other-pass-2026!"},
    )
    assert "激活码无效、已使用或已过期" in again.content.decode()
    assert signs_in(NEW_PASSWORD)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"username": "lisi"}, "激活码无效"),
        ({"code": "AAAA-BBBB-CCCC"}, "激活码无效"),
        ({"password1": "123", "password2": "123"}, "密码"),
        ({"password2": "Different-2026!x"}, "两次输入的密码不一致"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_changes_nothing(
    sysadmin, cadre_user, client, change, message
):
    code = issue(client, sysadmin, cadre_user)
    client.logout()
    data = {
        "code": code,
        "username": "zhangsan",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    response = client.post(reverse("accounts:activate"), {**data, **change})
    assert response.status_code == 200 and message in response.content.decode()
    cadre_user.refresh_from_db()
    assert not cadre_user.has_usable_password()
    assert Activation.objects.get(user=cadre_user).used_at is None


def test_an_expired_or_replaced_code_does_not_work(sysadmin, cadre_user, client, settings):
    settings.ACTIVATION_DAYS = 3
    old = issue(client, sysadmin, cadre_user)
    new = issue(client, sysadmin, cadre_user)
    activation_row = Activation.objects.filter(user=cadre_user, revoked_at=None).get()
    assert activation_row.expires_at.date() == (timezone.now() + datetime.timedelta(days=3)).date()
    client.logout()
    data = {"username": "zhangsan", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert (
        "激活码无效"
        in client.post(reverse("accounts:activate"), {**data, "code": old}).content.decode()
    )
    Activation.objects.filter(pk=activation_row.pk).update(expires_at=timezone.now())
    assert (
        "激活码无效"
        in client.post(reverse("accounts:activate"), {**data, "code": new}).content.decode()
    )
    cadre_user.refresh_from_db()
    assert not cadre_user.has_usable_password()


def test_guessing_codes_is_throttled(sysadmin, cadre_user, client):
    code = issue(client, sysadmin, cadre_user)
    client.logout()
    data = {"username": "zhangsan", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for _ in range(activation.ATTEMPTS_PER_WINDOW):
        client.post(reverse("accounts:activate"), {**data, "code": "WRONG-CODE-0000"})
    response = client.post(reverse("accounts:activate"), {**data, "code": code})
    assert "尝试次数过多" in response.content.decode()
    cadre_user.refresh_from_db()
    assert not cadre_user.has_usable_password()


def test_only_the_system_admin_issues_codes(cadre_user, client):
    for role in (Role.OFFICE, Role.SECURITY_OFFICER, Role.TEAM_MEMBER):
        client.force_login(make_user(role, username=f"u-{role.value}"))
        assert client.get(reverse("accounts:activation_list")).status_code == 404
        assert (
            client.post(reverse("accounts:activation_issue", args=[cadre_user.pk])).status_code
            == 404
        )
    assert not Activation.objects.exists()


def test_the_system_admin_has_it_on_the_to_do_list(sysadmin, cadre_user, client):
    from xuncha.core.todo import todo_for

    [task] = [t for t in todo_for(sysadmin) if t.title == "待签发激活码的账号"]
    assert task.count >= 1
    issue(client, sysadmin, cadre_user)
    [task_after] = [t for t in todo_for(sysadmin) if t.title == "待签发激活码的账号"]
    assert task_after.count == task.count - 1
