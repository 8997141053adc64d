"""The 三单五账 ledger as an office prints it: the three lists as tables, the
per-organization table with its heading and whole team names, no heading
alone at a page foot, money in 万元, the 公文 faces embedded; a long ledger
laid out part by part with its page numbers running on; the .xlsx with its
巡察组 column, filter, frozen header and print setup. Read back with the real
tools (pdftotext, pdffonts, openpyxl)."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from rectification.models import Item, Plan
from rounds.models import Problem, ProblemCategory, Target, Team
from tests.factories import OrganizationFactory
from tests.reports_data import build_city
from xuncha.reports.registry import get_document
from xuncha.reports.watermark import watermark_pdf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
        reason="pdftotext/pdffonts (poppler-utils) are not installed",
    ),
]
HEADING = re.compile(r"^\d+．\S+?(（续）)?$")


@pytest.fixture
def city(office_user):
    return build_city(office_user)


def generate(user, **params):
    document = get_document("rectification.ledger")
    document.authorize(user, params)
    return document.generate(user, params, lambda percent: None)


def run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def write(content: bytes, tmp_path, name="ledger.pdf"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def pages(path) -> list[str]:
    """Each page's text as laid out (pdftotext -layout), header and page number included."""
    return run("pdftotext", "-layout", str(path), "-").split("\f")[:-1]


def flat(path) -> str:
    """The text in drawing order with all white space removed: a cell's
    wrapped lines read as one phrase again."""
    return re.sub(r"\s+", "", run("pdftotext", "-raw", str(path), "-"))


def font_names(path) -> set[str]:
    rows = run("pdffonts", str(path)).splitlines()[2:]
    for row in rows:
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
    return {row.split()[0].split("+")[-1] for row in rows}


def add_targets(city, sizes: list[int], *, first_team: int = 5) -> list[Target]:
    """More organizations in the city's round, with ``sizes[i]`` items each,
    under team ``first_team`` (第五巡察组)."""
    team = Team.objects.create(round=city.round, number=first_team, liaison="李明")
    category = ProblemCategory.objects.get(code="C04")
    targets = []
    for index, size in enumerate(sizes):
        organization = OrganizationFactory(name=f"市第{index + 1}测试局党组", code=f"T{index:03d}")
        target = Target.objects.create(
            round=city.round,
            team=team,
            organization=organization,
            feedback_date=datetime.date(2025, 5, 21),
            status=Target.Status.RECTIFYING,
        )
        plan = Plan.objects.create(
            target=target, organization=organization, status=Plan.Status.ACCEPTED
        )
        for n in range(size):
            problem = Problem.objects.create(
                target=target,
                round=city.round,
                team=team,
                category=category,
                description=f"第{n + 1}个问题：公务接待超标准、超范围，"
                + "未严格执行中央八项规定精神，" * (n % 3 + 1),
                source=Problem.Source.INTERVIEW,
                severity=Problem.Severity.SERIOUS,
                status=Problem.Status.FED_BACK,
                found_by=city.office_user,
                found_on=datetime.date(2025, 4, 10),
            )
            Item.objects.create(
                plan=plan,
                problem=problem,
                organization=organization,
                round=city.round,
                office=city.round.office,
                measures="修订公务接待管理办法，清退超标准费用。" * (n % 2 + 1),
                responsible_leader="王强",
                responsible_person="赵敏",
                responsible_department="办公室",
                deadline=datetime.date(2026, 12, 31),
                state=Item.State.IN_PROGRESS,
                progress=40,
            )
        targets.append(target)
    return targets


