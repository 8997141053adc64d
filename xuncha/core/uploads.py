"""Checking and storing uploaded files.

The type is decided by the file's content, not its name, against an
allow-list, and then checked for what it is: a PDF is parsed and refused when
it carries scripts, launch actions or embedded files; an image is decoded and
re-encoded so nothing rides along after or inside it; an Office file must be
the Office file its name says, without macros or executables; a legacy OLE
file must parse. Any file carrying web-page markup is refused, because a
browser that sniffs it would run it (a PDF/HTML polyglot). The name a user
sent is kept only as a label, never as a path; the file is written under a
random name and the SHA-256 of what is stored is recorded.

Every refusal is a ValidationError in Chinese raised before anything is
written, so the services that call `check_upload` store nothing on refusal.
"""

import hashlib
import io
import re
import uuid
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    extensions: frozenset[str]


PDF = FileKind("PDF", "application/pdf", frozenset({".pdf"}))
PNG = FileKind(gettext_lazy("PNG 图片"), "image/png", frozenset({".png"}))
JPEG = FileKind(gettext_lazy("JPEG 图片"), "image/jpeg", frozenset({".jpg", ".jpeg"}))
GIF = FileKind(gettext_lazy("GIF 图片"), "image/gif", frozenset({".gif"}))
WEBP = FileKind(gettext_lazy("WebP 图片"), "image/webp", frozenset({".webp"}))
# Office Open XML, WPS's own formats saved as OOXML, OFD and plain zip archives
# all start as a zip; the extension says which.
ZIP = FileKind(
    gettext_lazy("Office 文档或压缩包"),
    "application/zip",
    frozenset({".docx", ".xlsx", ".pptx", ".zip", ".ofd", ".wps", ".et", ".dps"}),
)
# Legacy Office and WPS binaries (.doc .xls .ppt .wps .et .dps) are OLE2 files.
OLE2 = FileKind(
    gettext_lazy("Office/WPS 文档"),
    "application/x-ole-storage",
    frozenset({".doc", ".xls", ".ppt", ".wps", ".et", ".dps"}),
)

SIGNATURES: list[tuple[bytes, FileKind]] = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"RIFF", WEBP),  # and "WEBP" at offset 8, checked in _kind_of
    (b"PK\x03\x04", ZIP),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE2),
]
IMAGE_KINDS = (PNG, JPEG, GIF, WEBP)
# Canvas width × height × frames: a 40-megapixel still or a short animation.
UPLOAD_IMAGE_MAX_PIXELS = 40_000_000
PILLOW_FORMATS = {PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WEBP: "WEBP"}

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

# The main part each OOXML extension must declare in [Content_Types].xml. The
# macro-enabled main parts (…macroEnabled.main+xml) are deliberately absent.
OOXML_MAIN_PARTS = {
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml",
    ),
}
# Entries no document or evidence archive needs, and which a browser or a
# double-click would run.
FORBIDDEN_ENTRY_SUFFIXES = (
    ".exe", ".dll", ".scr", ".com", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js",
    ".jse", ".wsf", ".hta", ".msi", ".jar", ".lnk", ".htm", ".html", ".xhtml", ".svg",
)  # fmt: skip
MACRO_ENTRY = re.compile(rb"vbaProject|vbaData|activeX", re.IGNORECASE)

# The main stream a legacy OLE file of each extension holds, and the storages
# that mean it carries macros.
OLE_MAIN_STREAMS = {
    ".doc": {"WordDocument"},
    ".xls": {"Workbook", "Book"},
    ".ppt": {"PowerPoint Document"},
    # WPS's legacy binaries follow the Office layout of their kind.
    ".wps": {"WordDocument"},
    ".et": {"Workbook", "Book"},
    ".dps": {"PowerPoint Document"},
}
OLE_MACRO_STORAGES = {"macros", "_vba_project_cur", "vba", "_vba_project"}

