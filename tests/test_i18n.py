"""The English interface: choosing it, what it shows, and a complete catalog.

The source strings are Simplified Chinese and zh-hans needs no catalog; English
comes from locale/en/LC_MESSAGES/django.po (compiled to django.mo).
"""

import datetime
import gettext
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from crosscheck.models import Hit
from crosscheck.workflow import HIT
from portal.navigation import nav_for
from rectification.workflow import PLAN
from rounds.models import Round
from rounds.services import round_create
from rounds.workflow import import_refusal
from tests.factories import make_user
from tests.files import image_bytes
from tests.rounds_factories import round_kind
from xuncha.accounts.roles import Role
from xuncha.core import workflow
from xuncha.core.uploads import check_upload

LOGIN_URL = reverse("accounts:login")
PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
CJK = re.compile(r"[\u4e00-\u9fff]")
FIX_HINT = (
    "Run `make messages`, translate every new or changed entry in "
    "locale/en/LC_MESSAGES/django.po (no empty msgstr, no '#, fuzzy'), "
    "then compile it again (`make messages` or `manage.py compilemessages -l en`)."
)


# --- choosing English ---------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_in_english_after_choosing_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN_URL})
    assert response.status_code == 302

    html = client.get(LOGIN_URL).content.decode()

    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Username" in html and "Password" in html
    assert "Inspection Work Management System" in html
    assert "登录" not in html


