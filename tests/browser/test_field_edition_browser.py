"""The field edition in a browser (issue 15): a package exported here is loaded
into a real field edition (manage.py runserver with XUNCHA_ENV=field, on its
own SQLite), and a team member signs in with the field password and
authenticator made for that package (from the exporter's 领取单), then enters a 谈话记录 and a problem at 1,366 px
with every request outside the laptop's own server refused. The return it then
writes carries both back."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from fieldwork import package as sealed
from fieldwork.selectors import get_handout_for_user
from fieldwork.services.export import package_export
from fieldwork.services.handouts import handout_claim
from fieldwork.services.returns import return_analyse
from tests.browser.conftest import current_code
from tests.test_clues_pages import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "现场口令-browser-test-42"


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_XDIST_WORKER")}
    env.update(XUNCHA_ENV="field", XUNCHA_DATA_DIR=str(tmp_path / "laptop"))
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _manage(tmp_path: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def field_server(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIELD_SIGNING_KEY_FILE = tmp_path / "keys" / "office.pem"
    sealed.generate_key_file(settings.FIELD_SIGNING_KEY_FILE)
    # The laptop runs with the production hashers: the field hash is made with PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    w = build_world()
    blob, package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    sheet = get_handout_for_user(w.officer, package.package_id)
    given = {c.username: c for c in handout_claim(sheet=sheet, user=w.officer)}[w.member.username]
    # The member's phone, set up from the 领取单 (the key never stays at the office).
    device = TOTPDevice(user=w.member, key=given.totp_key)
    files = {"pkg": tmp_path / "pkg.xcfield", "pass": tmp_path / "pass.txt"}
    files["pkg"].write_bytes(blob)
    files["pass"].write_text(PASSPHRASE)
    office_pub = sealed.public_key_path(settings.FIELD_SIGNING_KEY_FILE)
    _manage(tmp_path, "field_load", "--package", str(files["pkg"]),
            "--passphrase-file", str(files["pass"]), "--office-key", str(office_pub))  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 (our own server)
                break
            except OSError:
                time.sleep(0.5)
        yield url, w, device, files, given.password
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_member_signs_in_offline_and_enters_an_interview_and_a_problem(
    browser, field_server, tmp_path
):
    url, w, device, files, password = field_server
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    outside, errors = [], []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    def only_the_laptop(route):
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_laptop)

    page.goto(f"{url}/accounts/login/")
    page.get_by_label("用户名").fill(w.member.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{url}/accounts/2fa/**")
    page.get_by_label("验证码").fill(current_code(device))
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_url(f"{url}/fieldwork/teams/{w.target.team.pk}/")
    assert page.get_by_test_id("field-banner").is_visible()

    page.get_by_role("link", name="新建谈话记录").click()
    page.get_by_label("巡察对象").select_option(index=1)
    page.get_by_label("谈话对象").fill("赵某")
    page.get_by_label("职务").fill("办公室主任")
    page.get_by_label("谈话人").fill("甲组员")
    page.get_by_label("谈话要点").fill("反映公务接待超标准。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{url}/fieldwork/records/interview/**")
    assert "反映公务接待超标准。" in page.get_by_test_id("record-fields").inner_text()

    page.goto(f"{url}/rounds/targets/{w.target.pk}/")
    page.get_by_role("link", name="录入问题").click()
    page.get_by_label("问题类别").select_option(index=2)
    page.get_by_label("问题描述").fill("公务接待超标准，未附清单。")
    page.get_by_label("问题来源").select_option("interview")
    page.get_by_label("严重程度").select_option("minor")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{url}/rounds/problems/**")
    assert "公务接待超标准，未附清单。" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366

    # Everything came from the laptop's own server, and nothing failed.
    assert outside == [] and errors == []
    # Nothing but the team's pages: the office's answer 404 on the laptop.
    assert page.goto(f"{url}/dashboard/").status == 404
    assert page.goto(f"{url}/rectification/").status == 404
    assert page.goto(f"{url}/orgs/").status == 404
    context.close()

    _manage(tmp_path, "field_return", "--package", str(files["pkg"]),
            "--passphrase-file", str(files["pass"]), "--out", str(tmp_path / "ret.xcfield"))  # fmt: skip
    plan, *_ = return_analyse(
        team=w.target.team,
        data=(tmp_path / "ret.xcfield").read_bytes(),
        passphrase=PASSPHRASE,
        user=w.officer,
    )
    assert sorted(c.kind for c in plan.new) == ["interview", "problem"]
