"""Long tables as PDF pages, drawn with ReportLab, in the 公文 faces.

WeasyPrint lays out a table in pure Python at some 30 ms a ledger row, and
ReportLab's own Table of Paragraphs at some 8 ms (most of it in its CJK line
breaking, which makes an object per character, and in drawing each cell as a
paragraph). A table whose columns are fixed needs neither: each cell's text
is broken into lines once (xuncha.reports.pdf_text), the rows are cut into
pages by their heights and drawn straight onto ReportLab's canvas, the header
rows repeated on every page. ReportLab's page loop places them; each face is
embedded as one subset font with two-byte codes (xuncha.reports.cid_fonts).

The pages look like the WeasyPrint ones before them: the same shipped fonts,
the confidentiality mark at the top left, the page number "— N —" on the
outer side, numbered on from the pages before.
"""

import io
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from xuncha.reports.pdf import ProcessWide
from xuncha.reports.pdf_text import BODY, SANS, Block, Line, TextStyle, advances, break_lines

MM = 72 / 25.4


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

    @cached_property
    def xs(self) -> tuple[float, ...]:
        """Each column's left edge, and the right edge of the last."""
        return tuple(self.x(column) for column in range(len(self.widths) + 1))

    @cached_property
    def inner_widths(self) -> tuple[float, ...]:
        return tuple(self.inner(column, column) for column in range(len(self.widths)))

    def inner(self, first: int, last: int) -> float:
        """The width for text in columns first..last."""
        return sum(self.widths[first : last + 1]) - self.padding[1] - self.padding[3]


class Row:
    """A laid-out row: each cell's lines, and the row's height."""

    __slots__ = ("cells", "height")

    def __init__(self, cells: list[list[Line]], padding: float, height: float | None = None):
        self.cells = cells
        if height is None:
            height = max(sum(line.height for line in lines) for lines in cells)
        self.height = height + padding

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


SHORT = 24  # characters: a block this short is laid out once per document (see Layouts)


class Layouts(dict):
    """The lines of the short blocks of one document's tables, by block and
    width: a ledger's cells repeat them row after row (the state, the
    warning, the people responsible, the deadline). Made anew for each
    document, never kept between documents."""

    LIMIT = 20_000  # blocks: a city's ledger has more people and dates than it needs kept

    def __missing__(self, key: tuple[Block, float]) -> list[Line]:
        if len(self) >= self.LIMIT:
            self.clear()
        self[key] = break_lines(*key)
        return self[key]


def _laid_out(block: Block, width: float, layouts: Layouts | None) -> list[Line]:
    runs = block.runs
    if layouts is not None and len(runs) == 1 and len(runs[0][0]) <= SHORT:
        return layouts[block, width]
    return break_lines(block, width)


def lay_out_row(
    grid: Grid, cells: Sequence[Sequence[Block]], layouts: Layouts | None = None
) -> Row:
    lines, tallest = [], 0.0
    for width, blocks in zip(grid.inner_widths, cells, strict=True):
        if len(blocks) == 1:  # most cells: the block's own lines (a row's cells are never changed)
            cell = _laid_out(blocks[0], width, layouts)
            height = len(cell) * blocks[0].leading
        else:
            cell, height = [], 0.0
            for block in blocks:
                laid = _laid_out(block, width, layouts)
                cell += laid
                height += len(laid) * block.leading  # each of a block's lines is its leading high
        lines.append(cell)
        if height > tallest:
            tallest = height
    return Row(lines, grid.padding[0] + grid.padding[2], tallest)


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


_COLOURS: dict[str, HexColor] = {}


def _colour(hex_colour: str) -> HexColor:
    if hex_colour not in _COLOURS:
        _COLOURS[hex_colour] = HexColor(hex_colour)
    return _COLOURS[hex_colour]


class _Encoders(dict):
    """Each face's encoder in one document: text → its codes as hex text."""

    def __init__(self, doc):
        super().__init__()
        self.doc = doc

    def __missing__(self, face: str):
        self[face] = _FONTS[face].hex_encoder(self.doc)
        return self[face]


def _font_names(canvas) -> dict[str, str]:
    """The document's internal name of each face (its one font, see
    xuncha.reports.cid_fonts), asked of ReportLab once per document."""
    doc = canvas._doc
    names = getattr(doc, "_xc_font_names", None)
    if names is None:
        names = doc._xc_font_names = _FontNames(doc)
    return names


class _FontNames(dict):
    def __init__(self, doc):
        super().__init__()
        self.doc = doc
        self.encoders = _Encoders(doc)
        self.selects = _FontSelects(self)

    def __missing__(self, face: str) -> str:
        self[face] = _FONTS[face].getSubsetInternalName(0, self.doc)
        return self[face]


