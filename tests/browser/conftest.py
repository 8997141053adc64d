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


def sign_in(page, live_server_url: str, username: str, password: str) -> None:
    """Sign in through the login form, the way a person does, and land on home.

    Every browser test signs in through here, so a later step of the sign-in
    (a second factor) is added in one place.
    """
    page.goto(f"{live_server_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server_url}/")
