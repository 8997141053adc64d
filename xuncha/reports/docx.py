"""Word (.docx) versions of the office's documents, for the office to finish in Word or WPS.

The layout is the 公文 one (GB/T 9704) as far as a .docx carries it: A4,
margins 37/35/28/26 mm, title in 方正小标宋简体 二号 centred, body in
仿宋_GB2312 三号 with a two-character first-line indent, first-level headings
in 黑体, second-level in 楷体_GB2312, page numbers "— N —" in the footer. The
fonts are named, not embedded: Word and WPS on the office's machines have them
(and fall back to 宋体 where they do not).
"""

import io
import re

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_5 = Pt(10.5)  # 五号
# XML 1.0 cannot carry these; lxml refuses a document with them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text) -> str:
    return _NOT_XML.sub("", str(text))


def _set_font(run, name: str, size, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    # Word picks the font for Chinese text from eastAsia, not from the plain name.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _page_number_field(paragraph) -> None:
    """ "— PAGE —": a PAGE field between two dashes."""
    run = paragraph.add_run("— ")
    _set_font(run, "宋体", SIZE_4)
    field_run = paragraph.add_run()
    _set_font(field_run, "宋体", SIZE_4)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1")):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        field_run._element.append(element)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    field_run._element.append(end)
    run = paragraph.add_run(" —")
    _set_font(run, "宋体", SIZE_4)


class OfficialDocument:
    """A 公文-shaped .docx built paragraph by paragraph."""

    def __init__(self, *, confidentiality: str = "") -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        normal = self.document.styles["Normal"]
        normal.font.name, normal.font.size = BODY_FONT, SIZE_3
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_number_field(footer)
        if confidentiality:
            header = section.header.paragraphs[0]
            _set_font(header.add_run(confidentiality), HEADING_FONT, SIZE_3)

    def title(self, text: str) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(16)
        _set_font(paragraph.add_run(_clean(text)), TITLE_FONT, SIZE_2)

    def centred(self, text: str) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_font(paragraph.add_run(_clean(text)), BODY_FONT, SIZE_3)

    def paragraph(self, text: str, *, indent: bool = True, align_right: bool = False) -> None:
        paragraph = self.document.add_paragraph()
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters of 三号
        if align_right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set_font(paragraph.add_run(_clean(text)), BODY_FONT, SIZE_3)

    def heading(self, text: str, *, level: int = 1) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.first_line_indent = Pt(32)
        font = HEADING_FONT if level == 1 else SUBHEADING_FONT
        _set_font(paragraph.add_run(_clean(text)), font, SIZE_3)

    def table(self, headers: list[str], rows: list[list]) -> None:
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            _set_font(cell.paragraphs[0].add_run(_clean(text)), HEADING_FONT, SIZE_5)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                _set_font(cell.paragraphs[0].add_run(_clean(value)), BODY_FONT, SIZE_5)

    def content(self) -> bytes:
        out = io.BytesIO()
        self.document.save(out)
        return out.getvalue()