# PDF names that run code, start programs or carry other files. A PDF may
# spell a name with #xx escapes (/J#61vaScript), so names are decoded first.
PDF_FORBIDDEN_NAMES = {
    "JS": gettext_lazy("JavaScript 脚本"),
    "JavaScript": gettext_lazy("JavaScript 脚本"),
    "AA": gettext_lazy("自动执行的动作"),
    "Launch": gettext_lazy("启动外部程序的动作"),
    "EmbeddedFile": gettext_lazy("嵌入的文件"),
    "EmbeddedFiles": gettext_lazy("嵌入的文件"),
    "RichMedia": gettext_lazy("嵌入的多媒体"),
}
PDF_NAME = re.compile(rb"/([A-Za-z0-9#._-]+)")
PDF_MAX_OBJECTS = 200_000
# Markup a browser would render and run if it sniffed the file as a page.
HTML_MARKERS = re.compile(rb"<\s*(?:script|html|iframe|!doctype\s+html)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    extension: str
    content_type: str
    size: int
    sha256: str
    # What to store: the upload itself, or its clean re-encoding (images).
    content: File


def safe_display_name(name: str) -> str:
    """The last path component only, without control characters, for display."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:150] or "未命名文件"


def _kind_of(head: bytes) -> FileKind | None:
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            if kind is WEBP and head[8:12] != b"WEBP":
                return None
            return kind
    return None


def check_upload(upload: UploadedFile, *, max_mb: int | None = None) -> CheckedFile:
    """Refuse (ValidationError, in Chinese) anything not on the allow-list or
    not what it claims to be; return what to store and its checksum."""
    limit_mb = max_mb or settings.UPLOAD_MAX_MB
    name = upload.name or ""
    shown = safe_display_name(name)
    if "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise ValidationError(
            _("文件名「%(name)s」含有路径字符，请重命名后再上传。") % {"name": shown}
        )
    if upload.size == 0:
        raise ValidationError(_("文件是空的。"))
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("文件「%(name)s」超过 %(max)s MB 的上限（%(size)s MB）。")
            % {"name": shown, "max": limit_mb, "size": f"{upload.size / 1048576:.1f}"}
        )
    extension = PurePosixPath(name).suffix.lower()
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = _kind_of(head)
    if kind is None:
        raise ValidationError(
            _("文件「%(name)s」的类型不在允许范围内（仅限 PDF、图片、Office/WPS 文档和 zip）。")
            % {"name": shown}
        )
    if extension not in kind.extensions:
        raise ValidationError(
            _("文件「%(name)s」的扩展名与内容不符：内容是%(kind)s。")
            % {"name": shown, "kind": kind.label}
        )

    # Files are size-limited above (UPLOAD_MAX_MB), so reading one whole is bounded.
    data = upload.read()
    upload.seek(0)
    content: File = upload
    clean = data
    if kind is PDF:
        _check_pdf(data, shown)
    elif kind in IMAGE_KINDS:
        clean = _reencode_image(data, kind, shown)
        content = ContentFile(clean)
    elif kind is ZIP:
        _check_zip(data, extension, shown)
    elif kind is OLE2:
        _check_ole(data, extension, shown)
    # Zip members are compressed, so markup in a zip's raw bytes is not what a
    # browser would see; its entries are checked by name instead. An image
    # carrying markup is refused rather than silently cleaned: it was made so.
    if kind is not ZIP and HTML_MARKERS.search(data):
        raise ValidationError(
            _("文件「%(name)s」中夹带了网页或脚本代码（可能是伪装的网页文件），已拒绝。")
            % {"name": shown}
        )
    return CheckedFile(
        original_name=shown,
        extension=extension,
        content_type=EXTENSION_CONTENT_TYPES.get(extension, kind.content_type),
        size=len(clean),
        sha256=hashlib.sha256(clean).hexdigest(),
        content=content,
    )


# --- PDF ---------------------------------------------------------------------


def _decode_pdf_name(raw: bytes) -> str:
    return re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).decode(
        "latin-1"
    )


def _check_pdf(data: bytes, shown: str) -> None:
    # First the raw bytes: catches names the parser would not reach (broken
    # cross-references, objects outside the tree) and escaped spellings.
    for match in PDF_NAME.finditer(data):
        found = PDF_FORBIDDEN_NAMES.get(_decode_pdf_name(match.group(1)))
        if found:
            raise _pdf_refused(shown, found)
    # Then the parsed objects: catches names inside compressed object streams,
    # which the raw bytes do not show.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        found = _walk_pdf(reader.trailer)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError):
        raise ValidationError(
            _("文件「%(name)s」不是有效的 PDF 文件（无法解析），可能已损坏或是伪装的文件。")
            % {"name": shown}
        ) from None
    if found:
        raise _pdf_refused(shown, found)


def _pdf_refused(shown: str, what: str) -> ValidationError:
    return ValidationError(
        _(
            "文件「%(name)s」含有%(what)s，出于安全原因不能上传。请另存为（或打印为）普通 PDF 后再上传。"
        )
        % {"name": shown, "what": what}
    )


def _walk_pdf(root) -> str | None:
    """Every object reachable from the trailer, once each; the first forbidden
    name or action found, in words."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            return _("过多的对象")
        if isinstance(node, DictionaryObject):
            for name, value in node.items():
                found = PDF_FORBIDDEN_NAMES.get(str(name).lstrip("/"))
                if found:
                    return found
                if name == "/S" and str(value).lstrip("/") in PDF_FORBIDDEN_NAMES:
                    return PDF_FORBIDDEN_NAMES[str(value).lstrip("/")]
                stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


# --- Images ------------------------------------------------------------------


def _reencode_image(data: bytes, kind: FileKind, shown: str) -> bytes:
    """Decode and encode again: only pixels survive, so trailing data,
    comments, metadata (EXIF with GPS too) and anything hidden in them is gone."""
    from PIL import Image, UnidentifiedImageError

    bad = ValidationError(
        _("文件「%(name)s」不是有效的图片，可能是伪装成图片的其他文件。") % {"name": shown}
    )
    try:
        # A picture far larger than any photo is refused outright (Pillow's
        # own bomb limit only warns below twice its default).
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                if image.format != PILLOW_FORMATS[kind]:
                    raise bad
                _check_pixels(image, shown)
                return _reencode_opened(image, kind)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ):
        raise bad from None


