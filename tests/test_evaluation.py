"""量化考评: each team's figures equal a count made here from the rows the test
created; the office's weights decide the ranking (a change re-ranks, and is
audited); the district offices' figures per term; who sees and who sets."""

import datetime
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from clues.models import Clue, Disposition
from evaluation import services
from evaluation.figures import TEAM_FIGURES, district_rows, team_rows
from evaluation.models import WeightSet
from rectification.models import Item, Plan
from rounds.models import Problem, Round, TeamReport
from tests.factories import DepartmentFactory, OfficeFactory, OrganizationFactory, make_user
from tests.rounds_factories import (
    ProblemFactory,
    RoundFactory,
    TargetFactory,
    TeamFactory,
    WorkLogFactory,
    today,
)
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

P = Problem.Status


def weekdays(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    out, day = [], first
    while day <= last:
        if day.isoweekday() <= 5:
            out.append(day)
        day += datetime.timedelta(days=1)
    return out


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_clue(target, user, n: int, status: str) -> Clue:
    now = timezone.now()
    signed = status in (Clue.Status.RECEIVED, Clue.Status.CLOSED)
    return Clue.objects.create(
        number=f"T-{target.pk}-{n}",
        round=target.round,
        team=target.team,
        target=target,
        person_name="某某",
        person_position="局长",
        person_rank=Clue.Rank.SECTION,
        discipline=Clue.Discipline.INTEGRITY,
        source=Problem.Source.INTERVIEW,
        summary="摘要",
        department=DepartmentFactory(),
        drafted_by=user,
        status=status,
        submitted_at=now if status != Clue.Status.DRAFT else None,
        approved_at=now if status not in (Clue.Status.DRAFT, Clue.Status.SUBMITTED) else None,
        received_at=now if signed else None,
    )


REPORT_STATES = ["none", "on_time", "late", "corrected"]


def hand_in(target, user, when: datetime.datetime) -> TeamReport:
    """A hand-in row as the service writes it, dated ``when``."""
    report = TeamReport.objects.create(
        target=target,
        team=target.team,
        file="team_reports/test.pdf",
        original_name="巡察情况报告.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        submitted_by=user,
    )
    TeamReport.objects.filter(pk=report.pk).update(submitted_at=when)
    return report


@pytest.fixture
def world(office_user):
    """Two teams with different, random-but-seeded work: logs (some filed late,
    some days missing), problems in every state, clues in every state with and
    without 立案."""
    rng = random.Random(17)
    t = today()
    round_ = RoundFactory(
        office=office_user.office,
        status=Round.Status.ON_SITE,
        report_due=t - datetime.timedelta(days=2),
    )
    created = {"logs": [], "problems": [], "clues": [], "cases": set(), "reports": []}
    teams = []
    for number, (entry, exit_) in enumerate(
        [(t - datetime.timedelta(days=20), t - datetime.timedelta(days=3)),
         (t - datetime.timedelta(days=12), None)],
        start=1,
    ):  # fmt: skip
        team = TeamFactory(round=round_, number=number)
        teams.append(team)
        targets = [
            TargetFactory(team=team, entry_date=entry, exit_date=exit_),
            TargetFactory(
                team=team, entry_date=entry + datetime.timedelta(days=2), exit_date=exit_
            ),
        ]
        # Each target's 巡察情况报告: not handed in, on time, late, or on time
        # and then corrected after the due date (the first hand-in counts).
        for target, state in zip(targets, rng.sample(REPORT_STATES, 2), strict=True):
            created["reports"].append((team, target, state))
            if state == "none":
                continue
            first_day = round_.report_due + datetime.timedelta(days=1 if state == "late" else 0)
            hand_in(target, office_user, at(first_day, 23))
            if state == "corrected":
                hand_in(target, office_user, at(round_.report_due + datetime.timedelta(days=1), 9))
        for day in weekdays(entry, exit_ or t):
            if day >= t or rng.random() < 0.2:
                continue
            log = WorkLogFactory(
                team=team, date=day, interviews=rng.randint(0, 9), petitions=rng.randint(0, 4)
            )
            late = rng.random() < 0.3
            filed = at(day + datetime.timedelta(days=2 if late else 0), 20)
            type(log).objects.filter(pk=log.pk).update(filed_at=filed)
            created["logs"].append((team, day, log.interviews, log.petitions, late))
        for _ in range(rng.randint(4, 12)):
            problem = ProblemFactory(
                target=rng.choice(targets),
                status=rng.choice(list(P.values)),
                immediate_fix=rng.random() < 0.4,
                found_on=t - datetime.timedelta(days=rng.randint(0, 12)),
            )
            # Entered into the system some days after it was found.
            entered = at(problem.found_on + datetime.timedelta(days=rng.randint(0, 6)), 10)
            Problem.objects.filter(pk=problem.pk).update(created_at=entered)
            problem.refresh_from_db()
            created["problems"].append(problem)
        for n in range(rng.randint(2, 6)):
            clue = make_clue(rng.choice(targets), office_user, n, rng.choice(list(Clue.Status)))
            created["clues"].append(clue)
            if clue.status != Clue.Status.DRAFT and clue.status != Clue.Status.SUBMITTED:
                if rng.random() < 0.5:
                    Disposition.objects.create(
                        clue=clue, method=Disposition.Method.CASE, note="立案",
                        reported_by=office_user,
                    )  # fmt: skip
                    created["cases"].add(clue.pk)
                elif rng.random() < 0.5:
                    Disposition.objects.create(
                        clue=clue, method=Disposition.Method.TALK, note="谈话",
                        reported_by=office_user,
                    )  # fmt: skip
    return {"round": round_, "teams": teams, "created": created, "today": t}


def expected_figures(world, team) -> dict:
    t = world["today"]
    c = world["created"]
    targets = list(team.targets.all())
    first = min(x.entry_date for x in targets)
    open_ = any(x.exit_date is None for x in targets)
    last = t if open_ else max(x.exit_date for x in targets)
    days = weekdays(first, min(last, t))
    logs = [row for row in c["logs"] if row[0] == team]
    due = [day for day in days if day < t]
    on_time = [row for row in logs if not row[4] and row[1] in due]
    problems = [p for p in c["problems"] if p.team_id == team.pk]
    confirmed = [p for p in problems if p.status in (P.IN_REPORT, P.FED_BACK)]
    reports = [r for r in c["reports"] if r[0] == team]
    handed = [
        clue
        for clue in c["clues"]
        if clue.team_id == team.pk and clue.status in ("approved", "received", "closed")
    ]
    return {
        "days_on_site": len(days),
        "interviews_per_day": round(sum(r[2] for r in logs) / len(days), 2),
        "petitions_per_day": round(sum(r[3] for r in logs) / len(days), 2),
        "problems": len(problems),
        "confirmed": len(confirmed),
        "clues": len(handed),
        "cases": sum(1 for clue in handed if clue.pk in c["cases"]),
        "immediate_fix": sum(1 for p in confirmed if p.immediate_fix),
        "log_timeliness": round(100 * len(on_time) / len(due), 1),
        # Every target's report is due (the round's due date has passed).
        "report_timeliness": round(
            100 * sum(1 for r in reports if r[2] in ("on_time", "corrected")) / len(reports), 1
        ),
    }


def test_each_team_figure_equals_an_independent_count(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        rows = team_rows(world["round"], today=world["today"])

    by_team = {row.subject.pk: row.values for row in rows}
    for team in world["teams"]:
        assert by_team[team.pk] == expected_figures(world, team), team.name


def test_scores_follow_the_weights_and_a_weight_change_reranks(world, office_user):
    one, two = world["teams"]
    only = {f.code: 0 for f in TEAM_FIGURES}

    def ranking(**weights):
        services.weights_set(
            office=office_user.office,
            scope=WeightSet.Scope.TEAM,
            weights={**only, **weights},
            user=office_user,
        )
        return [row.subject.pk for row in team_rows(world["round"], today=world["today"])]

    # Team one has been on site longer; team two is still there, with fewer days.
    assert ranking(days_on_site=10) == [one.pk, two.pk]
    # Weight only what team two leads on, and it moves to the top.
    two_leads = next(
        f.code
        for f in TEAM_FIGURES
        if (expected_figures(world, two)[f.code] or 0) > (expected_figures(world, one)[f.code] or 0)
    )
    assert ranking(**{two_leads: 10}) == [two.pk, one.pk]

    entries = AuditEntry.objects.filter(action="evaluation.weights")
    assert entries.count() == 2
    assert entries.latest("pk").data["after"][two_leads] == 10


def test_the_score_is_the_weighted_share_of_the_best(world, office_user):
    rows = team_rows(world["round"], today=world["today"])
    best = {f.code: max(r.values[f.code] or 0 for r in rows) for f in TEAM_FIGURES}
    for row in rows:
        points = sum(
            f.weight * ((row.values[f.code] or 0) / best[f.code] if best[f.code] else 0)
            for f in TEAM_FIGURES
        )
        assert row.score == round(100 * points / sum(f.weight for f in TEAM_FIGURES), 1)
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)


def test_bad_weights_are_refused_and_change_nothing(office_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.weights_set(
            office=office_user.office,
            scope=WeightSet.Scope.TEAM,
            weights={"days_on_site": "-1", "problems": "abc"},
            user=office_user,
        )
    assert "「在驻天数」的权重须为 0–100 的整数。" in caught.value.messages
    assert not WeightSet.objects.exists()


def test_office_remarks_show_and_leadership_reads_but_cannot_set(world, office_user, client):
    team = world["teams"][0]
    services.team_remark_set(team=team, text="工作扎实，日报及时。", user=office_user)
    leadership = make_user(Role.LEADERSHIP, office=office_user.office)
    client.force_login(leadership)

    page = client.get(reverse("evaluation:round", args=[world["round"].pk]))

    assert "工作扎实，日报及时。" in page.content.decode()
    assert 'data-testid="weights-form"' not in page.content.decode()
    refused = client.post(reverse("evaluation:team_remark", args=[team.pk]), {"text": "改"})
    assert refused.status_code == 403
    assert AuditEntry.objects.filter(action="evaluation.team_remark").count() == 1


def test_export_has_one_row_per_team_in_rank_order(world, office_user, client):
    import io

    from openpyxl import load_workbook

    client.force_login(office_user)
    response = client.get(reverse("evaluation:round_export", args=[world["round"].pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    expected = team_rows(world["round"])
    assert [r[1] for r in rows[1:]] == [row.subject.name for row in expected]
    assert [r[2] for r in rows[1:]] == [row.score for row in expected]


def test_another_district_office_gets_a_404(world, client):
    other = make_user(Role.OFFICE, office=OfficeFactory(district=True), username="district")
    client.force_login(other)
    assert client.get(reverse("evaluation:round", args=[world["round"].pk])).status_code == 404
    assert client.get(reverse("evaluation:districts")).status_code == 404


def test_district_figures_per_term(office_user):
    city = office_user.office
    assert city.is_city
    a, b = OfficeFactory(district=True), OfficeFactory(district=True)
    orgs_a = [OrganizationFactory(region=a.region) for _ in range(4)]
    OrganizationFactory(region=b.region)
    r1 = RoundFactory(office=a, term=13, status=Round.Status.RECTIFYING)
    RoundFactory(office=a, term=13, status=Round.Status.PLANNED)  # not run yet
    RoundFactory(office=a, term=12, status=Round.Status.ARCHIVED)  # another term
    team = TeamFactory(round=r1, number=1)
    targets = [TargetFactory(team=team, organization=org) for org in orgs_a[:3]]
    # One item done, one red (overdue), one open and not yet due.
    plan = Plan.objects.create(target=targets[0], organization=targets[0].organization)
    past, future = today() - datetime.timedelta(days=3), today() + datetime.timedelta(days=90)
    for state, deadline in (("accepted", past), ("in_progress", past), ("in_progress", future)):
        problem = ProblemFactory(target=targets[0], status=P.FED_BACK)
        Item.objects.create(
            plan=plan, problem=problem, organization=plan.organization, round=r1, office=a,
            state=state, deadline=deadline,
        )  # fmt: skip

    rows = {row.subject.pk: row for row in district_rows(13, city=city)}

    assert rows[a.pk].values == {
        "coverage": 75.0,
        "rounds": 1,
        "rectification_rate": round(100 / 3, 1),
        "overdue": 1,
    }
    assert rows[b.pk].values == {
        "coverage": 0,
        "rounds": 0,
        "rectification_rate": None,
        "overdue": 0,
    }
    assert rows[a.pk].rank == 1
