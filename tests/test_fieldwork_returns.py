"""The return import against a crafted package (issue 15 security review): a
package signed with the export's own field key, as a laptop holding that key
could write it, must still not reach beyond what the team may do on site.
Each test fails on the import as first merged."""

import base64
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clues.models import Clue
from fieldwork import package as sealed
from fieldwork.models import Interview, RecordAttachment, ReturnImport
from fieldwork.package import PackageRefused
from fieldwork.selectors import record_attachments
from fieldwork.services.export import collect_team_work, package_export
from fieldwork.services.laptops import laptop_return_record
from fieldwork.services.returns import return_analyse, return_apply
from fieldwork.transfer import content_hash, zip_payload
from rounds.models import Problem, ProblemCategory
from tests.test_clues_pages import build_world
from tests.test_fieldwork import (
    PASSPHRASE,
    _new_interview_entry,
    _open_export,
    interview,
)
from xuncha.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIELD_SIGNING_KEY_FILE = tmp_path / "keys" / "office.pem"
    sealed.generate_key_file(settings.FIELD_SIGNING_KEY_FILE)
    return build_world()


class Rollback(Exception):
    pass


def _laptop_work(team) -> tuple[dict, dict]:
    """The team's work as a laptop loaded from the latest export holds it."""
    work, files = collect_team_work(team, with_clues=True)
    for key in ("records", "problems", "worklogs", "clues"):
        for entry in work[key]:
            entry["base_hash"] = entry["hash"]
    return work, files


def _seal(blob: bytes, settings, team, work: dict, files: dict, scrypt=None) -> bytes:
    header, data, _archive = _open_export(blob, settings)
    if scrypt:  # as a laptop running altered code would write it
        settings_scrypt, sealed.SCRYPT = sealed.SCRYPT, scrypt
        try:
            return _seal_opened(header, data, team, work, files)
        finally:
            sealed.SCRYPT = settings_scrypt
    return _seal_opened(header, data, team, work, files)


def _seal_opened(header, data, team, work, files) -> bytes:
    return sealed.seal(
        header={"kind": "return", "package_id": header["package_id"], "team_id": team.pk},
        payload=zip_payload({"kind": "return"}, work, files),
        passphrase=PASSPHRASE,
        signing_key=sealed.raw_private_key(base64.b64decode(data["field_private_key"])),
    )


def _apply(team, ret, user, resolutions=None):
    return return_apply(
        team=team, data=ret, passphrase=PASSPHRASE, resolutions=resolutions or {}, user=user
    )


def _rehash(entry: dict) -> dict:
    entry["hash"] = content_hash(entry["content"])
    return entry


def _problem(w, **changes) -> Problem:
    from rounds.services.problems import problem_create

    return problem_create(
        target=w.target,
        category=ProblemCategory.objects.filter(parent__isnull=False).first(),
        description=changes.pop("description", "平台上的问题。"),
        source="interview",
        severity="minor",
        user=w.member,
        **changes,
    )


def _written() -> tuple:
    return (
        Interview.objects.count(),
        Problem.objects.count(),
        Clue.objects.count(),
        RecordAttachment.objects.count(),
        ReturnImport.objects.count(),
    )


# --- 1. mass assignment: nothing beyond the whitelisted content ---------------------


@pytest.mark.parametrize("key", ["id", "team_id", "created_by_id", "uuid"])
def test_a_record_with_a_key_outside_its_content_refuses_the_package(w, settings, key):
    team = w.target.team
    victim = interview(w, person_name="受害记录")  # the key would aim at it
    other = Interview.objects.create(
        team=w.other_target.team,
        target=w.other_target,
        person_name="另一组的谈话",
        held_on=timezone.localdate(),
        interviewers="乙组",
        summary="另一组的要点。",
        created_by=w.other_member,
        updated_by=w.other_member,
    )
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _laptop_work(team)
    entry = _new_interview_entry(w, w.member)
    entry["content"][key] = {
        "id": other.pk,
        "team_id": w.other_target.team.pk,
        "created_by_id": w.officer.pk,
        "uuid": str(victim.uuid),
    }[key]
    work["records"].append(_rehash(entry))
    ret = _seal(blob, settings, team, work, files)
    before = _written()
    with pytest.raises(PackageRefused, match=f"不允许的字段（{key}）"):
        _apply(team, ret, w.officer)
    assert _written() == before
    other.refresh_from_db()
    assert (other.team, other.person_name) == (w.other_target.team, "另一组的谈话")


