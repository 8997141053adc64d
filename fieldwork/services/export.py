"""Field package out: everything one team needs on its laptop for one round,
and nothing outside the team's scope.

It holds the round, the team, its targets (their organizations, with no
parent or leader account), the category tree, the team's members (their
accounts with credentials made for this package alone: the hash of a fresh
field password and a fresh authenticator, see fieldwork/credentials.py;
never the office password's hash, the office authenticator or recovery
codes; no other roles, no office, unit or department beyond the round's
office), the cadres' home organizations by name, and the team's own records,
problems and attachments. The manifest lists what it holds.

The clear field credentials go to the exporter once, as the 领取单
(HandoutSheet, sealed until downloaded). The export runs in the request, not
in the worker, so no job result ever holds them.
"""

import base64
import json
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import serializers
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from django_otp.plugins.otp_totp.models import TOTPDevice

from clues.models import Clue
from fieldwork import credentials as field_credentials
from fieldwork import package as sealed
from fieldwork.credentials import FieldCredential
from fieldwork.models import RECORD_MODELS, FieldPackage, HandoutSheet, RecordAttachment
from fieldwork.transfer import (
    clue_entry,
    ensure_clue_links,
    ensure_problem_links,
    problem_entry,
    record_entry,
    worklog_entry,
    zip_payload,
)
from rounds.access import require_office
from rounds.models import Commitment, Membership, Problem, ProblemCategory, RoundKind, Team
from xuncha.accounts.models import User
from xuncha.audit.services import log_action
from xuncha.orgs.models import Cadre, Department, Organization, Region


def _serialize(queryset) -> list[dict]:
    return json.loads(serializers.serialize("json", queryset))


def _blank(rows: list[dict], **values) -> list[dict]:
    for row in rows:
        row["fields"].update(values)
    return rows


def collect_team_work(team: Team, *, with_clues: bool = False) -> tuple[dict, dict[str, bytes]]:
    """The team's records, problems and attachments as package entries (both sides);
    with_clues (the laptop's return only): the clue drafts made there."""
    records = [r for model in RECORD_MODELS.values() for r in model.objects.filter(team=team)]
    problems = list(Problem.objects.filter(team=team))
    problem_uuids = ensure_problem_links(problems)
    attachments = list(RecordAttachment.objects.filter(team=team))
    logs = list(team.logs.all())
    clues = list(Clue.objects.filter(team=team).prefetch_related("problems")) if with_clues else []
    for clue in clues:
        clue.problem_pks = [p.pk for p in clue.problems.all()]
    author_ids = (
        {r.created_by_id for r in records}
        | {r.updated_by_id for r in records}
        | {p.found_by_id for p in problems}
        | {a.uploaded_by_id for a in attachments}
        | {log.filed_by_id for log in logs}
        | {clue.drafted_by_id for clue in clues}
    )
    usernames = dict(User.objects.filter(pk__in=author_ids).values_list("pk", "username"))
    codes = dict(ProblemCategory.objects.values_list("pk", "code"))
    departments = dict(Department.objects.values_list("pk", "code"))
    clue_uuids = ensure_clue_links(clues)
    files = {}
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            files[str(attachment.uuid)] = handle.read()
    work = {
        "records": [record_entry(r, usernames, problem_uuids) for r in records],
        "problems": [problem_entry(p, problem_uuids[p.pk], usernames, codes) for p in problems],
        "worklogs": [worklog_entry(log, usernames) for log in logs],
        "clues": [
            clue_entry(clue, clue_uuids[clue.pk], usernames, departments, problem_uuids)
            for clue in clues
        ],
        "attachments": [
            {
                "uuid": str(a.uuid),
                "record_kind": a.record_kind,
                "record_uuid": str(a.record_uuid),
                "original_name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "sha256": a.sha256,
                "uploaded_by": usernames[a.uploaded_by_id],
                "uploaded_at": a.uploaded_at.isoformat(),
            }
            for a in attachments
        ],
        "authors": sorted(usernames.values()),
    }
    return work, files


