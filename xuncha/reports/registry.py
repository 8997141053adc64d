"""The documents the system produces, registered by each app's reports.py.

A document names who may have it (``authorize`` raises PermissionDenied or
Http404 as the object's access helper would) and how to produce it
(``generate`` returns the file name, the bytes and the content type, calling
``progress(percent)`` as it goes). A document that belongs to no page of its
own (the city's ledger) names, in ``standing``, the requests a user may make
of it: the reports page offers them.
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
    # (user) -> [(button label, params), ...]: requests offered on the reports page.
    standing: Callable[..., list[tuple[str, dict]]] | None = None


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


def standing_requests(user) -> list[tuple[Document, str, dict]]:
    """Every standing request the user may make, document by document."""
    offered = []
    for document in DOCUMENTS.values():
        if document.standing is not None:
            offered += [(document, label, params) for label, params in document.standing(user)]
    return offered
