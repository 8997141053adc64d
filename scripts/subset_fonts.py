"""Build the PDF fonts shipped in static/fonts/ (run once; the output is committed).

The faces GB/T 9704 asks of a 公文, under the SIL Open Font License 1.1:

- body (仿宋_GB2312's place): 朱雀仿宋 (Zhuque Fangsong, TrionesType/zhuque),
  built from its Glyphs source with fontmake (``fontmake -g
  src/ZhuqueFangsong.glyphspackage -o ttf --keep-overlaps``);
- title (方正小标宋's place): the Bold of Noto Serif CJK SC (Source Han Serif),
  the heavy Song the office reads as a 小标宋;
- headings and table heads (黑体): Noto Sans CJK SC Regular.

The Noto faces come from Debian's fonts-noto-cjk. Kept of each: all of GB 2312
(6,763 hanzi and its symbols), ASCII, common CJK and full-width punctuation
and the page-number dash "—". The Noto faces' CFF outlines are converted to
TrueType (quadratic) outlines, and the layout tables WeasyPrint drops anyway
(GSUB, GPOS) and the vertical-writing ones are left out: WeasyPrint subsets
each font again for every PDF (with fontTools when HarfBuzz-Subset is not
installed), and a glyf font without them is subset in a fraction of the time
a CFF one takes, whatever the length of the document.

    python scripts/subset_fonts.py /usr/share/fonts/opentype/noto \\
        path/to/ZhuqueFangsong-Regular.ttf static/fonts
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

NOTO_FACES = {
    # output name: (collection file, face name)
    "NotoSerifSC-Bold.ttf": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    "NotoSansSC-Regular.ttf": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
}
FANGSONG = "ZhuqueFangsong-Regular.ttf"
DROPPED_TABLES = ["GSUB", "GPOS", "BASE", "vhea", "vmtx", "VORG", "DSIG"]


def gb2312_characters() -> str:
    chars = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def wanted_text() -> str:
    ascii_printable = "".join(chr(c) for c in range(0x20, 0x7F))
    extra = "—–·•…‘’“”、。，；：？！（）《》〈〉【】〔〕「」『』￥％＋－×÷＝＜＞№§℃°±≤≥≠∶·　０１２３４５６７８９"
    return gb2312_characters() + ascii_printable + extra


def cff_to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines by quadratic glyf ones (as fontTools' otf2ttf
    snippet does): same shapes within a font unit."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        hmtx.metrics[name] = (hmtx.metrics[name][0], getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(order)
    for attribute in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxComponentDepth",
    ):
        setattr(maxp, attribute, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\000\001\000\000"


def subset_font(font: TTFont, text: str) -> None:
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += DROPPED_TABLES
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)


def main(noto_dir: Path, fangsong: Path, out_dir: Path) -> None:
    text = wanted_text()
    out_dir.mkdir(parents=True, exist_ok=True)
    font = TTFont(str(fangsong))
    subset_font(font, text)
    font.save(str(out_dir / FANGSONG))
    print(FANGSONG, (out_dir / FANGSONG).stat().st_size // 1024, "KiB")
    for out_name, (collection, face) in NOTO_FACES.items():
        fonts = TTCollection(str(noto_dir / collection)).fonts
        font = next(f for f in fonts if f["name"].getDebugName(1) == face)
        subset_font(font, text)
        cff_to_truetype(font)
        font.save(str(out_dir / out_name))
        print(out_name, (out_dir / out_name).stat().st_size // 1024, "KiB")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
