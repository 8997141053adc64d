"""码上巡察 and the survey poster's questionnaire, on a 375 px phone, signed out.

The public's pages post forms from a phone that has never signed in: the CSRF
cookie and token must work for an anonymous visitor (the reporting form is
exempt from the middleware only to be throttled first, then protected by
csrf_protect), and nothing may overflow the narrow screen."""

import io
import re

import pytest
from django.core.cache import cache

from intake.models import Report
from intake.reports import poster_link
from rectification import services as rect_services
from rectification.models import SurveyResponse
from tests import rect_fixtures
from tests import test_clues_pages as clue_pages
from tests.intake_fixtures import channel, questionnaire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    yield
    cache.clear()


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (210, 220, 230))
    ImageDraw.Draw(image).rectangle((40, 60, 200, 200), fill=(120, 90, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_report_with_a_picture_its_receipt_and_its_status(phone_page, live_server):
    w = clue_pages.build_world()
    url = f"{live_server.url}{channel(w.target, w.officer).get_absolute_url()}"

    phone_page.goto(url)
    assert phone_page.get_by_test_id("organization").inner_text() == w.target.organization.name
    _fits(phone_page)
    phone_page.get_by_label("反映的问题").fill(
        "财务室长期使用白条入账，涉及金额较大，请巡察组核实。"
    )
    phone_page.locator("input[name=files]").set_input_files(
        [{"name": "白条照片.png", "mimeType": "image/png", "buffer": _png()}]
    )
    phone_page.get_by_role("button", name="提交反映").click()

    receipt = phone_page.get_by_test_id("receipt").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}(-[2-9A-Z]{4}){3}", receipt)
    assert "CSRF" not in phone_page.content()
    _fits(phone_page)
    report = Report.objects.get()
    assert report.files.get().content_type == "image/png" and report.anonymous

    phone_page.get_by_role("link", name="凭回执码查询办理状态").click()
    _fits(phone_page)
    phone_page.get_by_label("回执码").fill(receipt.lower())
    phone_page.get_by_role("button", name="查询").click()
    assert phone_page.get_by_test_id("status").inner_text().strip() == "已受理"
    assert "白条" not in phone_page.content()


def test_a_questionnaire_answered_from_the_survey_posters_link(phone_page, live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url
    w = rect_fixtures.world(problems=1, other_problems=1)
    q, _questions = questionnaire(w.office_user)
    assessment = rect_services.assessment_open(target=w.target, user=w.office_user)
    rect_services.assessment_use_questionnaire(
        assessment=assessment, questionnaire=q, user=w.office_user
    )
    # The address the survey poster's QR code carries (as intake.reports draws it).
    url, _validity = poster_link(w.office_user, w.target, "survey")

    phone_page.goto(url)
    assert phone_page.get_by_test_id("organization").inner_text() == w.organization.name
    _fits(phone_page)
    form = phone_page.get_by_test_id("questionnaire")
    for fieldset in form.locator("fieldset").all():
        fieldset.locator("input[type=radio]").first.check()
    phone_page.get_by_role("button", name="提交评价").click()

    assert "您已提交了评价" in phone_page.get_by_test_id("notice").inner_text()
    assert "CSRF" not in phone_page.content()
    response = SurveyResponse.objects.get(assessment=assessment)
    assert response.respondent == "public" and response.answers.count() == 3
