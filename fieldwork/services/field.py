"""The laptop's side: load an export, write the return, clear everything.

These run only in the field edition (settings.FIELD_MODE), on its own SQLite
database, from the management commands field_load, field_return and
field_clear.
"""

import base64
import datetime
import json
import shutil
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from fieldwork import package as sealed
from fieldwork.models import RECORD_MODELS, FieldSession, ProblemLink, RecordAttachment
from fieldwork.package import PackageRefused
from fieldwork.services.export import build_manifest, collect_team_work
from fieldwork.transfer import unzip_payload, zip_payload
from rounds.models import Problem, ProblemCategory, RoundKind, Target, Team, WorkLog
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.orgs.models import Department


def require_field_mode() -> None:
    if not settings.FIELD_MODE:
        raise ImproperlyConfigured("该命令只能在单机版（XUNCHA_ENV=field）中运行。")


def _parse(value: str):
    return datetime.datetime.fromisoformat(value)


def open_export(data: bytes, *, passphrase: str, office_key) -> tuple[dict, dict, dict, object]:
    header, payload = sealed.open_package(
        data, passphrase=passphrase, verify_key=office_key, signer_name=_("巡察办")
    )
    if header.get("kind") != "out":
        raise PackageRefused(_("这不是巡察办导出的现场数据包（可能是回传包）。"))
    manifest, content, archive = sealed_payload(payload)
    return header, manifest, content, archive


def sealed_payload(payload: bytes):
    try:
        return unzip_payload(payload)
    except (KeyError, ValueError, OSError):
        raise PackageRefused(_("数据包内容无法读取。")) from None


def _load_records(content: dict, users: dict[str, User], archive, team: Team) -> None:
    problem_pks = {}
    categories = dict(ProblemCategory.objects.values_list("code", "pk"))
    targets = {t.pk: t for t in Target.objects.only("round_id", "team_id")}
    for entry in content["problems"]:
        c = entry["content"]
        problem = Problem(
            target_id=c["target"],
            category_id=categories[c["category"]],
            description=c["description"],
            source=c["source"],
            severity=c["severity"],
            immediate_fix=c["immediate_fix"],
            found_on=datetime.date.fromisoformat(c["found_on"]),
            status=c["status"],
            found_by=users[entry["found_by"]],
        )
        target = targets[c["target"]]
        problem.round_id, problem.team_id = target.round_id, target.team_id
        problem.save()
        ProblemLink.objects.create(problem=problem, uuid=entry["uuid"])
        problem_pks[entry["uuid"]] = problem.pk
    rows: dict[type, list] = {}
    for entry in content["records"]:
        model = RECORD_MODELS[entry["kind"]]
        fields = dict(entry["content"])
        fields["target_id"] = fields.pop("target")
        if "problem" in fields:
            fields["problem_id"] = problem_pks.get(fields.pop("problem"))
        record = model(
            uuid=entry["uuid"],
            team_id=targets[fields["target_id"]].team_id,
            created_by=users[entry["created_by"]],
            created_at=_parse(entry["created_at"]),
            updated_by=users[entry["updated_by"]],
            updated_at=_parse(entry["updated_at"]),
            version=entry["version"],
            **fields,
        )
        record.full_clean(
            exclude=["team", "target", "created_by", "updated_by", "problem"],
            validate_unique=False,
            validate_constraints=False,
        )
        rows.setdefault(model, []).append(record)
    for model, records in rows.items():
        model.objects.bulk_create(records, batch_size=500)
    WorkLog.objects.bulk_create(
        [
            WorkLog(team=team, filed_by=users[entry["filed_by"]], **worklog_values(entry))
            for entry in content.get("worklogs", [])
        ]
    )
    for entry in content["attachments"]:
        save_attachment(entry, archive, users)


def worklog_values(entry: dict) -> dict:
    values = dict(entry["content"])
    values["date"] = datetime.date.fromisoformat(values["date"])
    return values


def save_attachment(entry: dict, archive, users: dict[str, User]) -> RecordAttachment:
    data = archive.read(f"files/{entry['uuid']}")
    if sealed.sha256_hex(data) != entry["sha256"]:
        raise PackageRefused(
            _("附件“%(name)s”与清单中的校验值不符。") % {"name": entry["original_name"]}
        )
    attachment = RecordAttachment(
        uuid=entry["uuid"],
        record_kind=entry["record_kind"],
        record_uuid=entry["record_uuid"],
        original_name=entry["original_name"],
        content_type=entry["content_type"],
        size=entry["size"],
        sha256=entry["sha256"],
        uploaded_by=users[entry["uploaded_by"]],
        uploaded_at=_parse(entry["uploaded_at"]),
        team_id=entry["team_id"],
    )
    suffix = Path(entry["original_name"]).suffix.lower()[:10]
    attachment.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(data), save=False)
    attachment.save()
    return attachment


