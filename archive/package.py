"""Building a round's archive package (归档包).

Every document of the round is produced by its own renderer, through the
document registry (xuncha.reports.registry: the same generate() a report
job calls, so the archive holds what the office would download): the
inspection report and feedback opinion of each target, the handover form of
each clue handed over, the round's rectification ledger and weekly
summaries; the two documents that had no renderer (each target's 整改评估
and the round's 巡察组量化考评表) are rendered here. The uploaded evidence
(problem attachments, checklist records, clue material, rectification
evidence) is copied as stored, after its checksum is checked against the one
recorded at upload.

The package is a zip: two parts, 文书档案 (kept by the office) and 业务档案
(kept by the team), each with its index (卷内目录.pdf: item number, title,
date, pages, retention period, keeper), and at the top manifest.json (every
entry and its SHA-256) and SHA256SUMS (the same, in the format sha256sum -c
reads).
"""

import datetime
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from clues.models import Clue, ClueFile
from evaluation.figures import TEAM_FIGURES, team_rows
from rectification.models import Assessment, Evidence, Item
from rectification.selectors import survey_figures
from rounds.models import ProblemAttachment, Round, Target, TeamReport, WeeklySummary
from xuncha.reports.pdf import render_pdf
from xuncha.reports.registry import get_document

OFFICE_PART, TEAM_PART = "文书档案", "业务档案"
PERMANENT, LONG, SHORT = "永久", "定期30年", "定期10年"
INDEX_NAME = "卷内目录.pdf"
HANDED_OVER = (Clue.Status.APPROVED, Clue.Status.RECEIVED, Clue.Status.CLOSED)


class ArchiveError(Exception):
    """Why the package cannot be built, in Chinese."""


@dataclass
class Entry:
    part: str
    number: int
    title: str
    date: str  # ISO date
    pages: int | None  # None: not a paged document (a spreadsheet, a zip)
    retention: str
    keeper: str
    path: str
    sha256: str
    size: int


def page_count(content: bytes, content_type: str) -> int | None:
    if content_type == "application/pdf":
        from pypdf import PdfReader

        return len(PdfReader(io.BytesIO(content)).pages)
    if content_type.startswith("image/"):
        return 1
    return None


