"""Long tables as PDF pages, drawn with ReportLab, in the 公文 faces.

WeasyPrint lays out a table in pure Python at some 30 ms a ledger row, and
so does ReportLab's own Table of Paragraphs at some 8 ms (most of it in its
CJK line breaking, which makes an object per character, and in drawing each
cell as a paragraph). A table whose columns are fixed needs neither: here
each cell's text is broken into lines once, from a cached character → width
map of the shipped fonts, with the line-breaking rules of Chinese text (禁则:
no closing punctuation at a line's start, no opening bracket at its end;
Latin words and numbers kept whole); the rows are then cut into pages by
their heights and drawn straight onto ReportLab's canvas, header rows
repeated on every page. ReportLab subsets and embeds the fonts.

The pages look like the WeasyPrint ones before them: the same shipped fonts
(static/fonts, registered once per process), the confidentiality mark at the
top left, the page number "— N —" on the outer side, numbered on from the
pages before. Cell text is drawn as text, never read as markup; the few
ReportLab Paragraphs (headings) take their values through ``markup()``.
"""

import io
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from pathlib import Path

from django.conf import settings

FONTS_DIR = (Path(settings.BASE_DIR) / "static" / "fonts").resolve()

# The faces of css/pdf-fonts.css, under the names the WeasyPrint pages give
# them in the PDF: XC-FangSong the body (朱雀仿宋), XC-Sans the 黑体 (table
# heads, labels), XC-Title the heavy Song (headings).
BODY, SANS, TITLE = "XC-FangSong", "XC-Sans", "XC-Title"
FONT_FILES = {
    BODY: "ZhuqueFangsong-Regular.ttf",
    SANS: "NotoSansSC-Regular.ttf",
    TITLE: "NotoSerifSC-Bold.ttf",
}
MM = 72 / 25.4
ASCENT = 0.88  # of the ideographic em box above the baseline, in all three faces

# 禁则: what may not begin a line, and what may not end one.
CANNOT_START = frozenset("，。、；：？！）》」』】〕〉”’…·%％,.;:?!)]}～")
CANNOT_END = frozenset("（《「『【〔〈“‘([{")


@cache
def advances() -> dict[str, dict[str, float]]:
    """Register the shipped fonts with ReportLab, once per process, and
    return each face's character → advance map (in ems). The PDF font name
    is set to the face's XC name (ReportLab would use the font's own
    PostScript name), so both renderers' subsets read alike in pdffonts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    found = {}
    for name, file in FONT_FILES.items():
        font = TTFont(name, str(FONTS_DIR / file))
        font.face.name = name.encode("ascii")
        pdfmetrics.registerFont(font)
        found[name] = {chr(code): width / 1000 for code, width in font.face.charWidths.items()}
    return found


@cache
def sans_only() -> frozenset[str]:
    """The characters the body face lacks and the sans face has (①, Ⅲ, ※,
    box drawing): drawn in the sans face, as the browser's font stack does."""
    faces = advances()
    return frozenset(faces[SANS].keys() - faces[BODY].keys())


def markup(value) -> str:
    """A value as ReportLab Paragraph markup that reads literally."""
    value = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if sans_only().isdisjoint(value):
        return value
    return "".join(f'<font face="{SANS}">{c}</font>' if c in sans_only() else c for c in value)


# --- Cell text ------------------------------------------------------------------


@dataclass(frozen=True)
class TextStyle:
    font: str = BODY
    size: float = 10.5
    colour: str = "#000000"


@dataclass(frozen=True)
class Block:
    """A paragraph of a cell: runs of text in their styles, on lines
    ``leading`` apart. Its largest size sets the baseline, so that the first
    lines of a row's cells share one whatever their first run."""

    runs: tuple[tuple[str, TextStyle], ...]
    leading: float


class Line:
    """A laid-out line: its pieces (x offset, text, style) and its height."""

    __slots__ = ("baseline", "height", "pieces", "width")

    def __init__(self, pieces: list, width: float, height: float, baseline: float):
        self.pieces, self.width, self.height, self.baseline = pieces, width, height, baseline


@cache
def _widths(font: str) -> dict[str, float]:
    """The advance (ems) of each character drawn for ``font``: the body
    face's characters, and those it lacks from the sans face (drawn in it,
    see _pieces)."""
    faces = advances()
    return {**faces[SANS], **faces[BODY]} if font == BODY else faces[font]


@cache
def _sans(style: TextStyle) -> TextStyle:
    return TextStyle(SANS, style.size, style.colour)