class _FontSelects(dict):
    """The Tf operator selecting each style's face and size in one document."""

    def __init__(self, names: _FontNames):
        super().__init__()
        self.names = names

    def __missing__(self, style: TextStyle) -> str:
        self[style] = f"{self.names[style.font]} {style.size:g} Tf"
        return self[style]


class _TextOps:
    """The PDF text operators of a table's cells, written straight into the
    page: per piece a position, a font where it changes and a Tj of its
    two-byte codes, in hex (four characters a code; escaped, the low codes'
    zero bytes took four each and more). ReportLab's text object does the same
    through its generic formatting and measures every string again to
    move its cursor, which the pieces' own offsets make needless: it was
    half the drawing time."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.names = _font_names(canvas)
        self.code = ["BT"]
        self.style = self.colour = None

    def lines(self, lines: list[Line], x: float, top: float, width: float, align: str) -> None:
        """``lines``, the first one's top at ``top``."""
        code, encoders, selects = self.code, self.names.encoders, self.names.selects
        for line in lines:
            baseline = top - line.baseline
            if align == "center":
                start = x + (width - line.width) / 2
            else:
                start = x + width - line.width if align == "right" else x
            drawn = line.drawn
            if drawn is None or drawn[0] is not encoders:
                # A short cell's lines are laid out once and drawn on many rows.
                drawn = line.drawn = (
                    encoders,
                    [
                        (dx, style, f"<{encoders[style.font](value)}> Tj")
                        for dx, value, style in line.pieces
                    ],
                )
            for dx, style, shown in drawn[1]:
                if style != self.style:
                    if style.colour != self.colour:
                        code.append(_RGB[style.colour])
                        self.colour = style.colour
                    code.append(selects[style])
                    self.style = style
                code.append(f"1 0 0 1 {start + dx:.2f} {baseline:.2f} Tm {shown}")
            top -= line.height

    def write(self) -> None:
        self.code.append("ET")
        self.canvas.addLiteral("\n".join(self.code))


class _RGBOperators(dict):
    def __missing__(self, hex_colour: str) -> str:
        colour = _colour(hex_colour)
        self[hex_colour] = f"{colour.red:.3f} {colour.green:.3f} {colour.blue:.3f} rg"
        return self[hex_colour]


class _Fonts(dict):
    def __missing__(self, name: str):
        advances()
        self[name] = pdfmetrics.getFont(name)
        return self[name]


_RGB, _FONTS = _RGBOperators(), _Fonts()


class GridTable(Flowable):
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

    @cached_property
    def rows_height(self) -> float:
        # Platypus asks a piece's size again at every try; its rows stay put.
        return sum(row.height for row in self.rows)

    def wrap(self, availWidth, availHeight):
        self.width = self.grid.width
        self.height = self.header_height + self.rows_height
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
        top = self.height
        header_height = self.header_height
        canvas.addLiteral(f"q 1 0 0 1 0 {top:.2f} cm\n{_header_ops(canvas, grid)}\nQ")
        canvas.setLineWidth(grid.rule)
        canvas.setStrokeColor(_colour("#000000"))
        text = _TextOps(canvas)
        y = below_header = top - header_height
        # The rules as path operators written here, as the text is: ReportLab's
        # path object formats each point through its generic number routine.
        rules, right = [], f"{grid.width:.2f}"
        columns = list(zip(grid.xs, grid.inner_widths, grid.aligns, strict=False))
        left, above = grid.padding[3], grid.padding[0]
        for row in self.rows:
            for (x, width, align), lines in zip(columns, row.cells, strict=True):
                text.lines(lines, x + left, y - above, width, align)
            y -= row.height
            rules.append(f"0 {y:.2f} m {right} {y:.2f} l")
        for x in grid.xs:
            rules.append(f"{x:.2f} {below_header:.2f} m {x:.2f} 0 l")
        rules.append("S")
        canvas.addLiteral("\n".join(rules))
        text.write()