def test_the_three_lists_are_one_table_with_their_columns(city, tmp_path):
    path = write(generate(city.office_user, scope="target", id=city.target.pk).content, tmp_path)
    detail = "\n".join(pages(path)[1:])
    lines = [line.strip() for line in detail.splitlines()]

    # The grouped header: the three lists over their columns, on one line each.
    assert any(re.search(r"问题清单\s+任务清单\s+责任清单", line) for line in lines)
    assert any(re.search(r"问题类别及描述\s+整改措施", line) for line in lines)
    # Row 1 reads across: number, problem, measure, leader, deadline, state.
    row = next(line for line in lines if line.startswith("1 "))
    assert re.search(
        r"^1\s+〔违规发放津补贴〕违规向.*针对.*周建国\s+\d{4}-\d\d-\d\d\s+限期整改", row
    )
    # Each cell's text whole, and the history (五账) beside its item.
    text = flat(path)
    assert "违规向在职人员发放津补贴共计12.6万元，整改不彻底。" in text
    assert "已清退部分资金" in text
    assert "市审计局" in text  # transferred
    assert "教育局的问题" not in text


def test_money_reads_in_wan_and_the_official_faces_are_embedded(city, tmp_path):
    path = write(generate(city.office_user, scope="target", id=city.target.pk).content, tmp_path)

    text = flat(path)
    assert "挽回经济损失12.6万元" in text
    assert "126000" not in text
    fonts = font_names(path)
    assert "XC-FangSong" in fonts  # the body: 朱雀仿宋
    assert any(name.startswith("XC-Title") for name in fonts)  # the title: the heavy Song
    assert "XC-Sans" in fonts  # headings and table heads: the 黑体


def test_the_organizations_table_has_a_heading_and_whole_team_names(city, tmp_path):
    add_targets(city, [2, 1])
    path = write(generate(city.office_user, scope="round", id=city.round.pk).content, tmp_path)
    overview = pages(path)[0]

    assert "各被巡察党组织整改情况" in overview
    org_lines = [line for line in overview.splitlines() if "测试局党组" in line]
    assert len(org_lines) == 2
    for line in org_lines:
        assert re.search(r"测试局党组\s+第五巡察组\s+\d+\s+0\s+0\.0%\s+0", line), line


