"""Each document generated on fixture data: the Chinese text comes back out of
the PDF (pdftotext), every font is embedded (pdffonts), the .xlsx and .docx
read back with openpyxl and python-docx, and user text never becomes a formula."""

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from django.http import Http404
from openpyxl import load_workbook

from tests.factories import make_user
from tests.reports_data import INJECTION, build_city
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.reports.registry import DOCX, PDF, XLSX, get_document

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
        reason="pdftotext/pdffonts (poppler-utils) are not installed",
    ),
]


def generate(kind: str, user, **params):
    document = get_document(kind)
    document.authorize(user, params)
    seen = []
    generated = document.generate(user, params, seen.append)
    assert all(0 <= p <= 100 for p in seen)
    return generated


def pdf_text(content: bytes, tmp_path, *, layout: bool = True) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout" if layout else "-raw", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def assert_fonts_embedded(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    output = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    rows = output.splitlines()[2:]
    assert rows, "the PDF uses no font at all"
    for row in rows:
        # name, type..., encoding, emb, sub, uni, object, id: emb is 5th from the end.
        assert row.split()[-5] == "yes", f"font not embedded: {row}"
    return [row.split()[0] for row in rows]


@pytest.fixture
def city(office_user):
    return build_city(office_user)


def test_ledger_pdf_of_a_target(city, tmp_path):
    generated = generate(
        "rectification.ledger", city.office_user, scope="target", id=city.target.pk
    )

    assert generated.content_type == PDF
    assert generated.filename.endswith(".pdf")
    text = pdf_text(generated.content, tmp_path)
    assert "市财政局党组" in text
    assert "整改" in text
    assert "三单五账" in text
    assert "内部" in text  # the confidentiality mark in the header
    assert "—1—" in text.replace(" ", "")  # the page number
    assert "红色（已逾期）" in text
    # The items are table rows: a cell's wrapped lines read whole in drawing order.
    cells = re.sub(r"\s+", "", pdf_text(generated.content, tmp_path, layout=False))
    assert "违规向在职人员发放津补贴共计12.6万元" in cells
    assert "已清退部分资金" in cells  # the ledger history
    assert "教育局的问题" not in text  # another target's item
    fonts = assert_fonts_embedded(generated.content, tmp_path)
    assert any("XC-Serif" in name for name in fonts)