def _check_pixels(image, shown: str) -> None:
    """Every frame is decoded onto a full canvas, so a tiny animated file can
    ask for gigabytes: the canvas times the frames is capped before decoding."""
    width, height = image.size
    frames = getattr(image, "n_frames", 1)
    if width * height * frames > UPLOAD_IMAGE_MAX_PIXELS:
        raise ValidationError(
            _(
                "文件「%(name)s」的图片尺寸或帧数过大（%(width)s×%(height)s 像素，%(frames)s 帧），"
                "请缩小或另存为单张图片后再上传。"
            )
            % {"name": shown, "width": width, "height": height, "frames": frames}
        )


def _reencode_opened(image, kind: FileKind) -> bytes:
    """Copy the pixels (every frame of an animation) into a fresh file."""
    from PIL import ImageOps, ImageSequence

    frames = []
    for frame in ImageSequence.Iterator(image):
        clean = frame.copy()
        keep = {k: frame.info[k] for k in ("transparency", "duration") if k in frame.info}
        clean.info = keep
        frames.append(clean)
    out = io.BytesIO()
    first = frames[0]
    options: dict = {}
    if kind is JPEG:
        # Turn the picture as the camera meant before its EXIF goes
        # (read from the decoded image: the copies carry no EXIF).
        first = ImageOps.exif_transpose(image) or image.copy()
        first.info = {}
        if first.mode not in ("RGB", "L", "CMYK"):
            first = first.convert("RGB")
        options = {"quality": 92}
    elif kind in (GIF, WEBP) and len(frames) > 1:
        options = {
            "save_all": True,
            "append_images": frames[1:],
            "loop": image.info.get("loop", 0),
        }
    if "transparency" in first.info:
        options["transparency"] = first.info["transparency"]
    if kind is WEBP:
        options["lossless"] = True
    first.save(out, format=PILLOW_FORMATS[kind], **options)
    return out.getvalue()


# --- Zip-based files (OOXML, OFD, archives) ----------------------------------