@sensitive_variables("credentials", "credential", "password", "key")
def _field_credentials(member_users) -> tuple[list[FieldCredential], dict[int, str], list]:
    """Per member: a fresh password (kept as its hash, made by the office's own
    hasher and work factor) and a fresh authenticator, for this package only."""
    credentials, hashes, devices = [], {}, []
    for user in member_users.order_by("username"):
        credential = FieldCredential(
            username=user.username,
            full_name=user.full_name,
            password=field_credentials.field_password(),
            totp_key=field_credentials.totp_key(),
        )
        credentials.append(credential)
        hashes[user.pk] = make_password(credential.password)
        devices.append(
            TOTPDevice(
                user=user,
                name=field_credentials.DEVICE_NAME,
                confirmed=True,
                key=credential.totp_key,
            )
        )
    return credentials, hashes, devices


def _people(team: Team, extra_usernames: list[str]) -> dict:
    """Members' accounts with their field credentials; authors no longer on the
    team as names only. No office device of any kind travels: the office
    authenticator and recovery codes stay at the office."""
    memberships = Membership.objects.filter(team=team)
    cadres = Cadre.objects.filter(memberships__team=team)
    member_users = User.objects.filter(cadre__in=cadres)
    member_names = set(member_users.values_list("username", flat=True))
    credentials, hashes, devices = _field_credentials(member_users)
    users = _blank(
        _serialize(member_users),
        is_superuser=False,
        is_staff=False,
        organization=None,
        department=None,
        groups=[],
        user_permissions=[],
        # A machine-made password, valid for this laptop's stay: never to be
        # changed first or found expired there.
        must_change_password=False,
        password_changed_at=timezone.now(),
        last_login=None,
    )
    for row in users:
        row["fields"]["password"] = hashes[row["pk"]]
        if row["fields"]["office"] != team.round.office_id:
            row["fields"]["office"] = None
    authors = _blank(
        _serialize(User.objects.filter(username__in=set(extra_usernames) - member_names)),
        is_superuser=False,
        is_staff=False,
        is_active=False,
        # An unusable password: an author no longer on the team is a name only.
        password="!",  # noqa: S106
        office=None,
        organization=None,
        department=None,
        groups=[],
        user_permissions=[],
        last_login=None,
    )
    roles = {
        user.username: sorted(
            r.value for r in user.roles if r.value in ("team_leader", "team_member")
        )
        for user in member_users.prefetch_related("groups")
    }
    return {
        "objects": [
            *users,
            *authors,
            *_blank(_serialize(cadres), specialties=[]),
            *_serialize(memberships),
            *_serialize(Commitment.objects.filter(membership__in=memberships)),
            *_serialize(devices),
        ],
        "organizations": set(cadres.values_list("organization_id", flat=True)),
        "roles": roles,
        "credentials": credentials,
    }


def _reference(team: Team, people: dict) -> list[dict]:
    round_ = team.round
    targets = team.targets.all()
    org_ids = set(targets.values_list("organization_id", flat=True)) | people["organizations"]
    organizations = Organization.objects.filter(pk__in=org_ids)
    region_ids = set(organizations.exclude(region=None).values_list("region_id", flat=True))
    if round_.office.region_id:
        region_ids.add(round_.office.region_id)
    return [
        *_serialize(Region.objects.filter(pk__in=region_ids)),
        *_serialize(type(round_.office).objects.filter(pk=round_.office_id)),
        *_blank(_serialize(organizations), parent=None, leader_user=None),
        *_serialize(RoundKind.objects.all()),
        *_serialize(ProblemCategory.objects.all()),
        *_serialize(type(round_).objects.filter(pk=round_.pk)),
        *_serialize(Team.objects.filter(pk=team.pk)),
        *_serialize(targets),
    ]