def _measure(block: Block) -> tuple[str, list[float], list[tuple[int, TextStyle]]]:
    """The block's text (white space collapsed), the running width at each
    character, and where each run ends."""
    texts, widths, ends, end = [], [], [], 0
    for value, style in block.runs:
        value = " ".join(value.split())
        get, size = _widths(style.font).get, style.size
        widths.extend([get(c, 1.0) * size for c in value])
        texts.append(value)
        end += len(value)
        ends.append((end, style))
    return "".join(texts), list(accumulate(widths)), ends


def _is_word(char: str) -> bool:
    return "!" <= char <= "~"  # printable ASCII, not a space


def _break_at(text: str, start: int, end: int) -> int:
    """Where to end a line that may hold text[start:end] at most: not inside
    a Latin word or number (unless it fills the line alone), not before a
    closing mark (the character before it goes down with it), not after an
    opening one."""
    cut = end
    if _is_word(text[cut]) and _is_word(text[cut - 1]):
        word = cut
        while word > start and _is_word(text[word - 1]):
            word -= 1
        if word > start:
            cut = word
    while cut - 1 > start and text[cut] in CANNOT_START:
        cut -= 1
    while cut - 1 > start and text[cut - 1] in CANNOT_END:
        cut -= 1
    return cut


def _pieces(text: str, offset: float, cum: list[float], start: int, end: int, style):
    """text[start:end] in ``style``, cut where the body face lacks a
    character (set in the sans face); x offsets from ``offset``."""
    value = text[start:end]
    if style.font != BODY or sans_only().isdisjoint(value):
        yield ((cum[start - 1] if start else 0.0) - offset, value, style)
        return
    fallback, i = sans_only(), start
    while i < end:
        in_sans = text[i] in fallback
        j = i + 1
        while j < end and (text[j] in fallback) == in_sans:
            j += 1
        yield ((cum[i - 1] if i else 0.0) - offset, text[i:j], _sans(style) if in_sans else style)
        i = j


def break_lines(block: Block, width: float) -> list[Line]:
    """The block's lines within ``width`` points, by the rules of Chinese
    text (see _break_at). Each line's end is found by bisection on the
    running widths: no work per character beyond measuring it once."""
    text, cum, ends = _measure(block)
    size = max(style.size for _value, style in block.runs)
    baseline = (block.leading - size) / 2 + ASCENT * size
    lines, start, n = [], 0, len(text)
    while start < n:
        if text[start] == " ":
            start += 1
            continue
        offset = cum[start - 1] if start else 0.0
        end = bisect_right(cum, offset + width, start, n)
        end = n if end >= n else _break_at(text, start, max(end, start + 1))
        last = end
        while text[last - 1] == " ":
            last -= 1
        pieces, run_start = [], 0
        for run_end, style in ends:
            if run_start < last and start < run_end:
                pieces.extend(
                    _pieces(text, offset, cum, max(start, run_start), min(last, run_end), style)
                )
            run_start = run_end
        lines.append(Line(pieces, cum[last - 1] - offset, block.leading, baseline))
        start = end
    return lines or [Line([], 0.0, block.leading, baseline)]


# --- Tables -----------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderCell:
    """A cell of the header: its text, style, and the columns and header
    rows it covers (first and last, from 0)."""

    label: str
    style: TextStyle
    columns: tuple[int, int]
    rows: tuple[int, int]


@dataclass(frozen=True)
class Grid:
    """The shape of a document's tables: column widths and alignments
    ("left", "center"), the header, the rules and paddings (points)."""

    widths: tuple[float, ...]
    aligns: tuple[str, ...]
    header: tuple[HeaderCell, ...]
    header_rows: int
    header_leading: float
    header_fill: str = "#eeeeee"
    rule: float = 0.5
    padding: tuple[float, float, float, float] = (2, 4, 3, 4)  # top, right, bottom, left

    @property
    def width(self) -> float:
        return sum(self.widths)

    def x(self, column: int) -> float:
        return sum(self.widths[:column])

    def inner(self, first: int, last: int) -> float:
        """The width for text in columns first..last."""
        return sum(self.widths[first : last + 1]) - self.padding[1] - self.padding[3]


class Row:
    """A laid-out row: each cell's lines, and the row's height."""

    __slots__ = ("cells", "height")

    def __init__(self, cells: list[list[Line]], padding: float):
        self.cells = cells
        self.height = max(sum(line.height for line in lines) for lines in cells) + padding

    def split(self, height: float, padding: float) -> tuple["Row", "Row"] | None:
        """This row cut after the lines that fit in ``height``, the rest
        continued in a row of its own; None where not one line fits."""
        room = height - padding
        head, tail = [], []
        for lines in self.cells:
            used, n = 0.0, 0
            while n < len(lines) and used + lines[n].height <= room:
                used += lines[n].height
                n += 1
            head.append(lines[:n])
            tail.append(lines[n:])
        if not any(head) or not any(tail):
            return None
        return Row(head, padding), Row(tail, padding)