def test_ledger_xlsx_is_tabular_and_neutralises_formulas(city):
    generated = generate(
        "rectification.ledger",
        city.office_user,
        scope="target",
        id=city.target.pk,
        format="xlsx",
    )

    assert generated.content_type == XLSX
    workbook = load_workbook(io.BytesIO(generated.content))
    sheet = workbook["整改台账"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == (
        "序号",
        "巡察组",
        "被巡察党组织",
        "问题描述（问题清单）",
        "整改措施（任务清单）",
    )
    assert len(rows) == 1 + len(city.items)
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row}
    injected = cells[INJECTION]
    assert injected.data_type == "s"  # text, not a formula
    assert injected.quotePrefix
    history = [row[-1] for row in rows[1:] if row[-1]]
    assert any(INJECTION in text for text in history)
    # And nowhere in the file is a formula element.
    with zipfile.ZipFile(io.BytesIO(generated.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name)
    summary = dict(workbook["总体情况"].iter_rows(values_only=True))
    assert summary["整改事项（项）"] == 5
    assert summary["已完成（项）"] == 1


def test_ledger_of_a_round_and_of_the_city(city, tmp_path):
    for scope, pk in (("round", city.round.pk), ("city", None)):
        generated = generate("rectification.ledger", city.office_user, scope=scope, id=pk)
        text = pdf_text(generated.content, tmp_path)
        assert "市财政局党组" in text
        assert "市教育局党组" not in text or scope != "target"


def test_ledger_refused_to_those_outside(city):
    document = get_document("rectification.ledger")
    other_unit = make_user(Role.UNIT_CONTACT, username="other_unit")
    for user in (city.member_user, city.department_user, other_unit):
        with pytest.raises(Http404):
            document.authorize(user, {"scope": "target", "id": city.target.pk})
    with pytest.raises(Http404):
        document.authorize(city.unit_user, {"scope": "city"})
    # The unit sees its own target's ledger.
    document.authorize(city.unit_user, {"scope": "target", "id": city.target.pk})


def test_clue_handover_pdf_is_watermarked_and_audited(city, tmp_path, monkeypatch):
    import clues.reports
    from xuncha.reports.pdf import render_pdf

    readers = []

    def recording_render_pdf(*args, reader=None, **kwargs):
        readers.append(reader)
        return render_pdf(*args, reader=reader, **kwargs)

    monkeypatch.setattr(clues.reports, "render_pdf", recording_render_pdf)

    generated = generate("clues.handover", city.department_user, id=city.clue.pk)

    text = pdf_text(generated.content, tmp_path)
    assert "问题线索审批交接单" in text
    assert "XC2025-00001" in text
    assert "机密" in text  # the clue's own confidentiality level in the header
    for signer in (city.leader_user, city.office_user, city.department_user):
        assert signer.get_full_name() in text
    # The watermark (rotated, so pdftotext scatters its characters) is the reader's.
    assert readers == [city.department_user]
    assert AuditEntry.objects.filter(action="clue.read", object_id=str(city.clue.pk)).exists()
    assert_fonts_embedded(generated.content, tmp_path)


def test_clue_handover_refused_to_who_may_not_see_the_clue(city):
    document = get_document("clues.handover")
    for user in (city.unit_user, city.office_user, make_user(Role.LEADERSHIP, username="lead")):
        # office_user holds no clue permission: like everyone else, a 404.
        with pytest.raises(Http404):
            document.authorize(user, {"id": city.clue.pk})


@pytest.mark.parametrize("kind", ["rounds.feedback", "rounds.inspection_report"])
def test_feedback_and_inspection_report_pdf(city, tmp_path, kind):
    generated = generate(kind, city.office_user, id=city.target.pk)

    text = pdf_text(generated.content, tmp_path)
    assert "市财政局党组" in text
    assert "党的领导弱化方面" in text  # grouped by top-level category
    assert "违规向在职人员发放津补贴" in text
    assert "教育局的问题" not in text
    in_report_only = "内部研判中的问题" in text
    assert in_report_only == (kind == "rounds.inspection_report")
    if kind == "rounds.feedback":
        assert "整改意见" in text
    else:
        assert "问题清单" in text
    assert_fonts_embedded(generated.content, tmp_path)


@pytest.mark.parametrize("kind", ["rounds.feedback", "rounds.inspection_report"])
def test_feedback_and_inspection_report_docx(city, kind):
    import docx

    generated = generate(kind, city.office_user, id=city.target.pk, format="docx")

    assert generated.content_type == DOCX
    document = docx.Document(io.BytesIO(generated.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "市财政局党组" in text
    assert "党的领导弱化方面" in text
    assert "违规向在职人员发放津补贴" in text
    section = document.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    if kind == "rounds.inspection_report":
        table_text = " ".join(cell.text for row in document.tables[0].rows for cell in row.cells)
        assert INJECTION in table_text  # the problem list, as written


def test_feedback_is_office_only(city):
    document = get_document("rounds.feedback")
    for user in (city.unit_user, city.leader_user, make_user(Role.LEADERSHIP, username="lead")):
        with pytest.raises(Http404):
            document.authorize(user, {"id": city.target.pk})


def test_weekly_summary_pdf(city, tmp_path):
    generated = generate("rounds.weekly_summary", city.office_user, id=city.summary.pk)

    text = pdf_text(generated.content, tmp_path)
    assert "工作周汇总" in text
    assert "第一巡察组" in text
    assert "个别谈话" in text and "24" in text
    assert "缺报" in text  # the Friday of the week has no log
    assert_fonts_embedded(generated.content, tmp_path)
    with pytest.raises(Http404):
        get_document("rounds.weekly_summary").authorize(city.unit_user, {"id": city.summary.pk})


def test_the_ledger_reads_the_same_few_queries_whatever_its_size(city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rectification.models import Item, LedgerEntry, Plan
    from rectification.reports import build_ledger

    params = {"scope": "round", "id": city.round.pk}
    build_ledger(city.office_user, params)  # the user's roles, read once and kept
    with CaptureQueriesContext(connection) as before:
        build_ledger(city.office_user, params)
    plan = Plan.objects.create(target=city.other_target, organization=city.other_organization)
    problem = city.other_target.problems.get()
    item = Item.objects.create(
        plan=plan,
        problem=problem,
        organization=city.other_organization,
        round=city.round,
        office=city.round.office,
        state=Item.State.IN_PROGRESS,
    )
    LedgerEntry.objects.create(
        item=item,
        action="report",
        actor=city.unit_user,
        state_before="in_progress",
        state_after="in_progress",
        note="进展",
    )
    with CaptureQueriesContext(connection) as after:
        ledger = build_ledger(city.office_user, params)

    assert ledger.item_count == len(city.items) + 1
    assert len(after.captured_queries) == len(before.captured_queries) <= 12


def test_the_ledger_pdf_reads_the_same_few_queries_whatever_its_size(city):
    """The PDF reads its items as plain values, a batch at a time: its
    queries do not grow with the items (nor with their ledger entries)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rectification.models import Item, LedgerEntry
    from rectification.reports import ledger_pdf
    from rounds.models import Problem

    params = {"scope": "round", "id": city.round.pk, "format": "pdf"}
    ledger_pdf(city.office_user, params)  # the user's roles, read once and kept
    with CaptureQueriesContext(connection) as before:
        ledger_pdf(city.office_user, params)
    template = city.items[0]
    for n in range(3):
        problem = Problem.objects.get(pk=template.problem_id)
        problem.pk = None  # a copy: an item a problem
        problem.save()
        item = Item.objects.create(
            plan=template.plan,
            problem=problem,
            organization=template.organization,
            round=city.round,
            office=city.round.office,
            state=Item.State.IN_PROGRESS,
            measures=f"第{n}项措施",
        )
        LedgerEntry.objects.create(
            item=item,
            action="report",
            actor=city.unit_user,
            state_before="in_progress",
            state_after="in_progress",
            note="进展",
        )
    with CaptureQueriesContext(connection) as after:
        ledger, _content = ledger_pdf(city.office_user, params)

    assert ledger.item_count == len(city.items) + 3
    assert len(after.captured_queries) == len(before.captured_queries)