def _safe(name: str) -> str:
    """A file name inside the zip: no path separators or control characters."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(" .")
    return cleaned[:120] or "未命名"


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value).isoformat()
    return value.isoformat()


class Package:
    """Collects the entries and their bytes, numbered within each part."""

    def __init__(self, zf: zipfile.ZipFile, root: str) -> None:
        self.zf, self.root = zf, root
        self.entries: list[Entry] = []
        self.counts = {OFFICE_PART: 0, TEAM_PART: 0}

    def add(self, part, title, day, retention, keeper, filename, content, content_type) -> Entry:
        self.counts[part] += 1
        number = self.counts[part]
        path = f"{self.root}/{part}/{number:04d}-{_safe(filename)}"
        entry = Entry(
            part=part,
            number=number,
            title=title,
            date=_day(day),
            pages=page_count(content, content_type),
            retention=retention,
            keeper=keeper,
            path=path,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
        )
        self.zf.writestr(path, content)
        self.entries.append(entry)
        return entry


def _document(kind: str, user, params: dict):
    return get_document(kind).generate(user, params, lambda _percent: None)


def _targets(round_: Round) -> list[Target]:
    return list(
        Target.objects.filter(round=round_)
        .select_related("organization", "team")
        .order_by("team__number", "organization__code")
    )


def _office_part(pkg: Package, round_: Round, user, targets, progress) -> None:
    keeper = round_.office.name
    today = timezone.localdate()
    steps = max(1, 2 * len(targets))
    for i, target in enumerate(targets):
        org = target.organization.name
        report = _document("rounds.inspection_report", user, {"id": target.pk, "format": "pdf"})
        pkg.add(
            OFFICE_PART,
            f"关于巡察{org}的情况报告",
            target.exit_date or today,
            PERMANENT,
            keeper,
            report.filename,
            report.content,
            report.content_type,
        )
        progress(5 + 50 * (2 * i + 1) // steps)
        feedback = _document("rounds.feedback", user, {"id": target.pk, "format": "pdf"})
        pkg.add(
            OFFICE_PART,
            f"{target.team.name}关于巡察{org}的反馈意见",
            target.feedback_date or today,
            PERMANENT,
            keeper,
            feedback.filename,
            feedback.content,
            feedback.content_type,
        )
        progress(5 + 50 * (2 * i + 2) // steps)
    clues = Clue.objects.filter(round=round_, status__in=HANDED_OVER).order_by("number")
    for clue in clues:
        form = _document("clues.handover", user, {"id": clue.pk})
        pkg.add(
            OFFICE_PART,
            f"问题线索审批交接单（{clue.number}）",
            clue.approved_at,
            PERMANENT,
            keeper,
            form.filename,
            form.content,
            form.content_type,
        )
    progress(60)
    if Item.objects.filter(round=round_).exists():
        ledger = _document(
            "rectification.ledger", user, {"scope": "round", "id": round_.pk, "format": "pdf"}
        )
        pkg.add(
            OFFICE_PART,
            f"{round_.name}整改“三单五账”台账",
            today,
            LONG,
            keeper,
            ledger.filename,
            ledger.content,
            ledger.content_type,
        )
    progress(80)
    for summary in WeeklySummary.objects.filter(round=round_).order_by("week_start"):
        weekly = _document("rounds.weekly_summary", user, {"id": summary.pk})
        pkg.add(
            OFFICE_PART,
            f"巡察工作周汇总（{summary.week_start:%Y年%m月%d日}起）",
            summary.week_start,
            SHORT,
            keeper,
            weekly.filename,
            weekly.content,
            weekly.content_type,
        )
    assessments = Assessment.objects.filter(target__round=round_).select_related(
        "target__organization", "target__team", "decided_by"
    )
    for assessment in assessments.order_by("target__team__number", "target__organization__code"):
        content = render_pdf(
            "archive/pdf/assessment.html",
            {
                "assessment": assessment,
                "round": round_,
                "survey": survey_figures(assessment),
                "accountabilities": list(assessment.accountabilities.all()),
                "confidentiality_mark": "内部",
            },
        )
        org = assessment.target.organization.name
        pkg.add(
            OFFICE_PART,
            f"{org}整改评估",
            assessment.decided_at or today,
            LONG,
            keeper,
            f"整改评估-{org}.pdf",
            content,
            "application/pdf",
        )
    rows = team_rows(round_)
    content = render_pdf(
        "archive/pdf/evaluation.html",
        {
            "round": round_,
            "figures": TEAM_FIGURES,
            "table": [(row, [row.values[f.code] for f in TEAM_FIGURES]) for row in rows],
            "confidentiality_mark": "内部",
        },
    )
    pkg.add(
        OFFICE_PART,
        f"{round_.name}巡察组量化考评表",
        today,
        LONG,
        keeper,
        "巡察组量化考评表.pdf",
        content,
        "application/pdf",
    )
    progress(85)


def _stored(record, what: str) -> bytes:
    """The stored file, checked against the checksum recorded at upload."""
    try:
        with record.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise ArchiveError(
            _("%(what)s「%(name)s」的文件已不存在，无法归档。")
            % {"what": what, "name": record.original_name}
        ) from None
    if hashlib.sha256(content).hexdigest() != record.sha256:
        raise ArchiveError(
            _("%(what)s「%(name)s」的校验值与上传时不符，无法归档。")
            % {"what": what, "name": record.original_name}
        )
    return content


def _team_part(pkg: Package, round_: Round) -> None:
    from checklist.models import ChecklistTick

    # The team's 巡察情况报告 as handed in, every hand-in (a corrected report too).
    reports = TeamReport.objects.filter(target__round=round_).select_related(
        "team", "target__organization"
    )
    for record in reports.order_by("team__number", "target_id", "submitted_at", "pk"):
        org = record.target.organization.name
        pkg.add(
            TEAM_PART,
            f"巡察情况报告（{org}，{timezone.localtime(record.submitted_at):%Y-%m-%d %H:%M}报送）",
            record.submitted_at,
            PERMANENT,
            record.team.name,
            record.original_name,
            _stored(record, "巡察情况报告"),
            record.content_type,
        )
    attachments = ProblemAttachment.objects.filter(problem__round=round_).select_related(
        "problem__team", "problem__target__organization"
    )
    for record in attachments.order_by("problem__team__number", "problem_id", "pk"):
        org = record.problem.target.organization.name
        pkg.add(
            TEAM_PART,
            f"问题佐证材料：{record.original_name}（{org}）",
            record.uploaded_at,
            LONG,
            record.problem.team.name,
            record.original_name,
            _stored(record, "问题附件"),
            record.content_type,
        )
    ticks = ChecklistTick.objects.filter(target__round=round_).exclude(sha256="")
    for record in ticks.select_related("target__team", "target__organization", "item").order_by(
        "target__team__number", "target_id", "pk"
    ):
        org = record.target.organization.name
        pkg.add(
            TEAM_PART,
            f"现场工作清单「{record.item.name}」佐证：{record.original_name}（{org}）",
            record.ticked_at,
            LONG,
            record.target.team.name,
            record.original_name,
            _stored(record, "清单佐证材料"),
            record.content_type,
        )
    files = ClueFile.objects.filter(clue__round=round_).select_related("clue__team")
    for record in files.order_by("clue__number", "pk"):
        pkg.add(
            TEAM_PART,
            f"问题线索资料（{record.clue.number}）：{record.get_kind_display()}",
            record.uploaded_at,
            PERMANENT,
            record.clue.team.name,
            record.original_name,
            _stored(record, "线索材料"),
            record.content_type,
        )
    evidence = Evidence.objects.filter(item__round=round_).select_related(
        "item__plan__target__team", "item__organization"
    )
    for record in evidence.order_by(
        "item__organization__code", "item_id", "original_name", "version"
    ):
        org = record.item.organization.name
        pkg.add(
            TEAM_PART,
            f"整改佐证材料：{record.original_name}（第{record.version}版，{org}）",
            record.uploaded_at,
            LONG,
            record.item.plan.target.team.name,
            f"v{record.version}-{record.original_name}",
            _stored(record, "整改佐证材料"),
            record.content_type,
        )


def _index_pdf(round_: Round, part: str, entries: list[Entry], keeper: str) -> bytes:
    return render_pdf(
        "archive/pdf/index.html",
        {
            "round": round_,
            "part": part,
            "entries": entries,
            "keeper": keeper,
            "pages": sum(entry.pages or 0 for entry in entries),
            "confidentiality_mark": "内部",
        },
    )


def build_package(round_: Round, user, out, progress: Callable[[int], None]) -> dict:
    """Write the round's package as a zip to ``out``; return its manifest."""
    round_ = Round.objects.select_related("office").get(pk=round_.pk)
    root = _safe(f"{round_.year}-{round_.name}")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        pkg = Package(zf, root)
        targets = _targets(round_)
        _office_part(pkg, round_, user, targets, progress)
        _team_part(pkg, round_)
        progress(90)
        indexes = []
        for part, keeper in ((OFFICE_PART, round_.office.name), (TEAM_PART, "各巡察组")):
            entries = [e for e in pkg.entries if e.part == part]
            content = _index_pdf(round_, part, entries, keeper)
            path = f"{root}/{part}/{INDEX_NAME}"
            zf.writestr(path, content)
            indexes.append(
                {
                    "part": part,
                    "path": path,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "size": len(content),
                    "pages": page_count(content, "application/pdf"),
                }
            )
        manifest = {
            "round": {"id": round_.pk, "name": round_.name, "year": round_.year},
            "office": round_.office.name,
            "built_at": timezone.localtime().isoformat(timespec="seconds"),
            "built_by": user.get_full_name() or user.get_username(),
            "entries": [asdict(entry) for entry in pkg.entries],
            "indexes": indexes,
        }
        zf.writestr(f"{root}/manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        sums = [f"{e['sha256']}  {e['path']}" for e in manifest["entries"] + indexes]
        zf.writestr(f"{root}/SHA256SUMS", "\n".join(sums) + "\n")
    return manifest
