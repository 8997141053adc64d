"""Checking a sheet row by row, and classifying each row against the database.

A kind (``xuncha.imports.kinds.ImportKind``) names its columns and an
``Importer``: ``parse`` turns one row into a ``Parsed`` (the values, the
row's natural key and a short description) while ``Row`` collects every
refusal of that row; ``classify`` looks every parsed row's key up in the
database at once and says whether it is new, an update, unchanged, or already
there (a duplicate, refused); ``write`` writes the rows that are new or
updated, in bulk, inside the caller's transaction.

``check_sheet`` runs the parse and the classification over a whole sheet:
every row is checked even when a required header is missing (the header is
reported once, and the rows are checked on the columns that are there); the
example row of the template (序号 "示例") is never imported; a key given twice
in the file refuses the second row, a key already in the database refuses the
row unless the kind updates (organizations, cadres, rounds).

Why not django-import-export: its per-row machinery (instance loaders,
results, diffs, savepoints) was most of a 10,000-row import's time, and it has
no notion of "this row is already there".
"""

import datetime
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

EXAMPLE_COLUMN = "序号"
EXAMPLE_MARK = "示例"
SAMPLES = 5  # rows shown per class in the preview
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
TRUE_WORDS = ("是", "1", "true", "True", "Y", "y")
FALSE_WORDS = ("", "否", "0", "false", "False", "N", "n")

NEW, UPDATED, UNCHANGED, DUPLICATE = "new", "updated", "unchanged", "duplicate"
REFUSED = "refused"  # refused by classify (a lookup across rows); counted as invalid
CLASSES = (NEW, UPDATED, UNCHANGED, DUPLICATE)


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False
    example: Any = ""
    # Allowed values: the template's drop-down and the 填写说明 sheet.
    choices: Sequence[str] = ()
    note: str = ""


def labels(choices) -> tuple[str, ...]:
    """The Chinese labels of a model's choices (whatever the page's language)."""
    with translation.override("zh-hans"):
        return tuple(str(label) for code, label in choices if code != "")


@dataclass
class Parsed:
    number: int  # the sheet's row number
    key: tuple
    text: str  # what the preview shows of the row
    values: dict = field(default_factory=dict)
    status: str = NEW
    existing: Any = None  # the database's row, for an update
    refusal: tuple[str, str] = ("", "")  # (column, reason) when classify refuses the row

    def refuse(self, column: str, message: str) -> None:
        self.status, self.refusal = REFUSED, (column, message)


_LOOKUPS: dict[tuple, tuple[dict[str, str], str]] = {}


def _choice_lookup(choices: tuple) -> tuple[dict[str, str], str]:
    """{label or code: code} and the allowed labels in words, once per set of
    choices: translating labels per cell was half of a 10,000-row check."""
    found = _LOOKUPS.get(choices)
    if found is None:
        with translation.override("zh-hans"):
            pairs = [(code, str(label)) for code, label in choices if code != ""]
        codes = {code: code for code, _label in pairs} | {label: code for code, label in pairs}
        found = _LOOKUPS[choices] = (codes, "、".join(label for _code, label in pairs))
    return found


