"""Headless Chromium from Debian's package, driven by Playwright.

Playwright's own browser download is never used: intranet machines and CI
have none, so the executable is /usr/bin/chromium (or $CHROMIUM_PATH).
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail("没有找到 Chromium：请安装 Debian 的 chromium 包或设置 CHROMIUM_PATH。")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the Django test
    # database calls made by fixtures are still plain synchronous calls. Set
    # only while browser tests run, so no other test inherits it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    console_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.console_errors = console_errors
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    page = context.new_page()
    yield page
    context.close()


def current_code(device) -> str:
    """The code the person's phone shows now, computed from the device's key."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def authenticator_for(username: str):
    """The account's confirmed authenticator, made as if enrolled when it has none.
    Its last-used step is cleared so a second sign-in within 30 s is accepted."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from xuncha.accounts.models import User

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    return device


def sign_in(page, live_server_url: str, username: str, password: str) -> None:
    """Sign in through the real pages, the way a person does: the password form,
    then the code step, and land on home. Every browser test signs in here."""
    device = authenticator_for(username)
    page.goto(f"{live_server_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server_url}/accounts/2fa/**")
    page.get_by_label("验证码").fill(current_code(device))
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url(f"{live_server_url}/")
