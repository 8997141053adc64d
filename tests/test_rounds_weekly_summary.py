"""The weekly summary (周汇总): compiled once per round and week whatever happens
(run twice, the beat task run twice, a task retried after its worker died, a
real worker), with per-team totals and missing days, announced once to each
member of the leading group (the city's too, for a district round)."""

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rounds import tasks
from rounds.models import Membership, Round, WeeklySummary
from rounds.services import weekly_summary_compile
from rounds.services import worklogs as worklog_services
from tests.factories import OfficeFactory, make_user
from tests.rounds_factories import (
    RoundFactory,
    TargetFactory,
    TeamFactory,
    WorkLogFactory,
    staff_team,
    today,
)
from tests.workers import real_worker
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.notifications.models import Notification

ROOT = Path(__file__).resolve().parents[1]
MONDAY = datetime.date(2025, 3, 3)
WEEK = [MONDAY + datetime.timedelta(days=n) for n in range(7)]


def build_round(office, *, number: int = 1) -> Round:
    """On site since the week before: team 1 filed every working day (and the
    Saturday), team 2 only Monday and Tuesday."""
    round_ = RoundFactory(office=office, number=number, status=Round.Status.ON_SITE)
    for team_number, days in ((1, WEEK[:6]), (2, WEEK[:2])):
        team = TeamFactory(round=round_, number=team_number)
        leader = staff_team(team)[0].cadre.user
        TargetFactory(team=team, entry_date=MONDAY - datetime.timedelta(days=7))
        for day in days:
            WorkLogFactory(
                team=team,
                date=day,
                filed_by=leader,
                interviews=team_number * 2,
                documents=10,
                petitions=1,
                visits=1,
                site_checks=0,
                problems_found=team_number,
            )
    # Last week's logs are not this week's.
    WorkLogFactory(team=round_.teams.first(), date=MONDAY - datetime.timedelta(days=1))
    return round_


@pytest.fixture
def city_round(office_user):
    return build_round(office_user.office)


@pytest.fixture
def city_leadership(db):
    return [
        make_user(Role.LEADERSHIP, username="secretary", full_name="书记"),
        make_user(Role.LEADERSHIP, username="deputy_secretary", full_name="副书记"),
    ]


def notified(summary) -> list[str]:
    return sorted(
        Notification.objects.filter(dedupe_key=f"weekly-summary:{summary.pk}").values_list(
            "recipient__username", flat=True
        )
    )


def test_compiled_twice_stores_one_summary_and_notifies_each_leader_once(
    city_round, city_leadership, office_user
):
    make_user(Role.LEADERSHIP, username="retired", is_active=False)

    summary, created = weekly_summary_compile(round_=city_round, week_start=MONDAY)
    again, created_again = weekly_summary_compile(
        round_=city_round, week_start=MONDAY, user=office_user
    )

    assert (created, created_again) == (True, False)
    assert again.pk == summary.pk
    assert WeeklySummary.objects.count() == 1
    # Not the inactive leader, not the office staff.
    assert notified(summary) == ["deputy_secretary", "secretary"]
    assert Notification.objects.count() == 2
    assert AuditEntry.objects.filter(action="weekly_summary.create").count() == 1
    notification = Notification.objects.filter(recipient__username="secretary").get()
    assert notification.title == "十三届市委第一轮巡察周汇总（03月03日–03月09日）"
    assert notification.url == summary.get_absolute_url()
    assert "有缺报日报的巡察组：第二巡察组" in notification.body


def test_summary_holds_per_team_totals_and_missing_days(city_round, city_leadership):
    summary, _ = weekly_summary_compile(round_=city_round, week_start=MONDAY)

    data = WeeklySummary.objects.get(pk=summary.pk).data
    assert (data["week_start"], data["week_end"]) == ("2025-03-03", "2025-03-09")
    first, second = data["teams"]
    assert first["team"] == "第一巡察组"
    assert first["logs"] == 6
    assert (first["interviews"], first["documents"], first["problems_found"]) == (12, 60, 6)
    assert first["missing_days"] == []
    assert second["team"] == "第二巡察组"
    assert second["logs"] == 2
    assert (second["interviews"], second["documents"], second["problems_found"]) == (8, 20, 4)
    assert second["missing_days"] == ["2025-03-05", "2025-03-06", "2025-03-07"]
    assert data["totals"]["interviews"] == 20
    assert data["totals"]["petitions"] == 8
    assert data["teams_missing_days"] == ["第二巡察组"]


