"""The on-site records and the field edition (issue 15): records scoped to the
team and office, the daily log's counts from them, the sealed package out,
a round trip through a real field edition (manage.py in a subprocess, on its
own SQLite database), and every refusal of a bad return with nothing written."""

import base64
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse
from django.utils import timezone

from fieldwork import package as sealed
from fieldwork.models import DocumentReview, FieldPackage, Interview, Petition, ReturnImport
from fieldwork.package import PackageRefused
from fieldwork.services.export import collect_team_work, package_export
from fieldwork.services.field import field_load
from fieldwork.services.records import record_create, record_update
from fieldwork.services.returns import return_analyse, return_apply
from fieldwork.transfer import unzip_payload, zip_payload
from rounds.models import Problem
from rounds.worklog_sources import counts_from_records
from tests.test_clues_pages import build_world

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "现场口令-correct-horse-42"


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIELD_SIGNING_KEY_FILE = tmp_path / "keys" / "office.pem"
    sealed.generate_key_file(settings.FIELD_SIGNING_KEY_FILE)
    return build_world()


def interview(w, **changes):
    values = {
        "target": w.target,
        "person_name": "王某",
        "person_position": "局长",
        "held_on": timezone.localdate(),
        "interviewers": "甲组长、甲组员",
        "summary": "谈了班子运行情况。",
        **changes,
    }
    return record_create(kind="interview", team=w.target.team, user=w.member, **values)


def petition(w, **changes):
    values = {
        "target": w.target,
        "received_on": timezone.localdate(),
        "channel": Petition.Channel.LETTER,
        "petitioner": "",
        "content": "反映食堂账目不清。",
        **changes,
    }
    return record_create(kind="petition", team=w.target.team, user=w.member, **values)


def document(w, **changes):
    values = {
        "target": w.target,
        "title": "2024年财务凭证",
        "provider": "财务科",
        "examined_on": timezone.localdate(),
        "copies": 3,
        **changes,
    }
    return record_create(kind="document", team=w.target.team, user=w.member, **values)


# --- records on the platform ---------------------------------------------------------


def test_records_feed_the_daily_logs_counts_and_its_form(client, w):
    interview(w)
    interview(w, person_name="李某")
    petition(w)
    document(w, copies=4)
    team, today = w.target.team, timezone.localdate()
    assert counts_from_records(team, today) == {"interviews": 2, "petitions": 1, "documents": 4}
    client.force_login(w.leader)
    response = client.get(reverse("rounds:worklog_form", args=[team.pk]))
    form = response.context["form"]
    assert (form.initial["interviews"], form.initial["documents"]) == (2, 4)
    assert "worklog-from-records" in response.content.decode()


def test_petition_handling_needs_its_reason_and_changes_nothing_without(w):
    with pytest.raises(Exception, match="理由"):
        petition(w, handling=Petition.Handling.OUTSIDE)
    with pytest.raises(Exception, match="转办单位"):
        petition(w, handling=Petition.Handling.TRANSFER)
    assert not Petition.objects.exists()
    record = petition(w, handling=Petition.Handling.TRANSFER, transfer_to="区信访局")
    assert record.version == 1


def test_an_edit_bumps_the_version_and_names_who(w):
    record = interview(w)
    record = record_update(record=record, user=w.leader, summary="补充了情况。")
    assert (record.version, record.updated_by, record.created_by) == (2, w.leader, w.member)


