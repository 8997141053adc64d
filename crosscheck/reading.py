"""Reading an uploaded list as a stream of rows, whatever its size.

CSV is read through the csv module line by line (UTF-8, with or without a
BOM, else GB18030, which is what Excel on a Chinese Windows writes); .xlsx
through openpyxl in read-only mode, which streams the sheet's XML instead of
building it in memory. Either way only one row is held at a time.
"""

import codecs
import contextlib
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crosscheck import normalize

PREVIEW_ROWS = 8
SNIFF_BYTES = 256 * 1024
# The mapping page reads a CSV's header and first rows from this much of the
# file, in the web request: a file that is one enormous line is not read whole.
PREVIEW_BYTES = 1024 * 1024
# What a damaged .xlsx raises while it is read (truncated XML, a broken zip).
BROKEN_XLSX = (ParseError, zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError, OSError)
BROKEN_XLSX_MESSAGE = gettext_noop(
    "无法读取该 Excel 文件，文件可能已损坏，请另存为 .xlsx 或 .csv 后重试。"
)


class ListFileError(ValueError):
    """The file cannot be read as a list: the message says why, in Chinese."""


def _encoding(handle: BinaryIO) -> str:
    head = handle.read(SNIFF_BYTES)
    handle.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A multi-byte character cut at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _csv_rows(handle: BinaryIO) -> Iterator[list]:
    stream = io.TextIOWrapper(handle, encoding=_encoding(handle), errors="replace", newline="")
    try:
        yield from csv.reader(stream)
    except csv.Error as error:
        raise ListFileError(_("CSV 文件格式有误：%(error)s") % {"error": error}) from None
    finally:
        with contextlib.suppress(ValueError):  # the file was closed first
            stream.detach()


def _xlsx_rows(handle: BinaryIO) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except Exception:
        raise ListFileError(_(BROKEN_XLSX_MESSAGE)) from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    except BROKEN_XLSX:
        raise ListFileError(_(BROKEN_XLSX_MESSAGE)) from None
    finally:
        book.close()


def rows(handle: BinaryIO, file_format: str) -> Iterator[list]:
    """Every row of the first sheet (or the CSV), the header row first."""
    reader = _csv_rows if file_format == "csv" else _xlsx_rows
    for values in reader(handle):
        if _has_content(values):
            yield values


def _has_content(values: list) -> bool:
    try:
        return bool("".join(values).strip())  # a CSV row: strings only, joined in C
    except TypeError:
        return any(value is not None and str(value).strip() for value in values)


def _csv_prefix(handle: BinaryIO) -> BinaryIO:
    """The first PREVIEW_BYTES of a CSV, cut after its last whole line."""
    head = handle.read(PREVIEW_BYTES + 1)
    if len(head) <= PREVIEW_BYTES:
        return io.BytesIO(head)
    end = head.rfind(b"\n", 0, PREVIEW_BYTES)
    if end < 0:
        raise ListFileError(_("第一行过长，不像是表头，请检查文件格式。"))
    return io.BytesIO(head[: end + 1])


def header_and_preview(handle: BinaryIO, file_format: str) -> tuple[list[str], list[list]]:
    if file_format == "csv":
        handle = _csv_prefix(handle)
    iterator = rows(handle, file_format)
    try:
        header = next(iterator)
    except StopIteration:
        raise ListFileError(_("文件中没有数据。")) from None
    headers = [str(value).strip() if value is not None else "" for value in header]
    if not any(headers):
        raise ListFileError(_("第一行应为表头。"))
    if any(_is_id_number(value) for value in headers):
        # A list without a header row: its first person's number would be
        # kept as a column name, shown and saved unmasked.
        raise ListFileError(
            _(
                "第一行应为表头（列名），不能是数据：请在第一行填写“姓名”“身份证号”等列名后重新上传。"
            )
        )
    preview = []
    for values in iterator:
        preview.append(["" if value is None else str(value) for value in values])
        if len(preview) >= PREVIEW_ROWS:
            break
    return headers, preview


_ID_LIKE = re.compile(r"^\s*(\d{6})\d{5,8}(\d{3}[\dXx])\s*$")


def _is_id_number(value: str) -> bool:
    try:
        normalize.id_number(value)
    except normalize.BadIdNumber:
        return False
    return True


def masked_cell(value: str) -> str:
    """A preview cell (or header) with anything shaped like an ID-card number
    masked: the mapping page is a page like any other, so no full number
    appears on it, however it is spaced or written in full-width digits."""
    cleaned = normalize.text(value)
    match = _ID_LIKE.match(cleaned)
    if not match:
        return value
    return match.group(1) + "*" * (len(cleaned) - 10) + match.group(2)