def test_missing_days_count_only_while_the_team_is_on_site(office_user):
    round_ = RoundFactory(office=office_user.office, status=Round.Status.ON_SITE)
    team = TeamFactory(round=round_, number=1)
    staff_team(team)
    # Arrived on Wednesday, left on Thursday: Friday is not a missing day.
    TargetFactory(team=team, entry_date=WEEK[2], exit_date=WEEK[3])
    not_arrived = TeamFactory(round=round_, number=2)
    TargetFactory(team=not_arrived)

    summary, _ = weekly_summary_compile(round_=round_, week_start=MONDAY)

    on_site, waiting = summary.data["teams"]
    assert on_site["missing_days"] == ["2025-03-05", "2025-03-06"]
    assert waiting["missing_days"] == []


def test_week_must_start_on_a_monday(city_round):
    with pytest.raises(ValidationError, match="周汇总以周一为起始日"):
        weekly_summary_compile(round_=city_round, week_start=MONDAY + datetime.timedelta(days=1))
    assert not WeeklySummary.objects.exists()


def test_week_not_yet_over_refused(office_user, city_leadership):
    """A summary is stored once and never recompiled: compiling the current week
    would freeze it half-done, with the days still to come listed as missing."""
    round_ = RoundFactory(office=office_user.office, status=Round.Status.ON_SITE)
    team = TeamFactory(round=round_, number=1)
    staff_team(team)
    TargetFactory(team=team, entry_date=today() - datetime.timedelta(days=30))
    this_monday = today() - datetime.timedelta(days=today().weekday())

    for week_start in (this_monday, this_monday + datetime.timedelta(days=7)):
        with pytest.raises(ValidationError, match="该周尚未结束"):
            weekly_summary_compile(round_=round_, week_start=week_start)
        with pytest.raises(ValidationError, match="该周尚未结束"):
            tasks.compile_weekly_summary.run(round_.pk, week_start.isoformat(), office_user.pk)
    assert not WeeklySummary.objects.exists()
    assert not Notification.objects.exists()

    last_monday = this_monday - datetime.timedelta(days=7)
    summary, created = weekly_summary_compile(round_=round_, week_start=last_monday)
    assert created
    assert len(summary.data["teams"][0]["missing_days"]) == 5


def test_compile_now_checks_the_requesting_user_again(city_round, city_leadership):
    """The office's button queues a task with the user's id; the task checks
    that user again (their role may have gone since)."""
    for user in (
        city_leadership[0],
        make_user(Role.OFFICE, username="district", office=OfficeFactory(district=True)),
    ):
        with pytest.raises(PermissionDenied):
            tasks.compile_weekly_summary.run(city_round.pk, "2025-03-03", user.pk)
    assert not WeeklySummary.objects.exists()
    assert not Notification.objects.exists()


def test_district_round_notifies_its_own_and_the_city_leadership(city_leadership):
    district_office = OfficeFactory(district=True)
    make_user(Role.LEADERSHIP, username="district_head", office=district_office)
    make_user(Role.LEADERSHIP, username="other_district_head", office=OfficeFactory(district=True))
    make_user(Role.OFFICE, username="district_staff", office=district_office)
    round_ = build_round(district_office)

    summary, _ = weekly_summary_compile(round_=round_, week_start=MONDAY)

    assert notified(summary) == ["deputy_secretary", "district_head", "secretary"]


def test_city_round_does_not_notify_district_leadership(city_round, city_leadership):
    make_user(Role.LEADERSHIP, username="district_head", office=OfficeFactory(district=True))
    summary, _ = weekly_summary_compile(round_=city_round, week_start=MONDAY)
    assert "district_head" not in notified(summary)


# --- the Celery tasks, called in-process --------------------------------------------


