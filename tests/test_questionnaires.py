"""满意度测评问卷: defined once and reused, answered by link or QR, scored by
aspect and graded; the assessment's page, PDF and xlsx and the ledger carry it."""

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from rectification import selectors, services
from rectification.assessment_report import ASSESSMENT_DOCUMENT
from rectification.models import SurveyResponse
from rectification.reports import build_ledger, ledger_xlsx
from tests import rect_fixtures
from tests.intake_fixtures import questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return rect_fixtures.world(problems=1, other_problems=1)


@pytest.fixture
def assessed(w):
    """The target's assessment with the questionnaire, and three answers:
    a cadre's link and two from the public QR code."""
    q, (q1, q2, q3) = questionnaire(w.office_user)
    assessment = services.assessment_open(target=w.target, user=w.office_user)
    assessment = services.assessment_use_questionnaire(
        assessment=assessment, questionnaire=q, user=w.office_user
    )
    cadre = services.survey_links_create(
        assessment=assessment, respondent="cadre", count=1, user=w.office_user
    )[0]
    public = services.public_link(assessment)
    services.survey_respond(token=cadre.token, answers={q1.pk: 5, q2.pk: 3, q3.pk: 8})
    services.survey_respond(
        token=public.token, answers={q1.pk: 4, q2.pk: 4, q3.pk: 6}, client_key="a"
    )
    services.survey_respond(
        token=public.token, answers={q1.pk: 3, q2.pk: 2, q3.pk: 10}, client_key="b"
    )
    return assessment, cadre, public, (q1, q2, q3)


def test_scores_equal_those_computed_by_hand(assessed):
    assessment, *_ = assessed
    # By hand: Q1 (1-5) mean 4 → (4-1)/4 = 75; Q2 (1-4) mean 3 → (3-1)/3 = 66.667;
    # Q3 (0-10) mean 8 → 80. 整改工作 = (75×2 + 66.667×1)/3 = 72.222;
    # 整改成效 = 80; total = (72.222×60 + 80×40)/100 = 75.333 → 一般 (60-80).
    figures = selectors.questionnaire_figures(assessment)

    work, effect = figures["aspects"]
    assert work["name"] == "整改工作" and work["score"] == pytest.approx(72.2222, abs=1e-3)
    assert effect["score"] == pytest.approx(80.0)
    assert figures["score"] == pytest.approx(75.3333, abs=1e-3)
    assert figures["grade"] == "一般"
    assert [(r["kind"], r["count"]) for r in figures["responses"]] == [("cadre", 1), ("public", 2)]
    assert figures["response_total"] == 3


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "优秀"), (90, "优秀"), (89.9, "较好"), (80, "较好"), (60, "一般"), (59.9, "差")],
)
def test_grades(score, grade):
    assert selectors.grade_for(score) == grade


def test_a_cadre_link_answers_once_and_the_public_link_is_rate_limited(assessed):
    assessment, cadre, public, (q1, q2, q3) = assessed
    answers = {q1.pk: 5, q2.pk: 4, q3.pk: 10}
    with pytest.raises(ValidationError):
        services.survey_respond(token=cadre.token, answers=answers)
    for _ in range(services.questionnaires.PUBLIC_ANSWERS_PER_ADDRESS):
        services.survey_respond(token=public.token, answers=answers, client_key="same")
    with pytest.raises(ValidationError, match="提交次数过多"):
        services.survey_respond(token=public.token, answers=answers, client_key="same")
    assert SurveyResponse.objects.filter(assessment=assessment).count() == 3 + 5


def test_every_question_must_be_answered_on_its_scale(assessed):
    _assessment, _cadre, public, (q1, q2, q3) = assessed
    with pytest.raises(ValidationError, match="请回答"):
        services.survey_respond(token=public.token, answers={q1.pk: 5, q2.pk: 4})
    with pytest.raises(ValidationError, match="评分无效"):
        services.survey_respond(token=public.token, answers={q1.pk: 5, q2.pk: 5, q3.pk: 1})


def test_a_questionnaire_is_reused_and_fixed_once_used(w, assessed):
    assessment, *_ = assessed
    q = assessment.questionnaire
    # Reused by the other target's assessment.
    other = services.assessment_open(target=w.other_target, user=w.office_user)
    services.assessment_use_questionnaire(assessment=other, questionnaire=q, user=w.office_user)
    assert q.assessments.count() == 2
    with pytest.raises(ValidationError, match="不能再修改"):
        services.aspect_add(questionnaire=q, name="新方面", weight=10, user=w.office_user)
    # And an assessment with answers keeps its questionnaire.
    with pytest.raises(ValidationError, match="已有人作答"):
        services.assessment_use_questionnaire(
            assessment=assessment, questionnaire=q, user=w.office_user
        )


def test_the_public_answers_the_questionnaire_by_the_poster_link(client, assessed):
    assessment, _cadre, public, (q1, q2, q3) = assessed
    page = client.get(public.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "整改态度是否端正" in body and "群众反映的问题是否解决" in body
    response = client.post(
        public.get_absolute_url(),
        {f"q{q1.pk}": 5, f"q{q2.pk}": 4, f"q{q3.pk}": 9, "comment": "整改效果明显"},
        REMOTE_ADDR="203.0.113.1",
    )
    assert response.status_code == 302
    assert "您已提交了评价" in client.get(public.get_absolute_url()).content.decode()
    assert SurveyResponse.objects.filter(assessment=assessment).count() == 4
    from xuncha.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="survey.respond").latest("id").ip_address is None


