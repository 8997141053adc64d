"""PDF rendering with WeasyPrint, in the 公文 layout (GB/T 9704), offline.

Fonts come from static/fonts (朱雀仿宋 for the body, Noto Serif/Sans SC for
the title and headings, subset to GB 2312: see scripts/subset_fonts.py),
never from the machine; the URL fetcher refuses anything outside static/ so a
template (or a value in it) cannot make the renderer reach the network or
read other files.

Two ways to render:

- ``render_pdf``: one template, one WeasyPrint run (a feedback opinion, the
  dashboard page). WeasyPrint subsets the fonts itself.
- ``render_pdf_parts``: a long document (a round's or the city's ledger,
  thousands of items) as a sequence of parts, each laid out by its own
  WeasyPrint run and appended to one PDF with pypdf. WeasyPrint keeps every
  laid-out page of a run in memory until it writes the file, so one run over
  450 pages held about 400 MB; part by part, memory follows the largest part.
  The fonts are subset once for the whole document (to the characters of all
  its parts, into a temporary directory) and embedded whole in each part: the parts' font programs are
  then the same bytes, and pypdf keeps one copy of each. Page numbers run on
  from part to part, on the outer side of each page as in one run.
"""

import gc
import io
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()

# Relative to base_url (static/): the stylesheet that declares the shipped fonts.
FONTS_STYLESHEET = "css/pdf-fonts.css"


@dataclass(frozen=True)
class FontFace:
    family: str
    weight: int
    file: str  # in static/fonts


# The faces of css/pdf-fonts.css, for documents rendered in parts.
FONT_FACES = (
    FontFace("XC FangSong", 400, "ZhuqueFangsong-Regular.ttf"),
    FontFace("XC Title", 400, "NotoSerifSC-Bold.ttf"),
    FontFace("XC Serif", 400, "ZhuqueFangsong-Regular.ttf"),
    FontFace("XC Serif", 700, "NotoSerifSC-Bold.ttf"),
    FontFace("XC Sans", 400, "NotoSansSC-Regular.ttf"),
    FontFace("XC Sans", 700, "NotoSansSC-Regular.ttf"),
)
PAGE_NUMBER = '"— " counter(page) " —"; font-family: "XC Serif"; font-size: 14pt'


def offline_url_fetcher(fonts_dir: Path | None = None):
    """A fetcher for file:// URLs inside static/ (and the document's own subset
    fonts, ``fonts_dir``) and data: URIs only. Anything else stops the
    rendering: a PDF never reaches the network or other files."""
    from weasyprint.urls import URLFetcher

    allowed = (STATIC_DIR, fonts_dir.resolve()) if fonts_dir else (STATIC_DIR,)

    class OfflineURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if not any(path.is_relative_to(directory) for directory in allowed):
                    raise ValueError(f"PDF 模板不能读取 static/ 以外的文件：{url[:80]}")
            elif not url.startswith("data:"):
                raise ValueError(f"PDF 模板不能访问网络：{url[:80]}")
            return super().fetch(url, headers)

    return OfflineURLFetcher(allowed_protocols=("file", "data"), fail_on_errors=True)


def _watermark(reader) -> str:
    return f"{reader.get_full_name()}　{timezone.localtime():%Y-%m-%d %H:%M}" if reader else ""


def _html(string: str, fonts_dir: Path | None = None):
    from weasyprint import HTML

    return HTML(
        string=string,
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=offline_url_fetcher(fonts_dir),
    )


def render_pdf(template_name: str, context: dict, *, reader=None) -> bytes:
    """Render a PDF template. ``reader`` adds a visible watermark with the
    reader's name and the time (used for confidential documents)."""
    from weasyprint.text.fonts import FontConfiguration

    context = {**context, "fonts_stylesheet": FONTS_STYLESHEET, "watermark": _watermark(reader)}
    html = render_to_string(template_name, context)
    return _html(html).write_pdf(font_config=FontConfiguration())


# --- Long documents, part by part ---------------------------------------------


