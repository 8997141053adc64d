"""Build the PDF fonts shipped in static/fonts/ (run once; the output is committed).

Source: Noto Serif CJK SC and Noto Sans CJK SC from Debian's fonts-noto-cjk
(SIL Open Font License 1.1). Kept: all of GB 2312 (6,763 hanzi and its
symbols), ASCII, common CJK and full-width punctuation, and the characters of
the 公文 page-number dash "—". Output: WOFF-free TTF/OTF subsets that
WeasyPrint embeds (and subsets again per document).

    python scripts/subset_fonts.py /usr/share/fonts/opentype/noto static/fonts
"""

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

FACES = {
    # output name: (collection file, face name)
    "NotoSerifSC-Regular.otf": ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    "NotoSerifSC-Bold.otf": ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    "NotoSansSC-Regular.otf": ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
}


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


def main(source_dir: Path, out_dir: Path) -> None:
    text = wanted_text()
    out_dir.mkdir(parents=True, exist_ok=True)
    for out_name, (collection, face) in FACES.items():
        fonts = TTCollection(str(source_dir / collection)).fonts
        font = next(f for f in fonts if f["name"].getDebugName(1) == face)
        options = subset.Options()
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.hinting = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        font.save(str(out_dir / out_name))
        print(out_name, (out_dir / out_name).stat().st_size // 1024, "KiB")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
