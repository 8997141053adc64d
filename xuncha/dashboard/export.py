"""The figures as an .xlsx workbook: one sheet per group, Chinese headers.

The workbook is written from the same cards and chart tables the page shows,
so the two never disagree.
"""

import io
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from xuncha.core.xlsx import write_cell
from xuncha.dashboard.presentation import Dashboard, cards, charts

SHEETS = [
    (gettext_lazy("全覆盖"), ["coverage_region", "coverage_sector", "coverage_level"]),
    (gettext_lazy("发现问题"), ["problems_category", "problems_source", "problems_severity"]),
    (gettext_lazy("问题线索"), ["clue_outcomes"]),
    (gettext_lazy("整改落实"), ["items_colour", "items_overdue"]),
    (gettext_lazy("趋势"), ["trend_year", "trend_round"]),
]
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
TITLE_FONT = Font(bold=True, size=13)


def _value(value):
    """Numbers as numbers and "93.2%" as a percentage, so the sheet can be summed."""
    if isinstance(value, int | float | Decimal):
        return value, None
    text = str(value)
    try:
        if text.endswith("%"):
            return float(Decimal(text[:-1]) / 100), "0.0%"
        number = Decimal(text)
        if not number.is_finite():
            return text, None
        return (int(number) if number == number.to_integral_value() else float(number)), None
    except InvalidOperation:
        return text, None


def _write_row(sheet, row: int, values, *, header: bool = False) -> None:
    """The first column is a label and stays text; the others are figures."""
    for column, raw in enumerate(values, start=1):
        value, number_format = (str(raw), None) if header or column == 1 else _value(raw)
        # Labels are organization and category names someone typed: never formulas.
        cell = write_cell(sheet, row, column, value)
        if number_format:
            cell.number_format = number_format
        if header:
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL


def _summary_sheet(sheet, dash: Dashboard) -> None:
    sheet.title = _("总体情况")
    write_cell(sheet, 1, 1, _("巡察工作数据")).font = TITLE_FONT
    write_cell(sheet, 2, 1, _("范围：%(scope)s") % {"scope": dash.scope_label})
    write_cell(
        sheet, 3, 1, _("导出时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}
    )
    write_cell(sheet, 4, 1, dash.headline)
    sheet["A4"].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells("A4:D4")
    sheet.row_dimensions[4].height = 48
    _write_row(sheet, 6, [_("指标"), _("数值"), _("单位"), _("说明")], header=True)
    for offset, card in enumerate(cards(dash), start=7):
        _write_row(sheet, offset, [card["label"], card["value"], card["unit"], card["note"]])
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["D"].width = 36


def workbook_bytes(dash: Dashboard) -> bytes:
    workbook = Workbook()
    _summary_sheet(workbook.active, dash)
    by_key = {chart["key"]: chart for chart in charts(dash)}
    for title, keys in SHEETS:
        sheet = workbook.create_sheet(str(title))
        row = 1
        for key in keys:
            chart = by_key[key]
            write_cell(sheet, row, 1, chart["title"]).font = TITLE_FONT
            row += 1
            _write_row(sheet, row, chart["columns"], header=True)
            row += 1
            for table_row in chart["rows"]:
                _write_row(
                    sheet, row, [table_row["label"], *(c["value"] for c in table_row["cells"])]
                )
                row += 1
            if not chart["rows"]:
                write_cell(sheet, row, 1, _("（无数据）"))
                row += 1
            row += 1
        sheet.column_dimensions["A"].width = 36
        for column in "BCDE":
            sheet.column_dimensions[column].width = 14
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
