"""An uploaded list is read safely in the web request: a damaged or oversized
file is refused with a message and leaves nothing behind; a list without a
header row never keeps a full ID number as a column name; the mapping page
shows the preview read once at upload."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from crosscheck import reading
from crosscheck.models import Source
from crosscheck.services import sources
from tests import test_clues_pages as clue_pages
from tests.crosscheck_fixtures import LI, LISTS, ZHANG, csv_bytes, load_list


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = clue_pages.build_world()
    world.media = tmp_path
    return world


def _upload(w, content: bytes, name: str = "名单.csv", kind: str = "cadres"):
    return sources.source_upload(
        user=w.officer, round_=w.target.round, kind=kind, label="",
        upload=SimpleUploadedFile(name, content),
    )  # fmt: skip


def _stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def _xlsx(headers, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _truncate_sheet(data: bytes) -> bytes:
    """The same workbook with its sheet's XML cut in the middle of a row."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[: content.index(b'<row r="2"') + 20]
            target.writestr(info.filename, content)
    return out.getvalue()


def test_a_damaged_xlsx_is_refused_and_its_file_deleted(w):
    broken = _truncate_sheet(_xlsx(*LISTS["cadres"]))
    with pytest.raises(ValidationError, match="已损坏"):
        _upload(w, broken, name="名单.xlsx")
    assert not Source.objects.exists()
    assert _stored_files(w.media) == []


def test_an_xlsx_with_too_much_text_is_refused_before_it_is_read(w, monkeypatch):
    monkeypatch.setattr(sources, "SHARED_STRINGS_MAX_MB", 0)
    # Excel keeps a sheet's text in xl/sharedStrings.xml (openpyxl writes it inline).
    data = io.BytesIO(_xlsx(*LISTS["cadres"]))
    with zipfile.ZipFile(data, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>张三</t></si>" * 100 + "</sst>")
    with pytest.raises(ValidationError, match="文字内容解压后超过 0 MB"):
        _upload(w, data.getvalue(), name="名单.xlsx")
    assert not Source.objects.exists() and _stored_files(w.media) == []


def test_a_csv_preview_reads_only_a_bounded_prefix(w, monkeypatch):
    monkeypatch.setattr(reading, "PREVIEW_BYTES", 200)
    headers, rows = LISTS["cadres"]
    # A huge last line is past the prefix: the header and first rows still preview.
    long_tail = [*rows, ["王五", "", "本人", "市" * 5000]]
    source = _upload(w, csv_bytes(headers, long_tail))
    assert source.headers == headers
    assert source.preview and source.preview[0][0] == "张三"
    # One enormous first line is no header: refused without reading it whole.
    with pytest.raises(ValidationError, match="第一行过长"):
        _upload(w, ("姓名" * 500 + "\n张三\n").encode())


def test_the_mapping_page_shows_the_preview_stored_at_upload(client, w):
    source = _upload(w, csv_bytes(*LISTS["cadres"]))
    source.file.delete(save=False)  # the page must not read the file again
    client.force_login(w.officer)
    html = client.get(reverse("crosscheck:source_detail", args=[source.pk])).content.decode()
    assert "李梅" in html and LI[:6] + "********" + LI[-4:] in html and LI not in html


def test_a_list_without_a_header_row_is_refused(w):
    _headers, rows = LISTS["cadres"]
    with pytest.raises(ValidationError, match="第一行应为表头"):
        _upload(w, csv_bytes(rows[0], rows[1:]))
    spaced = ZHANG[:6] + " " + ZHANG[6:14] + " " + ZHANG[14:]
    with pytest.raises(ValidationError, match="第一行应为表头"):
        _upload(w, _xlsx(["张三", spaced], [["李梅", LI]]), name="名单.xlsx")
    assert not Source.objects.exists() and _stored_files(w.media) == []


def test_an_id_number_written_with_spaces_is_masked_in_the_preview():
    spaced = "110101 19900307 1234"
    assert reading.masked_cell(spaced) == "110101********1234"
    assert reading.masked_cell("１１０１０１１９９００３０７１２３４") == "110101********1234"
    assert reading.masked_cell("张三") == "张三"


def test_a_list_still_imports_after_its_preview_was_stored(w):
    source = load_list(w.target.round, w.officer, "cadres")
    assert source.status == Source.Status.DONE and source.rows == 3
    assert source.preview == []
