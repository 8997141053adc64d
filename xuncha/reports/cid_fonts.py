"""The shipped TrueType faces embedded in ReportLab's PDFs as one font each
with two-byte codes (Type 0, Identity-H), as WeasyPrint embeds them.

ReportLab's TTFont gives each character a one-byte code in a subset of 256
and embeds one font per subset. A Chinese document uses thousands of
characters, so every line hops between subsets: a round ledger's text was
cut into three and a half pieces, each with its own font switch, per run of
text, and drawing it cost more than laying it out. Here a face is one font
in the document: a character's code (CID) is its place among the
characters drawn so far, a string becomes its codes with str.translate, and
a run of text is one Tj. At the end the font is subset to those characters
(ReportLab's own subsetter, TTFontFile.makeSubset), with the widths (W), a
CIDToGIDMap for the subset's glyph order, and a ToUnicode map so that the
text reads back (pdftotext, search, copy).
"""

import hashlib
import weakref

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import TTFont


def _subset_tag(codes: list[int]) -> str:
    """Six capitals for the subset's name (XXXXXX+Face): one per set of
    characters, so that two subsets of a face in one PDF (the WeasyPrint
    part's and this one) never share a name."""
    digest = hashlib.sha256(repr(codes).encode()).digest()
    return "".join(chr(ord("A") + byte % 26) for byte in digest[:6])


class _State:
    """The characters a document has drawn in one face, in code order
    (code 0 is the missing glyph), and str.translate's table to their codes."""

    def __init__(self):
        self.codes: list[int] = [0]
        self.known: set[str] = set()
        self.table: dict[int, str] = {}
        # The same codes as hex text (four digits a code), as a Tj's <...>
        # string takes them: str.translate straight to what the page holds.
        self.hex_table: dict[int, str] = {}
        self.internal_name: str | None = None


class CIDTrueTypeFont(TTFont):
    """A TTFont drawn with two-byte codes: ``hex_encoder`` is what our drawing needs,
    ``splitString`` keeps ReportLab's own text drawing (drawString) working
    on the same codes."""

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename)
        self._cid_states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def _state(self, doc) -> _State:
        state = self._cid_states.get(doc)
        if state is None:
            state = self._cid_states[doc] = _State()
        return state

    def encode(self, text: str, doc) -> bytes:
        """``text`` as this document's two-byte codes of the face."""
        return self._translator(doc, hex_codes=False)(text).encode("utf-16-be")

    def hex_encoder(self, doc):
        """encode() as hex text, for one document, its state looked up
        once: ``<...> Tj``'s string."""
        return self._translator(doc, hex_codes=True)

    def _translator(self, doc, *, hex_codes: bool):
        """text → its codes in one document, through str.translate: as
        characters (to be encoded as UTF-16) or straight as hex text."""
        state = self._state(doc)
        known, learn = state.known, self._learn
        table = state.hex_table if hex_codes else state.table

        def translate(text: str) -> str:
            if not known.issuperset(text):
                learn(text, state)
            return text.translate(table)

        return translate

    def _learn(self, text: str, state: _State) -> None:
        """Codes for the characters of ``text`` not coded yet (a few
        thousand at most: the faces hold GB 2312, below the surrogates)."""
        glyphs = self.face.charToGlyph
        for char in set(text) - state.known:
            state.known.add(char)
            code = 32 if char == "\xa0" else ord(char)
            if code not in glyphs:  # drawn as the missing glyph
                state.table[ord(char)], state.hex_table[ord(char)] = "\x00", "0000"
                continue
            state.table[ord(char)] = chr(len(state.codes))
            state.hex_table[ord(char)] = f"{len(state.codes):04x}"
            state.codes.append(code)

    def splitString(self, text, doc, encoding="utf-8"):
        if isinstance(text, bytes):
            text = text.decode(encoding)
        return [(0, self.encode(text, doc))]

    def getSubsetInternalName(self, subset, doc):
        state = self._state(doc)
        if state.internal_name is None:
            state.internal_name = f"F{len(doc.fontMapping) + 1}"
            doc.fontMapping[self.fontName] = "/" + state.internal_name
            doc.delayedFonts.append(self)
        return "/" + state.internal_name

    def addObjects(self, doc):
        state = self._state(doc)
        codes = state.codes
        base_name = f"{_subset_tag(codes)}+{self.face.name.decode('ascii')}"
        descriptor = self.face.addSubsetObjects(doc, base_name, codes)
        cid_font = pdfdoc.PDFDictionary(
            {
                "Type": "/Font",
                "Subtype": "/CIDFontType2",
                "BaseFont": pdfdoc.PDFName(base_name),
                "CIDSystemInfo": pdfdoc.PDFDictionary(
                    {
                        "Registry": pdfdoc.PDFString("Adobe"),
                        "Ordering": pdfdoc.PDFString("Identity"),
                        "Supplement": 0,
                    }
                ),
                "FontDescriptor": descriptor,
                "DW": 1000,
                "W": pdfdoc.PDFArray(
                    [0, pdfdoc.PDFArray([round(self.face.getCharWidth(c)) for c in codes])]
                ),
                "CIDToGIDMap": doc.Reference(
                    self._stream(doc, self._glyph_map(codes)), f"cidToGid:{base_name}"
                ),
            }
        )
        font = pdfdoc.PDFDictionary(
            {
                "Type": "/Font",
                "Subtype": "/Type0",
                "Name": pdfdoc.PDFName(state.internal_name),
                "BaseFont": pdfdoc.PDFName(base_name),
                "Encoding": "/Identity-H",
                "DescendantFonts": pdfdoc.PDFArray(
                    [doc.Reference(cid_font, f"cidFont:{base_name}")]
                ),
                "ToUnicode": doc.Reference(
                    self._stream(doc, _to_unicode(codes).encode("ascii")),
                    f"toUnicode:{base_name}",
                ),
            }
        )
        fonts = doc.idToObject["BasicFonts"].dict
        fonts[state.internal_name] = doc.Reference(font, state.internal_name)
        del self._cid_states[doc]

    def _glyph_map(self, codes: list[int]) -> bytes:
        """Each code's glyph in the subset made of ``codes``: numbered as
        TTFontFile.makeSubset numbers them (in order of first use, the
        missing glyph first)."""
        glyphs = self.face.charToGlyph
        numbers = {0: 0}
        out = bytearray()
        for code in codes:
            glyph = glyphs.get(code, 0)
            if glyph not in numbers:
                numbers[glyph] = len(numbers)
            out += numbers[glyph].to_bytes(2, "big")
        return bytes(out)

    @staticmethod
    def _stream(doc, content: bytes) -> pdfdoc.PDFStream:
        stream = pdfdoc.PDFStream(content=content)
        if doc.compression:
            stream.filters = [pdfdoc.PDFZCompress]
        return stream


def _to_unicode(codes: list[int]) -> str:
    """The ToUnicode CMap: each two-byte code's character."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    pairs = [(cid, code) for cid, code in enumerate(codes) if cid]
    for start in range(0, len(pairs), 100):
        block = pairs[start : start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(f"<{cid:04X}> <{code:04X}>" for cid, code in block)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)