def test_a_clue_sent_as_approved_is_refused_and_none_skips_its_signatures(w, settings):
    team = w.target.team
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _clue_and_log_work(w, team)
    clue = work["clues"][0]
    clue["content"].update(status="approved", approved_by_id=w.officer.pk)
    _rehash(clue)
    ret = _seal(blob, settings, team, work, files)
    before = _written()
    with pytest.raises(PackageRefused, match="不允许的字段（approved_by_id、status）"):
        _apply(team, ret, w.officer)
    assert _written() == before


def test_a_work_log_with_a_foreign_key_is_refused(w, settings):
    team = w.target.team
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _clue_and_log_work(w, team)
    log = work["worklogs"][0]
    log["content"]["team_id"] = w.other_target.team.pk
    _rehash(log)
    ret = _seal(blob, settings, team, work, files)
    with pytest.raises(PackageRefused, match="工作日报含有不允许的字段（team_id）"):
        _apply(team, ret, w.officer)
    assert not w.other_target.team.logs.exists() and not team.logs.exists()


# --- 2. problems go no further than the team takes them ----------------------------


def test_a_new_problem_sent_as_fed_back_is_refused(w, settings):
    team = w.target.team
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    with transaction.atomic():
        _problem(w, description="伪造为已反馈的问题。")
        work, files = _laptop_work(team)
        transaction.set_rollback(True)
    entry = next(e for e in work["problems"] if e["base_hash"] == e["hash"])
    entry["base_hash"] = None
    entry["content"]["status"] = Problem.Status.FED_BACK
    _rehash(entry)
    ret = _seal(blob, settings, team, work, files)
    before = _written()
    with pytest.raises(PackageRefused, match="超出了巡察组在现场能办理到的环节"):
        _apply(team, ret, w.officer)
    assert _written() == before


def test_a_problem_the_office_is_reviewing_is_not_rewritten_from_the_laptop(w, settings):
    team = w.target.team
    problem = _problem(w)
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _laptop_work(team)
    entry = work["problems"][0]
    entry["content"]["description"] = "现场改写的问题。"
    _rehash(entry)
    ret = _seal(blob, settings, team, work, files)
    Problem.objects.filter(pk=problem.pk).update(status=Problem.Status.OFFICE_REVIEW)
    plan, *_ = return_analyse(team=team, data=ret, passphrase=PASSPHRASE, user=w.officer)
    assert [c.uuid for c in plan.conflicts] == [entry["uuid"]] and not plan.changed
    with pytest.raises(PackageRefused, match="不能采用现场版本"):
        _apply(team, ret, w.officer, {entry["uuid"]: "field"})
    problem.refresh_from_db()
    assert problem.description == "平台上的问题。" and not ReturnImport.objects.exists()


# --- 3. hashes are recomputed; the base is the platform's ---------------------------


def test_an_entry_whose_hash_is_not_its_contents_is_refused(w, settings):
    team = w.target.team
    record = interview(w)
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _laptop_work(team)
    work["records"][0]["content"]["summary"] = "改了内容却留着旧校验值。"
    ret = _seal(blob, settings, team, work, files)
    with pytest.raises(PackageRefused, match="校验值与其内容不符"):
        _apply(team, ret, w.officer)
    record.refresh_from_db()
    assert record.summary == "谈了班子运行情况。"


def test_a_new_entry_claiming_an_unchanged_base_still_needs_a_team_author(w, settings):
    team = w.target.team
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _laptop_work(team)
    entry = _new_interview_entry(w, w.other_member)
    entry["base_hash"] = entry["hash"]
    work["records"].append(entry)
    ret = _seal(blob, settings, team, work, files)
    with pytest.raises(PackageRefused, match="非本组成员"):
        _apply(team, ret, w.officer)
    assert not Interview.objects.exists()


def test_an_office_correction_is_not_overwritten_by_a_claimed_base(w, settings):
    from fieldwork.services.records import record_update

    team = w.target.team
    record = interview(w)
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    record_update(record=record, user=w.leader, summary="巡察办更正后的要点。")
    work, files = _laptop_work(team)  # base claimed: the platform's current hash
    entry = work["records"][0]
    entry["content"]["summary"] = "现场的版本。"
    _rehash(entry)
    ret = _seal(blob, settings, team, work, files)
    plan, *_ = return_analyse(team=team, data=ret, passphrase=PASSPHRASE, user=w.officer)
    assert [c.uuid for c in plan.conflicts] == [str(record.uuid)] and not plan.changed


