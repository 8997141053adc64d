"""Daily work logs (工作日报): filed by the team leader only, one per team and day
(a second filing edits the first), never for a future day; missing days listed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from rounds.models import Membership, Round, WorkLog
from rounds.services import worklog_file
from rounds.services.worklogs import team_missing_days
from tests.factories import make_user
from tests.rounds_factories import (
    MembershipFactory,
    RoundFactory,
    TargetFactory,
    TeamFactory,
    WorkLogFactory,
    cadre_with_user,
    staff_team,
    today,
)
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

FIGURES = {
    "interviews": 12,
    "documents": 35,
    "petitions": 3,
    "visits": 2,
    "site_checks": 1,
    "problems_found": 4,
}
MONDAY = datetime.date(2025, 3, 3)


@pytest.fixture
def team(office_user):
    round_ = RoundFactory(office=office_user.office, status=Round.Status.ON_SITE)
    team = TeamFactory(round=round_, number=1)
    staff_team(team)
    TargetFactory(team=team, entry_date=MONDAY - datetime.timedelta(days=7))
    return team


def member(team, role) -> object:
    return team.memberships.filter(role=role).first().cadre.user


@pytest.fixture
def leader(team):
    return member(team, Membership.Role.LEADER)


def test_leader_files_the_days_log(team, leader):
    log = worklog_file(
        team=team, date=MONDAY, figures=FIGURES, narrative="进驻动员会。", user=leader
    )

    stored = WorkLog.objects.get(pk=log.pk)
    assert {name: getattr(stored, name) for name in FIGURES} == FIGURES
    assert stored.narrative == "进驻动员会。"
    assert stored.filed_by == leader
    entry = AuditEntry.objects.get(action="worklog.create")
    assert entry.data["interviews"] == 12
    assert entry.data["date"] == "2025-03-03"


def test_missing_figures_count_as_zero(team, leader):
    log = worklog_file(
        team=team,
        date=MONDAY,
        figures={"interviews": "5", "documents": ""},
        narrative="",
        user=leader,
    )
    assert (log.interviews, log.documents, log.petitions) == (5, 0, 0)


@pytest.mark.parametrize("role", [Membership.Role.DEPUTY, Membership.Role.MEMBER])
def test_deputy_and_member_cannot_file(team, role):
    with pytest.raises(PermissionDenied, match="只有本组组长可以进行此操作"):
        worklog_file(team=team, date=MONDAY, figures=FIGURES, narrative="", user=member(team, role))
    assert not WorkLog.objects.exists()


def test_office_and_leadership_cannot_file(team, office_user):
    for user in (office_user, make_user(Role.LEADERSHIP)):
        with pytest.raises(PermissionDenied):
            worklog_file(team=team, date=MONDAY, figures=FIGURES, narrative="", user=user)
    assert not WorkLog.objects.exists()


def test_leader_who_has_not_signed_cannot_file(team):
    unsigned = MembershipFactory(
        team=TeamFactory(round=team.round, number=2),
        role=Membership.Role.LEADER,
        cadre=cadre_with_user(role=Role.TEAM_LEADER, in_leader_pool=True),
    )
    with pytest.raises(PermissionDenied):
        worklog_file(
            team=unsigned.team, date=MONDAY, figures=FIGURES, narrative="", user=unsigned.cadre.user
        )


def test_leader_of_another_team_cannot_file_for_this_one(team):
    other = TeamFactory(round=team.round, number=2)
    staff_team(other)
    with pytest.raises(PermissionDenied):
        worklog_file(
            team=team,
            date=MONDAY,
            figures=FIGURES,
            narrative="",
            user=member(other, Membership.Role.LEADER),
        )


def test_second_log_for_the_same_day_edits_the_first(team, leader):
    first = worklog_file(team=team, date=MONDAY, figures=FIGURES, narrative="上午", user=leader)

    second = worklog_file(
        team=team,
        date=MONDAY,
        figures={**FIGURES, "interviews": 20, "problems_found": 6},
        narrative="上午；下午补充谈话",
        user=leader,
    )

    assert second.pk == first.pk
    assert WorkLog.objects.filter(team=team).count() == 1
    stored = WorkLog.objects.get()
    assert (stored.interviews, stored.problems_found) == (20, 6)
    assert stored.narrative == "上午；下午补充谈话"
    actions = list(
        AuditEntry.objects.filter(action__startswith="worklog.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["worklog.create", "worklog.update"]


def test_same_day_of_another_team_is_its_own_log(team, leader):
    other = TeamFactory(round=team.round, number=2)
    staff_team(other)
    worklog_file(team=team, date=MONDAY, figures=FIGURES, narrative="", user=leader)
    worklog_file(
        team=other,
        date=MONDAY,
        figures=FIGURES,
        narrative="",
        user=member(other, Membership.Role.LEADER),
    )
    assert WorkLog.objects.filter(date=MONDAY).count() == 2


def test_database_refuses_a_duplicate_log_written_directly(team, leader):
    WorkLogFactory(team=team, date=MONDAY, filed_by=leader)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkLogFactory(team=team, date=MONDAY, filed_by=leader)


def test_future_date_refused(team, leader):
    tomorrow = today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        worklog_file(team=team, date=tomorrow, figures=FIGURES, narrative="", user=leader)
    assert caught.value.message_dict == {"date": ["不能填报未来日期的日报。"]}
    assert not WorkLog.objects.exists()


def test_today_is_accepted(team, leader):
    assert worklog_file(team=team, date=today(), figures=FIGURES, narrative="", user=leader)


def test_missing_days_are_the_working_days_without_a_log(team, leader):
    for day in (MONDAY, MONDAY + datetime.timedelta(days=2)):  # Monday, Wednesday
        worklog_file(team=team, date=day, figures=FIGURES, narrative="", user=leader)
    # A Saturday log does not fill a weekday.
    worklog_file(
        team=team,
        date=MONDAY + datetime.timedelta(days=5),
        figures=FIGURES,
        narrative="",
        user=leader,
    )

    missing = team_missing_days(team, MONDAY, MONDAY + datetime.timedelta(days=6))

    assert missing == [
        datetime.date(2025, 3, 4),
        datetime.date(2025, 3, 6),
        datetime.date(2025, 3, 7),
    ]


def test_no_missing_days_when_every_working_day_is_filed(team, leader):
    for offset in range(5):
        WorkLogFactory(team=team, date=MONDAY + datetime.timedelta(days=offset), filed_by=leader)
    assert team_missing_days(team, MONDAY, MONDAY + datetime.timedelta(days=6)) == []
    # Another team's logs do not count for this one.
    other = TeamFactory(round=team.round, number=2)
    assert len(team_missing_days(other, MONDAY, MONDAY + datetime.timedelta(days=6))) == 5
