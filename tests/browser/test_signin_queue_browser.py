"""In a rush the sign-in page waits its turn by itself: it shows the place,
counts down, and posts the form again with the ticket (static/js/signin_queue.js)."""

import pytest
from django.core.cache import cache

from xuncha.accounts import hashers
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.accounts.services import ensure_role_groups
from xuncha.orgs.models import Office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-test-2026"


@pytest.fixture
def office_user():
    groups = ensure_role_groups()
    office = Office.objects.create(name="市委巡察办", level=Office.Level.CITY)
    user = User.objects.create_user(
        "office", password=PASSWORD, full_name="王巡察", office=office, is_staff=True
    )
    user.groups.add(groups[Role.OFFICE])
    return user


def test_a_refused_sign_in_waits_its_turn_and_goes_in_by_itself(
    page, live_server, office_user, monkeypatch, settings
):
    settings.PASSWORD_CHECKS_WAITING = 1
    settings.PASSWORD_CHECK_SLOTS = 2
    monkeypatch.setattr(hashers, "_record_check", lambda seconds: None)
    cache.set(hashers._CHECK_SECONDS_KEY, 2.0, 3600)  # one place: a 1 s wait
    monkeypatch.setitem(hashers._waiting, "count", 1)  # the waiting room is full

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    status = page.get_by_role("status")
    status.wait_for()
    assert "第 1 位" in status.inner_text()
    assert page.get_by_label("密码").input_value() == PASSWORD  # kept in the page only

    monkeypatch.setitem(hashers._waiting, "count", 0)  # a seat frees up
    page.wait_for_url(f"{live_server.url}/accounts/2fa/enrol/**", timeout=15_000)
    # Chromium logs the 429 answer itself; nothing else went wrong.
    assert [e for e in page.console_errors if "429" not in e] == []