def test_a_return_from_a_superseded_export_is_refused(w, settings):
    team = w.target.team
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _laptop_work(team)
    work["records"].append(_new_interview_entry(w, w.member))
    ret = _seal(blob, settings, team, work, files)
    package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    with pytest.raises(PackageRefused, match="已被后来的导出取代"):
        _apply(team, ret, w.officer)
    assert not Interview.objects.exists()


def test_a_return_after_the_laptop_was_handed_back_is_refused(w, settings):
    team = w.target.team
    blob, package = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _laptop_work(team)
    work["records"].append(_new_interview_entry(w, w.member))
    ret = _seal(blob, settings, team, work, files)
    laptop_return_record(
        team=team,
        laptop="BJB-07",
        returned_on=timezone.localdate(),
        package_sha256=package.sha256,
        user=w.officer,
    )
    with pytest.raises(PackageRefused, match="已登记交回并清理"):
        _apply(team, ret, w.officer)
    assert not Interview.objects.exists()


# --- 4. attachments are uploads like any other ---------------------------------------


def _with_attachment(w, settings, *, data: bytes, name: str, record_uuid: str):
    team = w.target.team
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _laptop_work(team)
    entry = _new_interview_entry(w, w.member)
    work["records"].append(entry)
    attachment_uuid = "5b1c9c1e-0000-4000-8000-000000000001"
    work["attachments"].append(
        {
            "uuid": attachment_uuid,
            "record_kind": "interview",
            "record_uuid": record_uuid or entry["uuid"],
            "original_name": name,
            "content_type": "application/pdf",
            "size": 1,
            "sha256": sealed.sha256_hex(data),
            "uploaded_by": w.member.username,
            "uploaded_at": timezone.now().isoformat(),
        }
    )
    files[attachment_uuid] = data
    return team, _seal(blob, settings, team, work, files)


def test_a_returned_attachment_that_is_a_page_in_disguise_is_refused(w, settings):
    team, ret = _with_attachment(
        w, settings, data=b"%PDF-1.4\n<script>alert(1)</script>", name="scan.pdf", record_uuid=""
    )
    before = _written()
    with pytest.raises(PackageRefused, match="附件被拒绝"):
        _apply(team, ret, w.officer)
    assert _written() == before


def test_a_returned_attachment_must_belong_to_the_teams_records(w, settings):
    stranger = Interview.objects.create(
        team=w.other_target.team,
        target=w.other_target,
        person_name="另一组的谈话",
        held_on=timezone.localdate(),
        interviewers="乙组",
        summary="另一组。",
        created_by=w.other_member,
        updated_by=w.other_member,
    )
    png = _png()
    team, ret = _with_attachment(
        w, settings, data=png, name="photo.png", record_uuid=str(stranger.uuid)
    )
    with pytest.raises(PackageRefused, match="不属于本组的任何记录"):
        _apply(team, ret, w.officer)
    assert not record_attachments(stranger).exists() and not RecordAttachment.objects.exists()


def test_a_returned_attachment_takes_its_type_and_size_from_its_content(w, settings):
    png = _png()
    team, ret = _with_attachment(w, settings, data=png, name="photo.png", record_uuid="")
    _apply(team, ret, w.officer)
    attachment = RecordAttachment.objects.get()
    assert attachment.content_type == "image/png" and attachment.team == team
    assert attachment.size == attachment.file.size  # not the package's "1"


def test_a_records_attachments_are_its_teams_only(w):
    record = interview(w)
    RecordAttachment.objects.create(
        team=w.other_target.team,
        record_kind="interview",
        record_uuid=record.uuid,
        file="fieldwork/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by=w.other_member,
    )
    assert not record_attachments(record).exists()


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


# --- 5. one audit entry per object ----------------------------------------------------


def test_each_imported_object_has_its_own_audit_entry(w, settings):
    team = w.target.team
    record = interview(w)
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _clue_and_log_work(w, team)
    edited = next(e for e in work["records"] if e["uuid"] == str(record.uuid))
    edited["content"]["summary"] = "现场补充。"
    _rehash(edited)
    new = _new_interview_entry(w, w.member)
    work["records"].append(new)
    ret = _seal(blob, settings, team, work, files)
    _apply(team, ret, w.officer)
    entries = {
        e.data["uuid"]: e for e in AuditEntry.objects.filter(action="fieldwork.return_object")
    }
    assert entries[str(record.uuid)].data["verdict"] == "changed"
    assert entries[str(record.uuid)].data["changed"] == ["summary"]
    assert entries[new["uuid"]].data["verdict"] == "new"
    assert {e.data["kind"] for e in entries.values()} == {"interview", "clue", "worklog"}


# --- 6. the key derivation's work factors are the platform's ----------------------------