def build_manifest(*, package_id: str, team: Team, work: dict, files: dict, kind: str) -> dict:
    counts: dict[str, int] = {}
    for entry in work["records"]:
        counts[entry["kind"]] = counts.get(entry["kind"], 0) + 1
    return {
        "kind": kind,
        "package_id": package_id,
        "round": team.round.name,
        "team": team.name,
        "made_at": timezone.now().isoformat(),
        "records": counts,
        "problems": len(work["problems"]),
        "worklogs": len(work["worklogs"]),
        "attachments": [
            {"uuid": a["uuid"], "sha256": a["sha256"], "size": a["size"]}
            for a in work["attachments"]
        ],
        "files_bytes": sum(len(content) for content in files.values()),
    }


# Clear field passwords and keys are local values here: never in an error report.
@sensitive_variables("people", "credentials", "passphrase")
@transaction.atomic
def package_export(*, team: Team, passphrase: str, user) -> tuple[bytes, FieldPackage]:
    require_office(user, team.round)
    sealed.check_passphrase(passphrase)
    office_key = sealed.load_private_key(settings.FIELD_SIGNING_KEY_FILE)
    field_key = Ed25519PrivateKey.generate()
    package_id = str(uuid.uuid4())
    work, files = collect_team_work(team)
    people = _people(team, work["authors"])
    targets = list(team.targets.values_list("pk", flat=True))
    data = {
        **work,
        "objects": [*_reference(team, people), *people["objects"]],
        "roles": people["roles"],
        # Where a clue drafted on site may go (names only; no clue travels out).
        "departments": list(Department.objects.values("code", "name", "kind")),
        "grants": [[name, pk] for name in people["roles"] for pk in targets],
        "field_private_key": base64.b64encode(sealed.private_bytes(field_key)).decode(),
    }
    manifest = build_manifest(package_id=package_id, team=team, work=work, files=files, kind="out")
    manifest["people"] = sorted(people["roles"])
    manifest["credentials"] = (
        "成员账号仅含为本数据包单独生成的现场密码（哈希）和现场身份验证器，"
        "不含办公系统的密码哈希、身份验证器和恢复码；现场密码和验证器密钥只印在导出人领取的领取单上。"
    )
    manifest["targets"] = len(targets)
    header = {
        "kind": "out",
        "package_id": package_id,
        "team_id": team.pk,
        "round_id": team.round_id,
    }
    blob = sealed.seal(
        header=header,
        payload=zip_payload(manifest, data, files),
        passphrase=passphrase,
        signing_key=office_key,
    )
    superseded = _discard_handouts(team=team)
    package = FieldPackage.objects.create(
        package_id=package_id,
        team=team,
        field_public_key=sealed.public_bytes(field_key.public_key()),
        sha256=sealed.sha256_hex(blob),
        manifest=manifest,
        base_hashes={
            entry["uuid"]: entry["hash"]
            for entry in work["records"] + work["problems"] + work["worklogs"]
        },
        created_by=user,
    )
    HandoutSheet.objects.create(
        package=package,
        issued_to=user,
        sealed=field_credentials.seal_credentials(package_id, people["credentials"]),
    )
    log_action(
        user,
        "fieldwork.package_export",
        package,
        {
            "team": team.pk,
            "sha256": package.sha256,
            "records": manifest["records"],
            "problems": manifest["problems"],
            "attachments": len(manifest["attachments"]),
            "people": len(manifest["people"]),
            # Whose field credentials (a password and an authenticator made for this
            # package alone) were issued; the secrets themselves are on the 领取单 only.
            "credentials": manifest["people"],
            "handout_issued_to": user.username,
            "handouts_discarded": superseded,
        },
    )
    return blob, package


def _discard_handouts(*, team: Team) -> list[str]:
    """An earlier export's 领取单 not yet downloaded dies with it: a later export
    supersedes that package (a return from it is refused), so its credentials
    are never to be handed out."""
    sheets = HandoutSheet.objects.filter(package__team=team).select_related("package")
    discarded = [str(sheet.package.package_id) for sheet in sheets]
    sheets.delete()
    return discarded