def check_zip_expansion(
    archive: zipfile.ZipFile, subject: str, *, max_mb: int | None = None
) -> None:
    """Refuse a zip bomb from its directory alone, before any member is read:
    the declared uncompressed total and the compression ratio. ``subject``
    names the file in the message (文件「a.zip」, 该 Excel 文件)."""
    max_mb = max_mb or settings.UPLOAD_ZIP_MAX_UNCOMPRESSED_MB
    max_ratio = settings.UPLOAD_ZIP_MAX_RATIO
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if total > max_mb * 1024 * 1024:
        raise ValidationError(
            _(
                "%(subject)s解压后达 %(size)s MB，超过 %(max)s MB 的上限，"
                "已拒绝（可能是“压缩炸弹”）。"
            )
            % {"subject": subject, "size": f"{total / 1048576:.0f}", "max": max_mb}
        )
    if total > 1024 * 1024 and total / compressed > max_ratio:
        raise ValidationError(
            _(
                "%(subject)s的压缩比异常（%(ratio)s 倍，上限 %(max)s 倍），"
                "已拒绝（可能是“压缩炸弹”）。"
            )
            % {"subject": subject, "ratio": f"{total / compressed:.0f}", "max": max_ratio}
        )


def open_zip(data: bytes, subject: str, *, max_mb: int | None = None) -> zipfile.ZipFile:
    """The zip, its directory checked against bombs; a ValidationError if it is none."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(
            _("%(subject)s不是有效的压缩文件，可能已损坏。") % {"subject": subject}
        ) from None
    check_zip_expansion(archive, subject, max_mb=max_mb)
    return archive


def _check_zip(data: bytes, extension: str, shown: str) -> None:
    with open_zip(data, _("文件「%(name)s」") % {"name": shown}) as archive:
        names = archive.namelist()
        for entry in names:
            lowered = entry.lower()
            if lowered.endswith(FORBIDDEN_ENTRY_SUFFIXES):
                raise ValidationError(
                    _("文件「%(name)s」中包含可执行程序或网页（%(entry)s），已拒绝。")
                    % {"name": shown, "entry": safe_display_name(entry)}
                )
            if MACRO_ENTRY.search(entry.encode()):
                raise ValidationError(
                    _(
                        "文件「%(name)s」含有宏或控件，出于安全原因不能上传。请另存为不含宏的格式后再上传。"
                    )
                    % {"name": shown}
                )
        if extension in OOXML_MAIN_PARTS:
            try:
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
            except (KeyError, zipfile.BadZipFile, OSError, RuntimeError):
                types = ""
            if not any(main in types for main in OOXML_MAIN_PARTS[extension]):
                raise ValidationError(
                    _("文件「%(name)s」不是有效的 %(format)s 文档（内容与扩展名不符），已拒绝。")
                    % {"name": shown, "format": extension[1:].upper()}
                )
        elif extension == ".ofd" and "OFD.xml" not in names:
            raise ValidationError(
                _("文件「%(name)s」不是有效的 OFD 文档，已拒绝。") % {"name": shown}
            )


# --- Legacy OLE files (.doc .xls .ppt and WPS) --------------------------------


def _check_ole(data: bytes, extension: str, shown: str) -> None:
    import olefile

    bad = ValidationError(
        _("文件「%(name)s」不是有效的 Office/WPS 文档，可能已损坏或是伪装的文件。")
        % {"name": shown}
    )
    try:
        with olefile.OleFileIO(data) as ole:
            entries = ole.listdir(streams=True, storages=True)
    except (OSError, ValueError, IndexError, KeyError, TypeError, AttributeError):
        raise bad from None
    top = {path[0] for path in entries if path}
    every = {part.lower() for path in entries for part in path}
    if every & OLE_MACRO_STORAGES:
        raise ValidationError(
            _("文件「%(name)s」含有宏，出于安全原因不能上传。请另存为不含宏的格式后再上传。")
            % {"name": shown}
        )
    if not top & OLE_MAIN_STREAMS.get(extension, set()):
        raise bad


def storage_name(checked: CheckedFile) -> str:
    """A random name the uploader cannot influence; only the checked extension is kept."""
    return f"{uuid.uuid4().hex}{checked.extension}"
