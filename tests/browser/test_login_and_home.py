import base64

import pytest
from django_otp.oath import totp

from tests.browser.conftest import sign_in
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


def log_in(page, live_server, username):
    sign_in(page, live_server.url, username, PASSWORD)


def test_office_logs_in_and_sees_home_page(page, live_server, office_user):
    log_in(page, live_server, "office")
    assert "王巡察，您好" in page.locator("h1").inner_text()
    nav = page.get_by_test_id("main-nav")
    # The office's entries fold into area menus, so the bar fits one line.
    assert nav.get_by_role("link", name="领导驾驶舱").is_visible()
    assert not nav.get_by_role("link", name="组织库").is_visible()
    nav.get_by_role("button", name="基础数据").click()
    assert nav.get_by_role("link", name="组织库").is_visible()
    assert nav.get_by_role("link", name="干部库").is_visible()
    nav_height = nav.bounding_box()["height"]
    assert nav_height < 60, "the menu wrapped onto a second line"
    assert nav.get_by_role("link", name="审计日志").count() == 0
    assert page.get_by_test_id("home-cards").locator(".card").count() >= 3
    # Everything is served from static/: no request failed, nothing was logged.
    assert page.console_errors == []


def test_home_page_fits_a_375px_phone(phone_page, live_server, office_user):
    log_in(phone_page, live_server, "office")
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375
    # The navigation collapses behind the menu button and opens on tap.
    nav_link = phone_page.get_by_test_id("main-nav").get_by_role("link", name="领导驾驶舱")
    assert not nav_link.is_visible()
    phone_page.get_by_role("button", name="菜单").click()
    nav_link.wait_for(state="visible")


def test_wrong_password_is_refused_in_chinese(page, live_server, office_user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in page.get_by_role("alert").inner_text()


def test_new_user_enrols_with_the_secret_shown_and_sees_recovery_codes(
    page, live_server, office_user
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/accounts/2fa/enrol/**")
    qr = page.get_by_test_id("otp-qr")
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    # What a person types into the phone: the secret in text.
    secret = page.get_by_test_id("otp-secret").inner_text().replace(" ", "")
    code = f"{totp(base64.b32decode(secret)):06d}"
    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="完成绑定").click()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "王巡察，您好" in page.locator("h1").inner_text()
    assert page.console_errors == []
