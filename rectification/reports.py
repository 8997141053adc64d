"""The 三单五账 ledger report (整改台账报告), as PDF and as .xlsx.

For one target, a round, a district (区县) or the whole city: the three lists
of every item (问题清单, 任务清单, 责任清单) as one table per organization,
its state on the ledger and its history (the 五账 entries), the completion
figures and the items overdue or near their deadline, by colour.

The items are read in a few queries whatever their number (the items with
their problem, target and organization; their ledger entries; the aggregate
figures), a batch at a time. In the PDF the overview's head is laid out by
WeasyPrint (ledger.html); what grows with the organizations (their overdue
items, their table, the assessments) and the organizations' item tables,
thousands of rows in a round's or the city's ledger, are drawn by ReportLab
at a small part of WeasyPrint's cost (rectification.ledger_pdf), on from
the head's last page. The PDF reads the items as plain values, not as model
instances: building those cost more than drawing the rows.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from rectification.models import (
    DONE_STATES,
    Item,
    LedgerEntry,
    Plan,
    colour_windows,
    deadline_colour,
)
from rectification.selectors import completion_figures, item_list
from rounds.models import Problem, ProblemCategory, Round, Target
from rounds.selectors import category_names, get_round_for_user, get_target_for_user
from xuncha.accounts.roles import Role
from xuncha.core.rows import Names
from xuncha.core.xlsx import PrintSetup, Sheet, xlsx_bytes
from xuncha.orgs.models import Department, Region
from xuncha.orgs.selectors import department_choices
from xuncha.reports.pdf import long_lived_objects_set_aside, render_pdf_to
from xuncha.reports.registry import PDF, XLSX, Document, Generated, register

SCOPES = {"target": "巡察对象", "round": "巡察轮次", "region": "区县（市）", "city": "全市"}
FORMATS = ("pdf", "xlsx")
COLOUR_LABELS = {
    Item.Colour.RED: "红色（已逾期）",
    Item.Colour.YELLOW: "黄色（临近期限）",
    Item.Colour.GREEN: "绿色（即将到期）",
}
HISTORY_NOTE_CHARS = 60  # per entry in the PDF; the .xlsx carries each note whole
ITEM_BATCH = 500  # items read from the database at a time


def chinese_wan(yuan) -> str:
    """Yuan as 万元 the way leaders read it: 386000 → "38.6万元"."""
    wan = f"{Decimal(yuan or 0) / 10000:.2f}".rstrip("0").rstrip(".")
    return f"{wan}万元"


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
    """One target: its plan and its items, numbered from 1 as on the unit's own
    lists. Its figures are counted as the rows come; ``rows`` holds them only
    where the whole ledger is kept (the .xlsx): the PDF lets them go part by part."""

    target: Target
    plan: object = None
    rows: list[ItemRow] = field(default_factory=list)
    count: int = 0
    done: int = 0
    overdue_numbers: list[int] = field(default_factory=list)

    def add(self, row: ItemRow) -> None:
        if self.plan is None:
            self.plan = row.item.plan
        self.count_item(row.item.is_done, row.colour)
        self.rows.append(row)

    def count_item(self, done: bool, colour: str) -> None:
        """One more item (numbered count + 1) in the figures."""
        self.count += 1
        self.done += done
        if colour == Item.Colour.RED:
            self.overdue_numbers.append(self.count)

    @property
    def rate(self) -> float | None:
        return round(100 * self.done / self.count, 1) if self.count else None

    @property
    def overdue(self) -> int:
        return len(self.overdue_numbers)


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
    """The items in scope, with what the report prints of each loaded
    alongside (their plans come once each, see ledger_rows): no query per
    item."""
    entries = LedgerEntry.objects.only("item", "created_at", "action", "progress", "note")
    return (
        scoped_items(user, scope, pk)
        .select_related("problem__category", "organization", "transferred_to")
        .prefetch_related(Prefetch("entries", queryset=entries.order_by("created_at", "pk")))
        .order_by("round_id", "organization__code", "problem_id")
    )


def ledger_plans(items: QuerySet[Item] | set[int]) -> dict[int, Plan]:
    """The items' plans with their targets, in one query: a target's items
    share one plan object instead of each joining and building their own.
    ``items``: the items, or their plans' keys when already read (a lookup by
    key, where the subquery made PostgreSQL join all the plans first)."""
    if isinstance(items, QuerySet):
        plans = Plan.objects.filter(pk__in=items.order_by().values("plan_id"))
    else:
        plans = Plan.objects.filter(pk__in=items)
    return {
        plan.pk: plan
        for plan in plans.select_related(
            "target__organization", "target__team", "target__round__office", "signed_by"
        )
    }


# The labels by value: get_FOO_display() builds the field's choices anew at
# each call, a good part of a long ledger's reading.
ACTION_LABELS = dict(LedgerEntry.Action.choices)


ENTRY_FIELDS = ("created_at", "action", "progress", "note")
REPORT = LedgerEntry.Action.REPORT


def action_labels() -> dict[str, str]:
    """The entries' action labels, translated once (a label is a lazy
    string, translated again at each use)."""
    return {value: str(label) for value, label in ACTION_LABELS.items()}


def _history(entries, *, limit: int | None, labels: dict | None = None, zone=None) -> list[str]:
    """Each entry (its ENTRY_FIELDS, in order) as a line of the item's history.
    ``zone``: the current time zone, when the caller has it (looking it up
    is a good part of a short history's cost)."""
    lines, labels = [], labels or ACTION_LABELS
    zone = zone or timezone.get_current_timezone()
    for created_at, action, progress, note in entries:
        text = f"{created_at.astimezone(zone).date().isoformat()} {labels.get(action, action)}"
        if progress is not None and action == REPORT:
            text += f"（进度{progress}%）"
        note = " ".join(note.split()).rstrip("。；;，,")
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
        return sum(section.count for section in self.sections)

    @property
    def money_wan(self) -> str:
        return chinese_wan(self.figures["money"])


def ledger_rows(
    items: QuerySet[Item],
    today: datetime.date,
    *,
    history_limit: int | None,
) -> Iterator[ItemRow]:
    """The items as numbered rows, in the report's order, read ITEM_BATCH at
    a time by their keys (read first) with their entries: two queries a
    batch; their plans and targets once, before. Not through a server-side cursor (QuerySet.iterator): on
    PostgreSQL it is planned for its first rows, and took 1.3 s for the
    3,500 items of a round that a plain query reads in 0.02 s."""
    plans = ledger_plans(items)
    pks = list(items.values_list("pk", flat=True))
    numbers: Counter = Counter()
    for start in range(0, len(pks), ITEM_BATCH):
        for item in items.filter(pk__in=pks[start : start + ITEM_BATCH]):
            item.plan = plans[item.plan_id]
            target_id = item.plan.target_id
            numbers[target_id] += 1
            yield ItemRow(
                number=numbers[target_id],
                item=item,
                colour=item.colour(today),
                history=_history(
                    ((e.created_at, e.action, e.progress, e.note) for e in item.entries.all()),
                    limit=history_limit,
                ),
            )


def _ledger(
    user,
    scope: str,
    pk: int | None,
    today: datetime.date,
    sections: list[Section],
    state_counts: Counter,
    colour_counts: Counter,
    *,
    targets: list[int] | None = None,
) -> Ledger:
    in_scope = scoped_items(user, scope, pk)
    if targets is not None:
        in_scope = in_scope.filter(plan__target_id__in=targets)
    return Ledger(
        title="巡察整改“三单五账”台账报告",
        subject=_scope_title(scope, pk),
        generated_at=timezone.localtime(),
        today=today,
        # The same aggregate the pages show, so the report and the screen agree.
        figures=completion_figures(in_scope),
        states=[(label, state_counts[value]) for value, label in Item.State.choices],
        colours=[(value, COLOUR_LABELS[value], colour_counts[value]) for value in COLOUR_LABELS],
        sections=sections,
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


def build_ledger(user, params: dict, *, history_limit: int | None = HISTORY_NOTE_CHARS) -> Ledger:
    """The whole ledger in memory (the .xlsx, and the tests)."""
    scope, pk, _fmt = _params(params)
    today = timezone.localdate()
    sections: dict[int, Section] = {}
    states, colours = Counter(), Counter()
    for row in ledger_rows(ledger_items(user, scope, pk), today, history_limit=history_limit):
        target = row.item.plan.target
        sections.setdefault(target.pk, Section(target=target)).add(row)
        states[row.item.state] += 1
        colours[row.colour] += 1
    return _ledger(user, scope, pk, today, list(sections.values()), states, colours)


def _filename(ledger: Ledger, ext: str) -> str:
    subject = ledger.subject.split("（")[0][:40]
    return f"整改台账-{subject}-{ledger.today:%Y%m%d}.{ext}"


FRONT_TEMPLATE = "rectification/pdf/ledger.html"


def _plan_line(section: Section) -> str:
    target, plan = section.target, section.plan
    line = f"{target.round.name}{target.team.name}；整改方案：{plan.get_status_display()}"
    if plan.signed_by:
        line += f"，主要负责人{plan.signed_by}已签字背书"
    return line + "。"


def _tally(items: QuerySet[Item], today: datetime.date):
    """The overview's figures from a light first pass over the items (their
    plan, state, kind and deadline only, as plain values), in the report's
    order: the plans, the sections, numbered as the tables will number their
    rows, the counts by state and by colour, and the items' keys for the
    second pass."""
    sections: dict[int, Section] = {}
    states, colours = Counter(), Counter()
    keys = items.select_related(None).prefetch_related(None)
    rows = list(keys.values_list("pk", "plan_id", "state", "kind", "deadline"))
    plans = ledger_plans({row[1] for row in rows})
    pks, windows = [], colour_windows(today)
    for pk, plan_id, state, kind, deadline in rows:
        pks.append(pk)
        plan = plans[plan_id]
        section = sections.get(plan.target_id)
        if section is None:
            section = sections[plan.target_id] = Section(target=plan.target, plan=plan)
        colour = deadline_colour(state, kind, deadline, today, windows)
        section.count_item(state in DONE_STATES, colour)
        states[state] += 1
        colours[colour] += 1
    return plans, sections, states, colours, pks


class PdfItem(NamedTuple):
    """What the PDF prints of an item, read as plain values (see pdf_items)."""

    pk: int
    plan_id: int
    kind: str
    state: str
    progress: int
    deadline: datetime.date | None
    measures: str
    responsible_leader: str
    responsible_person: str
    responsible_department: str
    transferred_to: str | None
    description: str
    category: str


# The item's own columns the PDF prints; its problem's description and
# category, and its department's name, are read by key (see pdf_items).
ITEM_PDF_FIELDS = (
    "pk", "plan_id", "kind", "state", "progress", "deadline", "measures",
    "responsible_leader", "responsible_person", "responsible_department",
    "transferred_to_id", "problem_id",
)  # fmt: skip


def pdf_items(pks: list[int], today: datetime.date) -> Iterator[tuple[PdfItem, str, list[str]]]:
    """The items of ``pks`` (in the report's order) as the PDF prints them:
    each one's values, deadline colour and history, ITEM_BATCH at a time,
    three queries a batch (the items, their problems, their entries), as
    plain values, each by key alone on one table; the names of categories
    and departments come from their cached maps.
    ``pks`` were read through the user's scope (_tally): they are looked up
    by key alone, and put in their order here, which spares PostgreSQL the
    scope's joins and a sort by the organizations' codes in every batch.
    Joining the problems and categories into the items' query gave the
    planner a choice, and at a city's 100,000 problems it chose a scan of
    the whole problem table for every batch (20-30 ms against 2.5 ms)."""
    values = Item.objects.order_by()
    problems = Problem.objects.order_by()
    entries = LedgerEntry.objects.order_by("created_at", "pk")
    labels, windows = action_labels(), colour_windows(today)
    zone = timezone.get_current_timezone()
    categories = Names(category_names(), ProblemCategory)
    departments = Names(dict(department_choices()), Department)
    for start in range(0, len(pks), ITEM_BATCH):
        batch = pks[start : start + ITEM_BATCH]
        found = {row[0]: row for row in values.filter(pk__in=batch).values_list(*ITEM_PDF_FIELDS)}
        described = {
            pk: (description, category_id)
            for pk, description, category_id in problems.filter(
                pk__in={row[-1] for row in found.values()}
            ).values_list("pk", "description", "category_id")
        }
        history = defaultdict(list)
        for item_id, *entry in entries.filter(item_id__in=batch).values_list(
            "item_id", *ENTRY_FIELDS
        ):
            history[item_id].append(entry)
        for pk in batch:
            if pk not in found or found[pk][-1] not in described:  # deleted since the first pass
                continue
            *own, transferred_to, problem_id = found[pk]
            description, category_id = described[problem_id]
            item = PdfItem(
                *own,
                departments[transferred_to] if transferred_to else None,
                description,
                categories[category_id],
            )
            yield (
                item,
                deadline_colour(item.state, item.kind, item.deadline, today, windows),
                _history(history.get(pk, ()), limit=HISTORY_NOTE_CHARS, labels=labels, zone=zone),
            )


# The end of ledger.html's content: ReportLab goes on from there.
FRONT_ANCHOR = "overview-continues"


def ledger_pdf(
    user, params: dict, progress=lambda percent: None, *, targets: list[int] | None = None
) -> tuple[Ledger, bytes]:
    """The ledger as PDF: its figures counted in a light first pass, the
    overview's head laid out by WeasyPrint, then the rest drawn by ReportLab
    on from its last page: the overview's parts that grow with the
    organizations, and the items, read again a batch at a time, as the
    organizations' tables. Only one organization's rows are held at a time,
    whatever the ledger's length.
    ``targets`` keeps the scope's items of those targets only (the bench's
    3,500-item round ledger, cut from a round of 10,000)."""
    with long_lived_objects_set_aside():
        return _ledger_pdf(user, params, progress, targets=targets)


def _ledger_pdf(user, params: dict, progress, *, targets: list[int] | None) -> tuple[Ledger, bytes]:
    # ReportLab is loaded by the processes that draw a ledger, not by every one.
    from rectification.ledger_pdf import (
        OrganizationTable,
        item_state_labels,
        ledger_pages,
        row_cells,
    )

    scope, pk, _fmt = _params(params)
    today = timezone.localdate()
    items = ledger_items(user, scope, pk)
    if targets is not None:
        items = items.filter(plan__target_id__in=targets)
    plans, sections, states, colours, pks = _tally(items, today)
    progress(10)
    ledger = _ledger(
        user, scope, pk, today, list(sections.values()), states, colours, targets=targets
    )
    front, front_pages, front_end = render_pdf_to(
        FRONT_TEMPLATE,
        {"ledger": ledger, "confidentiality_mark": "内部", "chinese_today": chinese_date(today)},
        FRONT_ANCHOR,
    )
    progress(20)
    numbers = {target_pk: n for n, target_pk in enumerate(sections, start=1)}
    colour_labels = {"": "", **{value: str(label) for value, label in COLOUR_LABELS.items()}}
    state_labels = item_state_labels()

    def organizations() -> Iterator[OrganizationTable]:
        table, current, number = None, None, 0
        for item, colour, history in pdf_items(pks, today):
            target_id = plans[item.plan_id].target_id
            if target_id != current:
                if table:
                    yield table
                section = sections[target_id]
                table = OrganizationTable(
                    heading=f"{numbers[target_id]}．{section.target.organization.name}",
                    plan_line=_plan_line(section),
                )
                current, number = target_id, 0
            number += 1
            table.rows.append(
                row_cells(number, item, colour, colour_labels[colour], history, state_labels)
            )
        if table:
            yield table

    content = ledger_pages(
        ledger, organizations(), front=front, front_pages=front_pages, front_end=front_end
    )
    progress(90)
    return ledger, content


# The columns an office prints first (the print area: landscape A4, fit to the
# width of the page), then those kept for sorting and filtering on screen.
XLSX_HEADERS = [
    ("序号", 5),
    ("巡察组", 11),
    ("被巡察党组织", 18),
    ("问题描述（问题清单）", 36),
    ("整改措施（任务清单）", 36),
    ("责任领导", 9),
    ("责任人", 9),
    ("责任部门", 12),
    ("完成时限", 11),
    ("台账状态", 9),
    ("预警", 13),
    ("巡察轮次", 22),
    ("问题类别", 16),
    ("整改类型", 10),
    ("进度（%）", 8),
    ("转办部门", 14),
    ("建章立制（项）", 10),
    ("挽回经济损失（元）", 14),
    ("台账记录", 40),
]
XLSX_PRINTED_COLUMNS = 11
XLSX_PRINT = PrintSetup(print_columns=XLSX_PRINTED_COLUMNS)


def ledger_xlsx(ledger: Ledger) -> bytes:
    def item_rows():
        for section in ledger.sections:
            target = section.target
            for row in section.rows:
                item = row.item
                yield [
                    row.number,
                    target.team.name,
                    item.organization.name,
                    item.problem.description,
                    item.measures,
                    item.responsible_leader,
                    item.responsible_person,
                    item.responsible_department,
                    item.deadline,
                    item.get_state_display(),
                    row.colour_label,
                    target.round.name,
                    item.problem.category.name,
                    item.get_kind_display(),
                    item.progress,
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
        ["挽回经济损失（万元）", round(Decimal(figures["money"]) / 10000, 2)],
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
                print_setup=XLSX_PRINT,
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
    if fmt == "xlsx":
        ledger = build_ledger(user, params, history_limit=None)
        progress(30)
        return Generated(_filename(ledger, "xlsx"), ledger_xlsx(ledger), XLSX)
    ledger, content = ledger_pdf(user, params, progress)
    progress(95)
    return Generated(_filename(ledger, "pdf"), content, PDF)


def standing(user) -> list[tuple[str, dict]]:
    """The ledgers no page of their own carries: the city's, for the city
    office and leadership; a district's, for its own office."""
    if not _reads_office_figures(user):
        return []
    if user.office.is_city:
        scope, subject = {"scope": "city"}, _("全市")
    elif user.office.region_id:
        scope, subject = {"scope": "region", "id": user.office.region_id}, _("本区县（市）")
    else:
        return []
    return [
        (_("%(subject)s整改台账（PDF）") % {"subject": subject}, {**scope, "format": "pdf"}),
        (_("%(subject)s整改台账（Excel）") % {"subject": subject}, {**scope, "format": "xlsx"}),
    ]


LEDGER = register(
    Document(
        kind="rectification.ledger",
        label="整改“三单五账”台账报告",
        authorize=authorize,
        generate=generate,
        standing=standing,
    )
)

# The assessment report registers its own document; imported here so the
# documents' discovery (xuncha.reports autodiscovers reports.py) finds it.
from rectification import assessment_report  # noqa: E402, F401