def test_a_header_asking_for_other_scrypt_factors_is_refused(w, settings):
    team = w.target.team
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _laptop_work(team)
    work["records"].append(_new_interview_entry(w, w.member))
    ret = _seal(blob, settings, team, work, files, scrypt={"n": 2**14, "r": 8, "p": 1})
    with pytest.raises(PackageRefused, match="加密参数与本系统的不符"):
        _apply(team, ret, w.officer)
    assert not Interview.objects.exists()


# --- 7. the return plan page shows clue drafts and work logs ---------------------------


def _clue_and_log_work(w, team) -> tuple[dict, dict]:
    """A return holding a clue draft and a work log made on the laptop (made
    here and rolled back, so the platform has neither)."""
    from clues.services.handover import clue_create
    from rounds.services.worklogs import worklog_file

    try:
        with transaction.atomic():
            clue_create(
                target=w.target,
                user=w.member,
                person_name="钱某",
                person_position="后勤处处长",
                person_rank="section",
                person_is_top_leader=False,
                discipline="integrity",
                source="petition",
                confidentiality="secret",
                summary="反映其在食堂采购中收受回扣。",
                department=w.department,
                urgent=False,
            )
            worklog_file(
                team=team,
                date=timezone.localdate() - datetime.timedelta(days=1),
                figures={"interviews": 2},
                narrative="现场报送的日报。",
                user=w.leader,
            )
            work, files = collect_team_work(team, with_clues=True)
            raise Rollback
    except Rollback:
        pass
    base = {e["uuid"] for e in collect_team_work(team)[0]["records"]}
    for entry in work["records"]:
        entry["base_hash"] = entry["hash"] if entry["uuid"] in base else None
    return work, files


def test_the_return_plan_page_lists_clue_drafts_and_work_logs(client, w, settings):
    team = w.target.team
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _clue_and_log_work(w, team)
    ret = _seal(blob, settings, team, work, files)
    client.force_login(w.officer)
    url = reverse("fieldwork:return_import", args=[team.pk])
    response = client.post(
        url, {"step": "analyse", "passphrase": PASSPHRASE, "package": SimpleUploadedFile("r", ret)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "问题线索草稿" in html and "工作日报" in html and "钱某" in html
    response = client.post(
        url,
        {"step": "apply", "passphrase": PASSPHRASE, "sha256": response.context["plan"].sha256},
        follow=True,
    )
    assert "回传包已导入" in response.content.decode()
    clue = Clue.objects.get(person_name="钱某")
    assert (clue.status, clue.team, clue.approved_by) == (Clue.Status.DRAFT, team, None)
    assert team.logs.get().narrative == "现场报送的日报。"


# --- 8. what credentials leave the office -------------------------------------------------


def test_the_export_carries_no_recovery_codes_and_names_whose_credentials_left(w, settings):
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = StaticDevice.objects.create(user=w.member, name="恢复码")
    StaticToken.objects.create(device=device, token="abcd1234")
    blob, _package = package_export(team=w.target.team, passphrase=PASSPHRASE, user=w.officer)
    _header, data, _archive = _open_export(blob, settings)
    assert not [o for o in data["objects"] if o["model"] == "otp_static.statictoken"]
    assert "abcd1234" not in str(data)
    entry = AuditEntry.objects.get(action="fieldwork.package_export")
    assert sorted(entry.data["credentials"]) == sorted([w.leader.username, w.member.username])


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ("missing_field", "缺少字段（summary）"),
        ("target_list", "本组巡察对象之外"),
        ("target_other", "本组巡察对象之外"),
        ("author_list", "录入人无法识别"),
        ("bad_time", "无法识别的时间"),
    ],
)
def test_a_malformed_entry_is_refused_naming_why(w, settings, spoil, reason):
    team = w.target.team
    blob, _ = package_export(team=team, passphrase=PASSPHRASE, user=w.officer)
    work, files = _laptop_work(team)
    entry = _new_interview_entry(w, w.member)
    if spoil == "missing_field":
        del entry["content"]["summary"]
    elif spoil == "target_list":
        entry["content"]["target"] = [w.target.pk]
    elif spoil == "target_other":
        entry["content"]["target"] = w.other_target.pk
    elif spoil == "author_list":
        entry["created_by"] = [w.member.username]
    elif spoil == "bad_time":
        entry["created_at"] = "昨天"
    work["records"].append(_rehash(entry))
    ret = _seal(blob, settings, team, work, files)
    before = _written()
    with pytest.raises(PackageRefused, match=reason):
        _apply(team, ret, w.officer)
    assert _written() == before
