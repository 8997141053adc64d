"""The smaller hand-off defects of issue 10: round lists in order, a warning
before problems a clue rests on reach the unit, and the unit never learning a
problem's source or finder."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clues import services as clue_services
from clues.models import Clue
from rounds.models import Problem, ProblemCategory, Round, Target
from rounds.services.problems import problem_create
from tests import rect_fixtures
from tests.factories import OfficeFactory, make_user
from tests.test_clues_pages import build_world
from xuncha.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_round_list_is_newest_first_with_the_city_before_a_district(client):
    city = OfficeFactory()
    district = OfficeFactory(district=True, name="A区委巡察办")
    office_user = make_user(Role.OFFICE, office=city, username="office")
    this_year = rect_fixtures.today().year

    def make(office, year, term, number):
        return Round.objects.create(
            office=office,
            term=term,
            number=number,
            year=year,
            planned_start=datetime.date(year, 3, 1),
            planned_end=datetime.date(year, 5, 1),
        )

    # Created out of order, and two offices share "十三届第二轮".
    older = make(city, this_year - 1, 13, 3)
    city_second = make(city, this_year, 13, 2)
    first = make(city, this_year, 13, 1)
    district_second = make(district, this_year, 13, 2)
    client.force_login(office_user)
    response = client.get(reverse("rounds:round_list"))
    shown = [r.pk for r in response.context["page"]]
    assert shown == [city_second.pk, district_second.pk, first.pk, older.pk]
    assert "按年度、届次、轮次从新到旧排列" in response.content.decode()


def test_a_cadres_rounds_are_in_the_same_order(client):
    from rounds.models import Membership, Team
    from rounds.selectors import my_memberships
    from tests.rounds_factories import cadre_with_user

    city = OfficeFactory()
    cadre = cadre_with_user()
    year = rect_fixtures.today().year
    for term, number in [(13, 1), (12, 2)]:
        round_ = Round.objects.create(
            office=city,
            term=term,
            number=number,
            year=year,
            planned_start=datetime.date(year, 1, 1),
            planned_end=datetime.date(year, 2, 1),
        )
        Membership.objects.create(
            team=Team.objects.create(round=round_, number=1),
            round=round_,
            cadre=cadre,
            role=Membership.Role.MEMBER,
        )
    # 十三届第一轮 comes after 十二届第二轮, although its number is smaller.
    assert [(m.team.round.term, m.team.round.number) for m in my_memberships(cadre.user)] == [
        (13, 1),
        (12, 2),
    ]


@pytest.fixture
def cw(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def test_problems_a_clue_rests_on_need_a_confirmation_before_feedback(cw, client):
    category, _ = ProblemCategory.objects.get_or_create(code="T-DEF", defaults={"name": "违纪"})
    rests, plain = (
        problem_create(
            target=cw.target,
            category=category,
            description=text,
            source="petition",
            severity="serious",
            user=cw.member,
        )
        for text in ("局长收受礼金问题", "会议记录不全问题")
    )
    clue_services.clue_create(
        target=cw.target,
        user=cw.member,
        problems=[rests],
        person_name="欧阳某",
        person_position="局长",
        person_rank=Clue.Rank.DEPARTMENT,
        discipline=Clue.Discipline.INTEGRITY,
        source="interview",
        confidentiality=Clue.Confidentiality.SECRET,
        summary="反映其收受礼金。",
        department=cw.department,
    )
    Problem.objects.filter(pk__in=[rests.pk, plain.pk]).update(status=Problem.Status.IN_REPORT)
    Round.objects.filter(pk=cw.target.round_id).update(status=Round.Status.REPORTING)

    client.force_login(cw.officer)
    page = client.get(cw.target.get_absolute_url()).content.decode()
    assert 'data-testid="clue-problems"' in page and "局长收受礼金问题" in page
    assert "会议记录不全问题" in page  # in the problem table, not the warning
    url = reverse("rounds:target_feedback", args=[cw.target.pk])
    today = rect_fixtures.today().isoformat()

    response = client.post(url, {"feedback_date": today}, follow=True)
    assert "关联问题线索" in response.content.decode()
    assert set(Problem.objects.values_list("status", flat=True)) == {Problem.Status.IN_REPORT}
    assert Target.objects.get(pk=cw.target.pk).feedback_date is None

    client.post(url, {"feedback_date": today, "confirm_clue_problems": "on"})
    assert set(Problem.objects.values_list("status", flat=True)) == {Problem.Status.FED_BACK}


@pytest.fixture
def rw(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return rect_fixtures.world(problems=2, other_problems=1)


def _xlsx_header(response) -> list[str]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [cell.value for cell in next(sheet.iter_rows(max_row=1))]


def test_the_unit_never_sees_a_problems_source_or_finder(rw, client):
    fed_back = Problem.objects.filter(target=rw.target, status=Problem.Status.FED_BACK)
    fed_back.update(source=Problem.Source.PETITION)
    problem = fed_back.first()
    label = str(Problem.Source.PETITION.label)
    pages = [
        reverse("rounds:problem_list"),
        problem.get_absolute_url(),
        rw.target.get_absolute_url(),
    ]
    client.force_login(rw.contact)
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert label not in body and "问题来源" not in body, url
        assert "发现人" not in body and rw.office_user.full_name not in body, url
    # Nor by filtering on it: the filter is ignored for the unit.
    filtered = client.get(reverse("rounds:problem_list") + "?source=documents")
    assert len(filtered.context["page"]) == 2
    header = _xlsx_header(client.get(reverse("rounds:problem_export")))
    assert "问题来源" not in header and "问题描述" in header

    client.force_login(rw.office_user)
    assert label in client.get(problem.get_absolute_url()).content.decode()
    assert "问题来源" in _xlsx_header(client.get(reverse("rounds:problem_export")))
