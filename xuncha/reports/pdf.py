"""PDF rendering with WeasyPrint, in the 公文 layout (GB/T 9704), offline.

Fonts come from static/fonts (subset Noto Serif/Sans SC, shipped with the
project), never from the machine; the URL fetcher refuses anything outside
static/ so a template (or a value in it) cannot make the renderer reach the
network or read other files.
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

STATIC_DIR = (Path(settings.BASE_DIR) / "static").resolve()

# Relative to base_url (static/): the stylesheet that declares the shipped fonts.
FONTS_STYLESHEET = "css/pdf-fonts.css"


def offline_url_fetcher():
    """A fetcher for file:// URLs inside static/ and data: URIs only. Anything
    else stops the rendering: a PDF never reaches the network or other files."""
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


def render_pdf(template_name: str, context: dict, *, reader=None) -> bytes:
    """Render a PDF template. ``reader`` adds a visible watermark with the
    reader's name and the time (used for confidential documents)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    context = {
        **context,
        "fonts_stylesheet": FONTS_STYLESHEET,
        "watermark": (
            f"{reader.get_full_name()}　{timezone.localtime():%Y-%m-%d %H:%M}" if reader else ""
        ),
    }
    html = render_to_string(template_name, context)
    font_config = FontConfiguration()
    return HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=offline_url_fetcher()
    ).write_pdf(font_config=font_config)
