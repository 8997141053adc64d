"""Spreadsheet downloads that are safe to open.

Text a user typed is written as text, never as a formula: a cell whose text
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
evaluated by Excel, WPS or LibreOffice (CSV/formula injection). Such a cell is
written with the explicit string type and the "quote prefix" style, which is
what the spreadsheet itself stores when a person types ``'=...``: the value
stays exactly what was typed.

The workbook is written in openpyxl's write-only mode into a temporary file
and sent from there, so a 100,000-row export never sits in memory.
"""

import datetime
import decimal
import tempfile
from collections.abc import Iterable, Sequence

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def write_cell(sheet, row: int, column: int, value):
    """``safe_cell``'s rule on an ordinary (not write-only) worksheet: the
    cell at (row, column) holding ``value``, text never a formula."""
    safe = safe_cell(value, sheet)
    cell = sheet.cell(row=row, column=column)
    if isinstance(safe, Cell):
        cell.value = safe.value  # openpyxl reads "=..." as a formula here …
        cell.data_type = "s"  # … so the type is set back to text after
        cell.quotePrefix = True
    else:
        cell.value = safe
    return cell


def write_xlsx(
    out,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    *,
    title: str = "Sheet1",
    widths: Sequence[int] = (),
) -> None:
    """Write one sheet (bold header row, then ``rows``) to ``out``, a path or binary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, header in enumerate(headers, start=1):
        # Chinese characters are about two columns wide.
        width = widths[index - 1] if index <= len(widths) else max(10, 2 * len(header) + 4)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([safe_cell(value, sheet) for value in row])
    workbook.save(out)


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
