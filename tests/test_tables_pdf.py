"""Line breaking of table cells (xuncha.reports.pdf_text): the rules of
Chinese text (禁则), Latin words kept whole, the sans face for what 朱雀仿宋
lacks; and a row taller than a page cut between its lines."""

from xuncha.reports.pdf_text import BODY, SANS, Block, TextStyle, break_lines
from xuncha.reports.tables_pdf import Grid, GridTable, HeaderCell, lay_out_row

STYLE = TextStyle(BODY, 10)
TEN_CHARS = 10 * 10 + 0.01  # the body face's ideographs are one em wide


def lines(value: str, width: float = TEN_CHARS) -> list[str]:
    block = Block(((value, STYLE),), leading=13.5)
    return ["".join(piece[1] for piece in line.pieces) for line in break_lines(block, width)]


def test_ten_ideographs_fill_a_line_of_ten():
    assert lines("一二三四五六七八九十一二三") == ["一二三四五六七八九十", "一二三"]


def test_a_comma_never_starts_a_line_it_takes_the_character_before_along():
    assert lines("一二三四五六七八九十，一二") == ["一二三四五六七八九", "十，一二"]
    assert lines("一二三四五六七八九十。”一") == ["一二三四五六七八九", "十。”一"]


def test_an_opening_bracket_never_ends_a_line():
    assert lines("一二三四五六七八九（十）") == ["一二三四五六七八九", "（十）"]
    assert lines("一二三四五六七八“（十）”") == ["一二三四五六七八", "“（十）”"]


def test_latin_words_and_numbers_are_kept_whole():
    assert lines("一二三四五六七八 HYPERLINK") == ["一二三四五六七八", "HYPERLINK"]
    assert lines("一二三四五六七八九12.6万元") == ["一二三四五六七八九", "12.6万元"]


def test_a_word_wider_than_the_cell_is_cut_where_it_must():
    url = "http://evil.example/" * 4
    found = lines(url)
    assert "".join(found) == url
    assert len(found) > 1


def test_white_space_is_collapsed_and_not_carried_to_a_line_start():
    assert lines("一二  三\n四五六七八九十一") == ["一二 三 四五六七八九", "十一"]
    assert lines("一二三四五六七八九十 一二") == ["一二三四五六七八九十", "一二"]


def test_characters_the_body_face_lacks_are_set_in_the_sans_face():
    block = Block((("整改①项※", STYLE),), leading=13.5)
    (line,) = break_lines(block, 200)
    assert [(piece[1], piece[2].font) for piece in line.pieces] == [
        ("整改", BODY),
        ("①", SANS),
        ("项", BODY),
        ("※", SANS),
    ]


GRID = Grid(
    widths=(30, 120),
    aligns=("center", "left"),
    header=(HeaderCell("序号", STYLE, (0, 0), (0, 0)), HeaderCell("描述", STYLE, (1, 1), (0, 0))),
    header_rows=1,
    header_leading=13.5,
)


def test_rows_move_whole_to_the_next_page_unless_taller_than_a_page():
    short = lay_out_row(GRID, [[Block((("1", STYLE),), 13.5)], [Block((("短", STYLE),), 13.5)]])
    table = GridTable(GRID, [short, short], max_height=200)
    # Room for the header and part of the first row only: nothing on this page.
    assert table.split(150, table.header_height + short.height - 1) == []
    first, rest = table.split(150, table.header_height + short.height + 1)
    assert (len(first.rows), len(rest.rows)) == (1, 1)

    tall = lay_out_row(
        GRID, [[Block((("2", STYLE),), 13.5)], [Block((("长" * 300, STYLE),), 13.5)]]
    )
    table = GridTable(GRID, [tall, short], max_height=200)
    assert tall.height > 200
    first, rest = table.split(150, 100)
    assert first.wrap(150, 100)[1] <= 100
    assert len(rest.rows) == 2  # the tall row's remaining lines, then the short row
    drawn = [line for piece in (first, rest) for line in piece.rows[0].cells[1]]
    assert sum(len(line.pieces[0][1]) for line in drawn) == 300


def test_a_paragraph_indent_shortens_its_first_line_only():
    block = Block((("一二三四五六七八九十一二三四五", STYLE),), leading=13.5)
    first, second = break_lines(block, TEN_CHARS, indent=2 * 10)
    assert "".join(p[1] for p in first.pieces) == "一二三四五六七八"
    assert first.pieces[0][0] == 20  # drawn two characters in
    assert "".join(p[1] for p in second.pieces) == "九十一二三四五"
    assert second.pieces[0][0] == 0