def test_interviews_are_404_for_everyone_outside_the_team_and_office(client, w):
    record = interview(w)
    url = record.get_absolute_url()
    for user, status in [
        (w.member, 200),
        (w.leader, 200),
        (w.officer, 200),
        (w.other_member, 404),
        (w.leadership, 404),
        (w.contact, 404),
        (w.dept_user, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(w.other_leader)
    list_url = reverse("fieldwork:record_list", args=[w.target.team.pk, "interview"])
    assert client.get(list_url).status_code == 404


def test_the_office_reads_but_does_not_write_records(client, w):
    client.force_login(w.officer)
    url = reverse("fieldwork:record_create", args=[w.target.team.pk, "interview"])
    assert client.get(url).status_code == 403


# --- the package out ---------------------------------------------------------------


def _open_export(blob: bytes, settings) -> tuple[dict, dict, object]:
    office = sealed.load_public_key(sealed.public_key_path(settings.FIELD_SIGNING_KEY_FILE))
    header, payload = sealed.open_package(
        blob, passphrase=PASSPHRASE, verify_key=office, signer_name="巡察办"
    )
    return header, *unzip_payload(payload)[1:]


def test_export_holds_the_team_and_nothing_outside_its_scope(w, settings):
    interview(w)
    record_create(
        kind="interview",
        team=w.other_target.team,
        user=w.other_member,
        target=w.other_target,
        person_name="另一组的谈话对象",
        held_on=timezone.localdate(),
        interviewers="乙组",
        summary="另一组。",
    )
    blob, package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    header, data, _archive = _open_export(blob, settings)
    assert header["team_id"] == w.target.team.pk
    assert package.manifest["records"] == {"interview": 1}
    assert sorted(package.manifest["people"]) == sorted([w.leader.username, w.member.username])
    text = json.dumps(data, ensure_ascii=False)
    assert "另一组的谈话对象" not in text
    assert w.other_member.username not in text and w.officer.username not in text
    assert w.other_target.organization.name not in text
    users = [o for o in data["objects"] if o["model"] == "accounts.user"]
    # The members' field password hashes travel (test_fieldwork_credentials.py).
    assert {u["fields"]["password"][:3] for u in users} != {"!"}
    assert all(not u["fields"]["is_superuser"] for u in users)
    from xuncha.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="fieldwork.package_export").count() == 1


def test_export_is_the_offices_alone(w):
    with pytest.raises(Exception, match="巡察办"):
        package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.leader)
    assert not FieldPackage.objects.exists()


# --- returns made here, for the refusals -------------------------------------------


def _return_from(blob: bytes, settings, team, *, key=None, extra: list | None = None) -> bytes:
    """A return as the laptop writes it: the team's work plus ``extra`` records,
    sealed under the export's field key (or ``key``)."""
    _header, data, _archive = _open_export(blob, settings)
    work, files = collect_team_work(team)
    for entry in work["records"]:
        entry["base_hash"] = entry["hash"]
    work["records"] += extra or []
    field_key = sealed.raw_private_key(base64.b64decode(data["field_private_key"]))
    package_id = _header["package_id"]
    return sealed.seal(
        header={"kind": "return", "package_id": package_id, "team_id": team.pk},
        payload=zip_payload({"kind": "return"}, work, files),
        passphrase=PASSPHRASE,
        signing_key=key or field_key,
    )


def _new_interview_entry(w, user) -> dict:
    from fieldwork.transfer import content_hash

    content = {
        "target": w.target.pk,
        "person_name": "现场新谈话",
        "person_position": "",
        "held_on": timezone.localdate().isoformat(),
        "interviewers": "甲组员",
        "summary": "现场录入。",
    }
    now = timezone.now().isoformat()
    return {
        "uuid": "8a0e2c5e-4e1f-4d8c-9a59-7d1f0f0f0f01",
        "kind": "interview",
        "content": content,
        "hash": content_hash(content),
        "base_hash": None,
        "created_by": user.username,
        "created_at": now,
        "updated_by": user.username,
        "updated_at": now,
        "version": 1,
    }


def _written() -> tuple:
    return (Interview.objects.count(), Problem.objects.count(), ReturnImport.objects.count())


