"""Bench figures for the field edition: exporting one team's package and
importing its return, for a team with 5,000 records and 200 attachments at
city scale (targets: 10 s each).

The data set is its own small round (term 98, theme ``BENCH-单机``) of the
city office, one team of six signed members and one target, holding the
records (谈话记录, 信访件, 调阅资料 in thirds) and the attachments (100 KB of
incompressible bytes each, the size of a scanned page). It needs only the
"orgs" data set; its cadres' codes start ``FIELDBENCH-``, apart from the
city's bench cadres. The import figure imports a return in which every record and
attachment is new (fresh UUIDs: the heaviest case, all of it written), inside
a transaction that is rolled back, and removes the files it stored.
"""

import base64
import datetime
import os
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from bench.citydata import PREFIX, OrgsData
from bench.registry import BenchContext, Measurement, bench_dataset, bench_figure
from fieldwork import package as sealed
from fieldwork.models import DocumentReview, Interview, Petition, RecordAttachment
from fieldwork.services.export import collect_team_work, package_export
from fieldwork.services.returns import return_apply
from fieldwork.transfer import unzip_payload, zip_payload
from rounds.models import Membership, Round, RoundKind, Target, Team
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Cadre, Organization

CITY_RECORDS = 5000
CITY_ATTACHMENTS = 200
ATTACHMENT_BYTES = 100 * 1024
THEME = f"{PREFIX}单机"
PASSPHRASE = "bench-field-passphrase"  # noqa: S105 (a scratch package, rolled back)


@dataclass(frozen=True)
class FieldData:
    office_user: User
    team_id: int
    records: int
    attachments: int


def _team(office_user: User) -> Team:
    office = office_user.office
    today = timezone.localdate()
    round_, created = Round.objects.get_or_create(
        office=office,
        term=98,
        number=1,
        defaults={
            "year": today.year,
            "theme": THEME,
            "planned_start": today - datetime.timedelta(days=10),
            "planned_end": today + datetime.timedelta(days=50),
            "status": Round.Status.ON_SITE,
        },
    )
    if created:
        round_.kinds.set(RoundKind.objects.filter(code="regular"))
    team, _ = Team.objects.get_or_create(round=round_, number=1)
    organization = Organization.objects.filter(code__startswith=PREFIX).order_by("code").first()
    Target.objects.get_or_create(round=round_, organization=organization, defaults={"team": team})
    for n in range(6):
        username = f"bench_field_{n}"
        user, made = User.objects.get_or_create(
            username=username,
            defaults={"full_name": f"单机组员{n}", "password": make_password(None)},
        )
        if made:
            from django.contrib.auth.models import Group

            group, _ = Group.objects.get_or_create(name=Role.TEAM_MEMBER.value)
            user.groups.add(group)
        cadre, _ = Cadre.objects.get_or_create(
            code=f"FIELDBENCH-{n}",
            defaults={
                "name": f"单机组员{n}",
                "organization": organization,
                "rank": "section",
                "user": user,
            },
        )
        Membership.objects.get_or_create(
            team=team,
            cadre=cadre,
            defaults={
                "round": round_,
                "role": Membership.Role.LEADER if n == 0 else Membership.Role.MEMBER,
                "commitments_completed_at": timezone.now(),
            },
        )
    return team