def _subset(path: Path, text: str) -> bytes:
    """The shipped font cut down to ``text``'s characters. The shipped fonts
    carry no hinting and no layout tables (scripts/subset_fonts.py), so the
    glyphs are copied as they are, without being decoded and rebuilt."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options(
        ignore_missing_glyphs=True,
        hinting=True,  # nothing to remove: keeps each glyph's bytes untouched
        notdef_outline=True,
        layout_features=[],
        recalc_bounds=False,
        recalc_max_context=False,
    )
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    font = TTFont(str(path), recalcBBoxes=False)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def document_fonts_css(text: str, fonts_dir: Path) -> str:
    """@font-face rules for the shipped faces, each subset to ``text`` and
    written to ``fonts_dir``, so every part of a document embeds the same font
    program. (Files, not data: URIs: the stylesheet of each part stays small
    to parse.)"""
    wanted = "".join(sorted(set(text) | set("— 0123456789")))
    rules = []
    for face in FONT_FACES:
        path = fonts_dir / face.file
        if not path.exists():
            path.write_bytes(_subset(STATIC_DIR / "fonts" / face.file, wanted))
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
            f'src: url("{path.as_uri()}"); }}'
        )
    return "\n".join(rules)


def page_setup_css(first_page: int) -> str:
    """Page numbers that run on from the parts before: the part's first page is
    number ``first_page``, on the outer side (right on odd pages, left on
    even). WeasyPrint counts each run's first page as a right-hand page, so a
    part that starts on an even page swaps the sides."""
    odd_side, even_side = ("right", "left") if first_page % 2 else ("left", "right")
    return (
        f"@page :first {{ counter-reset: page {first_page}; }}\n"
        f"@page :right {{ @bottom-{odd_side} {{ content: {PAGE_NUMBER}; }} "
        f"@bottom-{even_side} {{ content: none; }} }}\n"
        f"@page :left {{ @bottom-{even_side} {{ content: {PAGE_NUMBER}; }} "
        f"@bottom-{odd_side} {{ content: none; }} }}"
    )


def _with_style(html: str, css: str) -> str:
    head_end = html.find("</head>")
    style = f"<style>{css}</style>"
    return html[:head_end] + style + html[head_end:] if head_end >= 0 else style + html


def part_html(template_name: str, context: dict, *, reader=None) -> str:
    """One part of a long document, as HTML for ``write_pdf_parts``."""
    context = {**context, "fonts_stylesheet": "", "watermark": _watermark(reader)}
    return render_to_string(template_name, context)


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while WeasyPrint lays out a part: it
    allocates a few hundred thousand short-lived objects, and the collector's
    repeated passes over them cost about a sixth of the time. The one
    collection afterwards frees the part's cycles before the next one."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def write_pdf_parts(
    parts_html: list[str], *, progress: Callable[[int], None] | None = None
) -> bytes:
    """Lay out each part (HTML from ``part_html``) in its own WeasyPrint run
    and append it to one PDF. Each part starts on a new page; page numbers
    run on. ``parts_html`` is emptied as the parts are laid out."""
    from pypdf import PdfReader, PdfWriter
    from weasyprint.text.fonts import FontConfiguration

    writer = PdfWriter()
    next_page, total = 1, len(parts_html)
    with tempfile.TemporaryDirectory(prefix="xuncha-fonts-") as directory:
        fonts_dir = Path(directory)
        fonts_css = document_fonts_css("".join(parts_html), fonts_dir)
        for index in range(total):
            html = _with_style(parts_html[index], fonts_css + "\n" + page_setup_css(next_page))
            parts_html[index] = ""  # each part's text is let go once laid out
            with gc_paused():
                content = _html(html, fonts_dir).write_pdf(
                    font_config=FontConfiguration(), full_fonts=True
                )
            del html
            part = PdfReader(io.BytesIO(content))
            next_page += len(part.pages)
            writer.append(part)
            if progress:
                progress(100 * (index + 1) // total)
    # The same font program in every part: one copy is kept.
    writer.compress_identical_objects()  # duplicates and orphans, by default
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_pdf_parts(
    parts: Iterable[tuple[str, dict]],
    *,
    reader=None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Render ``parts`` (template name and context each, in order) as one PDF."""
    return write_pdf_parts(
        [part_html(name, context, reader=reader) for name, context in parts], progress=progress
    )
