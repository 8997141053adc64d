"""The QR posters: A4 PDFs from the target's page, the QR drawn offline, the
reporting one valid during the stay, the survey one while the assessment is open."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from pypdf import PdfReader

from intake.models import Channel
from intake.reports import POSTER, poster_link, qr_data_uri
from rectification import services as rect_services
from rounds.models import Round
from tests import rect_fixtures
from tests import test_clues_pages as clue_pages
from tests.intake_fixtures import questionnaire

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1  # one A4 sheet to put up
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=1)
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_the_reporting_poster_carries_the_targets_channel(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PUBLIC_BASE_URL = "https://xuncha.example.cn"
    w = clue_pages.build_world()
    params = {"id": str(w.target.pk), "purpose": "report", "format": "pdf"}

    POSTER.authorize(w.member, params)
    generated = POSTER.generate(w.member, params, lambda p: None)

    channel = Channel.objects.get(target=w.target)
    text = _text(generated.content)
    assert f"https://xuncha.example.cn/x/{channel.token}/" in text
    assert "码上巡察" in text and w.target.organization.name in text
    # The same channel every time: a reprinted poster keeps working.
    assert poster_link(w.officer, w.target, "report")[0].endswith(f"/x/{channel.token}/")
    assert Channel.objects.count() == 1
    assert qr_data_uri("https://a").startswith("data:image/svg+xml")
    for outsider in (w.other_member, w.leadership, w.contact):
        with pytest.raises(Http404):
            POSTER.authorize(outsider, params)
    # After the stay the code is no longer valid: no poster.
    Round.objects.filter(pk=w.target.round_id).update(status=Round.Status.REPORTING)
    with pytest.raises(ValidationError, match="不在进驻期间"):
        POSTER.authorize(w.member, params)


def test_the_survey_poster_needs_an_open_assessment_with_a_questionnaire(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PUBLIC_BASE_URL = "https://xuncha.example.cn"
    w = rect_fixtures.world(problems=1, other_problems=1)
    params = {"id": str(w.target.pk), "purpose": "survey", "format": "pdf"}
    assessment = rect_services.assessment_open(target=w.target, user=w.office_user)
    with pytest.raises(ValidationError, match="尚未选用问卷"):
        POSTER.authorize(w.office_user, params)
    q, _questions = questionnaire(w.office_user)
    rect_services.assessment_use_questionnaire(
        assessment=assessment, questionnaire=q, user=w.office_user
    )

    POSTER.authorize(w.office_user, params)
    text = _text(POSTER.generate(w.office_user, params, lambda p: None).content)

    link = assessment.links.get(shared=True)
    assert f"https://xuncha.example.cn/rectification/survey/{link.token}/" in text
    with pytest.raises(Http404):
        POSTER.authorize(w.leadership, params)
    rect_services.survey_close(assessment=assessment, user=w.office_user)
    with pytest.raises(ValidationError, match="已结束"):
        POSTER.authorize(w.office_user, params)


def test_the_target_page_offers_the_posters(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = clue_pages.build_world()
    client.force_login(w.member)
    body = client.get(w.target.get_absolute_url()).content.decode()
    assert 'data-testid="report-poster"' in body and "intake.poster" in body
    client.force_login(w.leadership)
    body = client.get(w.target.get_absolute_url()).content.decode()
    assert 'data-testid="intake-links"' not in body
