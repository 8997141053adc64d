"""Field packages carry per-package credentials, never the office's (follow-up of
issue 15, a security review): a lost laptop must not hold an office password
hash or a live office authenticator. Each member gets a fresh field password
(only its hash travels) and a fresh authenticator; the exporter gets them
once, on the 领取单; a return never writes an account or a device."""

import io
import json
import textwrap

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fieldwork import package as sealed
from fieldwork.credentials import ALPHABET, FieldCredential, open_credentials
from fieldwork.models import HandoutSheet, ReturnImport
from fieldwork.package import PackageRefused
from fieldwork.selectors import get_handout_for_user
from fieldwork.services.export import package_export
from fieldwork.services.handouts import handout_claim
from fieldwork.services.returns import return_apply
from fieldwork.transfer import zip_payload
from tests.factories import make_user
from tests.test_clues_pages import build_world
from tests.test_fieldwork import (
    PASSPHRASE,
    _field,
    _new_interview_entry,
    _open_export,
    _return_from,
)
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

OFFICE_PASSWORD = "Office-password-2026"


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIELD_SIGNING_KEY_FILE = tmp_path / "keys" / "office.pem"
    sealed.generate_key_file(settings.FIELD_SIGNING_KEY_FILE)
    w = build_world()
    for user in (w.leader, w.member):
        user.set_password(OFFICE_PASSWORD)
        user.save()
    return w


def _office_devices(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="恢复码")
    StaticToken.objects.create(device=recovery, token="abcd1234")
    return device


def _claim(w, package) -> dict[str, FieldCredential]:
    sheet = get_handout_for_user(w.officer, package.package_id)
    return {c.username: c for c in handout_claim(sheet=sheet, user=w.officer)}


def _credentials_state(*users) -> list:
    """What the office holds of these people's sign-in: hashes and every device."""
    return [
        (
            User.objects.get(pk=u.pk).password,
            sorted(TOTPDevice.objects.filter(user=u).values_list("key", "confirmed")),
            sorted(StaticToken.objects.filter(device__user=u).values_list("token", flat=True)),
        )
        for u in users
    ]


def test_the_package_holds_field_credentials_and_nothing_of_the_offices(w, settings):
    office_device = _office_devices(w.member)
    office_hashes = {u.username: User.objects.get(pk=u.pk).password for u in (w.leader, w.member)}
    blob, package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    _header, data, _archive = _open_export(blob, settings)
    text = json.dumps(data, ensure_ascii=False)
    for office_hash in office_hashes.values():
        assert office_hash not in text
    assert office_device.key not in text
    assert "abcd1234" not in text
    assert not [o for o in data["objects"] if o["model"].startswith("otp_static.")]

    given = _claim(w, package)
    assert sorted(given) == sorted(office_hashes)
    users = {
        o["fields"]["username"]: o
        for o in data["objects"]
        if o["model"] == "accounts.user" and o["fields"]["username"] in given
    }
    for name, credential in given.items():
        row = users[name]["fields"]
        assert check_password(credential.password, row["password"])
        assert not check_password(OFFICE_PASSWORD, row["password"])
        assert row["must_change_password"] is False
        parts = credential.password.split("-")
        assert [len(p) for p in parts] == [4, 4, 4, 4]
        assert set("".join(parts)) <= set(ALPHABET)
    devices = [o for o in data["objects"] if o["model"] == "otp_totp.totpdevice"]
    by_user = {o["fields"]["user"]: o["fields"] for o in devices}
    assert len(devices) == 2 and set(by_user) == {w.leader.pk, w.member.pk}
    for user in (w.leader, w.member):
        assert by_user[user.pk]["key"] == given[user.username].totp_key
        assert by_user[user.pk]["confirmed"] is True
    # The office keeps its own, untouched, and no copy of the field ones.
    assert TOTPDevice.objects.get(user=w.member).key == office_device.key
    assert not TOTPDevice.objects.filter(key__in=[c.totp_key for c in given.values()]).exists()
    assert "成员账号仅含为本数据包单独生成的现场密码" in package.manifest["credentials"]


