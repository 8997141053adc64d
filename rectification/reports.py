"""The 三单五账 ledger report (整改台账报告), as PDF and as .xlsx.

For one target, a round, a district (区县) or the whole city: the three lists
of every item (问题清单, 任务清单, 责任清单), its state on the ledger and its
history (the 五账 entries), the completion figures and the items overdue or
near their deadline, by colour.

Everything is read in three queries (the items with their problem, target and
organization; their ledger entries; the aggregate figures), whatever the
number of items. The PDF lays the items out as blocks, not as a table:
WeasyPrint spends about 0.6 ms on each table cell, so 500 items as a six-column
table took 5 s where the same text in blocks takes under 2 s.
"""

import datetime
import gc
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from rectification.models import Item, LedgerEntry
from rectification.selectors import completion_figures, item_list
from rounds.models import Round, Target
from rounds.selectors import get_round_for_user, get_target_for_user
from xuncha.accounts.roles import Role
from xuncha.core.xlsx import Sheet, xlsx_bytes
from xuncha.orgs.models import Region
from xuncha.reports.pdf import render_pdf
from xuncha.reports.registry import PDF, XLSX, Document, Generated, register

SCOPES = {"target": "巡察对象", "round": "巡察轮次", "region": "区县（市）", "city": "全市"}
FORMATS = ("pdf", "xlsx")
COLOUR_LABELS = {
    Item.Colour.RED: "红色（已逾期）",
    Item.Colour.YELLOW: "黄色（临近期限）",
    Item.Colour.GREEN: "绿色（即将到期）",
}
HISTORY_NOTE_CHARS = 60  # per entry in the PDF; the .xlsx carries each note whole


