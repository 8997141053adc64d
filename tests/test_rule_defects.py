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


def test_a_cadre_on_another_active_team_needs_the_office_to_confirm(db, client):
    """On main the cadre was added silently. Chosen: refuse with a warning
    naming the other team, and add when the office ticks 确认同时选派."""
    from rounds.models import Membership
    from rounds.services import team_add_member
    from tests.rounds_factories import MembershipFactory, RoundFactory, TeamFactory

    office_user = make_user(Role.OFFICE)
    busy_round = RoundFactory(office=office_user.office, status=Round.Status.ON_SITE)
    busy = MembershipFactory(team=TeamFactory(round=busy_round, number=1)).cadre
    new_team = TeamFactory(round=RoundFactory(office=office_user.office), number=1)
    with pytest.raises(ValidationError) as refused:
        team_add_member(team=new_team, cadre=busy, role=Membership.Role.MEMBER, user=office_user)
    message = refused.value.message_dict["confirm_busy"][0]
    assert busy.name in message and busy_round.name in message and "确认同时选派" in message
    assert not new_team.memberships.exists()

    client.force_login(office_user)
    add = reverse("rounds:team_add_member", args=[new_team.pk])
    response = client.post(add, {"role": "member", "cadre": busy.pk}, follow=True)
    assert "确认同时选派" in response.content.decode() and not new_team.memberships.exists()
    client.post(add, {"role": "member", "cadre": busy.pk, "confirm_busy": "on"})
    assert new_team.memberships.get().cadre == busy

    # A cadre whose other round has moved on to rectification is free again.
    Round.objects.filter(pk=busy_round.pk).update(status=Round.Status.RECTIFYING)
    other_team = TeamFactory(round=new_team.round, number=2)
    free = MembershipFactory(team=TeamFactory(round=busy_round, number=2)).cadre
    team_add_member(team=other_team, cadre=free, role=Membership.Role.MEMBER, user=office_user)
