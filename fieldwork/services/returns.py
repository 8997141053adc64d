"""Return package in: verify, compare, apply all or nothing.

Each record in the return carries its content hash now and the hash it had
when it left the office (``base_hash``; none when made on the laptop). Set
against the platform's record of the same UUID:

- not on the platform → new;
- same content as the platform's → nothing to do (so a second import of the
  same package changes nothing);
- the platform's is still what was sent out → changed on site: applied;
- the laptop's is still what was sent out → changed on the platform only: kept;
- both changed → a conflict, shown with both versions; the office chooses for
  each one, and nothing is applied while any is undecided.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clues.models import Clue
from fieldwork import package as sealed
from fieldwork.models import (
    RECORD_MODELS,
    ClueLink,
    FieldPackage,
    ProblemLink,
    RecordAttachment,
    ReturnImport,
)
from fieldwork.package import PackageRefused
from fieldwork.services.field import save_attachment, sealed_payload, worklog_values
from fieldwork.transfer import (
    clue_content,
    content_hash,
    problem_content,
    record_content,
    worklog_content,
    worklog_key,
)
from rounds.access import require_office
from rounds.models import Membership, Problem, ProblemCategory, Team, WorkLog
from xuncha.accounts.models import User
from xuncha.audit.services import log_action
from xuncha.orgs.models import Department

NEW, CHANGED, CONFLICT, SAME, KEPT = "new", "changed", "conflict", "same", "kept"
KIND_LABELS = {
    "interview": "谈话记录",
    "petition": "信访件",
    "document": "调阅资料",
    "problem": "发现问题",
}


@dataclass
class Change:
    kind: str
    uuid: str
    verdict: str
    field_entry: dict
    platform_content: dict | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def changed_fields(self) -> list[str]:
        if self.platform_content is None:
            return []
        mine = self.field_entry["content"]
        return [k for k in mine if mine[k] != self.platform_content.get(k)]

    @property
    def label(self) -> str:
        c = self.field_entry["content"]
        text = (
            c.get("person_name")
            or c.get("title")
            or c.get("content")
            or c.get("description")
            or (c.get("summary") if self.kind == "clue" else "")
            or (c.get("date") if self.kind == "worklog" else "")
            or ""
        )
        return str(text)[:40]


@dataclass
class Plan:
    package: FieldPackage
    sha256: str
    manifest: dict
    changes: list[Change] = field(default_factory=list)
    new_attachments: list[dict] = field(default_factory=list)
    previous_import: ReturnImport | None = None

    def of(self, verdict: str) -> list[Change]:
        return [c for c in self.changes if c.verdict == verdict]

    @property
    def new(self):
        return self.of(NEW)

    @property
    def changed(self):
        return self.of(CHANGED)

    @property
    def conflicts(self):
        return self.of(CONFLICT)

    @property
    def unchanged_count(self) -> int:
        return len(self.of(SAME)) + len(self.of(KEPT))

    @property
    def has_work(self) -> bool:
        return bool(self.new or self.changed or self.conflicts or self.new_attachments)


def _refuse_scope(team: Team, content: dict, members: set[str]) -> None:
    targets = set(team.targets.values_list("pk", flat=True))
    kinds = {*RECORD_MODELS, "problem"}
    for entry in content["records"] + content["problems"]:
        if entry.get("kind") not in kinds:
            raise PackageRefused("回传包中有无法识别的记录类型，拒绝导入。")
        if entry["content"].get("target") not in targets:
            raise PackageRefused("回传包中有本组巡察对象之外的记录，拒绝导入。")
    for entry in content.get("worklogs", []):
        if entry.get("kind") != "worklog" or entry["uuid"] != worklog_key(entry["content"]["date"]):
            raise PackageRefused("回传包中的工作日报无法识别，拒绝导入。")
    for entry in content.get("clues", []):
        if entry.get("kind") != "clue" or entry["content"].get("target") not in targets:
            raise PackageRefused("回传包中有本组巡察对象之外的问题线索，拒绝导入。")
    # What was made or changed on the laptop was made by the team's own members
    # (what came back unchanged may be by someone who has left the team since).
    everything = (
        content["records"]
        + content["problems"]
        + content.get("worklogs", [])
        + content.get("clues", [])
    )
    for entry in everything:
        if entry["hash"] == entry.get("base_hash"):
            continue
        if entry.get("base_hash") is None:
            fields = ("created_by", "updated_by", "found_by", "filed_by", "drafted_by")
        else:
            fields = ("updated_by",)  # records name their last editor; problems and logs do not
        authors = {entry.get(name) for name in fields} - {None}
        for who in authors:
            if who not in members:
                raise PackageRefused(f"回传包中的记录由非本组成员（{who}）录入，拒绝导入。")


def _current(team: Team, content: dict):
    """The platform's side: each UUID's object and its content."""
    problem_uuids = {e["uuid"] for e in content["problems"]}
    links = ProblemLink.objects.filter(uuid__in=problem_uuids).select_related("problem")
    codes = dict(ProblemCategory.objects.values_list("pk", "code"))
    current: dict[str, tuple[object, dict]] = {}
    for link in links:
        if link.problem.team_id != team.pk:
            raise PackageRefused("回传包中的问题属于其他巡察组，拒绝导入。")
        current[str(link.uuid)] = (link.problem, problem_content(link.problem, codes))
    problem_links = {
        link.problem_id: str(link.uuid) for link in ProblemLink.objects.filter(problem__team=team)
    }
    clue_uuids = [e["uuid"] for e in content.get("clues", [])]
    departments = dict(Department.objects.values_list("pk", "code"))
    for link in ClueLink.objects.filter(uuid__in=clue_uuids).select_related("clue"):
        if link.clue.team_id != team.pk:
            raise PackageRefused("回传包中的问题线索属于其他巡察组，拒绝导入。")
        clue = link.clue
        clue.problem_pks = list(clue.problems.values_list("pk", flat=True))
        current[str(link.uuid)] = (clue, clue_content(clue, departments, problem_links))
    dates = [e["content"]["date"] for e in content.get("worklogs", [])]
    for log in team.logs.filter(date__in=dates):
        current[worklog_key(log.date.isoformat())] = (log, worklog_content(log))
    for kind, model in RECORD_MODELS.items():
        uuids = [e["uuid"] for e in content["records"] if e["kind"] == kind]
        for record in model.objects.filter(uuid__in=uuids):
            if record.team_id != team.pk:
                raise PackageRefused("回传包中的记录属于其他巡察组，拒绝导入。")
            current[str(record.uuid)] = (record, record_content(record, problem_links))
    return current


def return_analyse(*, team: Team, data: bytes, passphrase: str, user) -> tuple[Plan, dict, object]:
    """Verify the package and say what it would do; writes nothing."""
    require_office(user, team.round)
    header = sealed.read_header(data)[0]
    if header.get("kind") != "return":
        raise PackageRefused("这不是现场回传包（可能是导出给现场的数据包）。")
    package = (
        FieldPackage.objects.select_related("team__round")
        .filter(package_id=_uuid_or_none(header.get("package_id")))
        .first()
    )
    if package is None:
        raise PackageRefused("本系统没有导出过与之对应的现场数据包，无法核验签名，拒绝导入。")
    if package.team_id != team.pk:
        raise PackageRefused(
            f"此回传包属于{package.team.round.name}{package.team.name}，不是本组的，拒绝导入。"
        )
    signed_header, payload = sealed.open_package(
        data,
        passphrase=passphrase,
        verify_key=sealed.raw_public_key(package.field_public_key),
        signer_name="本组现场数据包",
    )
    if signed_header.get("team_id") != team.pk:
        raise PackageRefused("此回传包不是本组的，拒绝导入。")
    manifest, content, archive = sealed_payload(payload)
    members = set(
        Membership.objects.filter(team=team).values_list("cadre__user__username", flat=True)
    )
    _refuse_scope(team, content, members)
    current = _current(team, content)
    plan = Plan(package=package, sha256=sealed.sha256_hex(data), manifest=manifest)
    plan.previous_import = ReturnImport.objects.filter(package=package, sha256=plan.sha256).first()
    # A conflict the office already settled for the platform's version stays settled
    # while the laptop's version is the same one it saw.
    settled: dict[str, str] = {}
    for earlier in ReturnImport.objects.filter(package__team=team).order_by("pk"):
        settled.update(earlier.summary.get("kept", {}))
    entries = content["problems"] + content["records"] + content.get("worklogs", [])
    for entry in entries + content.get("clues", []):
        mine = current.get(entry["uuid"])
        if mine is None:
            verdict = NEW
        else:
            now = content_hash(mine[1])
            if now == entry["hash"]:
                verdict = SAME
            elif now == entry.get("base_hash"):
                verdict = CHANGED
            elif (
                entry["hash"] == entry.get("base_hash")
                or settled.get(entry["uuid"]) == entry["hash"]
            ):
                verdict = KEPT
            else:
                verdict = CONFLICT
        plan.changes.append(
            Change(
                kind=entry["kind"],
                uuid=entry["uuid"],
                verdict=verdict,
                field_entry=entry,
                platform_content=mine[1] if mine else None,
            )
        )
    known = set(
        RecordAttachment.objects.filter(
            uuid__in=[a["uuid"] for a in content["attachments"]]
        ).values_list("uuid", flat=True)
    )
    known = {str(u) for u in known}
    plan.new_attachments = [a for a in content["attachments"] if a["uuid"] not in known]
    return plan, content, archive


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _apply_problem(change: Change, team: Team, users, categories, existing) -> None:
    c = change.field_entry["content"]
    values = {
        "category_id": categories[c["category"]],
        "description": c["description"],
        "source": c["source"],
        "severity": c["severity"],
        "immediate_fix": c["immediate_fix"],
        "found_on": datetime.date.fromisoformat(c["found_on"]),
        "status": c["status"],
    }
    if change.verdict == NEW:
        problem = Problem(
            target_id=c["target"],
            round_id=team.round_id,
            team=team,
            found_by=users[change.field_entry["found_by"]],
            **values,
        )
        problem.full_clean(exclude=["found_by", "target", "category"])
        problem.save()
        ProblemLink.objects.create(problem=problem, uuid=change.uuid)
    else:
        problem = existing
        for name, value in values.items():
            setattr(problem, name, value)
        problem.full_clean(exclude=["found_by", "target", "category"])
        problem.save()


def _apply_record(change: Change, team: Team, users, problem_pks, existing):
    """The record as the laptop has it: a new, unsaved row, or ``existing`` changed
    and saved. Checked field by field here; uniqueness and the petition's rule
    are the database's constraints, which fail the whole import."""
    entry = change.field_entry
    model = RECORD_MODELS[change.kind]
    fields = dict(entry["content"])
    fields["target_id"] = fields.pop("target")
    if "problem" in fields:
        problem_uuid = fields.pop("problem")
        fields["problem_id"] = problem_pks.get(problem_uuid) if problem_uuid else None
        if problem_uuid and fields["problem_id"] is None:
            raise PackageRefused("信访件引用的问题不在平台上，也不在回传包中，拒绝导入。")
    updated = {
        "updated_by": users[entry["updated_by"]],
        "updated_at": datetime.datetime.fromisoformat(entry["updated_at"]),
    }
    if change.verdict == NEW:
        record = model(
            uuid=entry["uuid"],
            team=team,
            created_by=users[entry["created_by"]],
            created_at=datetime.datetime.fromisoformat(entry["created_at"]),
            version=entry["version"],
            **updated,
            **fields,
        )
    else:
        record = existing
        for name, value in {**fields, **updated}.items():
            setattr(record, name, value)
        record.version = max(record.version + 1, entry["version"])
    try:
        record.full_clean(
            exclude=["team", "target", "created_by", "updated_by", "problem"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise PackageRefused(
            f"回传包中的{KIND_LABELS[change.kind]}内容不完整：{error.messages[0]}"
        ) from None
    if change.verdict != NEW:
        record.save()
    return record


def _apply_clue(change: Change, team: Team, users, problem_pks) -> None:
    """A draft made on site: new, or (a conflict settled for the laptop's
    version) the platform's draft rewritten, while it is still a draft."""
    c = dict(change.field_entry["content"])
    department = Department.objects.filter(code=c.pop("department")).first()
    if department is None:
        raise PackageRefused("回传包中问题线索的接收部门在平台上不存在，拒绝导入。")
    problems = [problem_pks[u] for u in c.pop("problems") if u in problem_pks]
    target_id = c.pop("target")
    link = ClueLink.objects.filter(uuid=change.uuid).select_related("clue").first()
    if link is None:
        clue = Clue(
            number=f"TMP-{change.uuid[:20]}",
            round_id=team.round_id,
            team=team,
            target_id=target_id,
            department=department,
            drafted_by=users[change.field_entry["drafted_by"]],
            drafted_at=datetime.datetime.fromisoformat(change.field_entry["drafted_at"]),
            **c,
        )
    else:
        clue = link.clue
        if clue.status != Clue.Status.DRAFT:
            raise PackageRefused("平台上的该问题线索已不是草稿，不能用现场版本覆盖。")
        for name, value in c.items():
            setattr(clue, name, value)
        clue.department = department
    clue.full_clean(exclude=["number", "drafted_by", "target", "department"])
    clue.save()
    if link is None:
        # The numbering of clues drafted on the platform (clues/services/handover.py).
        clue.number = f"XC{timezone.localdate():%Y}-{clue.pk:05d}"
        clue.save(update_fields=["number"])
        ClueLink.objects.create(clue=clue, uuid=change.uuid)
    clue.problems.set(problems)


def _apply_worklog(change: Change, team: Team, users, existing) -> None:
    values = worklog_values(change.field_entry)
    log = existing or WorkLog(team=team, filed_by=users[change.field_entry["filed_by"]])
    for name, value in values.items():
        setattr(log, name, value)
    log.full_clean(exclude=["team", "filed_by"], validate_unique=False, validate_constraints=False)
    log.save()


@transaction.atomic
def return_apply(
    *, team: Team, data: bytes, passphrase: str, resolutions: dict[str, str], user
) -> ReturnImport | None:
    """Apply the whole return, or nothing. None: there was nothing to apply."""
    plan, content, archive = return_analyse(team=team, data=data, passphrase=passphrase, user=user)
    undecided = [c for c in plan.conflicts if resolutions.get(c.uuid) not in ("field", "platform")]
    if undecided:
        raise ValidationError(f"还有 {len(undecided)} 处冲突未选择处理方式，未导入任何内容。")
    if not plan.has_work:
        return None
    taken = [
        c
        for c in plan.changes
        if c.verdict in (NEW, CHANGED) or (c.verdict == CONFLICT and resolutions[c.uuid] == "field")
    ]
    names = {e.get("found_by") or e.get("updated_by") for e in content["problems"]}
    names |= {e["created_by"] for e in content["records"]} | {
        e["updated_by"] for e in content["records"]
    }
    names |= {a["uploaded_by"] for a in plan.new_attachments}
    names |= {e["filed_by"] for e in content.get("worklogs", [])}
    names |= {e["drafted_by"] for e in content.get("clues", [])}
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    missing = names - set(users)
    if missing:
        raise PackageRefused(f"回传包中的人员在平台上不存在：{'、'.join(sorted(missing))}。")
    categories = dict(ProblemCategory.objects.values_list("code", "pk"))
    links = {
        str(link.uuid): link.problem for link in ProblemLink.objects.filter(problem__team=team)
    }
    for change in taken:
        if change.kind == "problem":
            if change.field_entry["content"]["category"] not in categories:
                raise PackageRefused("回传包中的问题类别在平台上不存在，拒绝导入。")
            _apply_problem(change, team, users, categories, links.get(change.uuid))
    problem_pks = {
        str(link.uuid): link.problem_id for link in ProblemLink.objects.filter(problem__team=team)
    }
    for kind, model in RECORD_MODELS.items():
        mine = [c for c in taken if c.kind == kind]
        existing = model.objects.in_bulk(
            [c.uuid for c in mine if c.verdict != NEW], field_name="uuid"
        )
        existing = {str(key): value for key, value in existing.items()}
        new = [
            _apply_record(change, team, users, problem_pks, existing.get(change.uuid))
            for change in mine
        ]
        model.objects.bulk_create(
            [r for r, c in zip(new, mine, strict=True) if c.verdict == NEW], batch_size=500
        )
    for change in taken:
        if change.kind == "clue":
            _apply_clue(change, team, users, problem_pks)
    logs = {log.date.isoformat(): log for log in team.logs.all()}
    for change in taken:
        if change.kind == "worklog":
            _apply_worklog(change, team, users, logs.get(change.field_entry["content"]["date"]))
    for entry in plan.new_attachments:
        save_attachment({**entry, "team_id": team.pk}, archive, users)
    summary = {
        "new": len(plan.new),
        "changed": len(plan.changed),
        "conflicts_taken_from_field": sum(
            1 for c in plan.conflicts if resolutions[c.uuid] == "field"
        ),
        "conflicts_kept": sum(1 for c in plan.conflicts if resolutions[c.uuid] == "platform"),
        "attachments": len(plan.new_attachments),
        "unchanged": plan.unchanged_count,
        "kept": {
            c.uuid: c.field_entry["hash"]
            for c in plan.conflicts
            if resolutions[c.uuid] == "platform"
        },
    }
    imported = ReturnImport.objects.create(
        package=plan.package, sha256=plan.sha256, summary=summary, imported_by=user
    )
    log_action(
        user,
        "fieldwork.return_import",
        imported,
        {"team": team.pk, "sha256": plan.sha256, **summary},
    )
    return imported


def stamp(value: str) -> str:
    return timezone.localtime(datetime.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
