"""The documents the system produces, registered by each app's reports.py.

A document names who may have it (``authorize`` raises PermissionDenied or
Http404 as the object's access helper would) and how to produce it
(``generate`` returns the file name, the bytes and the content type, calling
``progress(percent)`` as it goes).
"""

from collections.abc import Callable
from dataclasses import dataclass

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Generated:
    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Document:
    kind: str
    label: str
    authorize: Callable[..., None]  # (user, params) -> None or raise
    generate: Callable[..., Generated]  # (user, params, progress) -> Generated


DOCUMENTS: dict[str, Document] = {}


def register(document: Document) -> Document:
    if document.kind in DOCUMENTS:
        raise ValueError(f"document {document.kind!r} registered twice")
    DOCUMENTS[document.kind] = document
    return document


def get_document(kind: str) -> Document:
    try:
        return DOCUMENTS[kind]
    except KeyError:
        raise LookupError(f"未知的文书类型：{kind}") from None
