"""Checking and storing uploaded files.

The type is decided by the file's first bytes, not its name, against an
allow-list; the name a user sent is kept only as a label, never as a path;
the file is written under a random name and its SHA-256 recorded.
"""

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: frozenset[str]


PDF = FileKind("PDF", "application/pdf", frozenset({".pdf"}))
PNG = FileKind("PNG 图片", "image/png", frozenset({".png"}))
JPEG = FileKind("JPEG 图片", "image/jpeg", frozenset({".jpg", ".jpeg"}))
GIF = FileKind("GIF 图片", "image/gif", frozenset({".gif"}))
# Office Open XML, WPS's own formats saved as OOXML, OFD and plain zip archives
# all start as a zip; the extension says which.
ZIP = FileKind(
    "Office 文档或压缩包",
    "application/zip",
    frozenset({".docx", ".xlsx", ".pptx", ".zip", ".ofd", ".wps", ".et", ".dps"}),
)
# Legacy Office and WPS binaries (.doc .xls .ppt .wps .et .dps) are OLE2 files.
OLE2 = FileKind(
    "Office/WPS 文档",
    "application/x-ole-storage",
    frozenset({".doc", ".xls", ".ppt", ".wps", ".et", ".dps"}),
)

SIGNATURES: list[tuple[bytes, FileKind]] = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"PK\x03\x04", ZIP),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE2),
]

EXTENSION_CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".wps": "application/vnd.ms-works",
    ".ofd": "application/ofd",
}


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def safe_display_name(name: str) -> str:
    """The last path component only, without control characters, for display."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:150] or "未命名文件"


def check_upload(upload: UploadedFile, *, max_mb: int | None = None) -> CheckedFile:
    """Refuse (ValidationError, in Chinese) anything not on the allow-list."""
    limit_mb = max_mb or settings.UPLOAD_MAX_MB
    name = upload.name or ""
    if "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise ValidationError(
            f"文件名「{safe_display_name(name)}」含有路径字符，请重命名后再上传。"
        )
    if upload.size == 0:
        raise ValidationError("文件是空的。")
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            f"文件「{safe_display_name(name)}」超过 {limit_mb} MB 的上限（{upload.size / 1048576:.1f} MB）。"
        )
    extension = PurePosixPath(name).suffix.lower()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = next((k for magic, k in SIGNATURES if head.startswith(magic)), None)
    if kind is None:
        raise ValidationError(
            f"文件「{safe_display_name(name)}」的类型不在允许范围内（仅限 PDF、图片、Office/WPS 文档和 zip）。"
        )
    if extension not in kind.extensions:
        raise ValidationError(
            f"文件「{safe_display_name(name)}」的扩展名与内容不符：内容是{kind.label}。"
        )
    if kind in (PNG, JPEG, GIF):
        _verify_image(upload, name)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        original_name=safe_display_name(name),
        extension=extension,
        content_type=EXTENSION_CONTENT_TYPES.get(extension, kind.content_type),
        size=upload.size,
        sha256=digest.hexdigest(),
    )


def _verify_image(upload: UploadedFile, name: str) -> None:
    # A script or page can start with an image's magic bytes; decoding it tells.
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            f"文件「{safe_display_name(name)}」不是有效的图片，可能是伪装成图片的其他文件。"
        ) from None
    finally:
        upload.seek(0)


def storage_name(checked: CheckedFile) -> str:
    """A random name the uploader cannot influence; only the checked extension is kept."""
    return f"{uuid.uuid4().hex}{checked.extension}"