def test_a_good_return_applies_once(w, settings):
    blob, _package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    ret = _return_from(blob, settings, w.target.team, extra=[_new_interview_entry(w, w.member)])
    plan, *_ = return_analyse(team=w.target.team, data=ret, passphrase=PASSPHRASE, user=w.officer)
    assert [c.field_entry["content"]["person_name"] for c in plan.new] == ["现场新谈话"]
    assert return_apply(
        team=w.target.team, data=ret, passphrase=PASSPHRASE, resolutions={}, user=w.officer
    )
    before = _written()
    assert (
        return_apply(
            team=w.target.team, data=ret, passphrase=PASSPHRASE, resolutions={}, user=w.officer
        )
        is None
    )
    assert _written() == before == (1, 0, 1)


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ("flip", "签名不符"),
        ("passphrase", "口令错误"),
        ("other_key", "不是由本组现场数据包的密钥签名"),
        ("other_team", "不是本组的"),
        ("export_as_return", "不是现场回传包"),
        ("outsider", "非本组成员"),
    ],
)
def test_a_spoiled_return_is_refused_naming_why_with_nothing_written(w, settings, spoil, reason):
    team = w.target.team
    blob, _package = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    extra = [_new_interview_entry(w, w.member)]
    ret = _return_from(blob, settings, team, extra=extra)
    passphrase = PASSPHRASE
    if spoil == "flip":
        ret = ret[:-20] + bytes([ret[-20] ^ 0x01]) + ret[-19:]
    elif spoil == "passphrase":
        passphrase = "另一个口令-wrong-passphrase"
    elif spoil == "other_key":
        ret = _return_from(blob, settings, team, key=Ed25519PrivateKey.generate(), extra=extra)
    elif spoil == "other_team":
        other = w.other_target.team
        other_blob, _ = package_export(team=other, passphrase=PASSPHRASE, user=w.officer)
        ret = _return_from(other_blob, settings, other)
    elif spoil == "export_as_return":
        ret = blob
    elif spoil == "outsider":
        extra = [_new_interview_entry(w, w.other_member)]
        ret = _return_from(blob, settings, team, extra=extra)
    before = _written()
    with pytest.raises(PackageRefused, match=reason):
        return_apply(team=team, data=ret, passphrase=passphrase, resolutions={}, user=w.officer)
    assert _written() == before


def test_the_import_page_refuses_in_chinese_and_writes_nothing(client, w, settings):
    team = w.target.team
    blob, _package = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    ret = _return_from(blob, settings, team, extra=[_new_interview_entry(w, w.member)])
    spoiled = ret[:-5] + bytes([ret[-5] ^ 0xFF]) + ret[-4:]
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(w.officer)
    url = reverse("fieldwork:return_import", args=[team.pk])
    response = client.post(
        url,
        {"step": "analyse", "passphrase": PASSPHRASE, "package": SimpleUploadedFile("r", spoiled)},
        follow=True,
    )
    assert "回传包被拒绝：数据包签名不符" in response.content.decode()
    response = client.post(
        url, {"step": "analyse", "passphrase": PASSPHRASE, "package": SimpleUploadedFile("r", ret)}
    )
    assert response.context["plan"].new
    response = client.post(
        url,
        {"step": "apply", "passphrase": PASSPHRASE, "sha256": response.context["plan"].sha256},
        follow=True,
    )
    assert "回传包已导入" in response.content.decode()
    assert Interview.objects.filter(person_name="现场新谈话").count() == 1


def test_the_field_edition_refuses_a_package_signed_by_another_office(w, settings, tmp_path):
    blob, _package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    stranger = sealed.generate_key_file(tmp_path / "stranger.pem")
    settings.FIELD_MODE = True
    before = _written()
    with pytest.raises(PackageRefused, match="不是由巡察办的密钥签名"):
        field_load(data=blob, passphrase=PASSPHRASE, office_key=stranger)
    assert _written() == before


# --- the round trip through a real field edition -----------------------------------