class Row:
    """One sheet row: typed reads that record every refusal instead of raising,
    so a row's errors are all listed at once."""

    def __init__(self, number: int, cells: dict[str, Any], missing: set[str]):
        self.number = number
        self.cells = cells
        self.missing = missing  # required headers the sheet lacks: reported once
        self.errors: list[tuple[str, str]] = []

    def refuse(self, column: str, message: str) -> None:
        if column not in self.missing:
            self.errors.append((column, message))

    def has(self, *headers: str) -> bool:
        return not any(header in self.missing for header in headers)

    def raw(self, header: str):
        value = self.cells.get(header)
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def text(self, header: str, *, required: bool = False, max_length: int = 0) -> str:
        value = self.raw(header)
        if value is None:
            if required:
                self.refuse(header, "不能为空。")
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a code typed as a number: 13 not 13.0
        if isinstance(value, datetime.datetime):
            value = value.date()
        text = str(value).strip()
        if max_length and len(text) > max_length:
            self.refuse(header, f"不能超过 {max_length} 个字。")
        return text

    def choice(self, header: str, choices, *, required: bool = True) -> str:
        """A choice by its Chinese label (or its code); returns the code."""
        text = self.text(header, required=required)
        if not text:
            return ""
        codes, allowed = _choice_lookup(tuple(choices))
        code = codes.get(text)
        if code is None:
            self.refuse(header, f"「{text}」不是有效值，可选：{allowed}。")
            return ""
        return code

    def integer(self, header: str, *, required: bool = False, default=None, minimum=0):
        value = self.raw(header)
        if value is None:
            if required:
                self.refuse(header, "不能为空。")
            return default
        try:
            number = float(str(value).strip())
        except ValueError:
            self.refuse(header, f"应为数字，而不是「{value}」。")
            return default
        if number != int(number) or number < minimum:
            self.refuse(header, f"应为不小于 {minimum} 的整数，而不是「{value}」。")
            return default
        return int(number)

    def date(self, header: str, *, required: bool = False) -> datetime.date | None:
        value = self.raw(header)
        if value is None:
            if required:
                self.refuse(header, "不能为空。")
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for fmt in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.refuse(header, f"「{text}」不是有效日期，请写成 2025-04-10 的格式。")
        return None

    def boolean(self, header: str, *, required: bool = False) -> bool:
        value = self.raw(header)
        if value is None and required:
            self.refuse(header, "不能为空。")
            return False
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip()
        if isinstance(value, int | float) and not isinstance(value, bool):
            text = str(int(value)) if float(value).is_integer() else text
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        self.refuse(header, f"「{text}」应为“是”或“否”。")
        return False

    def money(self, header: str) -> Decimal:
        value = self.raw(header)
        if value is None:
            return Decimal("0")
        try:
            amount = Decimal(str(value).strip().replace(",", "")).quantize(Decimal("0.01"))
        except InvalidOperation:
            self.refuse(header, f"「{value}」不是有效金额。")
            return Decimal("0")
        if amount < 0:
            self.refuse(header, "金额不能为负数。")
        return amount


class Importer:
    """One kind's rules. Subclasses set ``updates`` when a row whose key is
    already in the database updates it (master data) rather than being refused
    (records of what happened, which are imported once)."""

    updates = False
    natural_key = ""  # in words, for the 填写说明 sheet and the refusals

    def __init__(self, user):
        self.user = user

    def parse(self, row: Row) -> Parsed | None:
        raise NotImplementedError

    def classify(self, rows: list[Parsed]) -> None:
        """Set each row's status (NEW by default) from one lookup of all keys."""

    def write(self, rows: list[Parsed], *, job) -> dict:
        """Write the new and updated rows; return counts for the job's totals."""
        raise NotImplementedError


@dataclass
class Checked:
    rows: list[Parsed]
    problems: list[list]  # [sheet row, column, reason]
    totals: dict
    importer: Importer | None = None

    def reclassify(self) -> list[list]:
        """Classify the checked rows again (under the write's lock): what
        another import wrote since the check is now a duplicate, refused."""
        for row in self.rows:
            row.status, row.existing = NEW, None
        self.importer.classify(self.rows)
        problems = []
        for row in self.rows:
            if row.status == REFUSED:
                problems.append([row.number, *row.refusal])
            elif row.status == DUPLICATE:
                problems.append(
                    [
                        row.number,
                        "",
                        f"系统中已有这条记录（按{self.importer.natural_key}识别），不能重复导入。",
                    ]
                )
        return problems

    @property
    def to_write(self) -> list[Parsed]:
        return [row for row in self.rows if row.status in (NEW, UPDATED)]


