"""The ledger's pages drawn with ReportLab: the overview's parts that grow
with the organizations, and the item tables (整改台账明细).

The overview's head (title, 一、总体情况, the counts by state and by colour)
is laid out by WeasyPrint (ledger.html). What follows it grows with the
number of organizations in the ledger, 92 in a round's, thousands in the
city's: the overdue items of each, the table of the organizations, the
assessment of each (三、整改评估). WeasyPrint lays out a paragraph or a
table row at some milliseconds; these are drawn here (xuncha.reports.
tables_pdf) in the same faces, sizes and spacing, on from where WeasyPrint's
page ends: WeasyPrint's pages are brought into this PDF as they are
(xuncha.reports.pdf_import), its last one under the first page drawn here.

Then the item tables on landscape A4 with the margins, faces and colours
the HTML part had: per organization its heading and plan line, then one
table of the three lists (问题清单、任务清单、责任清单) whose two header rows
repeat on every page. A heading is never left alone at a page foot: it is
kept with the table's header and first row.

Rows come in as ``LedgerRow``: each cell's text and styles, made from an
item's values as they are read (``row_cells``), so that the items
themselves need not be kept until the pages are laid out.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from reportlab.platypus import Flowable

from rectification.models import Item
from xuncha.reports.pdf_text import BODY, SANS, TITLE, Block, TextStyle, advances
from xuncha.reports.tables_pdf import (
    Grid,
    GridTable,
    HeaderCell,
    KeptWithNext,
    Layouts,
    PageSetup,
    TextLines,
    landscape_a4,
    lay_out_row,
    portrait_a4,
    text_lines,
    write_pages,
)

PAGE = landscape_a4(margins=(26, 28, 24, 28), mark="内部")
TEXT_WIDTH, TEXT_HEIGHT = PAGE.frame[2], PAGE.frame[3]
CELL_SIZE, HISTORY_SIZE = 10.5, 9
CELL_LEADING = CELL_SIZE * 1.35
CELL = TextStyle(BODY, CELL_SIZE)
LABEL = TextStyle(SANS, CELL_SIZE)  # the state
CATEGORY = TextStyle(SANS, HISTORY_SIZE)
HISTORY = TextStyle(BODY, HISTORY_SIZE, "#333333")
WARNINGS = {
    "red": TextStyle(BODY, CELL_SIZE, "#cc0000"),
    "yellow": TextStyle(BODY, CELL_SIZE, "#a86b00"),
    "green": TextStyle(BODY, CELL_SIZE, "#007700"),
}
HEAD, HEAD_LIST = TextStyle(SANS, CELL_SIZE), TextStyle(SANS, 12)

# The columns' shares of the text width, as the HTML template had them:
# 序号, 问题清单, 任务清单, 责任人, 完成时限, 进展及台账记录.
SHARES = (0.05, 0.27, 0.25, 0.14, 0.09, 0.20)
GRID = Grid(
    widths=tuple(share * TEXT_WIDTH for share in SHARES),
    aligns=("center", "left", "left", "left", "center", "left"),
    header=(
        HeaderCell("序号", HEAD, (0, 0), (0, 1)),
        HeaderCell("问题清单", HEAD_LIST, (1, 1), (0, 0)),
        HeaderCell("任务清单", HEAD_LIST, (2, 2), (0, 0)),
        HeaderCell("责任清单", HEAD_LIST, (3, 4), (0, 0)),
        HeaderCell("整改进展及台账记录", HEAD, (5, 5), (0, 1)),
        HeaderCell("问题类别及描述", HEAD, (1, 1), (1, 1)),
        HeaderCell("整改措施", HEAD, (2, 2), (1, 1)),
        HeaderCell("责任领导／责任人／责任部门", HEAD, (3, 3), (1, 1)),
        HeaderCell("完成时限", HEAD, (4, 4), (1, 1)),
    ),
    header_rows=2,
    header_leading=CELL_LEADING,
)


def _block(*runs: tuple[str, TextStyle], leading: float = CELL_LEADING) -> Block:
    return Block(tuple(runs), leading)


SECTION_TITLE = TextStyle(SANS, 16)
HEADING = TextStyle(TITLE, 14)
PLAN = TextStyle(BODY, 12)


def _lines(value: str, style: TextStyle, leading: float, **spacing) -> TextLines:
    return text_lines(_block((value, style), leading=leading), TEXT_WIDTH, **spacing)


@dataclass(frozen=True)
class LedgerRow:
    """One item's cells, each a few blocks of styled text (drawn as text,
    never read as markup)."""

    cells: tuple[tuple[Block, ...], ...]


IN_PROGRESS = Item.State.IN_PROGRESS


def item_state_labels() -> dict[tuple[str, str], str]:
    """ "Kind·state" of each kind and state, translated once per document
    (get_FOO_display() builds the choices anew at each call, and a label is
    a lazy string, translated again at each use)."""
    return {
        (kind, state): f"{kind_label}·{state_label}"
        for kind, kind_label in Item.Kind.choices
        for state, state_label in Item.State.choices
    }


def row_cells(
    number: int, item, colour: str, colour_label: str, history: list[str], state_labels: dict
) -> LedgerRow:
    """The cells of an item's row: ``item`` has the values the PDF prints
    (rectification.reports.PdfItem); ``state_labels`` is item_state_labels()."""
    responsible = [item.responsible_leader or "—", item.responsible_person or "—"]
    if item.responsible_department:
        responsible.append(item.responsible_department)
    if item.transferred_to:
        responsible.append(f"转办：{item.transferred_to}")
    state = state_labels.get((item.kind, item.state)) or f"{item.kind}·{item.state}"
    if item.state == IN_PROGRESS and item.progress:
        state += f"{item.progress}%"
    progress = [_block((state, LABEL))]
    if colour:
        progress.append(_block((colour_label, WARNINGS[colour])))
    if history:
        progress.append(_block(("；".join(history), HISTORY), leading=HISTORY_SIZE * 1.35))
    return LedgerRow(
        cells=(
            (_block((str(number), CELL)),),
            (_block((f"〔{item.category}〕", CATEGORY), (item.description, CELL)),),
            (_block((item.measures or "（未填写）", CELL)),),
            tuple(_block((line, CELL)) for line in responsible),
            (_block((item.deadline.isoformat() if item.deadline else "长期", CELL)),),
            tuple(progress),
        )
    )


@dataclass
class OrganizationTable:
    """An organization's heading and plan line (plain text) and rows, in the
    ledger's order."""

    heading: str
    plan_line: str
    rows: list[LedgerRow] = field(default_factory=list)