def scanned_page(size: int) -> bytes:
    """A well-formed one-page PDF of about ``size`` bytes whose content stream is
    incompressible, like a scan: returned attachments pass the upload checks
    (xuncha/core/uploads.py), so the figure includes them. The stream holds no
    ``/`` or ``<``, so no chance sequence reads as a PDF name or as markup."""
    body = os.urandom(size).replace(b"/", b"0").replace(b"<", b"1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@bench_dataset("fieldwork", needs=["orgs"])
def build_fieldwork(context: BenchContext) -> FieldData:
    orgs: OrgsData = context.data["orgs"]
    office_user = User.objects.select_related("office").get(pk=orgs.office_user.pk)
    team = _team(office_user)
    target = team.targets.get()
    users = list(User.objects.filter(username__startswith="bench_field_").order_by("username"))
    want, today = context.scale.count(CITY_RECORDS), timezone.localdate()
    per_kind = {"interview": Interview, "petition": Petition, "document": DocumentReview}
    for index, (kind, model) in enumerate(per_kind.items()):
        have = model.objects.filter(team=team).count()
        need = want // 3 + (1 if index < want % 3 else 0) - have
        rows = []
        for n in range(max(0, need)):
            user = users[n % len(users)]
            common = {"team": team, "target": target, "created_by": user, "updated_by": user}
            day = today - datetime.timedelta(days=n % 20)
            if kind == "interview":
                rows.append(
                    model(**common, person_name=f"谈话对象{n}", person_position="科长",
                          held_on=day, interviewers="单机组员", summary="谈话要点。" * 20)
                )  # fmt: skip
            elif kind == "petition":
                rows.append(
                    model(**common, received_on=day, channel="letter",
                          content="反映的问题。" * 20)
                )  # fmt: skip
            else:
                rows.append(
                    model(**common, title=f"资料{n}", provider="财务科", examined_on=day,
                          notes="调阅情况。" * 10)
                )  # fmt: skip
        model.objects.bulk_create(rows, batch_size=1000)
    interviews = list(Interview.objects.filter(team=team).values_list("uuid", flat=True)[:200])
    have = RecordAttachment.objects.filter(team=team).count()
    for n in range(have, context.scale.count(CITY_ATTACHMENTS)):
        attachment = RecordAttachment(
            team=team,
            record_kind="interview",
            record_uuid=interviews[n % len(interviews)],
            original_name=f"笔录{n}.pdf",
            content_type="application/pdf",
            size=ATTACHMENT_BYTES,
            sha256="",
            uploaded_by=users[0],
        )
        data = scanned_page(ATTACHMENT_BYTES)
        attachment.sha256 = sealed.sha256_hex(data)
        attachment.file.save(f"{uuid.uuid4().hex}.pdf", ContentFile(data), save=False)
        attachment.save()
    return FieldData(
        office_user=office_user,
        team_id=team.pk,
        records=sum(m.objects.filter(team=team).count() for m in per_kind.values()),
        attachments=RecordAttachment.objects.filter(team=team).count(),
    )


def _with_key(fn):
    with tempfile.TemporaryDirectory() as folder:
        key = Path(folder) / "office.pem"
        sealed.generate_key_file(key)
        with override_settings(FIELD_SIGNING_KEY_FILE=key):
            return fn(key)


@bench_figure("field.export", names=["field.export.s"], needs=["fieldwork"])
def field_export(context: BenchContext) -> list[Measurement]:
    data: FieldData = context.data["fieldwork"]
    team = Team.objects.select_related("round__office").get(pk=data.team_id)

    def run(_key):
        started = time.perf_counter()
        with transaction.atomic():
            blob, _package = package_export(team=team, passphrase=PASSPHRASE, user=data.office_user)
            transaction.set_rollback(True)
        return time.perf_counter() - started, len(blob)

    seconds, size = _with_key(run)
    context.log(
        f"field export: {data.records} records, {data.attachments} attachments, "
        f"{size / 1e6:.1f} MB in {seconds:.2f} s"
    )
    return [("field.export.s", round(seconds, 3), "s")]


def _all_new_return(blob: bytes, key_path: Path, team: Team) -> bytes:
    office = sealed.load_public_key(sealed.public_key_path(key_path))
    header, payload = sealed.open_package(
        blob, passphrase=PASSPHRASE, verify_key=office, signer_name="巡察办"
    )
    _manifest, data, _archive = unzip_payload(payload)
    work, files = collect_team_work(team)
    fresh = {entry["uuid"]: str(uuid.uuid4()) for entry in work["records"]}
    for entry in work["records"]:
        entry["uuid"], entry["base_hash"] = fresh[entry["uuid"]], None
    renamed = {}
    for entry in work["attachments"]:
        new = str(uuid.uuid4())
        renamed[new] = files[entry["uuid"]]
        entry["uuid"], entry["record_uuid"] = new, fresh[entry["record_uuid"]]
    return sealed.seal(
        header={"kind": "return", "package_id": header["package_id"], "team_id": team.pk},
        payload=zip_payload({"kind": "return"}, work, renamed),
        passphrase=PASSPHRASE,
        signing_key=sealed.raw_private_key(base64.b64decode(data["field_private_key"])),
    )


@bench_figure("field.import", names=["field.import.s"], needs=["fieldwork"])
def field_import(context: BenchContext) -> list[Measurement]:
    data: FieldData = context.data["fieldwork"]
    team = Team.objects.select_related("round__office").get(pk=data.team_id)

    def run(key):
        stored = []
        with transaction.atomic():
            blob, _package = package_export(team=team, passphrase=PASSPHRASE, user=data.office_user)
            ret = _all_new_return(blob, key, team)
            before = set(RecordAttachment.objects.filter(team=team).values_list("pk", flat=True))
            started = time.perf_counter()
            return_apply(
                team=team, data=ret, passphrase=PASSPHRASE, resolutions={}, user=data.office_user
            )
            seconds = time.perf_counter() - started
            stored = [
                a.file.name
                for a in RecordAttachment.objects.filter(team=team).exclude(pk__in=before)
            ]
            transaction.set_rollback(True)
        for name in stored:
            RecordAttachment.file.field.storage.delete(name)
        return seconds, len(ret)

    seconds, size = _with_key(run)
    context.log(
        f"field import: {data.records} new records, {data.attachments} new attachments, "
        f"{size / 1e6:.1f} MB in {seconds:.2f} s"
    )
    return [("field.import.s", round(seconds, 3), "s")]
