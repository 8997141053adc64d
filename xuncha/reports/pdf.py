"""PDF rendering with WeasyPrint, in the 公文 layout (GB/T 9704), offline.

Fonts come from static/fonts (朱雀仿宋 for the body, Noto Serif/Sans SC for
the title and headings, subset to GB 2312: see scripts/subset_fonts.py),
never from the machine; the URL fetcher refuses anything outside static/ so a
template (or a value in it) cannot make the renderer reach the network or
read other files.

``render_pdf`` renders one template in one WeasyPrint run (WeasyPrint subsets
the fonts itself). A long document (the ledger's thousands of table rows)
has only its head rendered here (``render_pdf_to``, which says where on its
last page the content ends); the rest is drawn by ReportLab on from there
(xuncha.reports.tables_pdf), the head's pages brought into ReportLab's PDF
(xuncha.reports.pdf_import).
"""

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()

# Relative to base_url (static/): the stylesheet that declares the shipped fonts.
FONTS_STYLESHEET = "css/pdf-fonts.css"


def offline_url_fetcher():
    """A fetcher for file:// URLs inside static/ and data: URIs only.
    Anything else stops the rendering: a PDF never reaches the network or
    other files."""
    from weasyprint.urls import URLFetcher

    class OfflineURLFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                path = Path(url.removeprefix("file://").split("?")[0]).resolve()
                if not path.is_relative_to(STATIC_DIR):
                    raise ValueError(f"PDF 模板不能读取 static/ 以外的文件：{url[:80]}")
            elif not url.startswith("data:"):
                raise ValueError(f"PDF 模板不能访问网络：{url[:80]}")
            return super().fetch(url, headers)

    return OfflineURLFetcher(allowed_protocols=("file", "data"), fail_on_errors=True)


def _watermark(reader) -> str:
    return f"{reader.get_full_name()}　{timezone.localtime():%Y-%m-%d %H:%M}" if reader else ""


def _html(string: str):
    from weasyprint import HTML

    return HTML(
        string=string, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=offline_url_fetcher()
    )


def render_pdf(template_name: str, context: dict, *, reader=None) -> bytes:
    """Render a PDF template. ``reader`` adds a visible watermark with the
    reader's name and the time (used for confidential documents)."""
    from weasyprint.text.fonts import FontConfiguration

    context = {**context, "fonts_stylesheet": FONTS_STYLESHEET, "watermark": _watermark(reader)}
    html = render_to_string(template_name, context)
    return _html(html).write_pdf(font_config=FontConfiguration())


def render_pdf_to(template_name: str, context: dict, anchor: str) -> tuple[bytes, int, float]:
    """Render a PDF template (as render_pdf, without a watermark) whose last
    page is to be continued by pages drawn with ReportLab: the PDF, its
    number of pages, and how far below its last page's top edge (points)
    the element with id ``anchor`` (at the end of the content) stands."""
    from weasyprint.text.fonts import FontConfiguration

    context = {**context, "fonts_stylesheet": FONTS_STYLESHEET, "watermark": ""}
    document = _html(render_to_string(template_name, context)).render(
        font_config=FontConfiguration()
    )
    last = document.pages[-1]
    # At the end of the content, so on the last page; were it not, the rest starts overleaf.
    _x, y, *_rest = last.anchors.get(anchor, (0, last.height))
    return document.write_pdf(), len(document.pages), y * 0.75  # CSS px to points


YOUNG_COLLECTION_THRESHOLD = 20_000  # allocations between young collections (default 700)


class ProcessWide:
    """Settings of the whole process (the garbage collector's, ReportLab's
    module globals) held while any document needs them: the first document
    in applies them, the last one out restores them. Two documents made at
    once in one threaded process (the field edition runs its report jobs in
    the web process) neither undo each other's settings halfway nor leave
    them set for good. ``apply`` returns what ``restore`` is given back."""

    def __init__(self, apply: Callable[[], object], restore: Callable[[object], None]):
        self._apply, self._restore = apply, restore
        self._lock = threading.Lock()
        self._depth, self._saved = 0, None

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._saved = self._apply()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    self._restore(self._saved)


def _set_old_objects_aside() -> tuple[int, ...]:
    gc.freeze()
    thresholds = gc.get_threshold()
    # Fewer young collections too: a ledger allocates some hundred thousand
    # small objects, most of them kept until its pages are written.
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *thresholds[1:])
    return thresholds


def _bring_old_objects_back(thresholds: tuple[int, ...]) -> None:
    gc.set_threshold(*thresholds)
    # The documents' own garbage (ReportLab's canvas, pages and fonts hold one
    # another) is collected before the old objects come back: left for later,
    # the next document would set it aside with the rest, and it would pile
    # up from one document to the next. This collection walks only what the
    # documents made.
    gc.collect()
    gc.unfreeze()


_OLD_OBJECTS_ASIDE = ProcessWide(_set_old_objects_aside, _bring_old_objects_back)


def long_lived_objects_set_aside():
    """While a long document is made: the objects the process held before
    (Django, its translations, the fonts' tables: some 200,000) are left out
    of the garbage collector's full collections (gc.freeze), and put back
    after. A ledger of thousands of rows allocates enough to set off a full
    collection every few hundred rows, and each one walked that whole heap
    again (0.1-0.2 s each, a third of a round ledger's time, measured by
    cProfile when this was written); now it walks what the document made.
    Nothing is kept from one document to the next; garbage from before the
    document waits for the next full collection after it."""
    return _OLD_OBJECTS_ASIDE.held()


def qr_data_uri(text: str, *, scale: int = 10) -> str:
    """A QR code of ``text`` as an SVG data URI for a PDF page, drawn here
    (segno), never fetched: posters' report links, the 领取单's authenticator keys."""
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)
