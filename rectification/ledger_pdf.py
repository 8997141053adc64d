"""The ledger's item tables (整改台账明细) as PDF pages, drawn with ReportLab.

The overview (ledger.html) is laid out by WeasyPrint; the organizations'
tables, thousands of rows in a round's or the city's ledger, are drawn here
(xuncha.reports.tables_pdf) at a small part of WeasyPrint's cost per row, on
landscape A4 with the margins, faces and colours the HTML part had: per
organization its heading and plan line, then one table of the three lists
(问题清单、任务清单、责任清单) whose two header rows repeat on every page. A
heading is never left alone at a page foot: it is kept with the table's
header and first row.

Rows come in as ``LedgerRow``: each cell's text and styles, made from an item
as it is read (``row_cells``), so that the items themselves need not be kept
until the pages are laid out.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from rectification.models import Item
from xuncha.reports.pdf_text import BODY, SANS, TITLE, Block, TextStyle, advances, markup
from xuncha.reports.tables_pdf import (
    Grid,
    GridTable,
    HeaderCell,
    landscape_a4,
    lay_out_row,
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


def _style(name: str, **kwargs) -> ParagraphStyle:
    return ParagraphStyle(name, **{"fontName": BODY, "wordWrap": "CJK", **kwargs})


SECTION_TITLE = _style("section", fontName=SANS, fontSize=16, leading=28, spaceAfter=3)
HEADING = _style("heading", fontName=TITLE, fontSize=14, leading=21, spaceBefore=5.6)
PLAN = _style("plan", fontSize=12, leading=21, spaceAfter=3)


def _block(*runs: tuple[str, TextStyle], leading: float = CELL_LEADING) -> Block:
    return Block(tuple(runs), leading)


@dataclass(frozen=True)
class LedgerRow:
    """One item's cells, each a few blocks of styled text (drawn as text,
    never read as markup)."""

    cells: tuple[tuple[Block, ...], ...]


# The labels by value (get_FOO_display() builds the choices anew at each call).
KIND_LABELS, STATE_LABELS = dict(Item.Kind.choices), dict(Item.State.choices)


def row_cells(row) -> LedgerRow:
    """The cells of an ItemRow (rectification.reports)."""
    item = row.item
    responsible = [item.responsible_leader or "—", item.responsible_person or "—"]
    if item.responsible_department:
        responsible.append(item.responsible_department)
    if item.transferred_to:
        responsible.append(f"转办：{item.transferred_to.name}")
    state = f"{KIND_LABELS.get(item.kind, item.kind)}·{STATE_LABELS.get(item.state, item.state)}"
    if item.state == item.State.IN_PROGRESS and item.progress:
        state += f"{item.progress}%"
    progress = [_block((state, LABEL))]
    if row.colour:
        progress.append(_block((row.colour_label, WARNINGS[row.colour])))
    if row.history:
        progress.append(_block(("；".join(row.history), HISTORY), leading=HISTORY_SIZE * 1.35))
    return LedgerRow(
        cells=(
            (_block((str(row.number), CELL)),),
            (
                _block(
                    (f"〔{item.problem.category.name}〕", CATEGORY),
                    (item.problem.description, CELL),
                ),
            ),
            (_block((item.measures or "（未填写）", CELL)),),
            tuple(_block((line, CELL)) for line in responsible),
            (_block((f"{item.deadline:%Y-%m-%d}" if item.deadline else "长期", CELL)),),
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


class KeptWithTable(Flowable):
    """Paragraphs that open a table (the section title, the heading, the
    plan line), kept on the page with the table's header and first row (or
    the start of a row taller than a page): where these do not fit, the
    whole moves to the next page. Once placed, it hands its pieces to the
    page loop, the table to split there as it goes."""

    def __init__(self, lead: list[Paragraph], table: GridTable):
        super().__init__()
        self.lead, self.table = lead, table

    def wrap(self, availWidth, availHeight):
        # Never drawn whole: taller than the room, so the page loop asks for split().
        return availWidth, availHeight + 1

    def split(self, availWidth, availHeight):
        lead = sum(
            p.wrap(availWidth, availHeight)[1] + p.getSpaceBefore() + p.getSpaceAfter()
            for p in self.lead
        )
        at_top = getattr(getattr(self, "_frame", None), "_atTop", False)
        if not at_top and lead + self.table.first_rows_height() > availHeight:
            return []
        return [*self.lead, self.table]

    def draw(self):  # pragma: no cover - split() always takes its place
        raise NotImplementedError


def ledger_story(organizations: Iterable[OrganizationTable]) -> Iterator[Flowable]:
    advances()  # the faces registered before a Paragraph names them
    title = [Paragraph("四、整改台账明细", SECTION_TITLE)]
    for organization in organizations:
        rows = [lay_out_row(GRID, row.cells) for row in organization.rows]
        lead = [
            *title,
            Paragraph(markup(organization.heading), HEADING),
            Paragraph(markup(organization.plan_line), PLAN),
        ]
        title = []
        yield KeptWithTable(lead, GridTable(GRID, rows, TEXT_HEIGHT, space_after=6))


def items_pages(organizations: Iterable[OrganizationTable], *, first_number: int) -> bytes:
    """The 整改台账明细 pages, numbered from ``first_number``."""
    content, _pages = write_pages(ledger_story(organizations), PAGE, first_number=first_number)
    return content
