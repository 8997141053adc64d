"""Uploads are checked for what they are, not for their first bytes (issue 11,
item 7): each disguised file is refused in Chinese with nothing stored, clean
files pass, and images are stored re-encoded."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from rectification import services
from rectification.models import Evidence, LedgerEntry
from tests.files import docx_bytes, image_bytes, minimal_pdf, ole_bytes, xlsx_bytes, zip_bytes
from tests.rect_fixtures import URLS, fresh, world
from xuncha.audit.models import AuditEntry
from xuncha.core.uploads import check_upload

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]

JS_ACTION = b"<< /S /JavaScript /JS (app.alert('x')) >>"
SCRIPT = b"<script>alert(document.cookie)</script>"


def gif_with_script() -> bytes:
    return image_bytes("GIF") + SCRIPT


# The six disguised files the probe of issue 11 got stored, plus their cousins.
DISGUISED = {
    "pdf-openaction-js": (
        "整改报告.pdf",
        lambda: minimal_pdf(catalog_extra=b"/OpenAction 4 0 R ", extra_objects=[JS_ACTION]),
        "JavaScript",
    ),
    "pdf-html-polyglot": (
        "说明.pdf",
        lambda: minimal_pdf(b"<html><body>" + SCRIPT + b"</body></html>"),
        "网页或脚本代码",
    ),
    "gif-with-script": ("现场照片.gif", gif_with_script, "网页或脚本代码"),
    "jpeg-html-comment": (
        "现场照片.jpg",
        lambda: image_bytes("JPEG", comment=b"<html>" + SCRIPT + b"</html>"),
        "网页或脚本代码",
    ),
    "ole-junk-doc": (
        "谈话记录.doc",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"junk, not a document " * 40,
        "不是有效的 Office/WPS 文档",
    ),
    "zip-html-exe-as-docx": (
        "整改方案.docx",
        lambda: zip_bytes({"index.html": b"<html>" + SCRIPT, "setup.exe": b"MZ\x90\x00"}),
        "可执行程序或网页",
    ),
    "pdf-escaped-javascript-name": (
        "报告.pdf",
        lambda: minimal_pdf(
            catalog_extra=b"/OpenAction 4 0 R ",
            extra_objects=[b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"],
        ),
        "JavaScript",
    ),
    "pdf-launch": (
        "报告.pdf",
        lambda: minimal_pdf(
            catalog_extra=b"/OpenAction 4 0 R ",
            extra_objects=[b"<< /S /Launch /F (cmd.exe) >>"],
        ),
        "启动外部程序",
    ),
    "pdf-embedded-file": (
        "报告.pdf",
        lambda: minimal_pdf(
            catalog_extra=b"/Names << /EmbeddedFiles 4 0 R >> ",
            extra_objects=[b"<< /Names [] >>"],
        ),
        "嵌入的文件",
    ),
    "pdf-unparseable": ("报告.pdf", lambda: b"%PDF-1.4\nnot really a pdf\n%%EOF\n", "无法解析"),
    "docm-as-docx": (
        "方案.docx",
        lambda: zip_bytes({"[Content_Types].xml": b"<Types/>", "word/vbaProject.bin": b"x"}),
        "宏",
    ),
    "xlsx-as-docx": ("方案.docx", xlsx_bytes, "不是有效的 DOCX 文档"),
    "doc-with-macros": (
        "记录.doc",
        lambda: ole_bytes({"WordDocument": b"w", "Macros": b"m"}),
        "含有宏",
    ),
    "xls-as-doc": ("记录.doc", lambda: ole_bytes({"Workbook": b"w"}), "不是有效的 Office/WPS"),
}


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()] if media.exists() else []


@pytest.mark.parametrize("case", DISGUISED.keys())
def test_disguised_file_is_refused_in_chinese_and_nothing_is_stored(media, case):
    w = world()
    name, make, says = DISGUISED[case]
    with pytest.raises(ValidationError) as refused:
        services.ledger_report(
            item=w.item,
            user=w.contact,
            expected_version=0,
            progress=10,
            note="附件",
            files=[SimpleUploadedFile(name, make())],
        )
    assert says in refused.value.messages[0]
    assert not Evidence.objects.exists()
    assert not LedgerEntry.objects.filter(item=w.item).exists()
    assert not AuditEntry.objects.filter(action="evidence.add").exists()
    assert fresh(w.item).version == 0
    assert stored_files(media) == []


CLEAN = {
    "pdf": ("整改报告.pdf", lambda: minimal_pdf(b"clean"), "application/pdf"),
    "jpeg": ("照片.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
    "png": ("照片.png", lambda: image_bytes("PNG"), "image/png"),
    "gif": ("照片.gif", lambda: image_bytes("GIF"), "image/gif"),
    "webp": ("照片.webp", lambda: image_bytes("WEBP"), "image/webp"),
    "docx": ("方案.docx", docx_bytes, "wordprocessingml"),
    "xlsx": ("台账.xlsx", xlsx_bytes, "spreadsheetml"),
    "doc": ("记录.doc", lambda: ole_bytes({"WordDocument": b"w"}), "application/msword"),
    "zip": ("照片.zip", lambda: zip_bytes({"a.jpg": image_bytes("JPEG")}), "application/zip"),
}


@pytest.mark.parametrize("case", CLEAN.keys())
def test_clean_file_is_accepted_and_stored_with_the_checksum_of_what_is_stored(media, case):
    w = world()
    name, make, content_type = CLEAN[case]
    services.ledger_report(
        item=w.item,
        user=w.contact,
        expected_version=0,
        progress=10,
        note="附件",
        files=[SimpleUploadedFile(name, make())],
    )
    evidence = Evidence.objects.get()
    assert content_type in evidence.content_type
    with evidence.file.open("rb") as handle:
        stored = handle.read()
    assert evidence.sha256 == hashlib.sha256(stored).hexdigest()
    assert evidence.size == len(stored)


def test_image_is_stored_re_encoded_without_trailing_data_or_metadata(media):
    w = world()
    photo = image_bytes("JPEG", size=(16, 16), comment=b"shot by the team") + b"TRAILING-DATA"
    services.ledger_report(
        item=w.item,
        user=w.contact,
        expected_version=0,
        progress=10,
        note="照片",
        files=[SimpleUploadedFile("现场.jpg", photo)],
    )
    with Evidence.objects.get().file.open("rb") as handle:
        stored = handle.read()
    assert stored != photo
    assert b"TRAILING-DATA" not in stored and b"shot by the team" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (16, 16)


def test_gif_trailing_bytes_are_dropped_by_re_encoding():
    checked = check_upload(SimpleUploadedFile("图.gif", image_bytes("GIF") + b"PK\x03\x04junk"))
    assert b"junk" not in checked.content.read()


def test_image_that_decodes_as_another_format_is_refused():
    # A PNG's bytes behind a GIF name fails the signature check; a WebP header
    # over junk fails decoding.
    with pytest.raises(ValidationError, match="不是有效的图片"):
        check_upload(SimpleUploadedFile("图.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 junkjunk"))


def test_zip_bomb_is_refused_from_its_directory(settings):
    settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_MB = 5
    bomb = zip_bytes({"a.txt": b"\x00" * (6 * 1024 * 1024)})
    with pytest.raises(ValidationError, match="超过 5 MB 的上限"):
        check_upload(SimpleUploadedFile("材料.zip", bomb))


def test_highly_compressed_archive_is_refused_by_its_ratio(settings):
    settings.UPLOAD_ZIP_MAX_RATIO = 100
    bomb = zip_bytes({"a.txt": b"\x00" * (3 * 1024 * 1024)})
    with pytest.raises(ValidationError, match="压缩比异常"):
        check_upload(SimpleUploadedFile("材料.zip", bomb))


def test_a_photo_keeps_its_orientation_when_its_exif_is_dropped():
    picture = Image.new("RGB", (30, 10))
    exif = picture.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", exif=exif)
    checked = check_upload(SimpleUploadedFile("竖拍.jpg", buffer.getvalue()))
    with Image.open(checked.content) as stored:
        assert stored.size == (10, 30)
        assert not stored.getexif()


@pytest.mark.parametrize("case", ["pdf-openaction-js", "zip-html-exe-as-docx", "ole-junk-doc"])
def test_clue_material_and_problem_attachments_refuse_the_same_files(media, case):
    """The clue's materials and a problem's attachments use the same check."""
    from clues.models import ClueFile
    from clues.services import clue_attach_file
    from rounds.models import ProblemAttachment
    from rounds.services import problem_attach
    from tests import test_clues_pages as clue_pages
    from tests.rounds_factories import ProblemFactory

    w = clue_pages.build_world()
    clue = clue_pages.draft(w)
    problem = ProblemFactory(target=w.target, found_by=w.member)
    name, make, says = DISGUISED[case]
    with pytest.raises(ValidationError, match=says):
        clue_attach_file(
            clue=clue, upload=SimpleUploadedFile(name, make()), kind="interview", user=w.member
        )
    with pytest.raises(ValidationError, match=says):
        problem_attach(problem=problem, upload=SimpleUploadedFile(name, make()), user=w.member)
    assert not ClueFile.objects.exists() and not ProblemAttachment.objects.exists()
    assert stored_files(media) == []


def tiny_animated_gif(width: int, height: int, frames: int) -> bytes:
    """A few hundred bytes that ask for ``frames`` full ``width``×``height``
    canvases: each frame is a single pixel on the huge logical screen."""
    import struct

    head = (
        b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    )
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    frame = (
        b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # 100 ms, no disposal
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
        + b"\x02\x02\x44\x01\x00"  # one pixel, LZW
    )
    return head + loop + frame * frames + b"\x3b"


def test_tiny_animated_gif_with_a_huge_canvas_is_refused_before_decoding():
    bomb = tiny_animated_gif(3000, 3000, 6)  # 54 million pixels in ~200 bytes
    assert len(bomb) < 500
    with pytest.raises(ValidationError, match="图片尺寸或帧数过大"):
        check_upload(SimpleUploadedFile("动图.gif", bomb))


def test_a_single_frame_beyond_the_pixel_cap_is_refused():
    with pytest.raises(ValidationError, match="图片尺寸或帧数过大"):
        check_upload(SimpleUploadedFile("大图.png", image_bytes("PNG", size=(8000, 6000))))


def test_a_small_animation_still_passes_and_keeps_its_frames():
    checked = check_upload(SimpleUploadedFile("动图.gif", tiny_animated_gif(40, 30, 5)))
    with Image.open(checked.content) as stored:
        assert stored.size == (40, 30)