def ledger_story(organizations: Iterable[OrganizationTable]) -> Iterator[Flowable]:
    advances()  # the faces registered before a line is measured
    title = [_lines("四、整改台账明细", SECTION_TITLE, 28, space_after=3)]
    layouts = Layouts()
    for organization in organizations:
        rows = [lay_out_row(GRID, row.cells, layouts) for row in organization.rows]
        lead = [
            *title,
            _lines(organization.heading, HEADING, 21, space_before=5.6),
            _lines(organization.plan_line, PLAN, 21, space_after=3),
        ]
        title = []
        yield KeptWithNext(lead, GridTable(GRID, rows, TEXT_HEIGHT, space_after=6))


# --- The overview's growing parts (portrait A4, as ledger.html) --------------------

# reports/pdf/base.html: A4, margins 37 26 35 28 mm; text 16 pt on 1.75 lines,
# paragraphs indented two characters; tables 10.5 pt on 1.4 lines.
OVERVIEW = portrait_a4(margins=(37, 26, 35, 28), mark="内部")
OVERVIEW_WIDTH = OVERVIEW.frame[2]
BODY_SIZE, BODY_LEADING = 16, 16 * 1.75
TEXT = TextStyle(BODY, BODY_SIZE)
SMALL = TextStyle(BODY, CELL_SIZE)
H2 = TextStyle(SANS, BODY_SIZE)
H3 = TextStyle(TITLE, BODY_SIZE)
TABLE_TITLE = TextStyle(SANS, 14)
TABLE_LEADING = CELL_SIZE * 1.4
RED = TextStyle(BODY, CELL_SIZE, "#cc0000")


def _overview_grid(shares, aligns, labels) -> Grid:
    widths = tuple(share * OVERVIEW_WIDTH for share in shares)
    return Grid(
        widths=widths,
        aligns=aligns,
        header=tuple(HeaderCell(label, HEAD, (n, n), (0, 0)) for n, label in enumerate(labels)),
        header_rows=1,
        header_leading=TABLE_LEADING,
    )


ORGANIZATIONS_GRID = _overview_grid(
    (0.34, 0.20, 0.12, 0.11, 0.12, 0.11),
    ("left", "center", "center", "center", "center", "center"),
    ("被巡察党组织", "巡察组", "整改事项", "已完成", "完成率", "已逾期"),
)
ASPECTS_GRID = _overview_grid(
    (1 / 3, 1 / 3, 1 / 3), ("left", "right", "right"), ("测评方面", "权重", "得分")
)


def _paragraph(value: str, *, space_before: float = 0) -> TextLines:
    block = _block((value, TEXT), leading=BODY_LEADING)
    return text_lines(block, OVERVIEW_WIDTH, indent=2 * BODY_SIZE, space_before=space_before)


def _h2(value: str) -> TextLines:
    block = _block((value, H2), leading=BODY_LEADING)
    return text_lines(block, OVERVIEW_WIDTH, space_before=0.8 * BODY_SIZE,
                      space_after=0.2 * BODY_SIZE)  # fmt: skip


def _h3(value: str) -> TextLines:
    block = _block((value, H3), leading=BODY_LEADING)
    return text_lines(block, OVERVIEW_WIDTH, space_before=0.6 * BODY_SIZE,
                      space_after=0.2 * BODY_SIZE)  # fmt: skip


