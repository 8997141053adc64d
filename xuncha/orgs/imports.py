"""Importing the office's spreadsheets: preview first, then all rows or none."""

import io
import zipfile
from dataclasses import dataclass

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import Result

from xuncha.core.uploads import open_zip


class SpreadsheetError(ValueError):
    """The upload is not a spreadsheet we can read; the message is for the user."""


def check_xlsx_container(content: bytes) -> None:
    """What can be told without decompressing anything: an .xlsx is a zip
    whose directory declares no more than IMPORT_XLSX_MAX_UNCOMPRESSED_MB
    (openpyxl would hold all of it in memory) at a sane compression ratio."""
    if not content:
        raise SpreadsheetError(_("文件是空的。"))
    if not content.startswith(b"PK"):
        raise SpreadsheetError(_("文件不是 Excel（.xlsx）表格，请另存为 .xlsx 后再上传。"))
    try:
        zipfile.ZipFile(io.BytesIO(content)).close()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(_("无法读取该 Excel 文件，文件可能已损坏。")) from None
    try:
        open_zip(
            content, _("该 Excel 文件"), max_mb=settings.IMPORT_XLSX_MAX_UNCOMPRESSED_MB
        ).close()
    except ValidationError as error:
        raise SpreadsheetError(error.messages[0]) from None


def read_xlsx(content: bytes) -> tablib.Dataset:
    check_xlsx_container(content)
    try:
        dataset = tablib.Dataset().load(content, format="xlsx")
    except Exception:
        raise SpreadsheetError(_("无法读取该 Excel 文件，文件可能已损坏。")) from None
    if not dataset.headers or len(dataset) == 0:
        raise SpreadsheetError(_("表格中没有数据行。"))
    return dataset


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    column: str
    message: str


def row_problems(result: Result) -> list[RowProblem]:
    """Every bad row as (row number in the sheet, column, reason in Chinese)."""
    problems = []
    for invalid in result.invalid_rows:
        # Row 1 of the sheet is the header, so data row N is sheet row N + 1.
        for column, messages in invalid.field_specific_errors.items():
            for message in messages:
                problems.append(RowProblem(invalid.number + 1, column, str(message)))
        for message in invalid.non_field_specific_errors:
            problems.append(RowProblem(invalid.number + 1, "", str(message)))
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(RowProblem(number + 1, "", str(error.error)))
    return sorted(problems, key=lambda p: p.row_number)


def check_headers(resource, dataset: tablib.Dataset) -> None:
    expected = [field.column_name for field in resource.get_import_fields()]
    missing = [name for name in expected if name not in dataset.headers]
    if missing:
        raise SpreadsheetError(
            _("表头不符合模板，缺少列：%(missing)s。请下载模板核对后再上传。")
            % {"missing": "、".join(missing)}
        )


def run_import(*, resource, dataset: tablib.Dataset, user, dry_run: bool) -> Result:
    """Validate (dry run) or commit. A commit with any bad row writes nothing."""
    check_headers(resource, dataset)
    with transaction.atomic():
        # The resource's after_import writes the "import.<model>" audit entry.
        return resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            raise_errors=False,
        )