def _header_ops(canvas, grid: Grid) -> str:
    """The PDF operators of a grid's header, its top edge at y = 0: the same
    on every page of every table of the document, so made once per document
    (its fonts are the document's)."""
    doc = canvas._doc
    cache = getattr(doc, "_xc_headers", None)
    if cache is None:
        cache = doc._xc_headers = {}
    if grid in cache:
        return cache[grid]
    heights, header_lines = _header_layout(grid)
    header_height = sum(heights)
    fill, black = _RGB[grid.header_fill], _RGB["#000000"]
    ops = [fill, f"0 {-header_height:.2f} {grid.width:.2f} {header_height:.2f} re f"]
    ops += [f"{grid.rule:g} w", black.replace(" rg", " RG")]
    text = _TextOps(canvas)
    row_tops = [-sum(heights[:r]) for r in range(grid.header_rows + 1)]
    for cell, lines in zip(grid.header, header_lines, strict=True):
        first, last = cell.columns
        x, w = grid.x(first), grid.x(last + 1) - grid.x(first)
        cell_top, cell_bottom = row_tops[cell.rows[0]], row_tops[cell.rows[1] + 1]
        ops.append(f"{x:.2f} {cell_bottom:.2f} {w:.2f} {cell_top - cell_bottom:.2f} re S")
        text_height = sum(line.height for line in lines)
        middle = (cell_top + cell_bottom + text_height) / 2
        text.lines(lines, x + grid.padding[3], middle, grid.inner(first, last), "center")
    ops += text.code
    ops.append("ET")
    cache[grid] = "\n".join(ops)
    return cache[grid]


class TextLines(Flowable):
    """A paragraph already broken into lines (pdf_text.break_lines), drawn
    as text: WeasyPrint's or ReportLab's Paragraph cost many times more for
    the overview's paragraphs, one or more per organization. It splits
    between lines."""

    def __init__(self, lines: list[Line], width: float, align: str = "left",
                 space_before: float = 0, space_after: float = 0):  # fmt: skip
        super().__init__()
        self.lines, self.width, self.align = lines, width, align
        self.spaceBefore, self.spaceAfter = space_before, space_after
        self.height = sum(line.height for line in lines)

    def wrap(self, availWidth, availHeight):
        return self.width, self.height

    def first_rows_height(self) -> float:
        return self.lines[0].height if self.lines else 0

    def split(self, availWidth, availHeight):
        used, n = 0.0, 0
        while n < len(self.lines) and used + self.lines[n].height <= availHeight:
            used += self.lines[n].height
            n += 1
        if n == 0 or n == len(self.lines):
            return [] if n == 0 else [self]
        return [
            TextLines(self.lines[:n], self.width, self.align, self.spaceBefore, 0),
            TextLines(self.lines[n:], self.width, self.align, 0, self.spaceAfter),
        ]

    def draw(self):
        text = _TextOps(self.canv)
        text.lines(self.lines, 0, self.height, self.width, self.align)
        text.write()


def text_lines(block: Block, width: float, *, align: str = "left", indent: float = 0,
               space_before: float = 0, space_after: float = 0) -> TextLines:  # fmt: skip
    return TextLines(break_lines(block, width, indent=indent), width, align, space_before,
                     space_after)  # fmt: skip


class KeptWithNext(Flowable):
    """Headings (``lead``) kept on the page with the start of what follows
    them (a table's header and first row, a paragraph's first line): where
    these do not fit, the whole moves to the next page. Once placed, it
    hands its pieces to the page loop, the follower to split there as it
    goes."""

    def __init__(self, lead: list[Flowable], follower: Flowable):
        super().__init__()
        self.lead, self.follower = lead, follower

    def wrap(self, availWidth, availHeight):
        # Never drawn whole: taller than the room, so the page loop asks for split().
        return availWidth, availHeight + 1

    def split(self, availWidth, availHeight):
        lead = sum(
            f.wrap(availWidth, availHeight)[1] + f.getSpaceBefore() + f.getSpaceAfter()
            for f in self.lead
        )
        at_top = getattr(getattr(self, "_frame", None), "_atTop", False)
        start = self.follower.getSpaceBefore() + self.follower.first_rows_height()
        if not at_top and lead + start > availHeight:
            return []
        return [*self.lead, self.follower]

    def draw(self):  # pragma: no cover - split() always takes its place
        raise NotImplementedError


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


def portrait_a4(margins: tuple[float, float, float, float], mark: str = "") -> PageSetup:
    from reportlab.lib.pagesizes import A4

    return PageSetup(size=A4, margins=margins, mark=mark)


def _furniture(canvas, page: PageSetup, number: int) -> None:
    """The mark and the page number where WeasyPrint's margin boxes put
    them: each centred on the height of its margin; the number "— N —" on
    the outer side (right on odd pages, left on even). Written as text
    operators, as the cells are (ReportLab's drawString measured and
    formatted each anew: a good part of a page's cost)."""
    top, right, bottom, left = (m * MM for m in page.margins)
    width, height = page.size
    names, encoders = _font_names(canvas), _font_names(canvas).encoders
    code = ["BT", _RGB["#000000"]]
    if page.mark:
        code.append(f"{names[SANS]} {page.mark_size:g} Tf")
        y = height - top / 2 - 0.35 * page.mark_size
        code.append(f"1 0 0 1 {left:.2f} {y:.2f} Tm <{encoders[SANS](page.mark)}> Tj")
    label, y = f"— {number} —", bottom / 2 - 0.35 * page.number_size
    x = left
    if number % 2:
        x = width - right - pdfmetrics.stringWidth(label, BODY, page.number_size)
    code.append(f"{names[BODY]} {page.number_size:g} Tf")
    code.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm <{encoders[BODY](label)}> Tj")
    code.append("ET")
    canvas.addLiteral("\n".join(code))


