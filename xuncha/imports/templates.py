"""The import template of a kind: the data sheet with drop-downs and a marked
example row, the 填写说明 sheet (required or optional, allowed values, how a
row is recognised), and a hidden sheet holding the drop-downs' lists.

Written with openpyxl's normal (not write-only) mode: data validations,
comments and the example row's style need it, and a template is two rows.
Values still pass through xuncha.core.xlsx.safe_cell.
"""

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xuncha.core.xlsx import safe_cell
from xuncha.imports.engine import EXAMPLE_COLUMN
from xuncha.imports.kinds import ImportKind

REQUIRED_FONT = Font(bold=True, color="C00000")
OPTIONAL_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
EXAMPLE_FONT = Font(italic=True, color="808080")
EXAMPLE_FILL = PatternFill("solid", fgColor="FFF2CC")
LISTS_SHEET = "选项"
VALIDATED_ROWS = 20000


def template_bytes(spec: ImportKind) -> bytes:
    workbook = Workbook()
    data = workbook.active
    data.title = spec.label[:31]
    lists = workbook.create_sheet(LISTS_SHEET)
    columns = spec.template_columns
    list_column = 0
    for number, column in enumerate(columns, start=1):
        letter = get_column_letter(number)
        header = data.cell(row=1, column=number, value=column.header)
        header.font = REQUIRED_FONT if column.required else OPTIONAL_FONT
        header.fill = HEADER_FILL
        if column.header == EXAMPLE_COLUMN:
            header.comment = Comment("第 2 行是示例，序号填“示例”的行不会导入。", "巡察办")
        example = data.cell(row=2, column=number, value=safe_cell(column.example))
        example.font, example.fill = EXAMPLE_FONT, EXAMPLE_FILL
        if hasattr(column.example, "year"):
            example.number_format = "yyyy-mm-dd"
        data.column_dimensions[letter].width = max(10, 2 * len(column.header) + 4)
        if column.choices:
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=column.header)
            for row, value in enumerate(column.choices, start=2):
                lists.cell(row=row, column=list_column, value=safe_cell(value))
            last = len(column.choices) + 1
            validation = DataValidation(
                type="list",
                formula1=f"'{LISTS_SHEET}'!${list_letter}$2:${list_letter}${last}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="不是可选值",
                error="请从下拉列表中选择，可选值见“填写说明”。",
            )
            data.add_data_validation(validation)
            validation.add(f"{letter}3:{letter}{VALIDATED_ROWS}")
    data.freeze_panes = "A2"
    lists.sheet_state = "hidden"

    notes = workbook.create_sheet("填写说明", 1)
    notes.append(["列", "是否必填", "可填写的值", "说明"])
    for cell in notes[1]:
        cell.font, cell.fill = OPTIONAL_FONT, HEADER_FILL
    for column in columns:
        notes.append(
            [
                column.header,
                "必填" if column.required else "选填（可整列删除）",
                "、".join(str(value) for value in column.choices),
                column.note,
            ]
        )
    notes.append([])
    notes.append(["识别方式", spec.natural_key, "", "文件内重复或系统中已有的记录不会导入。"])
    notes.append(["示例行", "第 2 行", "", "序号填“示例”的行只作示范，不会导入，可保留或删除。"])
    notes.append(["说明", spec.help])
    for letter, width in zip("ABCD", (22, 18, 50, 60), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
