"""巡察档案: the package of a demo round holds every document of the round
(produced by the documents' own renderers) and every uploaded file, its index
matches the files and their checksums, and no one but the office's clue
officers may download it (404 for everyone else). Building it is a job the
worker runs; requesting, building and downloading are in the audit log.

The demo city is seeded once for the class (as in test_seed_demo), and the
round still in 整改 (the richest: plans, evidence, assessments, clues) is
closed and archived once; each test reads that package."""

import hashlib
import io
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from archive.models import RoundArchive
from archive.package import OFFICE_PART, TEAM_PART
from archive.services import archive_request, archive_run
from checklist.models import ChecklistTick
from clues.models import Clue, ClueFile
from rectification.models import Assessment, Evidence, Item
from rounds.models import ProblemAttachment, Round, Target, TeamReport, WeeklySummary
from tests.factories import OfficeFactory, make_user
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

HANDED_OVER = ("approved", "received", "closed")


@pytest.fixture(scope="class")
def archived(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        round_ = Round.objects.filter(status=Round.Status.RECTIFYING).order_by("pk").first()
        # The demo's round in 整改 cannot close by itself (its items are still
        # open); as a round archived after years it is set to 归档 directly.
        Round.objects.filter(pk=round_.pk).update(status=Round.Status.ARCHIVED)
        round_.refresh_from_db()
        office = User.objects.get(username="office")
        archive, created = archive_request(round_=round_, user=office)
        assert created
        archive = archive_run(archive.pk)
        yield {"round": round_, "archive": archive, "office": office}
        transaction.set_rollback(True)
    settings.MEDIA_ROOT = media


@pytest.fixture
def package(archived, db):
    archive = RoundArchive.objects.get(pk=archived["archive"].pk)
    with archive.file.open("rb") as handle:
        data = handle.read()
    return {**archived, "archive": archive, "zip": zipfile.ZipFile(io.BytesIO(data)), "raw": data}


def titles(package, part):
    return [e["title"] for e in package["archive"].manifest["entries"] if e["part"] == part]


@pytest.mark.usefixtures("archived")
class TestTheArchiveOfADemoRound:
    def test_the_job_finished_and_is_in_the_audit_log(self, package):
        archive = package["archive"]
        assert archive.status == RoundArchive.Status.DONE, archive.message
        assert archive.sha256 == hashlib.sha256(package["raw"]).hexdigest()
        assert AuditEntry.objects.filter(action="archive.request", object_id=str(archive.pk))
        built = AuditEntry.objects.get(action="archive.build", object_id=str(archive.pk))
        assert built.data["sha256"] == archive.sha256

    def test_it_holds_every_document_of_the_round(self, package):
        round_ = package["round"]
        office = titles(package, OFFICE_PART)
        targets = list(Target.objects.filter(round=round_).select_related("organization", "team"))
        assert targets
        expected = []
        for target in targets:
            expected.append(f"关于巡察{target.organization.name}的情况报告")
            expected.append(f"{target.team.name}关于巡察{target.organization.name}的反馈意见")
        for clue in Clue.objects.filter(round=round_, status__in=HANDED_OVER):
            expected.append(f"问题线索审批交接单（{clue.number}）")
        assert Item.objects.filter(round=round_).exists()
        expected.append(f"{round_.name}整改“三单五账”台账")
        for summary in WeeklySummary.objects.filter(round=round_):
            expected.append(f"巡察工作周汇总（{summary.week_start:%Y年%m月%d日}起）")
        for assessment in Assessment.objects.filter(target__round=round_):
            expected.append(f"{assessment.target.organization.name}整改评估")
        expected.append(f"{round_.name}巡察组量化考评表")
        assert sorted(office) == sorted(expected)
        # Every document is a PDF of at least one page.
        for entry in package["archive"].manifest["entries"]:
            if entry["part"] == OFFICE_PART:
                assert package["zip"].read(entry["path"]).startswith(b"%PDF")
                assert entry["pages"] >= 1

    def test_it_holds_every_uploaded_file_as_stored(self, package):
        round_ = package["round"]
        assert TeamReport.objects.filter(target__round=round_).exists()
        stored = [
            *TeamReport.objects.filter(target__round=round_),
            *ProblemAttachment.objects.filter(problem__round=round_),
            *ChecklistTick.objects.filter(target__round=round_).exclude(sha256=""),
            *ClueFile.objects.filter(clue__round=round_),
            *Evidence.objects.filter(item__round=round_),
        ]
        assert stored
        entries = [e for e in package["archive"].manifest["entries"] if e["part"] == TEAM_PART]
        assert sorted(e["sha256"] for e in entries) == sorted(r.sha256 for r in stored)

    def test_the_index_matches_the_files_and_their_checksums(self, package):
        zf, manifest = package["zip"], package["archive"].manifest
        listed = {e["path"]: e for e in manifest["entries"]}
        listed.update({i["path"]: i for i in manifest["indexes"]})
        root = next(iter(listed)).split("/")[0]
        in_zip = set(zf.namelist()) - {f"{root}/manifest.json", f"{root}/SHA256SUMS"}
        assert in_zip == set(listed)
        from pypdf import PdfReader

        for path, entry in listed.items():
            data = zf.read(path)
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], path
            assert len(data) == entry["size"]
            if data.startswith(b"%PDF"):
                assert len(PdfReader(io.BytesIO(data)).pages) == entry["pages"], path
        # SHA256SUMS says the same, in the format sha256sum -c reads.
        sums = zf.read(f"{root}/SHA256SUMS").decode().splitlines()
        assert sorted(sums) == sorted(f"{e['sha256']}  {p}" for p, e in listed.items())
        # Items are numbered 1..n within each part, each with retention and keeper.
        for part in (OFFICE_PART, TEAM_PART):
            numbers = [e["number"] for e in manifest["entries"] if e["part"] == part]
            assert numbers == list(range(1, len(numbers) + 1))
        assert all(e["retention"] and e["keeper"] and e["date"] for e in manifest["entries"])
        office_keeper = {e["keeper"] for e in manifest["entries"] if e["part"] == OFFICE_PART}
        assert office_keeper == {package["round"].office.name}

    def test_only_the_office_may_download_it_and_the_download_is_audited(self, package, client):
        archive = package["archive"]
        office = package["office"]
        url = reverse("archive:download", args=[archive.pk])
        detail = reverse("archive:detail", args=[archive.pk])
        refused = [
            make_user(Role.OFFICE, office=office.office, username="no-clue-office"),
            make_user(Role.OFFICE, office=OfficeFactory(district=True), username="district"),
            make_user(Role.LEADERSHIP, office=office.office, username="arch-lead"),
            make_user(Role.TEAM_LEADER, username="arch-leader"),
            make_user(Role.UNIT_CONTACT, username="arch-unit"),
            make_user(Role.DEPARTMENT, username="arch-dept"),
            make_user(Role.AUDITOR, username="arch-auditor"),
            make_user(Role.SYSADMIN, username="arch-admin"),
        ]
        for user in refused:
            client.force_login(user)
            assert client.get(url).status_code == 404, user.username
            assert client.get(detail).status_code == 404, user.username
        client.force_login(office)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == package["raw"]
        assert AuditEntry.objects.filter(action="archive.download", actor=office).count() == 1