def test_two_exports_give_different_credentials(w, settings):
    first_blob, first = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    one = _claim(w, first)
    second_blob, second = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    two = _claim(w, second)
    for name in one:
        assert one[name].password != two[name].password
        assert one[name].totp_key != two[name].totp_key
    hashes = [
        {
            o["fields"]["username"]: o["fields"]["password"]
            for o in _open_export(blob, settings)[1]["objects"]
            if o["model"] == "accounts.user"
        }
        for blob in (first_blob, second_blob)
    ]
    assert hashes[0][w.member.username] != hashes[1][w.member.username]


def test_the_audit_names_whose_credentials_were_issued_and_holds_no_secret(w):
    _blob, package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    export = AuditEntry.objects.get(action="fieldwork.package_export")
    assert sorted(export.data["credentials"]) == sorted([w.leader.username, w.member.username])
    assert export.data["handout_issued_to"] == w.officer.username
    given = _claim(w, package)
    download = AuditEntry.objects.get(action="fieldwork.handout_download")
    assert sorted(download.data["people"]) == sorted(given)
    everything = json.dumps(list(AuditEntry.objects.values_list("data", flat=True)))
    for credential in given.values():
        for secret in (credential.password, credential.totp_key, credential.totp_secret):
            assert secret not in everything


def test_the_handout_is_stored_sealed_and_a_later_export_discards_an_unclaimed_one(w):
    _blob, first = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    sheet = HandoutSheet.objects.get(package=first)
    stored = bytes(sheet.sealed)
    for credential in open_credentials(str(first.package_id), stored):
        for clear in (credential.username, credential.password, credential.totp_key):
            assert clear.encode() not in stored
    _blob, second = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    assert list(HandoutSheet.objects.values_list("package", flat=True)) == [second.pk]
    entry = AuditEntry.objects.filter(action="fieldwork.package_export").order_by("pk").last()
    assert entry.data["handouts_discarded"] == [str(first.package_id)]


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_handout_is_downloaded_once_and_only_by_the_exporter(client, w):
    _blob, package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    url = reverse("fieldwork:handout_download", args=[package.package_id])
    page = reverse("fieldwork:package_list", args=[w.target.team.pk])
    colleague = make_user(Role.OFFICE, office=w.officer.office, username="colleague")
    for outsider in (colleague, w.leader, w.member, w.leadership, w.other_leader):
        client.force_login(outsider)
        assert client.post(url).status_code == 404, outsider
        if outsider is colleague:
            assert url not in client.get(page).content.decode()
    client.force_login(w.officer)
    assert client.get(url).status_code == 405  # a prefetch cannot use it up
    assert url in client.get(page).content.decode()
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    from archive.package import page_count

    assert page_count(response.content, "application/pdf") == 2  # one sheet a member
    text = _pdf_text(response.content)
    assert "现场账号领取单" in text and w.member.username in text
    assert not HandoutSheet.objects.exists()
    assert client.post(url).status_code == 404
    assert url not in client.get(page).content.decode()


