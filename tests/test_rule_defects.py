"""Rule-shaped defects of issue 10, each refused (or hidden) with a Chinese reason."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from rectification import services as rect
from rounds.models import Round
from rounds.services import round_create
from tests.factories import make_user
from tests.rect_fixtures import URLS, world
from tests.rounds_factories import round_kind
from xuncha.accounts.roles import Role

pytestmark = pytest.mark.urls(URLS)


@pytest.fixture
def w(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return world(problems=1, other_problems=1)


def test_a_duplicate_round_is_refused_naming_it_in_chinese(db, client):
    office_user = make_user(Role.OFFICE)
    fields = {
        "office": office_user.office,
        "term": 13,
        "number": 4,
        "year": 2026,
        "kinds": [round_kind("regular")],
        "planned_start": datetime.date(2026, 3, 1),
        "planned_end": datetime.date(2026, 5, 1),
        "user": office_user,
    }
    first = round_create(**fields)
    with pytest.raises(ValidationError) as refused:
        round_create(**fields)
    assert refused.value.message_dict["number"] == [
        f"「{first.name}」已经存在，请核对届次和轮次，不要重复新建。"
    ]
    assert Round.objects.count() == 1
    client.force_login(office_user)
    response = client.post(
        reverse("rounds:round_create"),
        {
            "term": 13,
            "number": 4,
            "year": 2026,
            "kinds": [round_kind("regular").pk],
            "planned_start": "2026-03-01",
            "planned_end": "2026-05-01",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "已经存在" in body and "already exists" not in body
    assert Round.objects.count() == 1


def test_a_closed_survey_shows_no_unused_links_and_makes_no_more(w, client):
    accepted_target = w.target
    assessment = rect.assessment_open(target=accepted_target, user=w.office_user)
    rect.survey_links_create(
        assessment=assessment, respondent="public", count=3, user=w.office_user
    )
    client.force_login(w.office_user)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert len(re.findall(r"/rectification/survey/[\w-]+/", page)) == 3
    rect.survey_close(assessment=assessment, user=w.office_user)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert re.findall(r"/rectification/survey/[\w-]+/", page) == []
    assert "未使用的链接已失效" in page
    with pytest.raises(ValidationError, match="测评已结束"):
        rect.survey_links_create(
            assessment=assessment, respondent="public", count=1, user=w.office_user
        )
    assert assessment.links.count() == 3