def _field(tmp_path: Path, *args: str, code: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_XDIST_WORKER")}
    env.update(XUNCHA_ENV="field", XUNCHA_DATA_DIR=str(tmp_path / "laptop"))
    command = [sys.executable, "manage.py", *args]
    if code is not None:
        command = [sys.executable, "manage.py", "shell", "-c", code]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


FIELD_WORK = textwrap.dedent(
    """
    import datetime
    from django.test import Client
    from fieldwork.models import DocumentReview, Interview
    from fieldwork.services.records import record_create, record_update
    from rounds.models import ProblemCategory, Target
    from rounds.services.problems import problem_create
    from rounds.services.worklogs import worklog_file
    from xuncha.accounts.models import User

    member = User.objects.get(username="{member}")
    leader = User.objects.get(username="{leader}")
    target = Target.objects.get()
    today = datetime.date.today()
    record_update(record=Interview.objects.get(), user=member, summary="现场补充的谈话要点。")
    record_update(record=DocumentReview.objects.get(), user=member, notes="现场的调阅情况。")
    record_create(kind="interview", team=target.team, user=member, target=target,
                  person_name="现场谈话对象", held_on=today, interviewers="甲组员",
                  summary="现场录入的谈话。")
    problem = problem_create(target=target, category=ProblemCategory.objects.filter(
        parent__isnull=False).first(), description="现场发现：食堂账目不清。",
        source="petition", severity="minor", user=member)
    record_create(kind="petition", team=target.team, user=member, target=target,
                  received_on=today, channel="visit", content="来访反映食堂问题。",
                  handling="problem", problem=problem)
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=member, confirmed=True)  # travelled in the package
    from clues.services.handover import clue_create
    from xuncha.orgs.models import Department

    clue_create(target=target, user=member, problems=[problem], person_name="钱某",
                person_position="后勤处处长", person_rank="section", person_is_top_leader=False,
                discipline="integrity", source="petition", confidentiality="secret",
                summary="反映其在食堂采购中收受回扣。", department=Department.objects.get(code="JW"),
                urgent=False)
    worklog_file(team=target.team, date=today, figures={{"interviews": 2, "petitions": 1}},
                 narrative="现场报送的日报。", user=leader)
    client = Client()
    client.force_login(member)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    print("office-page", client.get("/rounds/").status_code)
    print("dashboard", client.get("/dashboard/").status_code)
    print("records", client.get(f"/fieldwork/teams/{{target.team_id}}/").status_code)
    print("clue-form", client.get(f"/clues/new/?target={{target.pk}}").status_code)
    print("clue-list", client.get("/clues/").status_code)
    """
)


def test_round_trip_through_the_field_edition(w, settings, tmp_path):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=w.member, name="身份验证器", confirmed=True)
    team = w.target.team
    first = interview(w)
    kept = petition(w)
    both = document(w)
    blob, package = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    (tmp_path / "pkg.xcfield").write_bytes(blob)
    (tmp_path / "pass.txt").write_text(PASSPHRASE)
    office_pub = sealed.public_key_path(settings.FIELD_SIGNING_KEY_FILE)
    files = ["--package", str(tmp_path / "pkg.xcfield"), "--passphrase-file", str(tmp_path / "pass.txt")]  # fmt: skip

    out = _field(tmp_path, "field_load", *files, "--office-key", str(office_pub))
    assert package.sha256 in out
    out = _field(
        tmp_path, code=FIELD_WORK.format(member=w.member.username, leader=w.leader.username)
    )
    assert "office-page 404" in out and "dashboard 404" in out and "records 200" in out
    assert "clue-form 200" in out and "clue-list 200" in out
    _field(tmp_path, "field_return", *files, "--out", str(tmp_path / "ret.xcfield"))
    ret = (tmp_path / "ret.xcfield").read_bytes()

    # Meanwhile at the office: one record changed here only, one on both sides.
    record_update(record=kept, user=w.leader, petitioner="张某")
    record_update(record=both, user=w.leader, notes="平台上的调阅情况。")

    plan, *_ = return_analyse(team=team, data=ret, passphrase=PASSPHRASE, user=w.officer)
    assert sorted(c.kind for c in plan.new) == [
        "clue",
        "interview",
        "petition",
        "problem",
        "worklog",
    ]
    assert [c.uuid for c in plan.changed] == [str(first.uuid)]
    assert [c.uuid for c in plan.conflicts] == [str(both.uuid)]
    assert plan.unchanged_count == 1  # the petition changed on the platform only

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="冲突未选择"):
        return_apply(team=team, data=ret, passphrase=PASSPHRASE, resolutions={}, user=w.officer)
    assert Interview.objects.count() == 1
    return_apply(
        team=team,
        data=ret,
        passphrase=PASSPHRASE,
        resolutions={str(both.uuid): "platform"},
        user=w.officer,
    )
    first.refresh_from_db()
    kept.refresh_from_db()
    both.refresh_from_db()
    assert first.summary == "现场补充的谈话要点。"
    assert kept.petitioner == "张某"
    assert both.notes == "平台上的调阅情况。"
    new_petition = Petition.objects.get(content="来访反映食堂问题。")
    assert new_petition.problem.description == "现场发现：食堂账目不清。"
    assert new_petition.problem.team == team and new_petition.created_by == w.member

    # The platform's figures and the team's lists now hold the field work.
    from rounds.selectors import problem_list

    assert problem_list(user=w.member).filter(description__startswith="现场发现").count() == 1
    assert counts_from_records(team, timezone.localdate())["interviews"] == 2
    assert Interview.objects.filter(team=team).count() == 2
    from clues.models import Clue

    clue = Clue.objects.get(person_name="钱某")
    assert (clue.status, clue.team, clue.drafted_by, clue.department) == (
        Clue.Status.DRAFT,
        team,
        w.member,
        w.department,
    )
    assert clue.number.startswith("XC") and list(clue.problems.all()) == [new_petition.problem]
    log = team.logs.get()
    assert (log.narrative, log.interviews, log.filed_by) == ("现场报送的日报。", 2, w.leader)

    # The same package again changes nothing.
    before = (
        _written(),
        Clue.objects.count(),
        Petition.objects.count(),
        DocumentReview.objects.get().notes,
        sorted(Interview.objects.values_list("version", flat=True)),
    )
    plan, *_ = return_analyse(team=team, data=ret, passphrase=PASSPHRASE, user=w.officer)
    assert not plan.new and not plan.changed and not plan.conflicts and not plan.has_work
    assert plan.previous_import is not None
    assert (
        return_apply(team=team, data=ret, passphrase=PASSPHRASE, resolutions={}, user=w.officer)
        is None
    )
    after = (
        _written(),
        Clue.objects.count(),
        Petition.objects.count(),
        DocumentReview.objects.get().notes,
        sorted(Interview.objects.values_list("version", flat=True)),
    )
    assert after == before

    # 清理: the laptop's database, files and packages go; the record names the hash.
    out = _field(
        tmp_path, "field_clear", str(tmp_path / "pkg.xcfield"), str(tmp_path / "ret.xcfield")
    )
    assert package.sha256 in out
    assert not (tmp_path / "laptop").exists()  # database, files, secret key: all of it
    assert not (tmp_path / "pkg.xcfield").exists()


