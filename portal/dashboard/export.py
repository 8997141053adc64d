"""The figures as an .xlsx workbook: one sheet per group, Chinese headers.

The workbook is written from the same cards and chart tables the page shows,
so the two never disagree.
"""

from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.dashboard.presentation import Dashboard, cards, charts
from xuncha.core.xlsx import Sheet, Styled, xlsx_bytes

SHEETS = [
    (gettext_lazy("全覆盖"), ["coverage_region", "coverage_sector", "coverage_level"]),
    (gettext_lazy("发现问题"), ["problems_category", "problems_source", "problems_severity"]),
    (gettext_lazy("问题线索"), ["clue_outcomes"]),
    (gettext_lazy("整改落实"), ["items_colour", "items_overdue"]),
    (gettext_lazy("趋势"), ["trend_year", "trend_round"]),
]


def _value(value):
    """Numbers as numbers and "93.2%" as a percentage, so the sheet can be summed."""
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    try:
        if text.endswith("%"):
            return Styled(float(Decimal(text[:-1]) / 100), number_format="0.0%")
        number = Decimal(text)
        if not number.is_finite():
            return text
        return int(number) if number == number.to_integral_value() else float(number)
    except InvalidOperation:
        return text


def _row(values) -> list:
    """The first column is a label and stays text; the others are figures."""
    first, *rest = values
    return [str(first), *(_value(value) for value in rest)]


def _header(values) -> list:
    return [Styled(str(value), "header") for value in values]


def _summary_sheet(dash: Dashboard) -> Sheet:
    # The headline is one long line: unwrapped, it reads across the empty cells beside it.
    rows = [
        [Styled(_("巡察工作数据"), "title")],
        [_("范围：%(scope)s") % {"scope": dash.scope_label}],
        [_("导出时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}],
        [dash.headline],
        [],
        _header([_("指标"), _("数值"), _("单位"), _("说明")]),
    ]
    rows += [_row([c["label"], c["value"], c["unit"], c["note"]]) for c in cards(dash)]
    return Sheet(_("总体情况"), rows=rows, widths=[26, 14, 10, 36])


def _chart_sheet(title: str, charts_in_sheet: list[dict]) -> Sheet:
    rows: list[list] = []
    for chart in charts_in_sheet:
        rows.append([Styled(chart["title"], "title")])
        rows.append(_header(chart["columns"]))
        rows += [_row([r["label"], *(c["value"] for c in r["cells"])]) for r in chart["rows"]]
        if not chart["rows"]:
            rows.append([_("（无数据）")])
        rows.append([])
    return Sheet(title, rows=rows, widths=[36, 14, 14, 14, 14])


def workbook_bytes(dash: Dashboard) -> bytes:
    by_key = {chart["key"]: chart for chart in charts(dash)}
    sheets = [_summary_sheet(dash)]
    sheets += [_chart_sheet(str(title), [by_key[key] for key in keys]) for title, keys in SHEETS]
    return xlsx_bytes(sheets)