def lay_out_row(grid: Grid, cells: Sequence[Sequence[Block]]) -> Row:
    lines = []
    for column, blocks in enumerate(cells):
        width = grid.inner(column, column)
        lines.append([line for block in blocks for line in break_lines(block, width)])
    return Row(lines, grid.padding[0] + grid.padding[2])


@cache
def _header_layout(grid: Grid) -> tuple[tuple[float, ...], list[list[Line]]]:
    """The header rows' heights and each header cell's lines."""
    heights = [0.0] * grid.header_rows
    cells = []
    vertical = grid.padding[0] + grid.padding[2]
    for cell in grid.header:
        block = Block(((cell.label, cell.style),), grid.header_leading)
        lines = break_lines(block, grid.inner(*cell.columns))
        cells.append(lines)
        first, last = cell.rows
        if first == last:
            heights[first] = max(heights[first], sum(line.height for line in lines) + vertical)
    for cell, lines in zip(grid.header, cells, strict=True):
        first, last = cell.rows
        need = sum(line.height for line in lines) + vertical - sum(heights[first : last + 1])
        if need > 0:
            heights[last] += need
    return tuple(heights), cells


def _colour(hex_colour: str):
    from reportlab.lib.colors import HexColor

    return _COLOURS.setdefault(hex_colour, HexColor(hex_colour))


_COLOURS: dict = {}


def _draw_lines(text, lines: list[Line], x: float, top: float, width: float, align: str, state):
    """Add ``lines`` to the text object, the first one's top at ``top``."""
    for line in lines:
        baseline = top - line.baseline
        start = x + (width - line.width) / 2 if align == "center" else x
        for dx, value, style in line.pieces:
            if state[0] != (style.font, style.size):
                text.setFont(style.font, style.size)
                state[0] = (style.font, style.size)
            if state[1] != style.colour:
                text.setFillColor(_colour(style.colour))
                state[1] = style.colour
            text.setTextOrigin(start + dx, baseline)
            text.textOut(value)
        top -= line.height


def _flowable_base():
    from reportlab.platypus import Flowable

    return Flowable


class GridTable(_flowable_base()):
    """Rows under a header that repeats on every page the table spans.
    It splits between rows; a row taller than a whole page is split between
    its lines, wherever it starts. ``max_height``: the page's text height."""

    def __init__(self, grid: Grid, rows: list[Row], max_height: float, space_after: float = 0):
        super().__init__()
        self.grid, self.rows, self.max_height = grid, rows, max_height
        self.header_heights = _header_layout(grid)[0]
        self.spaceAfter = space_after

    @property
    def header_height(self) -> float:
        return sum(self.header_heights)

    def first_rows_height(self) -> float:
        """What must fit under a heading: the header and the first row, or
        a quarter page of a row that is split anyway (taller than a page)."""
        first = self.rows[0].height if self.rows else 0
        if self.header_height + first > self.max_height:
            first = self.max_height / 4
        return self.header_height + first

    def wrap(self, availWidth, availHeight):
        self.width = self.grid.width
        self.height = self.header_height + sum(row.height for row in self.rows)
        return self.width, self.height

    def split(self, availWidth, availHeight):
        room = availHeight - self.header_height
        used, n = 0.0, 0
        while n < len(self.rows) and used + self.rows[n].height <= room:
            used += self.rows[n].height
            n += 1
        if n == len(self.rows):
            return [self]
        pieces = self.rows[:n], self.rows[n:]
        if n == 0:
            tall = self.rows[0].height > self.max_height - self.header_height
            cut = tall and self.rows[0].split(room, self.grid.padding[0] + self.grid.padding[2])
            if not cut:
                return []
            pieces = [cut[0]], [cut[1], *self.rows[1:]]
        return [GridTable(self.grid, list(rows), self.max_height, self.spaceAfter)
                for rows in pieces]  # fmt: skip

    def draw(self):
        canvas, grid = self.canv, self.grid
        heights, header_lines = _header_layout(grid)
        top = self.height
        header_height = sum(heights)
        canvas.setFillColor(_colour(grid.header_fill))
        canvas.rect(0, top - header_height, grid.width, header_height, stroke=0, fill=1)
        text = canvas.beginText()
        state = [None, None]
        canvas.setLineWidth(grid.rule)
        canvas.setStrokeColor(_colour("#000000"))
        row_tops = [top - sum(heights[:r]) for r in range(grid.header_rows + 1)]
        for cell, lines in zip(grid.header, header_lines, strict=True):
            first, last = cell.columns
            x, w = grid.x(first), grid.x(last + 1) - grid.x(first)
            cell_top, cell_bottom = row_tops[cell.rows[0]], row_tops[cell.rows[1] + 1]
            canvas.rect(x, cell_bottom, w, cell_top - cell_bottom, stroke=1, fill=0)
            text_height = sum(line.height for line in lines)
            middle = (cell_top + cell_bottom + text_height) / 2
            _draw_lines(text, lines, x + grid.padding[3], middle, grid.inner(first, last),
                        "center", state)  # fmt: skip
        y = top - header_height
        path = canvas.beginPath()
        for row in self.rows:
            for column, lines in enumerate(row.cells):
                _draw_lines(text, lines, grid.x(column) + grid.padding[3], y - grid.padding[0],
                            grid.inner(column, column), grid.aligns[column], state)  # fmt: skip
            y -= row.height
            path.moveTo(0, y)
            path.lineTo(grid.width, y)
        for column in range(len(grid.widths) + 1):
            path.moveTo(grid.x(column), top - header_height)
            path.lineTo(grid.x(column), 0)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.drawText(text)