def _table(grid: Grid, rows: list[tuple[tuple[str, TextStyle], ...]]) -> GridTable:
    laid_out = [
        lay_out_row(grid, [(_block(cell, leading=TABLE_LEADING),) for cell in row]) for row in rows
    ]
    return GridTable(grid, laid_out, OVERVIEW.frame[3])


def _cell(value, style: TextStyle = SMALL) -> tuple[str, TextStyle]:
    return (str(value), style)


def _assessment(number: int, row) -> Iterator[Flowable]:
    """One assessment as rectification/pdf/_assessment_section.html has it."""
    q, total, assessment = row.questionnaire, row.survey["total"], row.assessment
    heading = _h3(f"{number}．{row.organization}")
    body: list[Flowable] = []
    if q:
        responses = "，".join(f"{r['label']}{r['count']}份" for r in q["responses"])
        text = f"采用《{q['questionnaire'].name}》开展满意度测评，收回答卷{q['response_total']}份（{responses}）"
        if q["score"] is not None:
            text += f"，综合得分{floatformat(q['score'], 1)}分，等次为“{q['grade']}”"
        else:
            text += "，尚无有效答卷"
        body.append(_paragraph(text + "。"))
        aspects = [
            (
                _cell(a["name"]),
                _cell(localize(a["weight"])),
                _cell(floatformat(a["score"], 1) if a["score"] is not None else "—"),
            )
            for a in q["aspects"]
        ]
        body.append(_table(ASPECTS_GRID, aspects))
    if total["links"]:
        text = f"总体满意度测评发放链接{total['links']}个，已答{total['answers']}份"
        if total["satisfied_rate"] is not None:
            text += f"，满意及以上占{total['satisfied_rate']}%"
        body.append(_paragraph(text + "。"))
    if not q and not total["links"]:
        body.append(_paragraph("尚未开展满意度测评。"))
    verdict = (
        f"测评{assessment.get_survey_state_display()}；评估结论：{assessment.get_verdict_display()}"
    )
    if assessment.verdict_note:
        verdict += f"，{assessment.verdict_note}"
    body.append(_paragraph(verdict + "。"))
    yield KeptWithNext([heading], body[0])
    yield from body[1:]


def overview_story(ledger) -> Iterator[Flowable]:
    """What ledger.html leaves to be drawn here, in its order: each
    organization's overdue items, the table of the organizations (not in a
    target's own ledger), and 三、整改评估."""
    advances()
    for section in ledger.sections:
        if section.overdue:
            numbers = "、".join(str(n) for n in section.overdue_numbers)
            value = f"{section.target.organization.name}已逾期事项：第{numbers}项。"
            yield text_lines(_block((value, SMALL), leading=CELL_SIZE * 1.75), OVERVIEW_WIDTH)
    if ledger.scope != "target" and ledger.sections:
        title = text_lines(
            _block(("各被巡察党组织整改情况", TABLE_TITLE), leading=14 * 1.75),
            OVERVIEW_WIDTH,
            align="center",
            space_before=0.6 * 14,
            space_after=0.2 * 14,
        )
        rows = [
            (
                _cell(section.target.organization.name),
                _cell(section.target.team.name),
                _cell(section.count),
                _cell(section.done),
                _cell(f"{section.rate}%" if section.rate is not None else ""),
                _cell(section.overdue, RED if section.overdue else SMALL),
            )
            for section in ledger.sections
        ]
        yield KeptWithNext([title], _table(ORGANIZATIONS_GRID, rows))
    if not ledger.sections:
        yield _paragraph("范围内没有整改事项。")
    heading = _h2("三、整改评估")
    if not ledger.assessments:
        yield KeptWithNext([heading], _paragraph("范围内尚未开展整改评估。"))
        return
    for number, row in enumerate(ledger.assessments, start=1):
        flowables = _assessment(number, row)
        if number == 1:
            first = next(flowables)
            yield KeptWithNext([heading, *first.lead], first.follower)
        yield from flowables


def ledger_pages(
    ledger,
    organizations: Iterable[OrganizationTable],
    *,
    front: bytes,
    front_pages: int,
    front_end: float,
) -> bytes:
    """The whole ledger: the overview's head (``front``, WeasyPrint's PDF of
    ``front_pages`` pages, its content ending ``front_end`` points below the
    top of its last page), its growing parts on from there, then the
    整改台账明细 pages, if any organization has items."""

    def story() -> Iterator[Flowable | PageSetup]:
        yield from overview_story(ledger)
        tables = iter(ledger_story(organizations))
        first = next(tables, None)
        if first is not None:
            yield PAGE
            yield first
            yield from tables

    content, _pages = write_pages(story(), OVERVIEW, first_number=front_pages,
                                  first_top=front_end, before=front)  # fmt: skip
    return content