FLATE_LEVEL = 1


class _QuickFlate:
    """ReportLab's Flate filter at zlib's fastest level. At its default (6)
    compressing the page streams of a round ledger took a fifth of the whole
    document's time; level 1 does it in a third of that, for files some
    tenth larger. Any reader inflates both alike."""

    pdfname = "FlateDecode"

    def encode(self, text):
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, FLATE_LEVEL)

    def decode(self, encoded):
        return zlib.decompress(encoded)


def _use_quick_streams():
    from reportlab import rl_config
    from reportlab.pdfbase import pdfdoc

    saved = pdfdoc.PDFZCompress, rl_config.useA85
    pdfdoc.PDFZCompress, rl_config.useA85 = _QuickFlate(), 0
    return saved


def _restore_streams(saved) -> None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfdoc

    pdfdoc.PDFZCompress, rl_config.useA85 = saved


# ReportLab picks its filters from module globals as it writes a document:
# ours while ours are written. Flate at level 1, and no ASCII85 on top of it:
# that armour for 7-bit channels made each page stream a quarter larger and
# cost an encoding pass per page. (Another PDF written by ReportLab at the
# same moment in this process gets both too, and reads the same.)
_QUICK_STREAMS = ProcessWide(_use_quick_streams, _restore_streams)


def write_pages(story: Iterable, page: PageSetup, *, first_number: int,
                first_top: float | None = None,
                before: bytes | None = None) -> tuple[bytes, int]:  # fmt: skip
    """Lay out ``story`` (flowables, consumed as it goes) on pages numbered
    from ``first_number``; the PDF and its number of pages. A PageSetup in
    the story starts a new page of that setup (the overview's portrait
    pages, then the tables' landscape ones).

    ``before``: a PDF whose pages come first (the overview's WeasyPrint
    part, with their own mark and numbers; see pdf_import), the story going
    on on its last page, page ``first_number``, from ``first_top`` points
    below the page's top edge.

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
    number = first_number
    furnished = first_top is None

    def new_frame(top: float | None = None) -> Frame:
        x, y, width, height = page.frame
        if top is not None:  # no room left under the text above: the story starts overleaf
            height = max(0.0, min(height, page.size[1] - top - y))
        return Frame(x, y, width, height, leftPadding=0, rightPadding=0, topPadding=0,
                     bottomPadding=0)  # fmt: skip

    def next_page(setup: PageSetup | None = None) -> None:
        nonlocal number, furnished, page
        if furnished:
            _furniture(canvas, page, number)
        canvas.showPage()
        if setup is not None:
            page = setup
            canvas.setPageSize(page.size)
        number += 1
        furnished = True

    if before is not None:
        from xuncha.reports.pdf_import import import_pages

        *full, last = import_pages(before, canvas)
        for name in full:
            canvas.doForm(name)
            canvas.showPage()
        canvas.doForm(last)
    frame, empty = new_frame(first_top), first_top is None
    if first_top is not None:
        frame._atTop = 0  # it goes on from text above: spaces before count, headings move
    for flowable in story:
        if isinstance(flowable, PageSetup):
            if empty:  # nothing on this page yet: it takes the new setup
                page = flowable
                canvas.setPageSize(page.size)
            else:
                next_page(flowable)
            frame, empty = new_frame(), True
            continue
        pending = [flowable]
        while pending:
            current = pending.pop()
            if frame.add(current, canvas, trySplit=1):
                empty = False
                continue
            pieces = frame.split(current, canvas)
            if pieces:
                if not frame.add(pieces[0], canvas, trySplit=0):
                    raise LayoutError(f"{current.identity(30)} does not fit once split")
                empty = False
                pending.extend(reversed(pieces[1:]))
                continue
            if frame._atTop and empty:
                raise LayoutError(f"{current.identity(30)} is too large for a page")
            next_page()
            frame, empty = new_frame(), True
            pending.append(current)
    if furnished:
        _furniture(canvas, page, number)
    canvas.showPage()
    with _QUICK_STREAMS.held():
        canvas.save()
    return out.getvalue(), number - first_number + 1
