"""The pages of a small PDF (WeasyPrint's part of a document) brought into
a ReportLab document as form XObjects, to be drawn as the background of
its first pages.

Joining the two PDFs afterwards (pypdf) meant parsing every page ReportLab
had written: some 0.2 ms a page, a tenth of a long ledger's time. Here only
the small PDF is read (pypdf), and its pages' content and resources (fonts,
graphics states) are written into the ReportLab document as they are, their
object references renumbered; nothing else is read back.
"""

import io

from reportlab.pdfbase import pdfdoc


class _Imported(pdfdoc.PDFObject):
    """An object of the imported PDF, written into the ReportLab document:
    its references to other objects of that PDF become references to their
    own imported copies (made once each)."""

    def __init__(self, obj, prefix: str):
        self.obj, self.prefix = obj, prefix

    def format(self, document) -> bytes:
        return _write(self.obj, document, self.prefix)


def _reference(indirect, document, prefix: str):
    name = f"{prefix}{indirect.idnum}_{indirect.generation}"
    if name not in document.idToObject:
        document.Reference(_Imported(indirect.get_object(), prefix), name)
    return pdfdoc.PDFObjectReference(name)


def _write(obj, document, prefix: str) -> bytes:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    if isinstance(obj, IndirectObject):
        return pdfdoc.format(_reference(obj, document, prefix), document)
    if isinstance(obj, StreamObject):
        data = obj._data  # as stored: still encoded by its /Filter
        entries = {key: value for key, value in obj.items() if key != "/Length"}
        return (
            _dictionary(entries, document, prefix)[:-2]
            + f" /Length {len(data)} >>".encode()
            + b"\nstream\n"
            + data
            + b"\nendstream"
        )
    if isinstance(obj, DictionaryObject):
        return _dictionary(obj, document, prefix)
    if isinstance(obj, ArrayObject):
        return b"[ " + b" ".join(_write(item, document, prefix) for item in obj) + b" ]"
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def _dictionary(entries, document, prefix: str) -> bytes:
    parts = [
        key.encode() + b" " + _write(value, document, prefix) for key, value in entries.items()
    ]
    return b"<< " + b" ".join(parts) + b" >>"


class _Form(pdfdoc.PDFObject):
    """A page of the imported PDF as a form XObject: its content and
    resources, on its media box."""

    def __init__(self, page, prefix: str):
        self.page, self.prefix = page, prefix

    def format(self, document) -> bytes:
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

        page = self.page
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if isinstance(contents, StreamObject):
            streams = [contents]
        else:
            streams = [item.get_object() for item in (contents or [])]
        if len(streams) == 1:  # copied as stored, with how to decode it
            data = streams[0]._data
            filters, parameters = streams[0].get("/Filter"), streams[0].get("/DecodeParms")
        else:
            data = b"\n".join(stream.get_data() for stream in streams)
            filters = parameters = None
        form = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(page.mediabox),
                NameObject("/Resources"): page.get("/Resources", DictionaryObject()),
            }
        )
        if filters is not None:
            form[NameObject("/Filter")] = filters
        if parameters is not None:
            form[NameObject("/DecodeParms")] = parameters
        return (
            _dictionary(form, document, self.prefix)[:-2]
            + f" /Length {len(data)} >>".encode()
            + b"\nstream\n"
            + data
            + b"\nendstream"
        )


def import_pages(content: bytes, canvas, prefix: str = "Imported") -> list[str]:
    """The pages of the PDF ``content`` as forms of the canvas's document:
    their names, for canvas.doForm(), in page order."""
    from pypdf import PdfReader

    names = []
    for number, page in enumerate(PdfReader(io.BytesIO(content)).pages):
        name = f"{prefix}Page{number}"
        canvas._doc.Reference(_Form(page, f"{prefix}Obj"), pdfdoc.xObjectName(name))
        names.append(name)
    return names