def test_each_face_is_one_two_byte_font_whose_text_reads_back(tmp_path):
    """More than 256 distinct characters (ReportLab's subsets) in one font,
    every string one Tj, and the text extracted again from the codes."""
    import shutil
    import subprocess

    from xuncha.reports.tables_pdf import portrait_a4, text_lines, write_pages

    if shutil.which("pdftotext") is None or shutil.which("pdffonts") is None:
        import pytest

        pytest.skip("pdftotext/pdffonts (poppler-utils) are not installed")
    many = "".join(chr(code) for code in range(0x4E00, 0x4E00 + 600))
    story = [
        text_lines(Block(((many, STYLE),), 13.5), 400),
        text_lines(Block((("整改①项", STYLE),), 13.5), 400),
    ]
    content, _pages = write_pages(story, portrait_a4((37, 26, 35, 28), mark="内部"), first_number=1)
    path = tmp_path / "faces.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert sorted(row.split()[0].split("+")[1] for row in rows) == ["XC-FangSong", "XC-Sans"]
    assert all("Identity-H" in row for row in rows)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True)
    flat = "".join(text.stdout.split())
    known = "".join(c for c in many if c in advances_of_body())
    assert known in flat
    assert "整改①项" in flat and "内部" in flat and "—1—" in flat


def test_our_text_and_reportlabs_drawstring_give_one_document_the_same_codes():
    """The cells are written as hex codes (hex_encoder), ReportLab's own
    drawString through encode(): one document, one code per character,
    whichever draws it first; a character no face has is the missing glyph."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    from xuncha.reports.pdf_text import advances

    advances()
    font, doc = pdfmetrics.getFont(BODY), Canvas(io.BytesIO())._doc
    to_hex = font.hex_encoder(doc)
    both = to_hex("整改")
    assert both == font.encode("整改", doc).hex()
    assert sorted([both[:4], both[4:]]) == ["0001", "0002"]
    more = font.encode("改落实", doc).hex()
    assert more == to_hex("改落实") and more[:4] == both[4:]  # 改 kept its code
    assert sorted([more[4:8], more[8:]]) == ["0003", "0004"]
    lacking = "\U0002a6a5"  # CJK Extension B: in none of the shipped faces
    assert to_hex(f"整{lacking}") == font.encode(f"整{lacking}", doc).hex() == both[:4] + "0000"
    other = font.hex_encoder(Canvas(io.BytesIO())._doc)("落实")  # another document: its own codes
    assert sorted([other[:4], other[4:]]) == ["0001", "0002"]


def advances_of_body() -> set[str]:
    from xuncha.reports.pdf_text import advances

    return set(advances()[BODY]) | set(advances()[SANS])


def test_pages_before_are_kept_and_the_story_goes_on_overleaf_when_no_room_is_left(tmp_path):
    """write_pages(before=...): the given PDF's pages first, as they are; the
    story on from where its text ends, or overleaf when that is the foot."""
    import shutil
    import subprocess

    import pytest

    from xuncha.reports.tables_pdf import portrait_a4, text_lines, write_pages

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    page = portrait_a4((37, 26, 35, 28), mark="内部")

    def texts(content: bytes) -> list[str]:
        path = tmp_path / "doc.pdf"
        path.write_bytes(content)
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True)
        return ["".join(p.split()) for p in out.stdout.decode().split("\f")[:-1]]

    def story():
        return [text_lines(Block((("续写的正文", STYLE),), 13.5), 400)]

    before, _ = write_pages([text_lines(Block((("前面的页", STYLE),), 13.5), 400)], page,
                            first_number=1)  # fmt: skip
    on_page, _ = write_pages(story(), page, first_number=1, first_top=200, before=before)
    assert texts(on_page) == ["内部前面的页续写的正文—1—"]

    overleaf, _ = write_pages(story(), page, first_number=1, first_top=page.size[1] - 20,
                              before=before)  # fmt: skip
    assert texts(overleaf) == ["内部前面的页—1—", "内部续写的正文—2—"]


def test_old_objects_are_set_aside_only_while_a_document_is_made_and_its_garbage_goes():
    import gc
    import weakref

    from xuncha.reports.pdf import long_lived_objects_set_aside

    class Node:
        pass

    with long_lived_objects_set_aside():
        assert gc.get_freeze_count() > 0
        cycle = Node()
        cycle.self = cycle  # garbage only a collection frees
        gone = weakref.ref(cycle)
        del cycle
    assert gc.get_freeze_count() == 0
    assert gone() is None


def test_process_wide_settings_stay_until_the_last_document_made_at_once_is_done():
    """Two documents made at once in one process (a threaded web process of
    the field edition): the first one done neither undoes the settings the
    other still needs, nor may the last one leave them set."""
    import gc

    from reportlab import rl_config

    from xuncha.reports.pdf import YOUNG_COLLECTION_THRESHOLD, long_lived_objects_set_aside
    from xuncha.reports.tables_pdf import _QUICK_STREAMS

    thresholds, armour = gc.get_threshold(), rl_config.useA85
    first, second = long_lived_objects_set_aside(), long_lived_objects_set_aside()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD and gc.get_freeze_count() > 0
    second.__exit__(None, None, None)
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0

    with _QUICK_STREAMS.held():
        with _QUICK_STREAMS.held():
            assert rl_config.useA85 == 0
        assert rl_config.useA85 == 0
    assert rl_config.useA85 == armour