def test_no_heading_is_left_at_a_page_foot(city, tmp_path):
    # Organizations of 1 to 7 items: their headings fall all over the pages.
    add_targets(city, [1, 3, 2, 5, 1, 4, 7, 2, 1, 6, 3, 1, 2, 5, 4, 1, 3, 2])
    path = write(generate(city.office_user, scope="round", id=city.round.pk).content, tmp_path)

    headings = 0
    for number, page in enumerate(pages(path), start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        body = [line for line in lines if line != "内部" and not re.fullmatch(r"—\s*\d+\s*—", line)]
        headings += sum(bool(HEADING.match(line)) for line in body)
        last = body[-1]
        assert not HEADING.match(last), f"page {number} ends with the heading {last!r}"
        assert "整改方案" not in last, f"page {number} ends with a plan line"
    assert headings == 19  # the city's own target and the 18 added


def numbers(texts: list[str]) -> list[list[str]]:
    return [re.findall(r"—\s*(\d+)\s*—", page) for page in texts]


def test_a_long_ledger_numbers_its_pages_on_from_the_overview(city, tmp_path):
    targets = add_targets(city, [3, 30, 2, 2])
    content = generate(city.office_user, scope="round", id=city.round.pk).content
    path = write(content, tmp_path)
    texts = pages(path)

    # The overview (WeasyPrint), then the tables (ReportLab): one run of numbers,
    # on the outer side: right on odd pages, left on even ones.
    first_table_page = next(i for i, page in enumerate(texts) if "整改台账明细" in page)
    assert first_table_page >= 1
    assert len(texts) - first_table_page >= 3
    assert numbers(texts) == [[str(n)] for n in range(1, len(texts) + 1)]
    for number, page in enumerate(texts, start=1):
        line = next(line for line in page.splitlines() if re.search(r"—\s*\d+\s*—", line))
        indent = len(line) - len(line.lstrip())
        assert (indent > 40) == (number % 2 == 1), (number, line)
    text = flat(path)
    for n in (1, 30):
        assert f"第{n}个问题" in text
    # Every item once: 5 of the city's target, 37 added.
    assert len(re.findall(r"限期整改·|立行立改·", text)) == 5 + 37
    assert f"2．{targets[0].organization.name}" in text
    # The font programs are embedded once, subset.
    assert len(content) < 1_500_000
    # And the stored PDF can still be stamped for its reader.
    stamped = write(watermark_pdf(content, city.office_user), tmp_path, "stamped.pdf")
    stamped_pages = pages(stamped)
    assert len(stamped_pages) == len(texts)
    assert all("查阅人" in re.sub(r"\s+", "", page) for page in stamped_pages)


def test_a_ledger_without_items_is_its_overview_alone(city, tmp_path):
    path = write(
        generate(city.office_user, scope="target", id=city.other_target.pk).content, tmp_path
    )
    texts = pages(path)

    assert "范围内没有整改事项" in re.sub(r"\s+", "", texts[0])
    assert not any("整改台账明细" in page for page in texts)
    assert numbers(texts) == [[str(n)] for n in range(1, len(texts) + 1)]


def test_the_table_header_repeats_on_every_page_of_the_tables(city, tmp_path):
    add_targets(city, [40])
    path = write(generate(city.office_user, scope="round", id=city.round.pk).content, tmp_path)
    texts = pages(path)
    first_table_page = next(i for i, page in enumerate(texts) if "整改台账明细" in page)

    table_pages = texts[first_table_page:]
    assert len(table_pages) >= 3
    for page in table_pages:
        assert re.search(r"问题清单\s+任务清单\s+责任清单", page), page[:300]
        assert re.search(r"问题类别及描述\s+整改措施", page)
    # A page after the first starts with the header, then goes on with rows.
    later = [line.strip() for line in table_pages[2].splitlines() if line.strip()]
    assert later[0] == "内部"
    assert re.match(r"问题清单", later[1])
    assert any(re.match(r"\d+\s+〔", line) for line in later[2:])


def test_the_item_pages_embed_only_the_shipped_faces_subset(city, tmp_path):
    add_targets(city, [12])
    path = write(generate(city.office_user, scope="round", id=city.round.pk).content, tmp_path)

    rows = run("pdffonts", str(path)).splitlines()[2:]
    assert rows
    faces = []
    for row in rows:
        name, *_rest, encoding, emb, sub, uni, _obj, _gen = row.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        # Every face is one of the shipped ones under its XC name: no Helvetica.
        assert re.fullmatch(r"[A-Z]{6}\+XC-(FangSong|Sans|Serif|Title(-Bold)?)", name), row
        # Two-byte codes: one font a face, not one per 256 characters.
        assert encoding == "Identity-H", row
        faces.append(name.split("+")[1])
    # At most one font a face from each renderer (WeasyPrint's overview, ReportLab's rest).
    assert max(faces.count(face) for face in faces) <= 2, faces


def test_the_overview_goes_on_on_the_page_weasyprint_began(city, tmp_path):
    # The overdue items, the organizations' table and 三、整改评估 are drawn by
    # ReportLab from where WeasyPrint's part ends, on the same page.
    add_targets(city, [2, 1])
    path = write(generate(city.office_user, scope="round", id=city.round.pk).content, tmp_path)
    first = pages(path)[0]
    flat_first = re.sub(r"\s+", "", first)

    for text in ("一、总体情况", "二、逾期及预警事项", "已逾期事项：第", "各被巡察党组织整改情况",
                 "三、整改评估"):  # fmt: skip
        assert text in flat_first, text
    # Its mark and number once, as WeasyPrint drew them.
    assert flat_first.count("内部") == 1
    assert numbers([first]) == [["1"]]
    assert flat_first.index("二、逾期及预警事项") < flat_first.index("已逾期事项：第")
    assert flat_first.index("各被巡察党组织整改情况") < flat_first.index("三、整改评估")


def test_user_text_with_markup_characters_reads_literally(city, tmp_path):
    organization = city.target.organization
    organization.name = "市<b>财政</b>局&amp;党组"
    organization.save(update_fields=["name"])
    problem = city.items[0].problem
    problem.description = '<b>加粗</b>与&amp;、<font color="red">红字</font><br/>& 1 < 2 > 0'
    problem.save(update_fields=["description"])
    item = city.items[0]
    item.measures = "清退①②，<para>整改</para>"
    item.save(update_fields=["measures"])
    path = write(generate(city.office_user, scope="target", id=city.target.pk).content, tmp_path)

    text = flat(path)
    assert '<b>加粗</b>与&amp;、<fontcolor="red">红字</font><br/>&1<2>0' in text
    # The organization's name in the overview's overdue line and in the tables' heading.
    assert "市<b>财政</b>局&amp;党组已逾期事项：第" in text
    assert "1．市<b>财政</b>局&amp;党组" in text
    # ① is not in 朱雀仿宋: it comes from the sans face, and reads back.
    assert "清退①②，<para>整改</para>" in text


def test_a_description_taller_than_a_page_runs_on_to_the_next(city, tmp_path):
    problem = city.items[0].problem
    problem.description = (
        "开头" + "".join(f"第{n}句，公款吃喝问题整改不到位。" for n in range(400)) + "结尾"
    )
    problem.save(update_fields=["description"])
    path = write(generate(city.office_user, scope="target", id=city.target.pk).content, tmp_path)
    texts = pages(path)

    text = flat(path)
    assert "〔违规发放津补贴〕开头第0句" in text
    # Every character once (a phrase may be cut by a page's furniture and header).
    assert text.count("句") == text.count("吃") == 400
    assert "结尾" in text
    # It starts under its heading, on the page of the section's title...
    first = re.sub(r"\s+", "", next(page for page in texts if "整改台账明细" in page))
    assert "1．市财政局党组" in first
    assert "〔违规发放津补贴〕开头第0句" in first
    # ...its lines fill some pages, each under the repeated header; the other rows follow.
    table_pages = [page for page in texts if "问题类别及描述" in page]
    assert len(table_pages) >= 4
    assert "政府采购项目化整为零" in text


def test_the_ledger_xlsx_prints_as_an_office_prints_it(city):
    add_targets(city, [2])
    generated = generate(city.office_user, scope="round", id=city.round.pk, format="xlsx")
    workbook = load_workbook(io.BytesIO(generated.content))
    sheet = workbook["整改台账"]
    headers = [cell.value for cell in sheet[1]]

    assert "巡察组" in headers
    team_column = headers.index("巡察组")
    teams = {row[team_column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert teams == {"第一巡察组", "第五巡察组"}
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(headers)).column_letter}{sheet.max_row}"
    assert sheet.freeze_panes == "A2"
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert str(setup.paperSize) == sheet.PAPERSIZE_A4 == "9"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.print_title_rows in ("1:1", "$1:$1")
    # What prints: the three lists and the state, not the on-screen extras.
    assert sheet.print_area.replace("$", "").split("!")[-1].startswith("A1:K")
    assert headers[:11] == [
        "序号", "巡察组", "被巡察党组织", "问题描述（问题清单）", "整改措施（任务清单）",
        "责任领导", "责任人", "责任部门", "完成时限", "台账状态", "预警",
    ]  # fmt: skip
    # The columns an office prints: no column wider than a third of the page.
    widths = [
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width
        for i in range(1, len(headers) + 1)
    ]
    assert max(widths) <= 40


def test_list_exports_print_landscape_fit_to_width_with_a_filter():
    from xuncha.core.xlsx import write_xlsx

    out = io.BytesIO()
    write_xlsx(
        out, ["编号", "问题描述", "状态"], [[1, "问题一", "已反馈"], [2, "问题二", "已整改"]]
    )
    sheet = load_workbook(io.BytesIO(out.getvalue())).active

    assert sheet.auto_filter.ref == "A1:C3"
    assert sheet.freeze_panes == "A2"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows in ("1:1", "$1:$1")
    assert not sheet.print_area  # every column of a list prints
