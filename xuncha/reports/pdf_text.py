"""Text for PDF pages drawn with ReportLab, in the shipped 公文 faces.

The fonts of static/fonts (those of css/pdf-fonts.css) are registered with
ReportLab once per process; a cell's text is broken into lines from a cached
character → width map of those fonts, by the line-breaking rules of Chinese
text (禁则: no closing punctuation at a line's start, no opening bracket at
its end; Latin words and numbers kept whole), each line's end found by
bisection on the running widths. ReportLab's own CJK paragraph breaking makes
an object per character and costs some ten times more (see tables_pdf).

Characters the body face (朱雀仿宋) lacks are set in the sans face, as the
browser's font stack does for the WeasyPrint pages. Text laid out here is
drawn as text, never read as markup (no ReportLab Paragraph is used).
"""

from bisect import bisect_right
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

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
ASCENT = 0.88  # of the ideographic em box above the baseline, in all three faces

# 禁则: what may not begin a line, and what may not end one.
CANNOT_START = frozenset("，。、；：？！）》」』】〕〉”’…·%％,.;:?!)]}～")
CANNOT_END = frozenset("（《「『【〔〈“‘([{")


@cache
def advances() -> dict[str, dict[str, float]]:
    """Register the shipped fonts with ReportLab, once per process, and
    return each face's character → advance map (in ems). Each face is
    embedded as one font with two-byte codes (xuncha.reports.cid_fonts).
    The PDF font name is set to the face's XC name (ReportLab would use the font's own
    PostScript name), so both renderers' subsets read alike in pdffonts."""
    from reportlab.pdfbase import pdfmetrics

    from xuncha.reports.cid_fonts import CIDTrueTypeFont

    found = {}
    for name, file in FONT_FILES.items():
        font = CIDTrueTypeFont(name, str(FONTS_DIR / file))
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


# Named tuples, not dataclasses: a ledger makes ten blocks a row, and a
# tuple is made and hashed in C.
class TextStyle(NamedTuple):
    font: str = BODY
    size: float = 10.5
    colour: str = "#000000"


class Block(NamedTuple):
    """A paragraph of a cell: runs of text in their styles, on lines
    ``leading`` apart. Its largest size sets the baseline, so that the first
    lines of a row's cells share one whatever their first run."""

    runs: tuple[tuple[str, TextStyle], ...]
    leading: float


class Line:
    """A laid-out line: its pieces (x offset, text, style) and its height."""

    __slots__ = ("baseline", "drawn", "height", "pieces", "width")

    def __init__(self, pieces: list, width: float, height: float, baseline: float):
        self.pieces, self.width, self.height, self.baseline = pieces, width, height, baseline
        self.drawn = None  # its pieces' text operators in a document (tables_pdf._TextOps)


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


class _Advances(dict):
    """Character → advance in points at one size; a character the faces
    lack counts one em (it is drawn as the font's missing glyph)."""

    def __init__(self, font: str, size: float):
        super().__init__((char, em * size) for char, em in _widths(font).items())
        self.size = size

    def __missing__(self, char: str) -> float:
        return self.size


@cache
def _advances(font: str, size: float) -> _Advances:
    return _Advances(font, size)


def _measure(block: Block) -> tuple[str, list[float], list[tuple[int, TextStyle]]]:
    """The block's text (white space collapsed), the running width at each
    character, and where each run ends. The widths are looked up and summed
    by map() and accumulate(), with no Python code run per character."""
    if len(block.runs) == 1:  # most cells
        ((value, style),) = block.runs
        value = " ".join(value.split())
        advances_at = _advances(style.font, style.size)
        return value, list(accumulate(map(advances_at.__getitem__, value))), [(len(value), style)]
    texts, widths, ends, end = [], [], [], 0
    for value, style in block.runs:
        value = " ".join(value.split())
        widths.extend(map(_advances(style.font, style.size).__getitem__, value))
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
    """text[start:end] in ``style`` (the body face), cut where the body
    face lacks a character (set in the sans face); x offsets from ``offset``."""
    value = text[start:end]
    if sans_only().isdisjoint(value):
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


def break_lines(block: Block, width: float, *, indent: float = 0.0) -> list[Line]:
    """The block's lines within ``width`` points, by the rules of Chinese
    text (see _break_at), the first one ``indent`` points in (a paragraph's
    two-character indent). Each line's end is found by bisection on the
    running widths: no work per character beyond measuring it once."""
    text, cum, ends = _measure(block)
    runs = block.runs
    size = runs[0][1].size if len(runs) == 1 else max(style.size for _value, style in runs)
    baseline = (block.leading - size) / 2 + ASCENT * size
    lines, start, n = [], 0, len(text)
    fallback = not sans_only().isdisjoint(text)  # asked once a block, not once a line
    single = ends[0][1] if len(ends) == 1 and not (fallback and ends[0][1].font == BODY) else None
    while start < n:
        if text[start] == " ":
            start += 1
            continue
        # The first line's pieces start ``indent`` in: as if the text began earlier.
        offset = (cum[start - 1] if start else 0.0) - (indent if not lines else 0.0)
        end = bisect_right(cum, offset + width, start, n)
        end = n if end >= n else _break_at(text, start, max(end, start + 1))
        last = end
        while text[last - 1] == " ":
            last -= 1
        if single:  # one run, all in its own face: one piece
            head = cum[start - 1] if start else 0.0
            lines.append(Line([(head - offset, text[start:last], single)],
                              cum[last - 1] - offset, block.leading, baseline))  # fmt: skip
            start = end
            continue
        pieces, run_start = [], 0
        for run_end, style in ends:
            if run_start < last and start < run_end:
                first, stop = max(start, run_start), min(last, run_end)
                if fallback and style.font == BODY:
                    pieces.extend(_pieces(text, offset, cum, first, stop, style))
                else:  # one piece: no generator for it
                    pieces.append(
                        ((cum[first - 1] if first else 0.0) - offset, text[first:stop], style)
                    )
            run_start = run_end
        lines.append(Line(pieces, cum[last - 1] - offset, block.leading, baseline))
        start = end
    return lines or [Line([], 0.0, block.leading, baseline)]