def chinese_date(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


@dataclass
class ItemRow:
    number: int
    item: Item
    colour: str
    history: list[str]

    @property
    def colour_label(self) -> str:
        return COLOUR_LABELS.get(self.colour, "")


@dataclass
class Section:
    """One target: its plan and its items, numbered from 1 as on the unit's own lists."""

    target: Target
    rows: list[ItemRow] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(row.item.is_done for row in self.rows)

    @property
    def rate(self) -> float | None:
        return round(100 * self.done / len(self.rows), 1) if self.rows else None

    @property
    def overdue(self) -> int:
        return sum(row.colour == Item.Colour.RED for row in self.rows)

    @property
    def overdue_numbers(self) -> list[int]:
        return [row.number for row in self.rows if row.colour == Item.Colour.RED]


def _params(params: dict) -> tuple[str, int | None, str]:
    scope = params.get("scope", "target")
    if scope not in SCOPES:
        raise ValidationError(f"未知的统计范围：{scope}")
    fmt = params.get("format", "pdf")
    if fmt not in FORMATS:
        raise ValidationError(f"台账报告只能导出为 PDF 或 Excel（.xlsx），不支持：{fmt}")
    if scope == "city":
        return scope, None, fmt
    try:
        return scope, int(params.get("id")), fmt
    except (TypeError, ValueError):
        raise ValidationError("请指定统计对象。") from None


def _reads_office_figures(user) -> bool:
    return user.has_role(Role.OFFICE, Role.LEADERSHIP) and user.office is not None


def authorize(user, params: dict) -> None:
    """Who may have the ledger of what: the office and leadership within their
    office's reach (the city for the city office only, a district for its own
    office or the city's); a unit contact their own target's. Others: 404."""
    scope, pk, _fmt = _params(params)
    if scope == "target":
        target = get_target_for_user(user, pk)
        own_unit = (
            user.has_role(Role.UNIT_CONTACT) and user.organization_id == target.organization_id
        )
        if not (_reads_office_figures(user) or own_unit):
            raise Http404
    elif scope == "round":
        if not _reads_office_figures(user):
            raise Http404
        get_round_for_user(user, pk)
    elif scope == "region":
        region = get_object_or_404(Region, pk=pk)
        if not _reads_office_figures(user):
            raise Http404
        if not (user.office.is_city or user.office.region_id == region.pk):
            raise Http404
    elif not (_reads_office_figures(user) and user.office.is_city):
        raise Http404


def scoped_items(user, scope: str, pk: int | None) -> QuerySet[Item]:
    """The items in scope that the user may see."""
    items = item_list(user=user)
    if scope == "target":
        return items.filter(plan__target_id=pk)
    if scope == "round":
        return items.filter(round_id=pk)
    if scope == "region":
        return items.filter(organization__region_id=pk)
    return items


def ledger_items(user, scope: str, pk: int | None) -> QuerySet[Item]:
    """The items in scope, with everything the report prints loaded alongside:
    no query per item."""
    entries = LedgerEntry.objects.select_related("actor").order_by("created_at", "pk")
    return (
        scoped_items(user, scope, pk)
        .select_related(
            "problem__category",
            "plan__target__team",
            "plan__target__round__office",
            "plan__signed_by",
        )
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by("round_id", "organization__code", "problem_id")
    )


def _history(entries, *, limit: int | None) -> list[str]:
    lines = []
    for entry in entries:
        when = timezone.localtime(entry.created_at)
        text = f"{when:%Y-%m-%d} {entry.get_action_display()}"
        if entry.progress is not None and entry.action == LedgerEntry.Action.REPORT:
            text += f"（进度{entry.progress}%）"
        note = " ".join(entry.note.split()).rstrip("。；;，,")
        if note:
            if limit and len(note) > limit:
                note = note[:limit] + "…"
            text += f"：{note}"
        lines.append(text)
    return lines


def _scope_title(scope: str, pk: int | None) -> str:
    if scope == "target":
        target = Target.objects.select_related("organization", "round__office").get(pk=pk)
        return f"{target.organization.name}（{target.round.name}）"
    if scope == "round":
        return Round.objects.select_related("office").get(pk=pk).name
    if scope == "region":
        return Region.objects.get(pk=pk).name
    return "全市"


@dataclass
class Ledger:
    title: str
    subject: str
    generated_at: datetime.datetime
    today: datetime.date
    figures: dict
    states: list[tuple[str, int]]
    colours: list[tuple[str, str, int]]
    sections: list[Section]
    scope: str
    # 一评估 of the targets in scope (rectification.assessment_report.AssessmentRow).
    assessments: list = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(len(section.rows) for section in self.sections)


def build_ledger(user, params: dict, *, history_limit: int | None = HISTORY_NOTE_CHARS) -> Ledger:
    scope, pk, _fmt = _params(params)
    today = timezone.localdate()
    items = ledger_items(user, scope, pk)
    sections: dict[int, Section] = {}
    for item in items:
        target = item.plan.target
        section = sections.setdefault(target.pk, Section(target=target))
        section.rows.append(
            ItemRow(
                number=len(section.rows) + 1,
                item=item,
                colour=item.colour(today),
                history=_history(item.entries.all(), limit=history_limit),
            )
        )
    rows = [row for section in sections.values() for row in section.rows]
    state_counts = Counter(row.item.state for row in rows)
    colour_counts = Counter(row.colour for row in rows)
    subject = _scope_title(scope, pk)
    return Ledger(
        title="巡察整改“三单五账”台账报告",
        subject=subject,
        generated_at=timezone.localtime(),
        today=today,
        # The same aggregate the pages show, so the report and the screen agree.
        figures=completion_figures(scoped_items(user, scope, pk)),
        states=[(label, state_counts[value]) for value, label in Item.State.choices],
        colours=[(value, COLOUR_LABELS[value], colour_counts[value]) for value in COLOUR_LABELS],
        sections=list(sections.values()),
        scope=scope,
        assessments=_assessments(user, scope, pk),
    )


def _assessments(user, scope: str, pk: int | None) -> list:
    """The assessments of the targets in scope that the user may see (a unit
    contact reads its own ledger but not the office's assessment)."""
    from rectification.assessment_report import assessment_rows
    from rectification.selectors import assessment_list

    assessments = assessment_list(user=user)
    if scope == "target":
        assessments = assessments.filter(target_id=pk)
    elif scope == "round":
        assessments = assessments.filter(target__round_id=pk)
    elif scope == "region":
        assessments = assessments.filter(target__organization__region_id=pk)
    return assessment_rows(assessments)


def _filename(ledger: Ledger, ext: str) -> str:
    subject = ledger.subject.split("（")[0][:40]
    return f"整改台账-{subject}-{ledger.today:%Y%m%d}.{ext}"


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while WeasyPrint lays out a long
    document: it allocates a few hundred thousand short-lived objects, and the
    collector's repeated passes over them cost about a sixth of the time. The
    one collection afterwards frees whatever cycles were left."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def ledger_pdf(ledger: Ledger) -> bytes:
    with gc_paused():
        return render_pdf(
            "rectification/pdf/ledger.html",
            {
                "ledger": ledger,
                "confidentiality_mark": "内部",
                "chinese_today": chinese_date(ledger.today),
            },
        )


XLSX_HEADERS = [
    ("序号", 6),
    ("巡察轮次", 22),
    ("被巡察党组织", 24),
    ("问题描述（问题清单）", 40),
    ("问题类别", 16),
    ("整改类型", 10),
    ("整改措施（任务清单）", 40),
    ("责任领导", 10),
    ("责任人", 10),
    ("责任部门", 14),
    ("完成时限", 12),
    ("台账状态", 10),
    ("进度（%）", 8),
    ("预警", 14),
    ("转办部门", 14),
    ("建章立制（项）", 10),
    ("挽回经济损失（元）", 14),
    ("台账记录", 50),
]


def ledger_xlsx(ledger: Ledger) -> bytes:
    def item_rows():
        for section in ledger.sections:
            target = section.target
            for row in section.rows:
                item = row.item
                yield [
                    row.number,
                    target.round.name,
                    item.organization.name,
                    item.problem.description,
                    item.problem.category.name,
                    item.get_kind_display(),
                    item.measures,
                    item.responsible_leader,
                    item.responsible_person,
                    item.responsible_department,
                    item.deadline,
                    item.get_state_display(),
                    item.progress,
                    row.colour_label,
                    item.transferred_to.name if item.transferred_to else "",
                    item.rules_made,
                    item.money_recovered,
                    "\n".join(row.history),
                ]

    figures = ledger.figures
    summary = [
        ["统计范围", ledger.subject],
        ["统计截至", ledger.today],
        ["整改事项（项）", figures["total"]],
        ["已完成（项）", figures["done"]],
        ["整改完成率（%）", figures["rate"]],
        ["建章立制（项）", figures["rules"]],
        ["挽回经济损失（元）", figures["money"]],
        *[[f"台账状态：{label}", count] for label, count in ledger.states],
        *[[f"预警：{label}", count] for _value, label, count in ledger.colours],
    ]
    return xlsx_bytes(
        [
            Sheet(
                "整改台账",
                [title for title, _ in XLSX_HEADERS],
                item_rows(),
                widths=[width for _, width in XLSX_HEADERS],
                wrap=True,
            ),
            Sheet("总体情况", ["项目", "数值"], summary, widths=[24, 40]),
            Sheet(
                "整改评估",
                ASSESSMENT_HEADERS,
                [_assessment_xlsx_row(row) for row in ledger.assessments],
                widths=[24, 22, 10, 10, 10, 40, 10, 8, 10],
                wrap=True,
            ),
        ]
    )


ASSESSMENT_HEADERS = [
    "被巡察党组织", "测评问卷", "干部答卷", "群众答卷", "答卷合计", "测评方面得分", "综合得分",
    "等次", "评估结论",
]  # fmt: skip


def _assessment_xlsx_row(row) -> list:
    q = row.questionnaire or {}
    counts = {r["kind"]: r["count"] for r in q.get("responses", [])}
    aspects = "；".join(
        f"{a['name']} {a['score']:.1f}" for a in q.get("aspects", []) if a["score"] is not None
    )
    score = q.get("score")
    return [
        row.organization,
        q["questionnaire"].name if q else "",
        counts.get("cadre", 0),
        counts.get("public", 0),
        q.get("response_total", 0),
        aspects,
        round(score, 1) if score is not None else "",
        q.get("grade", ""),
        row.assessment.get_verdict_display(),
    ]


def generate(user, params: dict, progress) -> Generated:
    _scope, _pk, fmt = _params(params)
    ledger = build_ledger(user, params, history_limit=None if fmt == "xlsx" else HISTORY_NOTE_CHARS)
    progress(30)
    if fmt == "xlsx":
        return Generated(_filename(ledger, "xlsx"), ledger_xlsx(ledger), XLSX)
    content = ledger_pdf(ledger)
    progress(95)
    return Generated(_filename(ledger, "pdf"), content, PDF)


LEDGER = register(
    Document(
        kind="rectification.ledger",
        label="整改“三单五账”台账报告",
        authorize=authorize,
        generate=generate,
    )
)

# The assessment report registers its own document; imported here so the
# documents' discovery (xuncha.reports autodiscovers reports.py) finds it.
from rectification import assessment_report  # noqa: E402, F401