def test_the_field_editions_menu_holds_only_the_laptops_pages(w, settings):
    from fieldwork.middleware import FIELD_VIEWS
    from portal.navigation import NAV_ITEMS, nav_for

    by_url = {reverse(item.url_name): item.url_name for item in NAV_ITEMS}
    on_platform = {by_url[i["url"]] for i in nav_for(w.member, "/") if i["url"] in by_url}
    assert "rounds:round_list" in on_platform
    settings.FIELD_MODE = True
    in_field = {by_url[i["url"]] for i in nav_for(w.member, "/") if i["url"] in by_url}
    assert in_field and in_field <= FIELD_VIEWS
    assert "rounds:round_list" not in in_field and "rounds:weekly_summary_list" not in in_field


def test_the_record_list_reads_in_a_fixed_number_of_queries(
    client, w, django_assert_max_num_queries
):
    for n in range(30):
        interview(w, person_name=f"对象{n}")
    client.force_login(w.member)
    url = reverse("fieldwork:record_list", args=[w.target.team.pk, "interview"])
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.context["page"].paginator.count == 30


def test_the_laptops_return_is_recorded_against_the_team_checking_the_hash(client, w):
    from fieldwork.models import LaptopReturn

    _blob, package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    client.force_login(w.officer)
    url = reverse("fieldwork:laptop_return", args=[w.target.team.pk])
    day = timezone.localdate().isoformat()
    response = client.post(
        url, {"laptop": "BJB-07", "returned_on": day, "package_sha256": "0" * 64}, follow=True
    )
    assert "都不符" in response.content.decode()
    assert not LaptopReturn.objects.exists()
    client.post(url, {"laptop": "BJB-07", "returned_on": day, "package_sha256": package.sha256})
    entry = LaptopReturn.objects.get()
    assert (entry.team, entry.recorded_by, entry.package_sha256) == (
        w.target.team,
        w.officer,
        package.sha256,
    )
    client.force_login(w.leader)
    assert client.post(url, {"laptop": "x", "returned_on": day}).status_code == 404