def read_sheet(content: bytes) -> tuple[list[str], list[tuple[int, list]]]:
    """The first sheet's headers and its non-empty rows with their sheet numbers."""
    from openpyxl import load_workbook

    from xuncha.orgs.imports import SpreadsheetError

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise SpreadsheetError(_("无法读取该 Excel 文件，文件可能已损坏。")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers: list[str] = []
        for first in rows:
            headers = [str(v).strip() if v is not None else "" for v in first]
            break
        data = []
        for number, values in enumerate(rows, start=2):
            if any(v is not None and str(v).strip() != "" for v in values):
                data.append((number, list(values)))
    finally:
        workbook.close()
    if not any(headers):
        raise SpreadsheetError(_("表格中没有表头。请下载模板核对后再上传。"))
    return headers, data


def is_example(cells: dict) -> bool:
    return str(cells.get(EXAMPLE_COLUMN) or "").strip().startswith(EXAMPLE_MARK)


def check_sheet(
    importer: Importer,
    columns: Sequence[Column],
    headers: list[str],
    data: Iterable[tuple[int, list]],
    *,
    progress: Callable[[int, int], None] | None = None,
    every: int = 200,
) -> Checked:
    from xuncha.orgs.imports import SpreadsheetError

    known = {column.header for column in columns} | {EXAMPLE_COLUMN}
    if not known & set(headers):
        raise SpreadsheetError(_("表头不符合模板，没有一列是模板中的列。请下载模板核对后再上传。"))
    problems: list[list] = []
    missing = {c.header for c in columns if c.required and c.header not in headers}
    for column in columns:
        if column.header in missing:
            problems.append([1, column.header, "缺少必填列（表头），该列的内容无法校验。"])
    index = {header: i for i, header in enumerate(headers) if header in known}
    data = list(data)
    parsed: list[Parsed] = []
    refused_rows: set[int] = set()
    first_row_of: dict[tuple, int] = {}
    duplicates_in_file: list[Parsed] = []
    for done, (number, values) in enumerate(data, start=1):
        cells = {h: (values[i] if i < len(values) else None) for h, i in index.items()}
        if is_example(cells):
            continue
        row = Row(number, cells, missing)
        result = importer.parse(row)
        problems += [[number, column, message] for column, message in row.errors]
        if row.errors or result is None:
            refused_rows.add(number)
        if result is not None and not row.errors:
            if result.key in first_row_of:
                result.status = DUPLICATE
                problems.append(
                    [
                        number,
                        "",
                        f"与第 {first_row_of[result.key]} 行重复（按{importer.natural_key}识别），"
                        "同一条记录只能填写一行。",
                    ]
                )
                duplicates_in_file.append(result)
            else:
                first_row_of[result.key] = number
                parsed.append(result)
        if progress and done % every == 0:
            progress(done, len(data))
    importer.classify(parsed)
    for row in parsed:
        if row.status == REFUSED:
            problems.append([row.number, *row.refusal])
            refused_rows.add(row.number)
        elif row.status == DUPLICATE:
            problems.append(
                [
                    row.number,
                    "",
                    f"系统中已有这条记录（按{importer.natural_key}识别），不能重复导入。",
                ]
            )
    rows = [row for row in parsed if row.status != REFUSED] + duplicates_in_file
    totals: dict = {name: 0 for name in CLASSES}
    samples: dict[str, list] = {name: [] for name in CLASSES}
    for row in sorted(rows, key=lambda r: r.number):
        totals[row.status] += 1
        if len(samples[row.status]) < SAMPLES:
            samples[row.status].append([row.number, row.text])
    totals["invalid"] = len(refused_rows)
    totals["rows"] = len(rows) + len(refused_rows)
    totals["samples"] = samples
    problems.sort(key=lambda p: p[0])
    return Checked([row for row in parsed if row.status != REFUSED], problems, totals, importer)
