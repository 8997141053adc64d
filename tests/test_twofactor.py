"""Two-factor sign-in: a password alone reaches nothing; enrolment with a QR
code and the secret in text; the code step with lock-out and audit; recovery
codes; and the two-person reset of a lost authenticator."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, make_user
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.notifications.models import Notification
from xuncha.twofactor import services
from xuncha.twofactor.models import SecondFactorReset

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
VERIFY_URL = reverse("twofactor:verify")
ENROL_URL = reverse("twofactor:enrol")
DEMO_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 500000) % 1000000:06d}"


def password_login(client, user):
    response = client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def enrolled(user) -> TOTPDevice:
    services.demo_device_set(user=user, key_hex=DEMO_KEY)
    return TOTPDevice.objects.get(user=user)


def allow_next_code(device: TOTPDevice) -> None:
    """A code is good once, and a failure makes the device wait a second or more;
    tests that sign in twice in one 30-second step need the next one accepted."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )


def actions(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


# --- a password alone reaches nothing ---------------------------------------------------


def test_password_alone_never_reaches_case_data(client, settings, tmp_path):
    from tests.test_clues_pages import PERSON, build_world, draft

    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    clue = draft(world)
    enrolled(world.officer)
    client.post(LOGIN_URL, {"username": world.officer.username, "password": PASSWORD})
    assert "_auth_user_id" in client.session  # the password was right

    for path in (f"/clues/{clue.pk}/", "/rounds/problems/", "/clues/", "/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY_URL)
    response = client.get(f"/clues/{clue.pk}/", follow=True)
    assert PERSON not in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(VERIFY_URL)
    # Writes are refused the same way, and change nothing.
    response = client.post(f"/clues/{clue.pk}/edit/", {"person_name": "改名"})
    assert response.status_code == 302 and response["Location"] == VERIFY_URL


def test_htmx_requests_are_sent_to_the_code_step_as_a_whole_page(client):
    user = make_user(Role.OFFICE)
    enrolled(user)
    password_login(client, user)
    response = client.get("/notifications/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(VERIFY_URL)


def test_an_unverified_session_still_reaches_logout_language_health_and_survey(client):
    user = make_user(Role.OFFICE)
    enrolled(user)
    password_login(client, user)
    assert client.get("/healthz").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    # The public survey needs no sign-in: an unknown token is its own 404, not a redirect.
    assert client.get("/rectification/survey/no-such-token/").status_code == 404
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_force_login_in_tests_is_a_finished_two_factor_sign_in(client):
    user = make_user(Role.OFFICE)
    client.force_login(user)
    assert client.get("/").status_code == 200
    from django.test import Client

    other = Client()
    other.force_login_password_only(user)
    assert other.get("/").status_code == 302


# --- enrolment ------------------------------------------------------------------------


def test_a_user_without_an_authenticator_must_enrol_first(client):
    user = make_user(Role.OFFICE)
    password_login(client, user)
    response = client.get("/rounds/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"].startswith(ENROL_URL)

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "绑定身份验证器" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    from base64 import b32encode

    assert " ".join(re.findall(".{1,4}", b32encode(device.bin_key).decode())) in html
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    # Reloading keeps the same secret, so a half-scanned code stays good.
    client.get(ENROL_URL)
    assert TOTPDevice.objects.filter(user=user).count() == 1
    qr = client.get(reverse("twofactor:enrol_qr"))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert b"<svg" in qr.content


def test_enrolment_refuses_a_wrong_code_in_chinese_and_confirms_nothing(client):
    user = make_user(Role.OFFICE)
    password_login(client, user)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(ENROL_URL, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    response = client.post(ENROL_URL, {"code": "abc"})
    assert "6 位数字" in response.content.decode()
    assert client.get("/rounds/").status_code == 302


def test_enrolment_confirms_with_the_first_code_shows_ten_recovery_codes_once(client):
    user = make_user(Role.OFFICE)
    password_login(client, user)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(ENROL_URL, {"code": current_code(device), "next": "/rounds/"})
    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert actions("otp.enrol") == 1
    # The session is verified: the pages open.
    assert client.get("/").status_code == 200
    # And the enrolment page is closed to a user who has an authenticator.
    assert client.get(ENROL_URL).status_code == 302
    assert client.get(reverse("twofactor:enrol_qr")).status_code == 404


# --- the code step ----------------------------------------------------------------------


def test_a_right_code_finishes_the_sign_in_and_goes_where_asked(client):
    user = make_user(Role.OFFICE)
    device = enrolled(user)
    password_login(client, user)
    response = client.get("/rounds/")
    assert response["Location"] == f"{VERIFY_URL}?next=%2Frounds%2F"
    page = client.get(response["Location"])
    assert "输入验证码" in page.content.decode()
    response = client.post(VERIFY_URL, {"code": current_code(device), "next": "/rounds/"})
    assert response.status_code == 302 and response["Location"] == "/rounds/"
    assert client.get("/rounds/").status_code == 200
    assert actions("otp.verify") == 1


def test_the_code_step_never_redirects_off_site(client):
    user = make_user(Role.OFFICE)
    device = enrolled(user)
    password_login(client, user)
    response = client.post(
        VERIFY_URL, {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


def test_a_code_is_good_only_once(client, django_user_model):
    user = make_user(Role.OFFICE)
    device = enrolled(user)
    code = current_code(device)
    password_login(client, user)
    assert client.post(VERIFY_URL, {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_login(client, user)
    response = client.post(VERIFY_URL, {"code": code})
    assert response.status_code == 200
    assert "验证码不正确或已使用过" in response.content.decode()


def test_wrong_codes_are_audited_and_lock_the_account_like_wrong_passwords(client):
    user = make_user(Role.OFFICE)
    device = enrolled(user)
    password_login(client, user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(VERIFY_URL, {"code": wrong_code(device)})
        assert response.status_code == 200
        assert (
            "验证码不正确" in response.content.decode()
            or "尝试过于频繁" in response.content.decode()
        )
    response = client.post(VERIFY_URL, {"code": wrong_code(device)})
    assert response.status_code in (403, 429)
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert actions("otp.failure") == settings.AXES_FAILURE_LIMIT
    # Locked: not even the right password, nor then the right code, gets in.
    response = client.post(LOGIN_URL, {"username": user.username, "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_signing_in_again_with_the_password_does_not_wipe_the_code_failures(client):
    user = make_user(Role.OFFICE)
    device = enrolled(user)
    password_login(client, user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(VERIFY_URL, {"code": wrong_code(device)})
    client.post(reverse("accounts:logout"))
    password_login(client, user)
    response = client.post(VERIFY_URL, {"code": wrong_code(device)})
    assert response.status_code in (403, 429)


def test_a_right_code_clears_the_failures(client):
    from axes.models import AccessAttempt

    user = make_user(Role.OFFICE)
    device = enrolled(user)
    password_login(client, user)
    for _ in range(2):
        client.post(VERIFY_URL, {"code": wrong_code(device)})
    assert AccessAttempt.objects.filter(username=user.username).exists()
    allow_next_code(device)
    assert client.post(VERIFY_URL, {"code": current_code(device)}).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_a_password_reset_never_removes_the_authenticator(client):
    user = make_user(Role.OFFICE)
    enrolled(user)
    user.set_password("Another-pass-2026")
    user.save()
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    client.post(LOGIN_URL, {"username": user.username, "password": "Another-pass-2026"})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY_URL)
    assert client.get(response["Location"]).status_code == 200  # the code step, not enrolment


# --- recovery codes ---------------------------------------------------------------------


def test_a_recovery_code_signs_in_once_and_says_how_many_are_left(client):
    user = make_user(Role.OFFICE)
    enrolled(user)
    codes = services.recovery_codes_regenerate(user=user)
    password_login(client, user)
    response = client.post(VERIFY_URL, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "还剩 9 个" in response.content.decode()
    assert actions("otp.verify") == 1
    client.post(reverse("accounts:logout"))
    password_login(client, user)
    response = client.post(VERIFY_URL, {"code": codes[0]})
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()


def test_regenerating_recovery_codes_invalidates_the_old_ones(client):
    user = make_user(Role.OFFICE)
    enrolled(user)
    old = services.recovery_codes_regenerate(user=user)
    client.force_login(user)
    page = client.get(reverse("twofactor:recovery"))
    assert "还有 10 个未使用的恢复码" in page.content.decode()
    response = client.post(reverse("twofactor:recovery"))
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert actions("otp.recovery_codes") == 2
    client.post(reverse("accounts:logout"))
    password_login(client, user)
    assert client.post(VERIFY_URL, {"code": old[1]}).status_code == 200
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)  # no 1-s wait
    assert client.post(VERIFY_URL, {"code": new[1]}).status_code == 302


# --- resetting a lost authenticator: two people ------------------------------------------


@pytest.fixture
def admins():
    return make_user(Role.SYSADMIN), make_user(Role.SECURITY_OFFICER)


def test_reset_needs_the_sysadmin_request_and_the_security_officer_approval(client, admins):
    sysadmin, secadmin = admins
    person = make_user(Role.OFFICE)
    enrolled(person)
    services.recovery_codes_regenerate(user=person)
    client.force_login(sysadmin)
    response = client.post(
        reverse("twofactor:reset_request"), {"username": person.username, "reason": "手机丢失"}
    )
    assert response.status_code == 302
    reset = SecondFactorReset.objects.get()
    assert reset.requested_by == sysadmin and reset.is_open
    # Asked, not done: the devices are still there.
    assert TOTPDevice.objects.filter(user=person).exists()
    assert Notification.objects.filter(recipient=secadmin).count() == 1
    # The requester cannot approve.
    assert client.post(reverse("twofactor:reset_approve", args=[reset.pk])).status_code == 302
    assert SecondFactorReset.objects.get().is_open

    client.force_login(secadmin)
    page = client.get(reverse("twofactor:reset_list"))
    assert "手机丢失" in page.content.decode()
    client.post(reverse("twofactor:reset_approve", args=[reset.pk]))
    reset.refresh_from_db()
    assert reset.approved_by == secadmin and reset.approved_at is not None
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticDevice.objects.filter(user=person).exists()
    assert Notification.objects.filter(recipient=person, title="您的双因素登录已重置").exists()
    assert actions("otp.reset_request") == 1 and actions("otp.reset_approve") == 1
    # The person enrols again at the next sign-in.
    client.post(reverse("accounts:logout"))
    password_login(client, person)
    response = client.get(client.get("/")["Location"])
    assert response["Location"].startswith(ENROL_URL)


def test_an_approved_reset_ends_the_persons_verified_sessions(client, admins):
    sysadmin, secadmin = admins
    person = make_user(Role.OFFICE)
    client.force_login(person)
    assert client.get("/").status_code == 200
    reset = services.second_factor_reset_request(user=person, actor=sysadmin, reason="换手机")
    services.second_factor_reset_approve(reset=reset, actor=secadmin)
    assert client.get("/").status_code == 302


def test_a_declined_reset_removes_nothing(admins):
    sysadmin, secadmin = admins
    person = make_user(Role.OFFICE)
    enrolled(person)
    reset = services.second_factor_reset_request(user=person, actor=sysadmin, reason="换手机")
    services.second_factor_reset_decline(reset=reset, actor=secadmin)
    assert TOTPDevice.objects.filter(user=person).exists()
    assert actions("otp.reset_decline") == 1
    with pytest.raises(ValidationError, match="已处理"):
        services.second_factor_reset_approve(reset=reset, actor=secadmin)


def test_reset_rules_say_why_and_change_nothing(admins):
    sysadmin, secadmin = admins
    person = make_user(Role.OFFICE)
    with pytest.raises(ValidationError, match="尚未绑定"):
        services.second_factor_reset_request(user=person, actor=sysadmin, reason="丢失")
    enrolled(person)
    enrolled(secadmin)
    enrolled(sysadmin)
    with pytest.raises(PermissionDenied, match="只有系统管理员"):
        services.second_factor_reset_request(user=person, actor=secadmin, reason="丢失")
    with pytest.raises(PermissionDenied, match="自己"):
        services.second_factor_reset_request(user=sysadmin, actor=sysadmin, reason="丢失")
    with pytest.raises(ValidationError, match="原因"):
        services.second_factor_reset_request(user=person, actor=sysadmin, reason="  ")
    reset = services.second_factor_reset_request(user=person, actor=sysadmin, reason="丢失")
    with pytest.raises(ValidationError, match="待审批"):
        services.second_factor_reset_request(user=person, actor=sysadmin, reason="再次")
    with pytest.raises(PermissionDenied, match="只有安全保密管理员"):
        services.second_factor_reset_approve(reset=reset, actor=sysadmin)
    own = services.second_factor_reset_request(user=secadmin, actor=sysadmin, reason="丢失")
    with pytest.raises(PermissionDenied, match="自己账号"):
        services.second_factor_reset_approve(reset=own, actor=secadmin)
    assert TOTPDevice.objects.filter(user__in=[person, secadmin]).count() == 2
    assert SecondFactorReset.objects.filter(approved_at__isnull=False).count() == 0


@pytest.mark.parametrize("role", [Role.OFFICE, Role.AUDITOR, Role.UNIT_CONTACT, Role.LEADERSHIP])
def test_reset_pages_answer_404_to_everyone_else(client, admins, role):
    sysadmin, _ = admins
    person = make_user(Role.TEAM_MEMBER)
    enrolled(person)
    reset = services.second_factor_reset_request(user=person, actor=sysadmin, reason="丢失")
    client.force_login(make_user(role))
    assert client.get(reverse("twofactor:reset_list")).status_code == 404
    assert client.post(reverse("twofactor:reset_approve", args=[reset.pk])).status_code == 404
    assert (
        client.post(
            reverse("twofactor:reset_request"), {"username": "x", "reason": "y"}
        ).status_code
        == 404
    )
    assert SecondFactorReset.objects.get().is_open


def test_reset_request_page_refuses_an_unknown_username_in_chinese(client, admins):
    client.force_login(admins[0])
    response = client.post(
        reverse("twofactor:reset_request"), {"username": "nobody", "reason": "丢失"}, follow=True
    )
    assert "没有这个用户名的账号" in response.content.decode()
    assert not SecondFactorReset.objects.exists()


def test_middleware_leaves_anonymous_requests_to_the_views():
    from django.test import RequestFactory

    from xuncha.twofactor.middleware import SecondFactorRequiredMiddleware

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert (
        SecondFactorRequiredMiddleware(lambda r: None).process_view(request, None, (), {}) is None
    )


# --- demo accounts ----------------------------------------------------------------------


def _seed_second_factor():
    from demo.context import DemoContext
    from demo.users import seed_second_factor

    demo = DemoContext.start()
    seed_second_factor(demo)
    return demo.created["authenticators"]


def test_seeding_gives_every_account_the_published_demo_authenticator_once():
    from base64 import b32decode

    users = [make_user(Role.OFFICE), make_user(Role.AUDITOR)]
    assert _seed_second_factor() == 2
    key = b32decode(settings.DEMO_OTP_SECRET).hex()
    assert set(TOTPDevice.objects.filter(confirmed=True).values_list("user", "key")) == {
        (user.pk, key) for user in users
    }
    assert _seed_second_factor() == 0


def test_seeding_in_production_gives_no_published_secret(settings):
    make_user(Role.OFFICE)
    settings.PRODUCTION = True
    assert _seed_second_factor() == 0
    assert not TOTPDevice.objects.exists()


def test_demo_otp_prints_the_code_that_signs_in(client):
    from io import StringIO

    from django.core.management import call_command

    user = make_user(Role.OFFICE, username="office")
    _seed_second_factor()
    out = StringIO()
    call_command("demo_otp", "office", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    password_login(client, user)
    assert client.post(VERIFY_URL, {"code": code}).status_code == 302
    assert client.get("/").status_code == 200


def test_demo_otp_refuses_in_production_and_for_unknown_accounts(settings):
    from django.core.management import CommandError, call_command

    make_user(Role.OFFICE, username="office")
    _seed_second_factor()
    with pytest.raises(CommandError, match="没有用户名"):
        call_command("demo_otp", "nobody")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command("demo_otp", "office")


def test_recovery_codes_are_stored_hashed():
    user = make_user(Role.OFFICE)
    enrolled(user)
    codes = services.recovery_codes_regenerate(user=user)
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(codes)


def test_devices_have_no_admin_pages_where_a_secret_could_be_read():
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


def test_a_code_typed_with_a_space_is_accepted(client):
    user = make_user(Role.OFFICE)
    password_login(client, user)
    client.get(ENROL_URL)
    code = current_code(TOTPDevice.objects.get(user=user))
    response = client.post(ENROL_URL, {"code": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
