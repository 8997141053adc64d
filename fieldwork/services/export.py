"""Field package out: everything one team needs on its laptop for one round,
and nothing outside the team's scope.

It holds the round, the team, its targets (their organizations, with no
parent or leader account), the category tree, the team's members (their
accounts with password hashes and second-factor devices, so they can sign in
offline; no other roles, no office, unit or department beyond the round's
office), the cadres' home organizations by name, and the team's own records,
problems and attachments. The manifest lists what it holds.
"""

import base64
import json
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core import serializers
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from clues.models import Clue
from fieldwork import package as sealed
from fieldwork.models import RECORD_MODELS, FieldPackage, RecordAttachment
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


def _people(team: Team, extra_usernames: list[str]) -> dict:
    """Members' accounts and devices; authors no longer on the team as names only."""
    memberships = Membership.objects.filter(team=team)
    cadres = Cadre.objects.filter(memberships__team=team)
    member_users = User.objects.filter(cadre__in=cadres)
    member_names = set(member_users.values_list("username", flat=True))
    users = _blank(
        _serialize(member_users),
        is_superuser=False,
        is_staff=False,
        organization=None,
        department=None,
        groups=[],
        user_permissions=[],
    )
    for row in users:
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
            *_serialize(TOTPDevice.objects.filter(user__in=member_users, confirmed=True)),
            # Recovery codes stay at the office: a lost laptop must not carry
            # a ready-made way past the second factor.
            *_serialize(StaticDevice.objects.filter(user__in=member_users)),
        ],
        "organizations": set(cadres.values_list("organization_id", flat=True)),
        "roles": roles,
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
            # Whose sign-in credentials (password hash, confirmed TOTP) left the office.
            "credentials": manifest["people"],
        },
    )
    return blob, package