@pytest.mark.django_db
def test_login_page_in_english_from_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(LOGIN_URL).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_english_is_chosen(client):
    """Chinese first: only the language switch (its cookie) turns the UI English."""
    html = client.get(LOGIN_URL, headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="zh-hans">' in html and "登录" in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(LOGIN_URL, headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="en">' in html and "Log in" in html


@pytest.mark.django_db
def test_default_is_chinese(client):
    response = client.get(LOGIN_URL, headers={"accept-language": "zh-CN,zh;q=0.9"})
    html = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "用户名" in html
    assert "Log in" not in html


@pytest.mark.django_db
def test_english_login_error_message(client):
    user = make_user(Role.OFFICE)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(LOGIN_URL, {"username": user.username, "password": "wrong"})
    assert "Incorrect username or password." in response.content.decode()


# --- a logged-in user's pages ---------------------------------------------------------


def nav_labels(html: str) -> list[str]:
    nav = html.split('data-testid="main-nav"', 1)[1].split("<!-- /main-nav -->", 1)[0]
    links = re.findall(r"<a [^>]*>(.*?)</a>", nav, flags=re.S)
    return [re.sub(r"<[^>]+>", "", link).strip() for link in links]


@pytest.mark.django_db
def test_office_home_page_in_english_shows_translated_navigation(client):
    user = make_user(Role.OFFICE)
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.get(reverse("core:home"))
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="en">' in html
    labels = nav_labels(html)
    with translation.override("en"):
        expected = [str(item["label"]) for item in nav_for(user, "/")]
    assert labels == expected
    assert {"Home", "Inspection rounds", "Problem clues", "Leadership dashboard"} <= set(labels)
    untranslated = [label for label in labels if CJK.search(label)]
    assert not untranslated, f"untranslated navigation labels: {untranslated}"
    assert "Log out" in html


@pytest.mark.django_db
def test_office_home_page_in_chinese_by_default(client):
    user = make_user(Role.OFFICE)
    client.force_login(user)

    labels = nav_labels(client.get(reverse("core:home")).content.decode())

    assert "首页" in labels and "巡察轮次" in labels
    assert "Home" not in labels


# --- errors raised by the services ------------------------------------------------


def _round_fields(office_user) -> dict:
    return {
        "office": office_user.office,
        "term": 13,
        "number": 4,
        "year": 2026,
        "kinds": [round_kind("regular")],
        "planned_start": datetime.date(2026, 3, 1),
        "planned_end": datetime.date(2026, 5, 1),
        "user": office_user,
    }


def _post_the_same_round_again(client):
    return client.post(
        reverse("rounds:round_create"),
        {
            "term": 13,
            "number": 4,
            "year": 2026,
            "kinds": [round_kind("regular").pk],
            "planned_start": "2026-03-01",
            "planned_end": "2026-05-01",
        },
    )


@pytest.mark.django_db
def test_an_english_user_gets_the_services_refusal_in_english(client):
    office_user = make_user(Role.OFFICE)
    first = round_create(**_round_fields(office_user))
    client.force_login(office_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    body = _post_the_same_round_again(client).content.decode()

    assert (
        f"“{first.name}” already exists. Please check the term and round number "
        "rather than creating it again."
    ) in body
    assert "已经存在" not in body
    assert Round.objects.count() == 1


@pytest.mark.django_db
def test_a_chinese_user_gets_the_same_refusal_unchanged(client):
    office_user = make_user(Role.OFFICE)
    first = round_create(**_round_fields(office_user))
    client.force_login(office_user)

    body = _post_the_same_round_again(client).content.decode()

    assert f"「{first.name}」已经存在，请核对届次和轮次，不要重复新建。" in body
    assert "already exists" not in body
    assert Round.objects.count() == 1


def test_a_refusal_is_translated_when_raised_not_when_imported():
    """Module-level words (a file kind's name) follow the language of the moment."""
    png = SimpleUploadedFile("photo.pdf", image_bytes("PNG"))
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_upload(png)
    assert refused.value.messages == [
        "The file “photo.pdf” has an extension that does not match its content: "
        "the content is PNG image."
    ]
    png.seek(0)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        check_upload(png)
    assert refused.value.messages == ["文件「photo.pdf」的扩展名与内容不符：内容是PNG 图片。"]


@pytest.mark.django_db
def test_a_rule_tables_refusal_follows_the_language():
    """The rule tables' words (rounds.workflow) are translated when a refusal is made."""
    office_user = make_user(Role.OFFICE)
    round_ = round_create(**_round_fields(office_user))
    with translation.override("en"):
        english = import_refusal(round_)
    with translation.override("zh-hans"):
        chinese = import_refusal(round_)
    assert english == (
        f"{round_.name} is in the “Planned” stage and not archived yet. An import cannot "
        "change a round in progress; please do the work in the system. Its history can "
        "be imported once the round is archived."
    )
    assert chinese == (
        f"{round_.name}处于“计划”阶段，尚未归档，"
        "导入不能改变进行中的轮次，请在系统中办理；轮次归档后才能导入其历史数据。"
    )


def test_a_workflow_refusal_is_composed_in_the_users_language():
    """xuncha.core.workflow builds a refusal from the rule's words (the plan's own table)."""
    leader, clerk = SimpleNamespace(pk=1), SimpleNamespace(pk=2)
    organization = SimpleNamespace(leader_user_id=leader.pk)
    plan = SimpleNamespace(
        status="submitted", organization=organization, get_status_display=lambda: "submitted"
    )
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        workflow.check(PLAN, leader, plan, "sign")
    assert refused.value.messages == [
        "The plan is not awaiting signature and cannot be signed. The plan is now “submitted”."
    ]
    with translation.override("en"):
        with pytest.raises(PermissionDenied) as denied:
            workflow.check(PLAN, clerk, plan, "sign")
        # The denial is rendered (the 403 page) while the request's language is active.
        assert str(denied.value) == (
            "The rectification plan must be signed and endorsed by the unit's principal leader."
        )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        workflow.check(PLAN, leader, plan, "sign")
    assert refused.value.messages == ["方案不在待签字状态，不能签字。方案当前为「submitted」。"]


def test_a_crosscheck_refusal_names_the_hit_in_the_users_language():
    """Reviewing a hit already reviewed: the hit table's refusal and its subject
    (pgettext "refusal subject") follow the language, so no Chinese is left in English."""
    member = SimpleNamespace(pk=1)
    hit = Hit(status=Hit.Status.DISMISSED)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        workflow.check(HIT, member, hit, "dismiss")
    assert refused.value.messages == [
        "This hit has already been reviewed. The hit is now “Excluded”."
    ]
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        workflow.check(HIT, member, hit, "dismiss")
    assert refused.value.messages == ["该命中已研判。该命中当前为「已排除」。"]


# --- the catalog ----------------------------------------------------------------------


def _unquote(line: str) -> str:
    body = line[line.index('"') + 1 : line.rindex('"')]
    escapes = {"n": "\n", "t": "\t", "r": "\r"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), body)


def parse_po(path: Path) -> list[dict]:
    """A minimal .po reader for gettext-written files (entries separated by blank lines).

    Each entry is a dict of its flags and its msgctxt, msgid, msgid_plural and
    msgstr / msgstr[N] strings.
    """
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry: dict = {"flags": set()}
        field = None
        for line in block.strip().splitlines():
            line = line.strip()
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue  # comments, references and obsolete (#~) entries
            elif line.startswith('"'):
                entry[field] += _unquote(line)
            else:
                field = line.split(" ", 1)[0]
                entry[field] = _unquote(line)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def msgstrs(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_english_catalog_is_complete():
    """Every string is translated; a new string left untranslated fails here."""
    assert PO_FILE.exists(), f"{PO_FILE} is missing. {FIX_HINT}"
    entries = [e for e in parse_po(PO_FILE) if e["msgid"]]  # the header's msgid is empty
    assert len(entries) > 500, "the catalog looks truncated"

    untranslated = [e["msgid"] for e in entries if not all(msgstrs(e))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]

    assert not untranslated, (
        f"{len(untranslated)} untranslated string(s) in {PO_FILE.name}, "
        f"e.g. {untranslated[:5]}. {FIX_HINT}"
    )
    assert not fuzzy, f"{len(fuzzy)} fuzzy string(s), e.g. {fuzzy[:5]}. {FIX_HINT}"


def test_english_placeholders_match_the_chinese():
    placeholder = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{\w*\}")
    wrong = [
        (e["msgid"], value)
        for e in parse_po(PO_FILE)
        for value in msgstrs(e)
        if e["msgid"]
        and sorted(placeholder.findall(value)) != sorted(placeholder.findall(e["msgid"]))
    ]
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong[:5]}. {FIX_HINT}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_accepts_the_catalog():
    result = subprocess.run(
        ["msgfmt", "--check-format", "--statistics", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = (result.stderr + result.stdout).strip()
    assert result.returncode == 0, report
    assert "untranslated" not in report and "fuzzy" not in report, f"{report} {FIX_HINT}"


def test_compiled_catalog_matches_the_po_file():
    """django.mo is what Django reads: it must hold the .po file's translations."""
    assert MO_FILE.exists(), f"{MO_FILE} is missing. {FIX_HINT}"
    with MO_FILE.open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    stale = []
    for e in parse_po(PO_FILE):
        if not e["msgid"] or "fuzzy" in e["flags"]:
            continue
        if "msgid_plural" in e:
            got = [catalog.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = [e["msgstr[0]"], e["msgstr[1]"]]
        elif "msgctxt" in e:
            got, want = catalog.pgettext(e["msgctxt"], e["msgid"]), e["msgstr"]
        else:
            got, want = catalog.gettext(e["msgid"]), e["msgstr"]
        if got != want:
            stale.append(e["msgid"])
    assert not stale, (
        f"{MO_FILE.name} is out of date with {PO_FILE.name} ({len(stale)} string(s), "
        f"e.g. {stale[:5]}). {FIX_HINT}"
    )