def test_the_assessment_page_shows_counts_scores_and_grade(client, w, assessed):
    assessment, *_ = assessed
    client.force_login(w.office_user)
    body = client.get(assessment.get_absolute_url()).content.decode()
    assert "75.3" in body and "72.2" in body and "一般" in body
    assert "合计 3 份" in body
    # The poster's link is shown as such, never among the unused personal links.
    public = assessment.links.get(shared=True)
    assert body.count(public.token) == 1 and 'data-testid="public-survey-url"' in body


def test_the_assessment_pdf_and_xlsx_carry_them(w, assessed):
    import openpyxl
    from pypdf import PdfReader

    assessment, *_ = assessed
    params = {"id": str(assessment.pk), "format": "xlsx"}
    ASSESSMENT_DOCUMENT.authorize(w.office_user, params)
    book = openpyxl.load_workbook(
        io.BytesIO(ASSESSMENT_DOCUMENT.generate(w.office_user, params, lambda p: None).content)
    )
    summary = {row[0]: row[1] for row in book["整改评估"].iter_rows(values_only=True)}
    assert summary["综合得分"] == 75.3 and summary["等次"] == "一般"
    assert summary["答卷（干部）"] == 1 and summary["答卷（群众）"] == 2
    aspects = list(book["测评方面得分"].iter_rows(values_only=True))[1:]
    assert aspects == [("整改工作", 60, 72.2), ("整改成效", 40, 80.0)]

    pdf = ASSESSMENT_DOCUMENT.generate(
        w.office_user, {**params, "format": "pdf"}, lambda p: None
    ).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "75.3" in text and "72.2" in text


def test_the_assessment_document_is_the_offices(w, assessed):
    from django.http import Http404

    assessment, *_ = assessed
    with pytest.raises(Http404):
        ASSESSMENT_DOCUMENT.authorize(w.contact, {"id": str(assessment.pk), "format": "pdf"})


def test_the_ledger_report_includes_the_assessment(w, assessed):
    import openpyxl

    ledger = build_ledger(w.office_user, {"scope": "target", "id": w.target.pk})
    (row,) = ledger.assessments
    assert row.questionnaire["grade"] == "一般"
    book = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(ledger)))
    rows = list(book["整改评估"].iter_rows(values_only=True))
    assert rows[1][0] == w.organization.name and rows[1][6] == 75.3 and rows[1][7] == "一般"
    # A unit contact's own ledger does not carry the office's assessment.
    assert build_ledger(w.contact, {"scope": "target", "id": w.target.pk}).assessments == []


def test_the_ledger_pdf_carries_the_assessment_as_the_assessment_report_words_it(w, assessed):
    """The ledger's 三、整改评估 is drawn by ReportLab (rectification.ledger_pdf),
    the assessment report's by WeasyPrint from _assessment_section.html: the
    same sentences and figures come out of both."""
    import re
    import shutil
    import subprocess

    from rectification.reports import LEDGER

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")

    def text(content: bytes) -> str:
        out = subprocess.run(
            ["pdftotext", "-raw", "-", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        return re.sub(r"\s+", "", out)

    assessment, *_ = assessed
    params = {"scope": "target", "id": w.target.pk, "format": "pdf"}
    LEDGER.authorize(w.office_user, params)
    ledger = text(LEDGER.generate(w.office_user, params, lambda p: None).content)
    report = text(
        ASSESSMENT_DOCUMENT.generate(
            w.office_user, {"id": str(assessment.pk), "format": "pdf"}, lambda p: None
        ).content
    )
    assert "三、整改评估" in ledger
    assert f"1．{w.organization.name}" in ledger
    survey = re.search(
        r"采用《[^》]+》开展满意度测评，收回答卷3份（[^）]+），综合得分75\.3分，等次为“一般”。",
        report,
    )
    assert survey and survey.group(0) in ledger
    assert "测评方面权重得分整改工作6072.2整改成效4080.0" in ledger
    links = re.search(r"总体满意度测评发放链接\d+个，已答\d+份[^。]*。", report)
    assert links and links.group(0) in ledger
    verdict = re.search(r"测评[^；。]{1,8}；评估结论：[^。]*。", report)
    assert verdict and verdict.group(0) in ledger


def test_the_office_defines_a_questionnaire_on_its_pages(client, w):
    from django.urls import reverse

    client.force_login(w.office_user)
    response = client.post(reverse("rectification:questionnaire_list"), {"name": "问卷甲"})
    q = w.office.questionnaires.get(name="问卷甲")
    assert response.status_code == 302
    client.post(
        reverse("rectification:questionnaire_action", args=[q.pk, "aspect"]),
        {"name": "整改工作", "weight": 50},
    )
    aspect = q.aspects.get()
    client.post(
        reverse("rectification:questionnaire_action", args=[q.pk, "question"]),
        {"aspect": aspect.pk, "text": "整改是否到位", "scale": "five", "weight": 1},
    )
    assert aspect.questions.get().text == "整改是否到位"
    assert "整改是否到位" in client.get(q.get_absolute_url()).content.decode()
