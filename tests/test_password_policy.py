"""The password rule of the 等保 kind, its settings, and the change-password page."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, make_user
from xuncha.accounts.models import PasswordHistory, User
from xuncha.accounts.roles import Role
from xuncha.accounts.services import password_change

pytestmark = pytest.mark.django_db

GOOD = "Qz7#mountain-river"


def codes(password, user=None) -> set[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


def test_xuncha_test1_is_refused():
    assert "password_contains_common_word" in codes("xuncha-test1", make_user(Role.OFFICE))


def test_a_long_mixed_password_passes():
    assert codes(GOOD, make_user(Role.OFFICE)) == set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short#1a", "password_too_short"),
        ("onlylowercase123", "password_too_few_classes"),
        ("ONLYUPPER-CASE", "password_too_few_classes"),
        ("Admin#Password9", "password_contains_common_word"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, code):
    assert code in codes(password, make_user(Role.OFFICE))


def test_three_of_four_classes_suffice():
    # lower + digits + a symbol (no capitals), and a Chinese character counts as "other".
    assert codes("mountain#river42") == set()
    assert codes("mountainriver42巡") == set()


def test_password_containing_the_username_is_refused():
    user = make_user(Role.OFFICE, username="zhangwei")
    assert "password_contains_username" in codes("Zhangwei#2026x", user)


def test_the_messages_are_chinese():
    with pytest.raises(ValidationError) as error:
        validate_password("onlylowercase123")
    assert "至少 3 类" in " ".join(error.value.messages)


def test_the_last_passwords_cannot_be_used_again():
    user = make_user(Role.OFFICE)
    password_change(user=user, old_password=PASSWORD, new_password=GOOD)
    with pytest.raises(ValidationError, match="最近 5 次"):
        password_change(user=user, old_password=GOOD, new_password=GOOD)
    second = "Rv8%another-valley"
    password_change(user=user, old_password=GOOD, new_password=second)
    with pytest.raises(ValidationError, match="最近 5 次"):
        password_change(user=user, old_password=second, new_password=GOOD)
    user.refresh_from_db()
    assert user.check_password(second)
    assert PasswordHistory.objects.filter(user=user).count() == 2


def test_history_keeps_only_the_configured_number(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "xuncha.accounts.passwords.PasswordHistoryValidator",
            "OPTIONS": {"count": 2},
        }
    ]
    user = make_user(Role.OFFICE)
    old = PASSWORD
    for new in ("Aa1#first-one", "Aa1#second-one", "Aa1#third-one"):
        password_change(user=user, old_password=old, new_password=new)
        old = new
    assert PasswordHistory.objects.filter(user=user).count() == 2
    # The first has left the history of two and may come back.
    password_change(user=user, old_password=old, new_password="Aa1#first-one")


def test_an_expired_password_forces_the_change_page(client, settings):
    settings.PASSWORD_EXPIRY_DAYS = 90
    user = make_user(Role.OFFICE)
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(user)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert 'data-testid="password-change-required"' in page.content.decode()
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD},
    )
    assert client.get(reverse("core:home")).status_code == 200


def test_expiry_zero_means_never(client, settings):
    settings.PASSWORD_EXPIRY_DAYS = 0
    user = make_user(Role.OFFICE)
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=3650)
    )
    client.force_login(user)
    assert client.get(reverse("core:home")).status_code == 200


def test_change_page_refuses_a_weak_new_password_and_says_why(client):
    user = make_user(Role.OFFICE)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "xuncha-test1",
            "new_password2": "xuncha-test1",
        },
    )
    assert response.status_code == 200
    assert "系统名称" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_policy_settings_come_from_the_environment():
    env = {
        **os.environ,
        "XUNCHA_ENV": "test",
        "PASSWORD_MIN_LENGTH": "14",
        "PASSWORD_EXPIRY_DAYS": "0",
        "PASSWORD_HISTORY": "3",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "v = {x['NAME'].rsplit('.', 1)[1]: x.get('OPTIONS') for x in s.AUTH_PASSWORD_VALIDATORS};"
        "print(s.PASSWORD_EXPIRY_DAYS, v['MinimumLengthValidator']['min_length'],"
        " v['PasswordHistoryValidator']['count'])"
    )
    env["DJANGO_SETTINGS_MODULE"] = "xuncha.settings"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["0", "14", "3"], result.stderr
    bad = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[1],
        env={**env, "PASSWORD_MIN_LENGTH": "6"},
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
    assert bad.returncode != 0 and "PASSWORD_MIN_LENGTH" in bad.stderr