# --- Pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class PageSetup:
    """A page as in the HTML templates: size (points), margins (mm: top,
    right, bottom, left), the confidentiality mark at the top left."""

    size: tuple[float, float]
    margins: tuple[float, float, float, float]
    mark: str = ""
    mark_size: float = 16
    number_size: float = 14

    @property
    def frame(self) -> tuple[float, float, float, float]:
        """x, y, width, height of the text area, in points."""
        top, right, bottom, left = (m * MM for m in self.margins)
        width, height = self.size
        return left, bottom, width - left - right, height - top - bottom


def landscape_a4(margins: tuple[float, float, float, float], mark: str = "") -> PageSetup:
    from reportlab.lib.pagesizes import A4, landscape

    return PageSetup(size=landscape(A4), margins=margins, mark=mark)


def _furniture(canvas, page: PageSetup, number: int) -> None:
    """The mark and the page number where WeasyPrint's margin boxes put
    them: each centred on the height of its margin; the number "— N —" on
    the outer side (right on odd pages, left on even)."""
    top, right, bottom, left = (m * MM for m in page.margins)
    width, height = page.size
    canvas.setFillColor(_colour("#000000"))
    if page.mark:
        canvas.setFont(SANS, page.mark_size)
        canvas.drawString(left, height - top / 2 - 0.35 * page.mark_size, page.mark)
    canvas.setFont(BODY, page.number_size)
    label, y = f"— {number} —", bottom / 2 - 0.35 * page.number_size
    if number % 2:
        canvas.drawRightString(width - right, y, label)
    else:
        canvas.drawString(left, y, label)


def write_pages(story: Iterable, page: PageSetup, *, first_number: int) -> tuple[bytes, int]:
    """Lay out ``story`` (flowables, consumed as it goes) on pages numbered
    from ``first_number``; the PDF and its number of pages.

    The loop is Platypus's own (Frame.add, else the flowable's split: the
    first piece drawn, the rest laid out next), without a DocTemplate, which
    would want the whole story as a list first."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus.doctemplate import LayoutError
    from reportlab.platypus.frames import Frame

    advances()
    out = io.BytesIO()
    # The initial font is the body face: ReportLab would otherwise name
    # Helvetica, unembedded, in every page's preamble.
    canvas = Canvas(out, pagesize=page.size, pageCompression=1, invariant=1,
                    initialFontName=BODY, initialFontSize=10.5)  # fmt: skip
    x, y, width, height = page.frame
    number = first_number

    def new_frame() -> Frame:
        return Frame(x, y, width, height, leftPadding=0, rightPadding=0, topPadding=0,
                     bottomPadding=0)  # fmt: skip

    frame = new_frame()
    for flowable in story:
        pending = [flowable]
        while pending:
            current = pending.pop()
            if frame.add(current, canvas, trySplit=1):
                continue
            pieces = frame.split(current, canvas)
            if pieces:
                if not frame.add(pieces[0], canvas, trySplit=0):
                    raise LayoutError(f"{current.identity(30)} does not fit once split")
                pending.extend(reversed(pieces[1:]))
                continue
            if frame._atTop:
                raise LayoutError(f"{current.identity(30)} is too large for a page")
            _furniture(canvas, page, number)
            canvas.showPage()
            number += 1
            frame = new_frame()
            pending.append(current)
    _furniture(canvas, page, number)
    canvas.showPage()
    canvas.save()
    return out.getvalue(), number - first_number + 1
