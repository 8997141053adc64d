"""三员分立 in the admin: nobody chooses another person's password, the system
admin issues one-time temporary passwords, the security officer grants roles
within the written matrix, and each act is audited and announced."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, make_user
from tests.test_twofactor import current_code, enrolled
from xuncha.accounts.models import User
from xuncha.accounts.roles import ADMIN_ROLES, ROLE_GRANTERS, Role
from xuncha.accounts.services import user_reset_password, user_set_roles
from xuncha.audit.models import AuditEntry
from xuncha.notifications.models import Notification

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qz7#mountain-river"


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


def reset_url(user):
    return reverse("admin:accounts_user_reset_password", args=[user.pk])


# --- nobody sets another person's password ------------------------------------------


@pytest.mark.parametrize("actor_role", [Role.SECURITY_OFFICER, Role.SYSADMIN], ids=str)
@pytest.mark.parametrize(
    "target_role",
    [Role.AUDITOR, Role.SYSADMIN, Role.SECURITY_OFFICER, Role.OFFICE, Role.TEAM_MEMBER],
    ids=str,
)
def test_admin_password_form_is_refused_for_every_account(client, actor_role, target_role):
    client.force_login(make_user(actor_role))
    target = make_user(target_role, username=f"target-{target_role}")
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    assert client.get(password_url(target)).status_code == 403
    assert client.post(password_url(target), data).status_code == 403
    target.refresh_from_db()
    assert not target.check_password(NEW_PASSWORD)
    assert target.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(object_id=str(target.pk)).exists()


def test_admin_change_form_has_no_password_hash_field_and_links_the_reset(client):
    client.force_login(make_user(Role.SYSADMIN))
    office = make_user(Role.OFFICE)
    response = client.get(reverse("admin:accounts_user_change", args=[office.pk]))
    assert "password" not in response.context["adminform"].form.fields
    assert reset_url(office) in response.content.decode()


# --- temporary passwords ----------------------------------------------------------------


def test_sysadmin_reset_shows_a_temporary_password_once_audits_and_notifies(client):
    sysadmin = make_user(Role.SYSADMIN)
    security_officer = make_user(Role.SECURITY_OFFICER)
    office = make_user(Role.OFFICE)
    client.force_login(sysadmin)

    confirm = client.get(reset_url(office))
    assert confirm.status_code == 200
    assert office.check_password(PASSWORD)  # a GET changes nothing

    response = client.post(reset_url(office))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    temporary = response.context["temporary_password"]
    assert temporary in response.content.decode()
    office.refresh_from_db()
    assert office.check_password(temporary)
    assert not office.check_password(PASSWORD)
    assert office.must_change_password
    entry = AuditEntry.objects.get(action="user.password_reset")
    assert (entry.actor, entry.object_id) == (sysadmin, str(office.pk))
    assert temporary not in str(entry.data)
    assert Notification.objects.filter(recipient=office, title__contains="密码已被重置").exists()
    assert Notification.objects.filter(
        recipient=security_officer, title__contains=str(office)
    ).exists()


@pytest.mark.parametrize("role", [Role.SECURITY_OFFICER, Role.OFFICE], ids=str)
def test_only_the_system_admin_resets_passwords(client, role):
    client.force_login(make_user(role))
    target = make_user(Role.TEAM_MEMBER)
    assert client.post(reset_url(target)).status_code == 403
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and not target.must_change_password


@pytest.mark.parametrize("role", sorted(ADMIN_ROLES), ids=str)
def test_system_admin_cannot_reset_an_admin_duty_account(role):
    sysadmin = make_user(Role.SYSADMIN, username="sysadmin-actor")
    other = make_user(role)
    with pytest.raises(PermissionDenied, match="三员账号不能由系统管理员重置"):
        user_reset_password(user=other, actor=sysadmin)
    other.refresh_from_db()
    assert other.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="user.password_reset").exists()


def test_reset_of_a_missing_account_is_404(client):
    client.force_login(make_user(Role.SYSADMIN))
    assert (
        client.post(reverse("admin:accounts_user_reset_password", args=[99999])).status_code == 404
    )


def test_temporary_password_must_be_changed_before_anything_else(client):
    sysadmin = make_user(Role.SYSADMIN)
    member = make_user(Role.TEAM_MEMBER)
    temporary = user_reset_password(user=member, actor=sysadmin)

    device = enrolled(member)  # the second factor survives the reset; it comes first
    response = client.post(
        reverse("accounts:login"), {"username": member.username, "password": temporary}
    )
    assert response.status_code == 302
    response = client.post(reverse("twofactor:verify"), {"code": current_code(device)})
    assert response.status_code == 302
    home = client.get(reverse("core:home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200
    assert "临时密码" in page.content.decode()

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)
    assert not member.must_change_password
    assert client.get(reverse("core:home")).status_code == 200  # still signed in
    entry = AuditEntry.objects.get(action="user.password_change")
    assert entry.actor == member and NEW_PASSWORD not in str(entry.data)


def test_change_password_page_refuses_a_wrong_old_password_and_changes_nothing(client):
    user = make_user(Role.OFFICE)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode() or "原密码" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="user.password_change").exists()


def test_user_menu_links_the_change_password_page(client):
    client.force_login(make_user(Role.LEADERSHIP))
    html = client.get(reverse("core:home")).content.decode()
    assert reverse("accounts:password_change") in html


def test_admin_site_password_change_goes_to_the_one_change_password_page(client):
    client.force_login(make_user(Role.SYSADMIN))
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")


# --- disabling accounts -------------------------------------------------------------------


def test_sysadmin_disables_an_account_with_the_admin_action_and_it_is_audited(client):
    sysadmin = make_user(Role.SYSADMIN)
    office, officer = make_user(Role.OFFICE), make_user(Role.SECURITY_OFFICER)
    client.force_login(sysadmin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "disable_accounts", "_selected_action": [office.pk, officer.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "三员账号不能由系统管理员重置或停用" in response.content.decode()
    assert not User.objects.get(pk=office.pk).is_active
    assert User.objects.get(pk=officer.pk).is_active
    entry = AuditEntry.objects.get(action="user.disable")
    assert (entry.actor, entry.object_id) == (sysadmin, str(office.pk))


def test_security_officer_has_no_account_actions(client):
    client.force_login(make_user(Role.SECURITY_OFFICER))
    office = make_user(Role.OFFICE)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "disable_accounts", "_selected_action": [office.pk]},
    )
    assert User.objects.get(pk=office.pk).is_active


# --- the role-grant matrix -----------------------------------------------------------------


def test_the_grant_matrix_as_written():
    case_roles = set(Role) - ADMIN_ROLES
    assert ROLE_GRANTERS[Role.SECURITY_OFFICER] == case_roles | {Role.SYSADMIN, Role.AUDITOR}
    assert ROLE_GRANTERS[Role.SYSADMIN] == {Role.SECURITY_OFFICER}
    assert ROLE_GRANTERS[Role.AUDITOR] == frozenset()
    # No admin duty is granted by its own peers.
    for duty in ADMIN_ROLES:
        assert duty not in ROLE_GRANTERS[duty]


@pytest.mark.parametrize("actor_role", sorted(Role), ids=str)
@pytest.mark.parametrize("granted", sorted(Role), ids=str)
def test_each_role_grants_exactly_what_the_matrix_says(actor_role, granted):
    actor = make_user(actor_role, username="actor")
    target = UserFactory(username="target")
    allowed = granted in ROLE_GRANTERS.get(actor_role, frozenset())
    if allowed:
        user_set_roles(user=target, roles=[granted], actor=actor)
        assert User.objects.get(pk=target.pk).roles == frozenset({granted})
    else:
        with pytest.raises(PermissionDenied):
            user_set_roles(user=target, roles=[granted], actor=actor)
        assert User.objects.get(pk=target.pk).roles == frozenset()


def test_security_officer_cannot_make_or_unmake_a_peer():
    officer = make_user(Role.SECURITY_OFFICER)
    newcomer = UserFactory(username="newcomer")
    with pytest.raises(PermissionDenied, match="只有系统管理员可以授予或撤销"):
        user_set_roles(user=newcomer, roles=[Role.SECURITY_OFFICER], actor=officer)
    peer = make_user(Role.SECURITY_OFFICER, username="peer")
    with pytest.raises(PermissionDenied):
        user_set_roles(user=peer, roles=[], actor=officer)
    assert User.objects.get(pk=peer.pk).roles == frozenset({Role.SECURITY_OFFICER})


def test_security_officer_cannot_turn_the_system_admin_into_office_staff():
    officer = make_user(Role.SECURITY_OFFICER)
    sysadmin = make_user(Role.SYSADMIN)
    with pytest.raises(ValidationError, match="三员账号不能直接改为业务角色"):
        user_set_roles(user=sysadmin, roles=[Role.OFFICE], actor=officer)
    assert User.objects.get(pk=sysadmin.pk).roles == frozenset({Role.SYSADMIN})


def test_sysadmin_grants_the_security_officer_duty_and_the_other_duties_hear_of_it(client):
    sysadmin = make_user(Role.SYSADMIN)
    auditor = make_user(Role.AUDITOR)
    newcomer = UserFactory(username="newcomer")
    client.force_login(sysadmin)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "grant_security_officer", "_selected_action": [newcomer.pk]},
    )
    assert User.objects.get(pk=newcomer.pk).roles == frozenset({Role.SECURITY_OFFICER})
    entry = AuditEntry.objects.get(action="user.roles")
    assert entry.actor == sysadmin and entry.data["after"] == ["security_officer"]
    assert Notification.objects.filter(recipient=auditor, title__contains="三员角色变更").exists()


# --- the handover from the command line ------------------------------------------------------


def test_issue_admin_account_hands_over_the_first_security_officer(capsys):
    from django.core.management import call_command

    call_command("issue_admin_account", "secadmin1", "--role", "security_officer")
    out = capsys.readouterr().out
    user = User.objects.get(username="secadmin1")
    temporary = out.split("一次性临时密码：")[1].split()[0]
    assert user.check_password(temporary) and user.must_change_password
    assert user.roles == frozenset({Role.SECURITY_OFFICER}) and user.is_staff
    assert AuditEntry.objects.filter(action="user.roles", actor=None).exists()

    call_command("issue_admin_account", "secadmin1", "--reset")
    again = capsys.readouterr().out.split("一次性临时密码：")[1].split()[0]
    user.refresh_from_db()
    assert again != temporary and user.check_password(again)


def test_issue_admin_account_refuses_a_case_account():
    from django.core.management import CommandError, call_command

    office = make_user(Role.OFFICE)
    with pytest.raises(CommandError, match="三员账号"):
        call_command("issue_admin_account", office.username, "--reset")
    office.refresh_from_db()
    assert office.check_password(PASSWORD)


def test_sysadmin_reads_but_does_not_edit_their_own_account_in_the_admin(client):
    sysadmin = make_user(Role.SYSADMIN)
    client.force_login(sysadmin)
    change = reverse("admin:accounts_user_change", args=[sysadmin.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change, {"username": "renamed", "is_active": ""}).status_code == 403
    sysadmin.refresh_from_db()
    assert sysadmin.username != "renamed" and sysadmin.is_active


def test_a_reset_ends_the_persons_open_sessions(client):
    member = make_user(Role.TEAM_MEMBER)
    client.force_login(member)
    assert client.get(reverse("core:home")).status_code == 200
    user_reset_password(user=member, actor=make_user(Role.SYSADMIN))
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
