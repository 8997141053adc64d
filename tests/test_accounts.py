"""Logging in, locking out, idle expiry, language, and 三员分立 in granting roles."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory, make_user, role_group
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.accounts.services import user_create, user_set_roles
from xuncha.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")


def post_login(client, username, password):
    return client.post(LOGIN_URL, {"username": username, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- logging in -------------------------------------------------------------------


def test_login_page_is_in_chinese(client):
    response = client.get(LOGIN_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "登录" in html
    assert "用户名" in html and "密码" in html


def test_login_with_the_right_password_goes_home(client):
    user = make_user(Role.OFFICE)
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert is_logged_in(client)


def test_wrong_password_shows_the_chinese_error(client):
    user = make_user(Role.OFFICE)
    response = post_login(client, user.username, "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert not is_logged_in(client)


def test_deactivated_account_cannot_log_in(client):
    user = make_user(Role.OFFICE, is_active=False)
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 200
    assert not is_logged_in(client)


def test_account_is_locked_after_too_many_failures_even_with_the_right_password(client):
    user = make_user(Role.OFFICE)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = post_login(client, user.username, "wrong-password")
        assert response.status_code == 200
    response = post_login(client, user.username, "wrong-password")
    assert response.status_code in (403, 429)

    response = post_login(client, user.username, PASSWORD)

    assert response.status_code in (403, 429)
    assert "账号已暂时锁定" in response.content.decode()
    assert not is_logged_in(client)


def test_lockout_of_one_account_leaves_another_alone(client):
    locked, other = make_user(Role.OFFICE), make_user(Role.LEADERSHIP)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, locked.username, "wrong-password")
    response = post_login(client, other.username, PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)


def test_logout_ends_the_session(client):
    client.force_login(make_user(Role.OFFICE))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert not is_logged_in(client)


# --- idle sessions ----------------------------------------------------------------


def test_a_request_a_minute_after_the_last_pushes_the_idle_expiry_forward(client):
    from xuncha.accounts.sessions import TOUCH_KEY, TOUCH_SECONDS

    client.force_login(make_user(Role.OFFICE))
    session = client.session
    session[TOUCH_KEY] = int(timezone.now().timestamp()) - TOUCH_SECONDS
    session.save()
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    assert client.get(reverse("core:home")).status_code == 200
    expiry = Session.objects.get(session_key=key).expire_date
    remaining = expiry - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)


def test_idle_session_past_its_expiry_is_logged_out(client):
    client.force_login(make_user(Role.OFFICE))
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_session_cookie_is_http_only_and_ends_with_the_browser(client):
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    from xuncha.accounts.sessions import TOUCH_KEY

    client.force_login(make_user(Role.OFFICE))
    session = client.session
    session[TOUCH_KEY] = 0  # due for a touch: this response sets the cookie again
    session.save()
    response = client.get(reverse("core:home"))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert not cookie["max-age"]  # a browser-session cookie; the server enforces idle expiry


# --- language ---------------------------------------------------------------------


def test_language_switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN_URL})
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL

    response = client.get(LOGIN_URL)

    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_default_language_is_simplified_chinese(client):
    response = client.get(LOGIN_URL)
    assert response["Content-Language"] == "zh-hans"


# --- passwords ----------------------------------------------------------------------


def test_password_validators_refuse_a_short_numeric_common_password():
    with pytest.raises(ValidationError) as error:
        validate_password("12345678")
    codes = {e.code for e in error.value.error_list}
    assert {"password_too_short", "password_too_common", "password_entirely_numeric"} <= codes


def test_user_create_issues_a_temporary_password_is_audited_and_has_no_roles():
    sysadmin = make_user(Role.SYSADMIN)
    user, temporary = user_create(username="zhangsan", actor=sysadmin, full_name="张三")
    assert user.check_password(temporary)
    assert user.must_change_password
    assert user.roles == frozenset()
    assert not user.is_staff
    entry = AuditEntry.objects.get(action="user.create")
    assert entry.actor == sysadmin
    assert entry.object_id == str(user.pk)
    assert temporary not in str(entry.data)


# --- 三员分立: granting roles ------------------------------------------------------------


@pytest.fixture
def security_officer():
    return make_user(Role.SECURITY_OFFICER)


@pytest.fixture
def newcomer():
    return UserFactory(username="newcomer")


@pytest.mark.parametrize(
    "actor_role", [Role.SYSADMIN, Role.AUDITOR, Role.OFFICE], ids=lambda r: r.value
)
def test_only_the_security_officer_grants_roles(newcomer, actor_role):
    actor = make_user(actor_role)
    with pytest.raises(PermissionDenied, match="只有安全保密管理员"):
        user_set_roles(user=newcomer, roles=[Role.OFFICE], actor=actor)
    assert newcomer.groups.count() == 0
    assert not AuditEntry.objects.filter(action="user.roles").exists()


def test_security_officer_cannot_grant_roles_to_themself(security_officer):
    with pytest.raises(PermissionDenied, match="不能给自己授予角色"):
        user_set_roles(
            user=security_officer,
            roles=[Role.SECURITY_OFFICER, Role.AUDITOR],
            actor=security_officer,
        )
    assert security_officer.roles == frozenset({Role.SECURITY_OFFICER})


@pytest.mark.parametrize(
    "roles",
    [
        [Role.SYSADMIN, Role.OFFICE],
        [Role.AUDITOR, Role.LEADERSHIP],
        [Role.AUDITOR, Role.DEPARTMENT],
    ],
    ids=["sysadmin+office", "auditor+leadership", "auditor+department"],
)
def test_admin_roles_cannot_be_combined_with_business_roles(security_officer, newcomer, roles):
    with pytest.raises(ValidationError, match="三员账号不能同时担任业务角色"):
        user_set_roles(user=newcomer, roles=roles, actor=security_officer)
    assert newcomer.groups.count() == 0


def test_two_admin_duties_cannot_be_held_by_one_account(security_officer, newcomer):
    with pytest.raises(ValidationError, match="必须由不同账号担任"):
        user_set_roles(user=newcomer, roles=[Role.SYSADMIN, Role.AUDITOR], actor=security_officer)


def test_role_grant_is_audited_and_sets_staff_flag(security_officer, newcomer):
    user_set_roles(user=newcomer, roles=[Role.OFFICE], actor=security_officer)
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.roles == frozenset({Role.OFFICE})
    assert newcomer.is_staff

    user_set_roles(user=newcomer, roles=[Role.TEAM_MEMBER], actor=security_officer)
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.roles == frozenset({Role.TEAM_MEMBER})
    assert not newcomer.is_staff

    first, second = AuditEntry.objects.filter(action="user.roles").order_by("id")
    assert first.actor == security_officer
    assert first.object_id == str(newcomer.pk)
    assert first.data == {"before": [], "after": ["office_staff"]}
    assert second.data == {"before": ["office_staff"], "after": ["team_member"]}


def test_role_change_keeps_non_role_groups(security_officer, newcomer):
    department_group = Group.objects.create(name="dept:TEST")
    newcomer.groups.add(department_group)
    user_set_roles(user=newcomer, roles=[Role.DEPARTMENT], actor=security_officer)
    assert set(newcomer.groups.values_list("name", flat=True)) == {
        "dept:TEST",
        Role.DEPARTMENT.value,
    }


# --- 三员分立 in the admin ------------------------------------------------------------


def change_form_fields(client, user) -> set[str]:
    response = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert response.status_code == 200
    return set(response.context["adminform"].form.fields)


def test_sysadmin_user_form_has_no_roles_groups_or_superuser(client, newcomer):
    client.force_login(make_user(Role.SYSADMIN))
    fields = change_form_fields(client, newcomer)
    assert {"username", "full_name", "office", "organization", "department", "is_active"} <= fields
    assert not fields & {"groups", "user_permissions", "is_superuser", "is_staff", "roles"}


def test_sysadmin_cannot_grant_groups_or_superuser_by_posting_them(client, newcomer):
    sysadmin = make_user(Role.SYSADMIN)
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:accounts_user_change", args=[newcomer.pk]),
        {
            "username": newcomer.username,
            "full_name": "新名字",
            "phone": "",
            "email": "",
            "office": "",
            "organization": "",
            "department": "",
            "is_active": "on",
            "groups": [role_group(Role.OFFICE).pk],
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.full_name == "新名字"
    assert not newcomer.is_superuser
    assert not newcomer.is_staff
    assert newcomer.groups.count() == 0
    entry = AuditEntry.objects.get(action="user.update")
    assert entry.actor == sysadmin
    assert "full_name" in entry.data["changed"]


def test_sysadmin_creates_an_account_in_the_admin_and_it_is_audited(client):
    sysadmin = make_user(Role.SYSADMIN)
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "lisi", "full_name": "李四", "phone": "", "email": ""},
    )
    # The one-time temporary password is shown on this response and nowhere else.
    assert response.status_code == 200
    temporary = response.context["temporary_password"]
    assert temporary in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    user = User.objects.get(username="lisi")
    assert user.check_password(temporary)
    assert user.must_change_password
    assert user.roles == frozenset()
    entry = AuditEntry.objects.get(action="user.create")
    assert entry.actor == sysadmin
    assert entry.object_id == str(user.pk)


def test_security_officer_user_form_has_only_roles(client, security_officer, newcomer):
    client.force_login(security_officer)
    assert change_form_fields(client, newcomer) == {"roles"}


def test_security_officer_grants_a_role_in_the_admin_and_it_is_audited(
    client, security_officer, newcomer
):
    client.force_login(security_officer)
    response = client.post(
        reverse("admin:accounts_user_change", args=[newcomer.pk]),
        {"roles": [Role.OFFICE.value]},
    )
    assert response.status_code == 302
    newcomer = User.objects.get(pk=newcomer.pk)
    assert newcomer.roles == frozenset({Role.OFFICE})
    entry = AuditEntry.objects.get(action="user.roles")
    assert entry.actor == security_officer
    assert entry.data["after"] == ["office_staff"]


def test_security_officer_refused_grant_in_the_admin_says_why_and_changes_nothing(
    client, security_officer, newcomer
):
    client.force_login(security_officer)
    response = client.post(
        reverse("admin:accounts_user_change", args=[newcomer.pk]),
        {"roles": [Role.SYSADMIN.value, Role.OFFICE.value]},
        follow=True,
    )
    html = response.content.decode()
    assert "三员账号不能同时担任业务角色" in html
    assert User.objects.get(pk=newcomer.pk).groups.count() == 0
    assert not AuditEntry.objects.filter(action="user.roles").exists()
    # A refused grant must not also be announced as a success.
    assert "成功" not in html


def test_security_officer_cannot_add_accounts(client, security_officer):
    client.force_login(security_officer)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_nobody_can_delete_accounts_in_the_admin(client, newcomer):
    for role in (Role.SYSADMIN, Role.SECURITY_OFFICER):
        client.force_login(make_user(role))
        response = client.get(reverse("admin:accounts_user_delete", args=[newcomer.pk]))
        assert response.status_code == 403, role


@pytest.mark.django_db
def test_system_admin_cannot_take_over_the_security_officer_or_auditor(client):
    """三员分立: resetting another admin duty's password would hand over its powers."""
    sysadmin = make_user(Role.SYSADMIN)
    client.force_login(sysadmin)
    for role in (Role.SECURITY_OFFICER, Role.AUDITOR):
        other = make_user(role)
        change = reverse("admin:accounts_user_change", args=[other.pk])
        password = reverse("admin:auth_user_password_change", args=[other.pk])
        page = client.get(change)
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert client.post(change, {"username": "taken-over"}).status_code == 403
        response = client.post(
            password, {"password1": "Another-pass-2026", "password2": "Another-pass-2026"}
        )
        assert response.status_code == 403
        other.refresh_from_db()
        assert not other.check_password("Another-pass-2026")
    # Ordinary accounts stay the system admin's to keep.
    unit = make_user(Role.UNIT_CONTACT)
    assert client.get(reverse("admin:accounts_user_change", args=[unit.pk])).status_code == 200
