"""The public satisfaction survey answered from a phone in Chromium, signed out.

Chromium sends ``Origin: null`` with a form posted from a page whose
Referrer-Policy is ``no-referrer``, and Django's CSRF check refuses that: the
answer must get through from a real browser, not only from the test client.
"""

import pytest

from rectification import services
from rectification.models import SurveyLink
from tests import rect_fixtures
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w():
    return rect_fixtures.world(problems=1, other_problems=1)


def test_survey_link_made_by_the_office_is_answered_signed_out_on_a_phone(
    page, browser, live_server, w
):
    assessment = services.assessment_open(target=w.target, user=w.office_user)
    # The office makes the link on the assessment page, as it would.
    sign_in(page, live_server.url, "office", PASSWORD)
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    page.get_by_label("生成数量").fill("1")
    page.get_by_role("button", name="生成链接").click()
    link_url = page.get_by_test_id("survey-links").first.input_value().strip()
    assert "/survey/" in link_url

    # A member of the public: a new, signed-out context on a 375 px phone.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    try:
        public = phone.new_page()
        public.goto(link_url)
        assert public.get_by_test_id("organization").inner_text() == w.organization.name
        assert public.evaluate("document.documentElement.scrollWidth") <= 375
        public.locator("input[name=satisfaction]").first.check()
        public.get_by_role("button", name="提交评价").click()
        notice = public.get_by_test_id("notice").inner_text()
        assert "您已通过此链接提交了评价" in notice
        assert "CSRF" not in public.content()
    finally:
        phone.close()
    link = SurveyLink.objects.get(assessment=assessment)
    assert link.answered_at is not None and link.satisfaction is not None
