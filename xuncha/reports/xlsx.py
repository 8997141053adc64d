"""Multi-sheet .xlsx documents (the ledger report: its items and its figures).

Single-sheet list exports use xuncha.core.xlsx directly; this adds several
sheets in one workbook and wrapped text for long cells, and takes every cell
through xuncha.core.xlsx.safe_cell, so user text is never read as a formula
(a cell starting with = + - @, a tab or a carriage return is written as an
explicit string with the quote prefix).
"""

import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xuncha.core.xlsx import safe_cell

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    # Column widths in characters (a Chinese character counts about two).
    widths: Sequence[int] = field(default_factory=tuple)
    wrap: bool = False


def _cell(sheet, value, wrap: bool):
    value = safe_cell(value, sheet)
    if not wrap:
        return value
    if isinstance(value, str):
        value = WriteOnlyCell(sheet, value=value)
    elif not isinstance(value, Cell):
        return value  # numbers and dates need no wrapping
    value.alignment = WRAP
    return value


def _header(sheet, title: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=title)
    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    return cell


def write_workbook(sheets: Iterable[Sheet], out) -> None:
    """Write the sheets to ``out`` (a path or a binary file), in write-only mode."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31])
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([_header(sheet, title) for title in spec.headers])
        for row in spec.rows:
            sheet.append([_cell(sheet, value, spec.wrap) for value in row])
    workbook.save(out)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    with tempfile.TemporaryFile() as out:
        write_workbook(sheets, out)
        out.seek(0)
        return out.read()
