"""Small real files for upload tests, built in memory: clean ones the checks
accept and the disguised ones of issue 11 they must refuse."""

import io
import zipfile

from PIL import Image


def minimal_pdf(body: bytes = b"", *, catalog_extra: bytes = b"", extra_objects=()) -> bytes:
    """A valid one-page PDF with correct cross-references. `body` goes into a
    comment line (so tests can tell versions apart); `catalog_extra` into the
    catalog dictionary; `extra_objects` are appended as objects 4, 5, …"""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *extra_objects,
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    if body:
        out.write(b"%" + body.replace(b"\n", b" ") + b"\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def image_bytes(fmt: str, size=(8, 8), colour="red", **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def zip_bytes(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="{part}" ContentType="{ctype}"/></Types>'
)


def docx_bytes() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    document = Document()
    document.add_paragraph("整改报告")
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows=(("名称", "数量"), ("甲", 1))) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ole_bytes(streams: dict[str, bytes]) -> bytes:
    """A real OLE2 compound file holding the given top-level streams, written
    by hand (olefile only reads): one FAT sector, a directory, 512-byte
    sectors, every stream in regular sectors (padded past the 4096-byte
    mini-stream cutoff)."""
    import struct

    sector = 512
    names = list(streams)
    datas = [streams[n].ljust(4096, b"\x00") for n in names]
    # Layout: sector 0 = FAT, sector 1.. = directory, then stream data.
    dir_entries = 1 + len(names)
    dir_sectors = (dir_entries * 128 + sector - 1) // sector
    data_start = 1 + dir_sectors
    starts, cursor = [], data_start
    for data in datas:
        starts.append(cursor)
        cursor += len(data) // sector
    total = cursor
    fat = [0xFFFFFFFD]  # sector 0 is the FAT itself
    for i in range(dir_sectors):
        fat.append(1 + i + 1 if i + 1 < dir_sectors else 0xFFFFFFFE)
    for start, data in zip(starts, datas, strict=True):
        count = len(data) // sector
        fat.extend(start + i + 1 if i + 1 < count else 0xFFFFFFFE for i in range(count))
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))
    assert total <= sector // 4

    def entry(name, kind, start, size, child=0xFFFFFFFF, right=0xFFFFFFFF):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", 0xFFFFFFFF, right, child)
            + b"\x00" * 16
            + b"\x00" * 4
            + b"\x00" * 16
            + struct.pack("<IIxxxx", start, size)
        )

    directory = entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1 if names else 0xFFFFFFFF)
    for i, (name, data) in enumerate(zip(names, datas, strict=True)):
        right = i + 2 if i + 1 < len(names) else 0xFFFFFFFF
        directory += entry(name, 2, starts[i], len(data), right=right)
    directory = directory.ljust(dir_sectors * sector, b"\x00")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    )
    header += struct.pack("<I", 0) + struct.pack("<I", 0xFFFFFFFF) * 108
    header = header.ljust(sector, b"\x00")
    fat_sector = b"".join(struct.pack("<I", v) for v in fat)
    return header + fat_sector + directory + b"".join(datas)
