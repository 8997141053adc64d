"""Spreadsheet downloads that are safe to open.

Text a user typed is written as text, never as a formula: a cell whose text
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
evaluated by Excel, WPS or LibreOffice (CSV/formula injection). Such a cell is
written with the explicit string type and the "quote prefix" style, which is
what the spreadsheet itself stores when a person types ``'=...``: the value
stays exactly what was typed.

The workbook is written in openpyxl's write-only mode into a temporary file
and sent from there, so a 100,000-row export never sits in memory.

This is the project's one .xlsx writer: list exports (one sheet, ``stream_xlsx``
and ``list_export``), documents of several sheets (the ledger report, the
import templates: ``Sheet`` and ``xlsx_bytes``) and the dashboard's workbook
(titles and section headers inside a sheet: ``Styled``) all go through
``write_workbook`` and so through ``safe_cell``.
"""

import datetime
import decimal
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
TITLE_FONT = Font(bold=True, size=13)
WRAP = Alignment(wrap_text=True, vertical="top")


def safe_cell(value, sheet=None):
    """``value`` as it should be appended to a write-only sheet.

    Numbers and dates stay numbers and dates; booleans become 是/否; text loses
    the control characters XML cannot carry. Text that a spreadsheet would
    read as a formula becomes an explicit string cell on ``sheet``; without a
    sheet (a caller writing CSV, say) it is prefixed with a single quote."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: write the local wall time the pages show.
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, int | float | decimal.Decimal | datetime.date):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if not text.startswith(FORMULA_TRIGGERS):
        return text
    if sheet is None:
        return "'" + text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
    cell.quotePrefix = True
    return cell


@dataclass(frozen=True)
class PrintSetup:
    """How a list prints as an office prints it: A4, landscape, all columns on
    the width of the page (as many pages down as it takes), the header row
    repeated on every page, and a filter on the header row."""

    landscape: bool = True
    fit_to_width: bool = True
    repeat_header: bool = True
    autofilter: bool = True
    # Only the first N columns print (the print area); the rest are on screen only.
    print_columns: int | None = None


LIST_PRINT = PrintSetup()


@dataclass
class Sheet:
    """One sheet: a bold header row (frozen), then ``rows``. A sheet without
    headers (the dashboard's) lays out its own titles with ``Styled`` cells."""

    title: str
    headers: Sequence[str] = ()
    rows: Iterable[Sequence] = ()
    # Column widths in characters (a Chinese character counts about two);
    # a column without one is sized from its header.
    widths: Sequence[int] = field(default_factory=tuple)
    wrap: bool = False  # long text wraps inside its cell
    print_setup: PrintSetup | None = None


@dataclass(frozen=True)
class Styled:
    """A cell with a look of its own: ``style`` "title" or "header", and/or a
    number format ("0.0%"). The value still goes through ``safe_cell``."""

    value: Any
    style: str = ""
    number_format: str = ""


def _cell(sheet, value, wrap: bool):
    styled = value if isinstance(value, Styled) else None
    value = safe_cell(styled.value if styled else value, sheet)
    if not wrap and styled is None:
        return value
    if value is None:
        return None
    if not isinstance(value, Cell):  # WriteOnlyCell() makes a Cell
        if wrap and styled is None and not isinstance(value, str):
            return value  # numbers and dates need no wrapping
        value = WriteOnlyCell(sheet, value=value)
    if wrap:
        value.alignment = WRAP
    if styled is not None:
        if styled.style == "title":
            value.font = TITLE_FONT
        elif styled.style == "header":
            value.font, value.fill = HEADER_FONT, HEADER_FILL
        if styled.number_format:
            value.number_format = styled.number_format
    return value


def _page_setup(sheet, setup: PrintSetup, *, header: bool) -> None:
    """Page setup of a write-only sheet: before its first row, which writes the
    sheet's properties out."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    if setup.landscape:
        sheet.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    if setup.fit_to_width:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0  # 0: as many as needed
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    if header and setup.repeat_header:
        sheet.print_title_rows = "1:1"


def _print_ranges(sheet, setup: PrintSetup, *, columns: int, rows: int, header: bool) -> None:
    """The filter and the print area, once the number of rows is known."""
    if header and setup.autofilter and columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows, 1)}"
    if setup.print_columns:
        sheet.print_area = f"A1:{get_column_letter(setup.print_columns)}{max(rows, 1)}"


def write_workbook(sheets: Iterable[Sheet], out) -> None:
    """Write the sheets to ``out`` (a path or a binary file), in write-only mode."""
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=str(spec.title)[:31])
        columns = max(len(spec.headers), len(spec.widths))
        for index in range(1, columns + 1):
            if index <= len(spec.widths):
                width = spec.widths[index - 1]
            else:
                width = max(10, 2 * len(str(spec.headers[index - 1])) + 4)
            sheet.column_dimensions[get_column_letter(index)].width = width
        written = 0
        if spec.print_setup:
            _page_setup(sheet, spec.print_setup, header=bool(spec.headers))
        if spec.headers:
            sheet.freeze_panes = "A2"
            sheet.append([_cell(sheet, Styled(str(h), "header"), False) for h in spec.headers])
            written += 1
        for row in spec.rows:
            sheet.append([_cell(sheet, value, spec.wrap) for value in row])
            written += 1
        if spec.print_setup:
            _print_ranges(
                sheet, spec.print_setup, columns=columns, rows=written, header=bool(spec.headers)
            )
    workbook.save(out)


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The workbook in memory: for documents stored in a job (a few sheets, not
    a 100,000-row list)."""
    with tempfile.TemporaryFile() as out:
        write_workbook(sheets, out)
        out.seek(0)
        return out.read()


def write_xlsx(
    out,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title: str = "Sheet1",
    widths: Sequence[int] = (),
    print_setup: PrintSetup | None = LIST_PRINT,
) -> None:
    """Write one sheet (bold header row, then ``rows``) to ``out``, a path or
    binary file; it prints as a list does (``LIST_PRINT``) unless told otherwise."""
    write_workbook([Sheet(title, headers, rows, widths, print_setup=print_setup)], out)


def stream_xlsx(
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title: str = "Sheet1",
    widths: Sequence[int] = (),
) -> FileResponse:
    """The workbook as a download. ``rows`` is consumed before this returns, so a
    caller counting them knows the total when the response is handed back."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it
    try:
        write_xlsx(out, headers, rows, title=title, widths=widths)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=filename)
    response["Content-Type"] = XLSX_CONTENT_TYPE
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def list_export(
    request,
    *,
    name: str,
    columns: Sequence[tuple[str, int]],
    rows: Iterable[Sequence],
    action: str,
    filters: dict | None = None,
) -> FileResponse:
    """A list page's rows as a download named after the list and today, audited."""
    from xuncha.audit.services import log_action

    written = 0

    def counted():
        nonlocal written
        for row in rows:
            written += 1
            yield row

    response = stream_xlsx(
        f"{name}-{timezone.localdate():%Y%m%d}.xlsx",
        [title for title, _ in columns],
        counted(),
        title=name,
        widths=[width for _, width in columns],
    )
    log_action(request.user, action, None, {"filters": filters or {}, "rows": written})
    return response