@transaction.atomic
def field_load(*, data: bytes, passphrase: str, office_key) -> FieldSession:
    """Fill the laptop's empty database from an export, or refuse and write nothing.
    The members' accounts arrive with the field credentials made for this
    package (a password hash and one authenticator each, see
    fieldwork/credentials.py): the only way to sign in here."""
    require_field_mode()
    if FieldSession.objects.exists():
        raise PackageRefused(_("本机已载入一个数据包；请先运行 field_clear 清理后再载入。"))
    header, manifest, content, archive = open_export(
        data, passphrase=passphrase, office_key=office_key
    )
    # The migrations seed kinds and categories; the office's own tree replaces them.
    ProblemCategory.objects.update(parent=None)
    ProblemCategory.objects.all().delete()
    RoundKind.objects.all().delete()
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    for obj in serializers.deserialize("json", json.dumps(content["objects"])):
        obj.save()
    users = {u.username: u for u in User.objects.all()}
    for username, roles in content["roles"].items():
        users[username].groups.set(Group.objects.filter(name__in=roles))
    targets = {t.pk: t for t in Target.objects.all()}
    for username, target_pk in content["grants"]:
        assign_perm("rounds.view_target", users[username], targets[target_pk])
    team = Team.objects.get(pk=header["team_id"])
    for row in content.get("departments", []):
        Department.objects.create(
            group=Group.objects.create(name=f"field-department-{row['code']}"), **row
        )
    for entry in content["attachments"]:
        entry["team_id"] = team.pk
    _load_records(content, users, archive, team)
    base = {
        e["uuid"]: e["hash"]
        for e in content["records"] + content["problems"] + content.get("worklogs", [])
    }
    session = FieldSession.objects.create(
        package_id=header["package_id"],
        team=team,
        package_sha256=sealed.sha256_hex(data),
        office_public_key=sealed.public_bytes(office_key),
        base_hashes=base,
    )
    log_action(
        None,
        "fieldwork.package_load",
        team,
        {"package": header["package_id"], "sha256": session.package_sha256, **manifest["records"]},
    )
    return session


@transaction.atomic
def field_return(*, package_data: bytes, passphrase: str) -> bytes:
    """The return package: the team's whole work as it stands on the laptop,
    each record with the hash it had when it arrived (absent: made here)."""
    require_field_mode()
    session = FieldSession.objects.select_related("team__round").first()
    if session is None:
        raise PackageRefused(_("本机没有载入数据包。"))
    if sealed.sha256_hex(package_data) != session.package_sha256:
        raise PackageRefused(_("这不是本机载入的数据包。"))
    office_key = sealed.raw_public_key(session.office_public_key)
    _header, _manifest, content, _archive = open_export(
        package_data, passphrase=passphrase, office_key=office_key
    )
    field_key = sealed.raw_private_key(base64.b64decode(content["field_private_key"]))
    team = session.team
    work, files = collect_team_work(team, with_clues=True)
    for entry in work["records"] + work["problems"] + work["worklogs"] + work["clues"]:
        entry["base_hash"] = session.base_hashes.get(entry["uuid"])
    manifest = build_manifest(
        package_id=str(session.package_id), team=team, work=work, files=files, kind="return"
    )
    header = {
        "kind": "return",
        "package_id": str(session.package_id),
        "team_id": team.pk,
        "round_id": team.round_id,
    }
    blob = sealed.seal(
        header=header,
        payload=zip_payload(manifest, work, files),
        passphrase=passphrase,
        signing_key=field_key,
    )
    log_action(None, "fieldwork.return_write", team, {"sha256": sealed.sha256_hex(blob)})
    return blob


def field_clear(*, packages: list[Path]) -> dict:
    """Remove the field database, its files and the packages; say what went.
    The record names the loaded package's hash, read before the database goes."""
    require_field_mode()
    session = FieldSession.objects.select_related("team__round").first()
    record = {
        "cleared_at": timezone.now().isoformat(),
        "package_sha256": session.package_sha256 if session else "",
        "package_id": str(session.package_id) if session else "",
        "team": f"{session.team.round.name}{session.team.name}" if session else "",
        "removed": [],
    }
    from django.db import connections

    connections.close_all()
    # The field edition's data folder holds only the laptop's copy: its database,
    # uploaded files, secret key, audit anchors. It goes whole; so do the
    # database and files if configured elsewhere, and the packages named.
    data_dir = Path(settings.DATA_DIR).resolve()
    database = Path(settings.DATABASES["default"]["NAME"]).resolve()
    candidates = [
        *packages,
        data_dir,
        *(
            path
            for path in (
                database,
                database.with_name(database.name + "-wal"),
                database.with_name(database.name + "-shm"),
                Path(settings.MEDIA_ROOT).resolve(),
            )
            if not path.is_relative_to(data_dir)
        ),
    ]
    for path in candidates:
        if path.is_dir():
            count = sum(1 for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path)
            record["removed"].append({"path": str(path), "files": count})
        elif path.exists():
            entry = {"path": str(path), "bytes": path.stat().st_size}
            if path in packages:
                entry["sha256"] = sealed.sha256_hex(path.read_bytes())
            path.unlink()
            record["removed"].append(entry)
    return record
