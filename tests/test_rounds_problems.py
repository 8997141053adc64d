"""The review of a problem: draft → 组内研判 → 办审核 → 列入报告 → 已反馈. Each step
by the right role only, in order only, each one in the audit log; feedback
releases the report's problems and starts the two-month rectification clock."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rounds.models import Problem, Round, Target
from rounds.services import (
    allowed_transitions,
    problem_create,
    problem_transition,
    problem_update,
    target_give_feedback,
)
from tests.factories import OfficeFactory, make_user
from tests.rounds_factories import (
    MembershipFactory,
    ProblemFactory,
    RoundFactory,
    TargetFactory,
    TeamFactory,
    category,
    staff_team,
    today,
)
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

P = Problem.Status


class Cast:
    """A city round on site: one team (leader, deputy, members), one target, the office."""

    def __init__(self, office_user):
        self.office = office_user
        self.round = RoundFactory(office=office_user.office, status=Round.Status.ON_SITE)
        self.team = TeamFactory(round=self.round, number=1)
        memberships = staff_team(self.team)
        self.leader = memberships[0].cadre.user
        self.deputy = memberships[1].cadre.user
        self.member = memberships[2].cadre.user
        self.target = TargetFactory(
            team=self.team,
            entry_date=today() - datetime.timedelta(days=20),
            status=Target.Status.ON_SITE,
        )

    def problem(self, status=P.DRAFT, **extra) -> Problem:
        return ProblemFactory(target=self.target, status=status, found_by=self.member, **extra)


@pytest.fixture
def cast(office_user):
    return Cast(office_user)


def audit_actions(problem) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="rounds.problem", object_id=str(problem.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def status_of(problem) -> str:
    return Problem.objects.get(pk=problem.pk).status


# --- recording ---------------------------------------------------------------------


def test_member_records_a_problem_with_who_and_when(cast):
    problem = problem_create(
        target=cast.target,
        category=category("C04"),
        description="违规向在职人员发放津补贴12.6万元。",
        source=Problem.Source.DOCUMENTS,
        severity=Problem.Severity.SERIOUS,
        immediate_fix=True,
        user=cast.member,
    )

    assert problem.status == P.DRAFT
    assert (problem.found_by, problem.found_on) == (cast.member, today())
    assert (problem.round, problem.team) == (cast.round, cast.team)
    assert audit_actions(problem) == ["problem.create"]


def test_recording_needs_a_signed_member_of_the_team_and_an_open_round(cast):
    unsigned = MembershipFactory(team=cast.team).cadre.user
    kwargs = {
        "target": cast.target,
        "category": category("C04"),
        "description": "问题",
        "source": Problem.Source.INTERVIEW,
        "severity": Problem.Severity.MINOR,
    }
    for outsider in (unsigned, cast.office):
        with pytest.raises(PermissionDenied):
            problem_create(**kwargs, user=outsider)
    Round.objects.filter(pk=cast.round.pk).update(status=Round.Status.PREPARING)
    cast.target.round.refresh_from_db()
    with pytest.raises(ValidationError, match="只有在进驻和报告阶段才能录入或修改问题"):
        problem_create(**kwargs, user=cast.member)
    assert not Problem.objects.exists()


# --- each step by its role -------------------------------------------------------------


def test_member_submits_but_office_cannot(cast):
    problem = cast.problem()
    with pytest.raises(PermissionDenied, match="「提交组内研判」须由本组成员操作。"):
        problem_transition(problem=problem, action="submit", user=cast.office)
    assert status_of(problem) == P.DRAFT

    problem_transition(problem=problem, action="submit", user=cast.member)
    assert status_of(problem) == P.TEAM_REVIEW


@pytest.mark.parametrize("who", ["member", "deputy", "office"])
def test_only_the_leader_approves_in_team_review(cast, who):
    problem = cast.problem(P.TEAM_REVIEW)
    with pytest.raises(PermissionDenied, match="须由本组组长操作"):
        problem_transition(problem=problem, action="team_approve", user=getattr(cast, who))
    assert status_of(problem) == P.TEAM_REVIEW

    problem_transition(problem=problem, action="team_approve", user=cast.leader)
    assert status_of(problem) == P.OFFICE_REVIEW


@pytest.mark.parametrize("who", ["member", "leader"])
def test_only_the_office_approves_in_office_review(cast, who):
    problem = cast.problem(P.OFFICE_REVIEW)
    with pytest.raises(PermissionDenied, match="须由巡察办工作人员操作"):
        problem_transition(problem=problem, action="office_approve", user=getattr(cast, who))
    assert status_of(problem) == P.OFFICE_REVIEW

    problem_transition(problem=problem, action="office_approve", user=cast.office)
    assert status_of(problem) == P.IN_REPORT


def test_another_district_office_and_leadership_cannot_approve(cast):
    problem = cast.problem(P.OFFICE_REVIEW)
    district = make_user(Role.OFFICE, username="district", office=OfficeFactory(district=True))
    for user in (district, make_user(Role.LEADERSHIP)):
        with pytest.raises(PermissionDenied):
            problem_transition(problem=problem, action="office_approve", user=user)
    assert status_of(problem) == P.OFFICE_REVIEW


def test_leader_of_another_team_cannot_approve(cast):
    other = TeamFactory(round=cast.round, number=2)
    other_leader = staff_team(other)[0].cadre.user
    problem = cast.problem(P.TEAM_REVIEW)
    with pytest.raises(PermissionDenied):
        problem_transition(problem=problem, action="team_approve", user=other_leader)


@pytest.mark.parametrize(
    ("status", "action", "who", "back_to"),
    [
        (P.TEAM_REVIEW, "team_return", "leader", P.DRAFT),
        (P.OFFICE_REVIEW, "office_return", "office", P.TEAM_REVIEW),
    ],
)
def test_returning_requires_a_note(cast, status, action, who, back_to):
    problem = cast.problem(status)
    user = getattr(cast, who)
    with pytest.raises(ValidationError, match="退回时须说明理由。"):
        problem_transition(problem=problem, action=action, user=user)
    assert status_of(problem) == status

    problem_transition(
        problem=problem, action=action, user=user, note="事实依据不足，请补充谈话记录。"
    )

    assert status_of(problem) == back_to
    entry = AuditEntry.objects.get(action=f"problem.{action}")
    # The note is case content: the audit log says one was given, not what it said.
    assert entry.data == {"from": status, "to": back_to, "withheld": ["note"]}


# --- in order only ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "who", "message"),
    [
        (
            P.DRAFT,
            "office_approve",
            "office",
            "该问题当前为「草稿」，不能执行「审核通过，列入巡察报告」。",
        ),
        (
            P.DRAFT,
            "team_approve",
            "leader",
            "该问题当前为「草稿」，不能执行「研判通过，报巡察办审核」。",
        ),
        (P.TEAM_REVIEW, "submit", "member", "该问题当前为「组内研判」，不能执行「提交组内研判」。"),
        (
            P.IN_REPORT,
            "office_return",
            "office",
            "该问题当前为「列入报告」，不能执行「退回巡察组」。",
        ),
        (P.FED_BACK, "team_return", "leader", "该问题当前为「已反馈」，不能执行「退回修改」。"),
    ],
)
def test_steps_out_of_order_refused_with_status_unchanged(cast, status, action, who, message):
    problem = cast.problem(status)
    with pytest.raises(ValidationError) as caught:
        problem_transition(problem=problem, action=action, user=getattr(cast, who), note="理由")
    assert caught.value.messages == [message]
    assert status_of(problem) == status
    assert audit_actions(problem) == []


def test_unknown_action_refused(cast):
    problem = cast.problem()
    with pytest.raises(ValidationError, match="未知的操作"):
        problem_transition(problem=problem, action="publish", user=cast.office)


def test_allowed_transitions_offer_each_role_only_its_steps(cast):
    in_team_review = cast.problem(P.TEAM_REVIEW)
    assert {t.name for t in allowed_transitions(cast.leader, in_team_review)} == {
        "team_approve",
        "team_return",
    }
    assert allowed_transitions(cast.member, in_team_review) == []
    assert allowed_transitions(cast.office, in_team_review) == []
    in_office_review = cast.problem(P.OFFICE_REVIEW)
    assert {t.name for t in allowed_transitions(cast.office, in_office_review)} == {
        "office_approve",
        "office_return",
    }
    assert allowed_transitions(cast.leader, in_office_review) == []


# --- every step in the audit log, then feedback -------------------------------------------


def test_every_step_writes_an_audit_entry_by_its_actor(cast):
    problem = problem_create(
        target=cast.target,
        category=category("C07"),
        description="工程项目未公开招标。",
        source=Problem.Source.DATA,
        severity=Problem.Severity.GRAVE,
        user=cast.member,
    )
    problem_transition(problem=problem, action="submit", user=cast.member)
    problem_transition(problem=problem, action="team_return", user=cast.leader, note="补充证据")
    problem_update(
        problem=problem, user=cast.member, description="工程项目未公开招标，金额320万元。"
    )
    problem_transition(problem=problem, action="submit", user=cast.member)
    problem_transition(problem=problem, action="team_approve", user=cast.leader)
    problem_transition(problem=problem, action="office_return", user=cast.office, note="定性不准")
    problem_transition(problem=problem, action="team_approve", user=cast.leader)
    problem_transition(problem=problem, action="office_approve", user=cast.office)
    Round.objects.filter(pk=cast.round.pk).update(status=Round.Status.REPORTING)
    target_give_feedback(target=cast.target, feedback_date=today(), user=cast.office)

    entries = AuditEntry.objects.filter(
        object_type="rounds.problem", object_id=str(problem.pk)
    ).order_by("id")
    assert [(e.action, e.actor) for e in entries] == [
        ("problem.create", cast.member),
        ("problem.submit", cast.member),
        ("problem.team_return", cast.leader),
        ("problem.update", cast.member),
        ("problem.submit", cast.member),
        ("problem.team_approve", cast.leader),
        ("problem.office_return", cast.office),
        ("problem.team_approve", cast.leader),
        ("problem.office_approve", cast.office),
        ("problem.feed_back", cast.office),
    ]
    assert status_of(problem) == P.FED_BACK


def test_editing_follows_who_holds_the_problem(cast):
    draft = cast.problem()
    problem_update(problem=draft, user=cast.member, severity=Problem.Severity.GRAVE)
    with pytest.raises(PermissionDenied):
        problem_update(problem=draft, user=cast.office, severity=Problem.Severity.MINOR)
    in_office = cast.problem(P.OFFICE_REVIEW)
    with pytest.raises(PermissionDenied):
        problem_update(problem=in_office, user=cast.leader, severity=Problem.Severity.MINOR)
    problem_update(problem=in_office, user=cast.office, severity=Problem.Severity.MINOR)
    in_report = cast.problem(P.IN_REPORT)
    with pytest.raises(PermissionDenied):
        problem_update(problem=in_report, user=cast.office, severity=Problem.Severity.MINOR)


@pytest.fixture
def reporting(cast):
    Round.objects.filter(pk=cast.round.pk).update(status=Round.Status.REPORTING)
    cast.round.refresh_from_db()
    return cast


@pytest.mark.parametrize("pending", [P.DRAFT, P.TEAM_REVIEW, P.OFFICE_REVIEW])
def test_feedback_refused_while_problems_are_pending_review(reporting, pending):
    reporting.problem(P.IN_REPORT)
    reporting.problem(pending)

    with pytest.raises(ValidationError) as caught:
        target_give_feedback(target=reporting.target, feedback_date=today(), user=reporting.office)

    assert caught.value.messages == ["还有 1 个问题未完成审核，不能反馈。"]
    target = Target.objects.get(pk=reporting.target.pk)
    assert (target.feedback_date, target.rectification_due) == (None, None)
    assert not Problem.objects.filter(status=P.FED_BACK).exists()


def test_feedback_releases_the_reports_problems_and_starts_the_clock(reporting):
    released = [reporting.problem(P.IN_REPORT) for _ in range(3)]
    earlier = reporting.problem(P.FED_BACK)
    feedback_day = today() - datetime.timedelta(days=1)

    target = target_give_feedback(
        target=reporting.target, feedback_date=feedback_day, user=reporting.office
    )

    assert {status_of(p) for p in released} == {P.FED_BACK}
    for problem in released:
        assert audit_actions(problem) == ["problem.feed_back"]
    assert audit_actions(earlier) == []
    stored = Target.objects.get(pk=target.pk)
    assert stored.status == Target.Status.FED_BACK
    assert stored.feedback_date == feedback_day
    entry = AuditEntry.objects.get(action="target.feedback")
    assert entry.data["problems"] == 3


@pytest.mark.parametrize(
    ("feedback", "due"),
    [
        (datetime.date(2025, 3, 15), datetime.date(2025, 5, 15)),
        (datetime.date(2025, 12, 31), datetime.date(2026, 2, 28)),
        (datetime.date(2023, 12, 31), datetime.date(2024, 2, 29)),  # a leap year
        (datetime.date(2025, 8, 31), datetime.date(2025, 10, 31)),
        (datetime.date(2025, 7, 31), datetime.date(2025, 9, 30)),
    ],
)
def test_rectification_due_two_months_after_feedback_at_month_end(reporting, feedback, due):
    Target.objects.filter(pk=reporting.target.pk).update(entry_date=feedback)
    target = target_give_feedback(
        target=reporting.target, feedback_date=feedback, user=reporting.office
    )
    assert Target.objects.get(pk=target.pk).rectification_due == due


def test_feedback_only_by_the_office_in_the_reporting_stages(reporting):
    for outsider in (reporting.leader, make_user(Role.LEADERSHIP)):
        with pytest.raises(PermissionDenied):
            target_give_feedback(target=reporting.target, feedback_date=today(), user=outsider)
    with pytest.raises(ValidationError, match="反馈日期不能早于进驻日期"):
        target_give_feedback(
            target=reporting.target,
            feedback_date=reporting.target.entry_date - datetime.timedelta(days=1),
            user=reporting.office,
        )
    Round.objects.filter(pk=reporting.round.pk).update(status=Round.Status.ON_SITE)
    with pytest.raises(ValidationError, match="只有在报告或反馈阶段才能向被巡察单位反馈"):
        target_give_feedback(target=reporting.target, feedback_date=today(), user=reporting.office)
    assert Target.objects.get(pk=reporting.target.pk).feedback_date is None


def test_feedback_twice_is_refused_unless_new_problems_are_in_the_report(office_user):
    """A second feedback only releases problems added to the report since, and the
    rectification clock keeps running from the first feedback."""
    import datetime

    from django.core.exceptions import ValidationError

    from rounds.models import Problem, Round
    from rounds.services import target_give_feedback
    from tests.rounds_factories import ProblemFactory, RoundFactory, TargetFactory

    round_ = RoundFactory(office=office_user.office, status=Round.Status.REPORTING)
    target = TargetFactory(round=round_)
    office = office_user
    ProblemFactory(target=target, status=Problem.Status.IN_REPORT)
    first = datetime.date(2026, 3, 2)
    target_give_feedback(target=target, feedback_date=first, user=office)
    with pytest.raises(ValidationError, match="已经反馈"):
        target_give_feedback(target=target, feedback_date=datetime.date(2026, 4, 1), user=office)
    late = ProblemFactory(target=target, status=Problem.Status.IN_REPORT)
    target_give_feedback(target=target, feedback_date=datetime.date(2026, 4, 1), user=office)
    target.refresh_from_db()
    late.refresh_from_db()
    assert late.status == Problem.Status.FED_BACK
    assert target.feedback_date == first