def test_a_failed_rendering_keeps_the_handout(client, w, monkeypatch):
    _blob, package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)

    def broken(**kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr("fieldwork.views.packages.handout_pdf", broken)
    client.raise_request_exception = False
    client.force_login(w.officer)
    url = reverse("fieldwork:handout_download", args=[package.package_id])
    assert client.post(url).status_code == 500
    assert HandoutSheet.objects.filter(package=package).exists()
    assert not AuditEntry.objects.filter(action="fieldwork.handout_download").exists()


def test_a_return_never_touches_office_credentials(w, settings):
    _office_devices(w.member)
    before = _credentials_state(w.leader, w.member)
    team = w.target.team
    blob, _package = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    ret = _return_from(blob, settings, team, extra=[_new_interview_entry(w, w.member)])
    assert return_apply(team=team, data=ret, passphrase=PASSPHRASE, resolutions={}, user=w.officer)
    assert _credentials_state(w.leader, w.member) == before


def test_a_return_carrying_accounts_or_devices_is_refused_with_nothing_written(w, settings):
    """As a laptop running altered code could write it: the package's user rows
    (field hashes) and devices added to the work."""
    import base64

    from fieldwork.services.export import collect_team_work

    _office_devices(w.member)
    before = _credentials_state(w.leader, w.member)
    team = w.target.team
    blob, _package = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    header, data, _archive = _open_export(blob, settings)
    work, files = collect_team_work(team, with_clues=True)
    work["objects"] = [
        o for o in data["objects"] if o["model"] in ("accounts.user", "otp_totp.totpdevice")
    ]
    ret = sealed.seal(
        header={"kind": "return", "package_id": header["package_id"], "team_id": team.pk},
        payload=zip_payload({"kind": "return"}, work, files),
        passphrase=PASSPHRASE,
        signing_key=sealed.raw_private_key(base64.b64decode(data["field_private_key"])),
    )
    with pytest.raises(PackageRefused, match="不允许的内容（objects）"):
        return_apply(team=team, data=ret, passphrase=PASSPHRASE, resolutions={}, user=w.officer)
    assert _credentials_state(w.leader, w.member) == before
    assert not ReturnImport.objects.exists()


SIGN_IN = textwrap.dedent(
    """
    from django.test import Client
    from django.urls import reverse
    from django_otp.oath import totp

    def code(key_hex):
        return f"{{totp(bytes.fromhex(key_hex)):06d}}"

    login, verify = reverse("accounts:login"), reverse("twofactor:verify")
    office = Client()
    r = office.post(login, {{"username": "{username}", "password": "{office_password}"}})
    print("> office-password", r.status_code, "用户名或密码不正确" in r.content.decode())
    field = Client()
    r = field.post(login, {{"username": "{username}", "password": "{field_password}"}})
    print("> field-password", r.status_code)
    print("> before-code", field.get("/fieldwork/teams/{team}/").status_code)
    r = field.post(verify, {{"code": code("{field_key}")}})
    print("> field-code", r.status_code)
    print("> team-page", field.get("/fieldwork/teams/{team}/").status_code)
    # The office authenticator, after the right field password (a session of its own).
    other = Client()
    other.post(login, {{"username": "{username}", "password": "{field_password}"}})
    r = other.post(verify, {{"code": code("{office_key}")}})
    print("> office-code", r.status_code, "验证码不正确" in r.content.decode())
    """
)


def test_the_field_password_and_authenticator_sign_in_on_the_laptop_the_office_ones_do_not(
    w, settings, tmp_path
):
    # The laptop runs with the production hashers: the field hash is made as production makes it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    office_device = _office_devices(w.member)
    blob, package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    given = _claim(w, package)[w.member.username]
    (tmp_path / "pkg.xcfield").write_bytes(blob)
    (tmp_path / "pass.txt").write_text(PASSPHRASE)
    office_pub = sealed.public_key_path(settings.FIELD_SIGNING_KEY_FILE)
    _field(tmp_path, "field_load", "--package", str(tmp_path / "pkg.xcfield"),
           "--passphrase-file", str(tmp_path / "pass.txt"), "--office-key", str(office_pub))  # fmt: skip
    out = _field(
        tmp_path,
        code=SIGN_IN.format(
            username=w.member.username,
            office_password=OFFICE_PASSWORD,
            field_password=given.password,
            office_key=office_device.key,
            field_key=given.totp_key,
            team=w.target.team.pk,
        ),
    )
    # Only the script's own lines (the shell prints its auto-imports first).
    lines = dict(line[2:].split(" ", 1) for line in out.splitlines() if line.startswith("> "))
    assert lines["office-password"] == "200 True"  # the sign-in form again, with its error
    assert lines["field-password"] == "302"
    assert lines["before-code"] == "302"  # signed in by password alone: not yet in
    assert lines["field-code"] == "302"
    assert lines["team-page"] == "200"
    assert lines["office-code"] == "200 True"  # refused: the office authenticator is not there
