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

A return carries work only: no account, password hash or authenticator (the
laptop's are the package's field credentials, which must never reach the
office's database). People are named by username and looked up on the
platform, never created or changed; a package holding anything besides the
work's own keys is refused whole.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clues.models import Clue
from fieldwork import package as sealed
from fieldwork.models import (
    RECORD_MODELS,
    ClueLink,
    FieldPackage,
    LaptopReturn,
    ProblemLink,
    RecordAttachment,
    ReturnImport,
)
from fieldwork.package import PackageRefused
from fieldwork.services.field import sealed_payload
from fieldwork.transfer import (
    CLUE_FIELDS,
    PROBLEM_FIELDS,
    WORKLOG_FIGURES,
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
from xuncha.audit.services import log_action, log_actions
from xuncha.core.uploads import check_upload, storage_name
from xuncha.orgs.models import Department

NEW, CHANGED, CONFLICT, SAME, KEPT = "new", "changed", "conflict", "same", "kept"
KIND_LABELS = {
    "interview": gettext_lazy("谈话记录"),
    "petition": gettext_lazy("信访件"),
    "document": gettext_lazy("调阅资料"),
    "problem": gettext_lazy("发现问题"),
    "clue": gettext_lazy("问题线索草稿"),
    "worklog": gettext_lazy("工作日报"),
}

# What an entry of each kind may hold: its identity, its content (exactly these
# fields, the ones a person edits on the laptop) and who made it when. Anything
# else (a primary key, a team, a status the office gives, an approver) refuses
# the whole package: nothing in it is taken from a package.
_IDENTITY = {"uuid", "kind", "content", "hash", "base_hash"}
ENTRY_KEYS = {
    **{
        kind: _IDENTITY | {"created_by", "created_at", "updated_by", "updated_at", "version"}
        for kind in RECORD_MODELS
    },
    "problem": _IDENTITY | {"found_by", "updated_at"},
    "worklog": _IDENTITY | {"filed_by", "updated_at"},
    "clue": _IDENTITY | {"drafted_by", "drafted_at"},
}
CONTENT_KEYS = {
    **{kind: set(model.CONTENT_FIELDS) for kind, model in RECORD_MODELS.items()},
    "problem": set(PROBLEM_FIELDS),
    "worklog": {"date", *WORKLOG_FIGURES, "narrative"},
    "clue": {"target", *CLUE_FIELDS, "department", "problems"},
}
AUTHOR_KEYS = ("created_by", "updated_by", "found_by", "filed_by", "drafted_by")
ATTACHMENT_KEYS = {
    "uuid", "record_kind", "record_uuid", "original_name", "content_type", "size", "sha256",
    "uploaded_by", "uploaded_at",
}  # fmt: skip
# How far a team takes a problem without the office (rounds/workflow.py PROBLEM:
# submit, team_approve, team_return). Past this only the office moves it.
FIELD_PROBLEM_STATES = {
    Problem.Status.DRAFT,
    Problem.Status.TEAM_REVIEW,
    Problem.Status.OFFICE_REVIEW,
}
# A problem the office holds (in review or past it) is not rewritten from a laptop.
LOCKED_PROBLEM_STATES = {
    Problem.Status.OFFICE_REVIEW,
    Problem.Status.IN_REPORT,
    Problem.Status.FED_BACK,
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


# The top-level keys a laptop's return holds (field.field_return: collect_team_work).
RETURN_KEYS = {"records", "problems", "worklogs", "clues", "attachments", "authors"}


def _refuse_shape(content: dict) -> None:
    """Every entry holds exactly what the laptop writes, and its hash is its content's."""
    unknown = set(content) - RETURN_KEYS
    if unknown:
        # E.g. "objects": accounts or devices have no way in from a laptop.
        raise PackageRefused(
            _("回传包中含有不允许的内容（%(names)s），拒绝导入。")
            % {"names": "、".join(sorted(unknown))}
        )
    groups = [
        (content.get("records"), set(RECORD_MODELS)),
        (content.get("problems"), {"problem"}),
        (content.get("worklogs", []), {"worklog"}),
        (content.get("clues", []), {"clue"}),
    ]
    for entries, kinds in groups:
        if not isinstance(entries, list):
            raise PackageRefused(_("回传包内容格式不正确，拒绝导入。"))
        for entry in entries:
            kind = entry.get("kind") if isinstance(entry, dict) else None
            if kind not in kinds:
                raise PackageRefused(_("回传包中有无法识别的记录类型，拒绝导入。"))
            body = entry.get("content")
            unknown = set(entry) - ENTRY_KEYS[kind]
            if not isinstance(body, dict):
                raise PackageRefused(_("回传包内容格式不正确，拒绝导入。"))
            unknown |= set(body) - CONTENT_KEYS[kind]
            if unknown:
                raise PackageRefused(
                    _("回传包中的%(kind)s含有不允许的字段（%(fields)s），拒绝导入。")
                    % {"kind": KIND_LABELS[kind], "fields": "、".join(sorted(unknown))}
                )
            missing = (ENTRY_KEYS[kind] - {"base_hash"} - set(entry)) | (
                CONTENT_KEYS[kind] - set(body)
            )
            if missing:
                raise PackageRefused(
                    _("回传包中的%(kind)s缺少字段（%(fields)s），拒绝导入。")
                    % {"kind": KIND_LABELS[kind], "fields": "、".join(sorted(missing))}
                )
            if not all(isinstance(entry[name], str) for name in AUTHOR_KEYS if name in entry):
                raise PackageRefused(_("回传包中的录入人无法识别，拒绝导入。"))
            if kind != "worklog" and _uuid_or_none(entry.get("uuid")) is None:
                raise PackageRefused(_("回传包中有记录标识无效的记录，拒绝导入。"))
            if entry.get("hash") != content_hash(body):
                raise PackageRefused(
                    _("回传包中%(kind)s的校验值与其内容不符，拒绝导入。")
                    % {"kind": KIND_LABELS[kind]}
                )
    attachments = content.get("attachments")
    if not isinstance(attachments, list) or any(
        not isinstance(a, dict)
        or set(a) != ATTACHMENT_KEYS
        or not all(isinstance(a[name], str) for name in ATTACHMENT_KEYS - {"size"})
        or _uuid_or_none(a["uuid"]) is None
        for a in attachments
    ):
        raise PackageRefused(_("回传包中的附件清单格式不正确，拒绝导入。"))


def _refuse_scope(team: Team, content: dict, members: set[str], base: dict[str, str]) -> None:
    targets = set(team.targets.values_list("pk", flat=True))

    def ours(target) -> bool:
        return isinstance(target, int) and not isinstance(target, bool) and target in targets

    for entry in content["records"] + content["problems"]:
        if not ours(entry["content"]["target"]):
            raise PackageRefused(_("回传包中有本组巡察对象之外的记录，拒绝导入。"))
    for entry in content.get("worklogs", []):
        if entry["uuid"] != worklog_key(str(entry["content"]["date"])):
            raise PackageRefused(_("回传包中的工作日报无法识别，拒绝导入。"))
    for entry in content.get("clues", []):
        problems = entry["content"]["problems"]
        if not isinstance(problems, list) or not all(isinstance(u, str) for u in problems):
            raise PackageRefused(_("回传包中问题线索的关联问题无法识别，拒绝导入。"))
        if not ours(entry["content"]["target"]):
            raise PackageRefused(_("回传包中有本组巡察对象之外的问题线索，拒绝导入。"))
    for entry in content["problems"]:
        status = entry["content"]["status"]
        if not isinstance(status, str) or status not in FIELD_PROBLEM_STATES:
            raise PackageRefused(
                _("回传包中的问题状态超出了巡察组在现场能办理到的环节（%(status)s），拒绝导入。")
                % {"status": status}
            )
    # What was made or changed on the laptop was made by the team's own members
    # (what came back as it left may be by someone who has left the team since).
    # "As it left" is the platform's record of the export, not the laptop's word.
    everything = (
        content["records"]
        + content["problems"]
        + content.get("worklogs", [])
        + content.get("clues", [])
    )
    for entry in everything:
        sent = base.get(entry["uuid"])
        if entry["hash"] == sent:
            continue
        if sent is None:
            authors = {entry.get(name) for name in AUTHOR_KEYS}
        else:
            authors = {entry.get("updated_by")}  # records name their last editor
        for who in authors - {None}:
            if who not in members:
                raise PackageRefused(
                    _("回传包中的记录由非本组成员（%(who)s）录入，拒绝导入。") % {"who": who}
                )


def _refuse_stale(package: FieldPackage) -> None:
    """Only the team's latest export may come back, and only while its laptop is out."""
    if FieldPackage.objects.filter(team_id=package.team_id, pk__gt=package.pk).exists():
        raise PackageRefused(
            _(
                "此回传包来自一个已被后来的导出取代的现场数据包，拒绝导入；"
                "请用最近一次导出的数据包在现场生成回传包。"
            )
        )
    if LaptopReturn.objects.filter(team_id=package.team_id, package_sha256=package.sha256).exists():
        raise PackageRefused(_("载入此数据包的设备已登记交回并清理，其回传包不能再导入。"))


def _current(team: Team, content: dict):
    """The platform's side: each UUID's object and its content."""
    problem_uuids = {e["uuid"] for e in content["problems"]}
    links = ProblemLink.objects.filter(uuid__in=problem_uuids).select_related("problem")
    codes = dict(ProblemCategory.objects.values_list("pk", "code"))
    current: dict[str, tuple[object, dict]] = {}
    for link in links:
        if link.problem.team_id != team.pk:
            raise PackageRefused(_("回传包中的问题属于其他巡察组，拒绝导入。"))
        current[str(link.uuid)] = (link.problem, problem_content(link.problem, codes))
    problem_links = {
        link.problem_id: str(link.uuid) for link in ProblemLink.objects.filter(problem__team=team)
    }
    clue_uuids = [e["uuid"] for e in content.get("clues", [])]
    departments = dict(Department.objects.values_list("pk", "code"))
    for link in ClueLink.objects.filter(uuid__in=clue_uuids).select_related("clue"):
        if link.clue.team_id != team.pk:
            raise PackageRefused(_("回传包中的问题线索属于其他巡察组，拒绝导入。"))
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
                raise PackageRefused(_("回传包中的记录属于其他巡察组，拒绝导入。"))
            current[str(record.uuid)] = (record, record_content(record, problem_links))
    return current


def return_analyse(*, team: Team, data: bytes, passphrase: str, user) -> tuple[Plan, dict, object]:
    """Verify the package and say what it would do; writes nothing."""
    require_office(user, team.round)
    header = sealed.read_header(data)[0]
    if header.get("kind") != "return":
        raise PackageRefused(_("这不是现场回传包（可能是导出给现场的数据包）。"))
    package = (
        FieldPackage.objects.select_related("team__round")
        .filter(package_id=_uuid_or_none(header.get("package_id")))
        .first()
    )
    if package is None:
        raise PackageRefused(_("本系统没有导出过与之对应的现场数据包，无法核验签名，拒绝导入。"))
    if package.team_id != team.pk:
        raise PackageRefused(
            _("此回传包属于%(round)s%(team)s，不是本组的，拒绝导入。")
            % {"round": package.team.round.name, "team": package.team.name}
        )
    signed_header, payload = sealed.open_package(
        data,
        passphrase=passphrase,
        verify_key=sealed.raw_public_key(package.field_public_key),
        signer_name=_("本组现场数据包"),
    )
    if signed_header.get("team_id") != team.pk:
        raise PackageRefused(_("此回传包不是本组的，拒绝导入。"))
    _refuse_stale(package)
    manifest, content, archive = sealed_payload(payload)
    if not isinstance(content, dict):
        raise PackageRefused(_("回传包内容格式不正确，拒绝导入。"))
    base = package.base_hashes or {}
    members = set(
        Membership.objects.filter(team=team).values_list("cadre__user__username", flat=True)
    )
    try:
        _refuse_shape(content)
        for entry in _entries(content):
            entry["base_hash"] = base.get(entry["uuid"])
        _refuse_scope(team, content, members, base)
    except (KeyError, TypeError, AttributeError):
        # Whatever the checks above did not foresee in a package's shape.
        raise PackageRefused(_("回传包内容格式不正确，拒绝导入。")) from None
    for attachment in content["attachments"]:
        if attachment["uploaded_by"] not in members:
            raise PackageRefused(
                _("回传包中的附件由非本组成员（%(who)s）上传，拒绝导入。")
                % {"who": attachment["uploaded_by"]}
            )
    current = _current(team, content)
    plan = Plan(package=package, sha256=sealed.sha256_hex(data), manifest=manifest)
    plan.previous_import = ReturnImport.objects.filter(package=package, sha256=plan.sha256).first()
    # A conflict the office already settled for the platform's version stays settled
    # while the laptop's version is the same one it saw.
    settled: dict[str, str] = {}
    for earlier in ReturnImport.objects.filter(package__team=team).order_by("pk"):
        settled.update(earlier.summary.get("kept", {}))
    for entry in _entries(content):
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
            if (
                entry["kind"] == "problem"
                and verdict == CHANGED
                and mine[0].status in LOCKED_PROBLEM_STATES
            ):
                verdict = CONFLICT  # shown; only the platform's version may be kept
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


def _entries(content: dict) -> list[dict]:
    return (
        content["problems"]
        + content["records"]
        + content.get("worklogs", [])
        + content.get("clues", [])
    )


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _parse_time(value) -> datetime.datetime:
    try:
        return datetime.datetime.fromisoformat(str(value))
    except ValueError:
        raise PackageRefused(_("回传包中有无法识别的时间，拒绝导入。")) from None


def _parse_date(value) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise PackageRefused(_("回传包中有无法识别的日期，拒绝导入。")) from None


def _apply_problem(change: Change, team: Team, users, categories, existing) -> Problem:
    """The whitelisted content only; team, round and author are the platform's."""
    c = change.field_entry["content"]
    values = {
        "category_id": categories[c["category"]],
        "description": c["description"],
        "source": c["source"],
        "severity": c["severity"],
        "immediate_fix": c["immediate_fix"],
        "found_on": _parse_date(c["found_on"]),
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
    else:
        problem = existing
        if problem.status in LOCKED_PROBLEM_STATES:
            raise PackageRefused(
                _(
                    "问题“%(description)s”已在巡察办审核或之后的环节，"
                    "不能采用现场版本，只能保留平台版本。"
                )
                % {"description": problem.description[:20]}
            )
        for name, value in values.items():
            setattr(problem, name, value)
    try:
        problem.full_clean(exclude=["found_by", "target", "category"])
    except ValidationError as error:
        raise PackageRefused(
            _("回传包中的发现问题内容不完整：%(error)s") % {"error": error.messages[0]}
        ) from None
    problem.save()
    if change.verdict == NEW:
        ProblemLink.objects.create(problem=problem, uuid=change.uuid)
    return problem


def _apply_record(change: Change, team: Team, users, problem_pks, existing):
    """The record as the laptop has it: a new, unsaved row, or ``existing`` changed
    and saved. Only the model's CONTENT_FIELDS are taken from the package; the
    primary key, team and authorship of a record on the platform are its own.
    Checked field by field here; uniqueness and the petition's rule are the
    database's constraints, which fail the whole import."""
    entry = change.field_entry
    model = RECORD_MODELS[change.kind]
    content = entry["content"]
    fields = {name: content[name] for name in model.CONTENT_FIELDS if name != "target"}
    fields["target_id"] = content["target"]
    if "problem" in fields:
        problem_uuid = fields.pop("problem")
        fields["problem_id"] = problem_pks.get(problem_uuid) if problem_uuid else None
        if problem_uuid and fields["problem_id"] is None:
            raise PackageRefused(_("信访件引用的问题不在平台上，也不在回传包中，拒绝导入。"))
    updated = {
        "updated_by": users[entry["updated_by"]],
        "updated_at": _parse_time(entry["updated_at"]),
    }
    if change.verdict == NEW:
        version = entry["version"]
        record = model(
            uuid=change.uuid,
            team=team,
            created_by=users[entry["created_by"]],
            created_at=_parse_time(entry["created_at"]),
            version=version if isinstance(version, int) and version > 0 else 1,
            **updated,
            **fields,
        )
    else:
        record = existing
        for name, value in {**fields, **updated}.items():
            setattr(record, name, value)
        version = entry["version"] if isinstance(entry["version"], int) else 0
        record.version = max(record.version + 1, version)
    try:
        record.full_clean(
            exclude=["team", "target", "created_by", "updated_by", "problem"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        raise PackageRefused(
            _("回传包中的%(kind)s内容不完整：%(error)s")
            % {"kind": KIND_LABELS[change.kind], "error": error.messages[0]}
        ) from None
    if change.verdict != NEW:
        record.save()
    return record


def _apply_clue(change: Change, team: Team, users, problem_pks) -> Clue:
    """A draft made on site: new, or (a conflict settled for the laptop's
    version) the platform's draft rewritten, while it is still a draft. Only
    CLUE_FIELDS come from the package: a clue always arrives as a draft with no
    signature, whatever the package says."""
    c = change.field_entry["content"]
    values = {name: c[name] for name in CLUE_FIELDS}
    department = Department.objects.filter(code=c["department"]).first()
    if department is None:
        raise PackageRefused(_("回传包中问题线索的接收部门在平台上不存在，拒绝导入。"))
    problems = [problem_pks[u] for u in c["problems"] if u in problem_pks]
    link = ClueLink.objects.filter(uuid=change.uuid).select_related("clue").first()
    if link is None:
        clue = Clue(
            number=f"TMP-{change.uuid[:20]}",
            round_id=team.round_id,
            team=team,
            target_id=c["target"],
            department=department,
            drafted_by=users[change.field_entry["drafted_by"]],
            drafted_at=_parse_time(change.field_entry["drafted_at"]),
            status=Clue.Status.DRAFT,
            **values,
        )
    else:
        clue = link.clue
        if clue.status != Clue.Status.DRAFT:
            raise PackageRefused(_("平台上的该问题线索已不是草稿，不能用现场版本覆盖。"))
        for name, value in values.items():
            setattr(clue, name, value)
        clue.department = department
    try:
        clue.full_clean(exclude=["number", "drafted_by", "target", "department"])
    except ValidationError as error:
        raise PackageRefused(
            _("回传包中的问题线索草稿内容不完整：%(error)s") % {"error": error.messages[0]}
        ) from None
    clue.save()
    if link is None:
        # The numbering of clues drafted on the platform (clues/services/handover.py).
        clue.number = f"XC{timezone.localdate():%Y}-{clue.pk:05d}"
        clue.save(update_fields=["number"])
        ClueLink.objects.create(clue=clue, uuid=change.uuid)
    clue.problems.set(problems)
    return clue


def _apply_worklog(change: Change, team: Team, users, existing) -> WorkLog:
    c = change.field_entry["content"]
    log = existing or WorkLog(team=team, filed_by=users[change.field_entry["filed_by"]])
    log.date = _parse_date(c["date"])
    for name in (*WORKLOG_FIGURES, "narrative"):
        setattr(log, name, c[name])
    try:
        log.full_clean(
            exclude=["team", "filed_by"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        raise PackageRefused(
            _("回传包中的工作日报内容不完整：%(error)s") % {"error": error.messages[0]}
        ) from None
    log.save()
    return log


def _apply_attachment(
    entry: dict, team: Team, archive, users, records: dict[str, set[uuid.UUID]]
) -> RecordAttachment:
    """A file made on the laptop, checked as any upload is (type from its
    content, size, markup); kept only with one of this team's records
    (``records``: each kind's UUIDs in the team, this import's included)."""
    model = RECORD_MODELS.get(entry["record_kind"])
    record_uuid = _uuid_or_none(entry["record_uuid"])
    if model is None or record_uuid not in records[model.KIND]:
        raise PackageRefused(
            _("附件“%(name)s”不属于本组的任何记录，拒绝导入。") % {"name": entry["original_name"]}
        )
    try:
        data = archive.read(f"files/{entry['uuid']}")
    except KeyError:
        raise PackageRefused(
            _("回传包中缺少附件“%(name)s”的文件。") % {"name": entry["original_name"]}
        ) from None
    if sealed.sha256_hex(data) != entry["sha256"]:
        raise PackageRefused(
            _("附件“%(name)s”与清单中的校验值不符。") % {"name": entry["original_name"]}
        )
    try:
        checked = check_upload(SimpleUploadedFile(str(entry["original_name"]), data))
    except ValidationError as error:
        raise PackageRefused(
            _("回传包中的附件被拒绝：%(error)s") % {"error": error.messages[0]}
        ) from None
    attachment = RecordAttachment(
        uuid=entry["uuid"],
        team=team,
        record_kind=model.KIND,
        record_uuid=record_uuid,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=users[entry["uploaded_by"]],
        uploaded_at=_parse_time(entry["uploaded_at"]),
    )
    attachment.file.save(storage_name(checked), checked.content, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def return_apply(
    *, team: Team, data: bytes, passphrase: str, resolutions: dict[str, str], user
) -> ReturnImport | None:
    """Apply the whole return, or nothing. None: there was nothing to apply."""
    plan, content, archive = return_analyse(team=team, data=data, passphrase=passphrase, user=user)
    undecided = [c for c in plan.conflicts if resolutions.get(c.uuid) not in ("field", "platform")]
    if undecided:
        raise ValidationError(
            _("还有 %(count)s 处冲突未选择处理方式，未导入任何内容。") % {"count": len(undecided)}
        )
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
        raise PackageRefused(
            _("回传包中的人员在平台上不存在：%(names)s。") % {"names": "、".join(sorted(missing))}
        )
    categories = dict(ProblemCategory.objects.values_list("code", "pk"))
    links = {
        str(link.uuid): link.problem for link in ProblemLink.objects.filter(problem__team=team)
    }
    applied: list[tuple[Change, object]] = []
    for change in taken:
        if change.kind == "problem":
            if change.field_entry["content"]["category"] not in categories:
                raise PackageRefused(_("回传包中的问题类别在平台上不存在，拒绝导入。"))
            problem = _apply_problem(change, team, users, categories, links.get(change.uuid))
            applied.append((change, problem))
    problem_pks = {
        str(link.uuid): link.problem_id for link in ProblemLink.objects.filter(problem__team=team)
    }
    for kind, model in RECORD_MODELS.items():
        mine = [c for c in taken if c.kind == kind]
        existing = model.objects.in_bulk(
            [c.uuid for c in mine if c.verdict != NEW], field_name="uuid"
        )
        existing = {str(key): value for key, value in existing.items()}
        rows = [
            _apply_record(change, team, users, problem_pks, existing.get(change.uuid))
            for change in mine
        ]
        model.objects.bulk_create(
            [r for r, c in zip(rows, mine, strict=True) if c.verdict == NEW], batch_size=500
        )
        applied += zip(mine, rows, strict=True)
    for change in taken:
        if change.kind == "clue":
            applied.append((change, _apply_clue(change, team, users, problem_pks)))
    logs = {log.date.isoformat(): log for log in team.logs.all()}
    for change in taken:
        if change.kind == "worklog":
            log = _apply_worklog(
                change, team, users, logs.get(change.field_entry["content"]["date"])
            )
            applied.append((change, log))
    records = {
        kind: set(model.objects.filter(team=team).values_list("uuid", flat=True))
        for kind, model in RECORD_MODELS.items()
    }
    attachments = [
        _apply_attachment(entry, team, archive, users, records) for entry in plan.new_attachments
    ]
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
    # One entry per object written, so each record's history shows the import.
    log_actions(
        user,
        "fieldwork.return_object",
        [
            (
                obj,
                {
                    "import": imported.pk,
                    "kind": change.kind,
                    "uuid": change.uuid,
                    "verdict": change.verdict,
                    "changed": change.changed_fields,
                },
            )
            for change, obj in applied
        ]
        + [
            (
                attachment,
                {
                    "import": imported.pk,
                    "kind": "attachment",
                    "uuid": str(attachment.uuid),
                    "verdict": NEW,
                    "record": str(attachment.record_uuid),
                },
            )
            for attachment in attachments
        ],
    )
    return imported


def stamp(value: str) -> str:
    return timezone.localtime(datetime.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