def test_a_conflict_is_shown_on_the_page_and_applied_only_once_chosen(client, w, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fieldwork.transfer import content_hash

    team = w.target.team
    record = interview(w, summary="出发时的要点。")
    blob, _package = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    _header, data, _archive = _open_export(blob, settings)
    work, files = collect_team_work(team)
    entry = work["records"][0]
    entry["base_hash"] = entry["hash"]
    entry["content"]["summary"] = "现场改过的要点。"
    entry["hash"] = content_hash(entry["content"])
    ret = sealed.seal(
        header={"kind": "return", "package_id": _header["package_id"], "team_id": team.pk},
        payload=zip_payload({"kind": "return"}, work, files),
        passphrase=PASSPHRASE,
        signing_key=sealed.raw_private_key(base64.b64decode(data["field_private_key"])),
    )
    record_update(record=record, user=w.leader, summary="平台上改过的要点。")

    client.force_login(w.officer)
    url = reverse("fieldwork:return_import", args=[team.pk])
    upload = SimpleUploadedFile("ret.xcfield", ret)
    response = client.post(url, {"step": "analyse", "passphrase": PASSPHRASE, "package": upload})
    html = response.content.decode()
    assert 'data-testid="conflict"' in html and "summary" in html
    sha = response.context["plan"].sha256
    response = client.post(
        url, {"step": "apply", "passphrase": PASSPHRASE, "sha256": sha}, follow=True
    )
    assert "1 处冲突未选择处理方式" in response.content.decode()
    record.refresh_from_db()
    assert record.summary == "平台上改过的要点。" and not ReturnImport.objects.exists()
    client.post(
        url,
        {
            "step": "apply",
            "passphrase": PASSPHRASE,
            "sha256": sha,
            f"resolve-{record.uuid}": "field",
        },
    )
    record.refresh_from_db()
    assert record.summary == "现场改过的要点。" and ReturnImport.objects.count() == 1


def test_the_office_finds_the_package_page_from_the_teams_records(client, w):
    url = reverse("fieldwork:team_records", args=[w.target.team.pk])
    packages = reverse("fieldwork:package_list", args=[w.target.team.pk])
    client.force_login(w.officer)
    assert packages in client.get(url).content.decode()
    client.force_login(w.leader)
    assert packages not in client.get(url).content.decode()