def test_beat_task_run_twice_compiles_once_and_notifies_once(
    office_user, city_round, city_leadership
):
    build_round(OfficeFactory(district=True))
    RoundFactory(office=office_user.office, status=Round.Status.PLANNED)  # not on site: skipped

    first = tasks.compile_weekly_summaries.run(week_start="2025-03-03")
    second = tasks.compile_weekly_summaries.apply(kwargs={"week_start": "2025-03-03"}).get()

    assert first == {"week_start": "2025-03-03", "created": 2}
    assert second == {"week_start": "2025-03-03", "created": 0}
    assert WeeklySummary.objects.count() == 2
    # The city leaders hear of both rounds, once each.
    assert Notification.objects.filter(recipient__username="secretary").count() == 2
    assert Notification.objects.count() == 4


def test_beat_task_defaults_to_last_week(city_round, city_leadership, monkeypatch):
    monkeypatch.setattr(
        tasks.timezone, "localdate", lambda: MONDAY + datetime.timedelta(days=9)
    )  # Wednesday of the following week
    result = tasks.compile_weekly_summaries.run()
    assert result == {"week_start": "2025-03-03", "created": 1}


def test_office_compile_now_task_is_idempotent(city_round, city_leadership, office_user):
    assert tasks.compile_weekly_summary.run(city_round.pk, "2025-03-03", office_user.pk) is True
    assert tasks.compile_weekly_summary.run(city_round.pk, "2025-03-03", office_user.pk) is False
    assert WeeklySummary.objects.count() == 1
    assert Notification.objects.count() == len(city_leadership)
    assert AuditEntry.objects.get(action="weekly_summary.create").actor == office_user


def test_task_retried_after_its_worker_died_leaves_one_summary_and_one_notice(
    office_user, city_round, city_leadership, monkeypatch
):
    """The worker dies after the summary row is written but before the run ends
    (here: notify raises); the transaction rolls back and the redelivered task
    does the whole job once."""
    build_round(OfficeFactory(district=True))
    real_notify = worklog_services.notify
    calls = []

    def dies_the_first_time(**kwargs):
        calls.append(kwargs["dedupe_key"])
        if len(calls) == 1:
            raise RuntimeError("worker lost")
        return real_notify(**kwargs)

    monkeypatch.setattr(worklog_services, "notify", dies_the_first_time)

    with pytest.raises(RuntimeError, match="worker lost"):
        tasks.compile_weekly_summaries.run(week_start="2025-03-03")
    assert not WeeklySummary.objects.exists()
    assert not Notification.objects.exists()
    assert not AuditEntry.objects.filter(action="weekly_summary.create").exists()

    retried = tasks.compile_weekly_summaries.run(week_start="2025-03-03")
    again = tasks.compile_weekly_summaries.run(week_start="2025-03-03")

    assert retried["created"] == 2
    assert again["created"] == 0
    assert WeeklySummary.objects.count() == 2
    for summary in WeeklySummary.objects.all():
        assert notified(summary) == ["deputy_secretary", "secretary"]
    assert Notification.objects.count() == 4
    assert AuditEntry.objects.filter(action="weekly_summary.create").count() == 2


# --- the task through a real broker and worker ----------------------------------------


@pytest.fixture
def worker_queue(tmp_path):
    """A worker on a queue of its own, on this test's database."""
    with real_worker(tmp_path) as queue:
        yield queue


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_compiles_the_week_once(worker_queue, office_user, city_leadership):
    round_ = build_round(office_user.office)
    leader = round_.teams.get(number=1).memberships.get(role=Membership.Role.LEADER)
    assert leader.commitments_completed_at is not None

    first = tasks.compile_weekly_summaries.apply_async(
        kwargs={"week_start": "2025-03-03"}, queue=worker_queue
    ).get(timeout=90)
    second = tasks.compile_weekly_summaries.apply_async(
        kwargs={"week_start": "2025-03-03"}, queue=worker_queue
    ).get(timeout=90)

    assert first == {"week_start": "2025-03-03", "created": 1}
    assert second == {"week_start": "2025-03-03", "created": 0}
    summary = WeeklySummary.objects.get()
    assert summary.round == round_
    assert summary.data["teams"][1]["missing_days"] == ["2025-03-05", "2025-03-06", "2025-03-07"]
    assert notified(summary) == ["deputy_secretary", "secretary"]
    assert Notification.objects.count() == 2
