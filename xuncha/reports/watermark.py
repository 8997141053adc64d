"""Stamping a stored PDF with the reader's name and the time, on every page.

The stamp is drawn by WeasyPrint with the project's own font (so Chinese names
render) and laid over each page with pypdf, scaled to that page's size. A PDF
that cannot be stamped (encrypted, damaged) is refused rather than handed out
without the mark.
"""

import io

from django.utils import timezone


class WatermarkError(ValueError):
    pass


def _stamp_page(text: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from xuncha.reports.pdf import FONTS_STYLESHEET, STATIC_DIR, offline_url_fetcher

    html = f"""<html><head><link rel="stylesheet" href="{FONTS_STYLESHEET}"><style>
    @page {{ size: A4; margin: 0; }}
    body {{ margin: 0; font-family: "XC Sans"; }}
    .mark {{ position: absolute; left: 0; width: 210mm; text-align: center;
             font-size: 18pt; color: rgba(160, 0, 0, .22); }}
    </style></head><body>
    <div class="mark" style="top: 40mm">{text}</div>
    <div class="mark" style="top: 140mm">{text}</div>
    <div class="mark" style="top: 240mm">{text}</div>
    </body></html>"""
    return HTML(
        string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=offline_url_fetcher()
    ).write_pdf(font_config=FontConfiguration())


def watermark_text(reader) -> str:
    return f"查阅人：{reader.get_full_name()}　{timezone.localtime():%Y-%m-%d %H:%M}"


def watermark_pdf(content: bytes, reader) -> bytes:
    from django.utils.html import escape
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.errors import PdfReadError

    try:
        source = PdfReader(io.BytesIO(content))
        if source.is_encrypted:
            raise WatermarkError("该 PDF 已加密，无法加注查阅人水印。")
        stamp = PdfReader(io.BytesIO(_stamp_page(escape(watermark_text(reader))))).pages[0]
        writer = PdfWriter(clone_from=source)
        for page in writer.pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            scale = Transformation().scale(
                width / float(stamp.mediabox.width), height / float(stamp.mediabox.height)
            )
            page.merge_transformed_page(stamp, scale)
        out = io.BytesIO()
        writer.write(out)
    except (PdfReadError, ValueError, KeyError) as error:
        if isinstance(error, WatermarkError):
            raise
        raise WatermarkError("该 PDF 无法读取，无法加注查阅人水印。") from error
    return out.getvalue()
