"""Moving a round 计划 → 准备 → 进驻 → 报告 → 反馈 → 整改 → 归档: each step refused with
the Chinese list of what is missing, allowed once it is done; the targets follow;
only the office that runs the round may move it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rounds.models import Membership, Round, Target
from rounds.services import round_advance, round_missing_for_next, target_give_feedback
from tests.factories import OfficeFactory, OrganizationFactory, make_user
from tests.rounds_factories import (
    MembershipFactory,
    RoundFactory,
    TargetFactory,
    TeamFactory,
    cadre_with_user,
    staff_team,
    today,
)
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry

S = Round.Status


def refusal(round_, user) -> list[str]:
    """Try to advance; return the messages and check that nothing moved."""
    before = Round.objects.get(pk=round_.pk).status
    with pytest.raises(ValidationError) as caught:
        round_advance(round_=round_, user=user)
    assert Round.objects.get(pk=round_.pk).status == before
    return caught.value.messages


@pytest.fixture
def round_(office_user):
    return RoundFactory(office=office_user.office)


@pytest.fixture
def ready_round(round_):
    """A round with one fully staffed, signed team and one dated target: ready for 进驻."""
    team = TeamFactory(round=round_, number=1)
    staff_team(team)
    TargetFactory(
        team=team,
        organization=OrganizationFactory(name="市财政局党组"),
        entry_date=today() - datetime.timedelta(days=5),
    )
    Round.objects.filter(pk=round_.pk).update(status=S.PREPARING)
    round_.refresh_from_db()
    return round_


# --- 计划 → 准备 --------------------------------------------------------------------


def test_preparing_refused_without_a_team_or_targets(round_, office_user):
    messages = refusal(round_, office_user)
    assert messages == ["尚未组建巡察组。", "尚未确定巡察对象。"]


def test_preparing_refused_while_a_team_has_no_leader(round_, office_user):
    team = TeamFactory(round=round_, number=2)
    staff_team(team, leader=False)
    TargetFactory(team=team)
    assert refusal(round_, office_user) == ["第二巡察组尚未确定组长。"]


def test_preparing_allowed_with_a_led_team_and_a_target(round_, office_user):
    team = TeamFactory(round=round_, number=1)
    MembershipFactory(team=team, role=Membership.Role.LEADER)
    TargetFactory(team=team)
    assert round_missing_for_next(round_) == []

    advanced = round_advance(round_=round_, user=office_user)

    assert advanced.status == S.PREPARING
    assert Round.objects.get(pk=round_.pk).status == S.PREPARING
    entry = AuditEntry.objects.get(action="round.advance")
    assert entry.data == {"from": "planned", "to": "preparing"}
    assert entry.actor == office_user
    # Targets wait for 进驻: preparing does not move them.
    assert set(round_.targets.values_list("status", flat=True)) == {Target.Status.ASSIGNED}


# --- 准备 → 进驻 --------------------------------------------------------------------


def test_entry_allowed_when_every_condition_holds_and_targets_go_on_site(ready_round, office_user):
    round_advance(round_=ready_round, user=office_user)

    ready_round.refresh_from_db()
    assert ready_round.status == S.ON_SITE
    assert set(ready_round.targets.values_list("status", flat=True)) == {Target.Status.ON_SITE}


@pytest.mark.parametrize(
    ("size", "deputies", "message"),
    [
        (4, 1, "第一巡察组现有 4 人，应为 5–7 人。"),
        (8, 2, "第一巡察组现有 8 人，应为 5–7 人。"),
        (5, 0, "第一巡察组应设 1–2 名副组长，现有 0 名。"),
        (6, 3, "第一巡察组应设 1–2 名副组长，现有 3 名。"),
    ],
)
def test_entry_refused_when_team_shape_is_wrong(office_user, size, deputies, message):
    # Built row by row: the services already refuse an 8th member and a 3rd deputy.
    round_ = RoundFactory(office=office_user.office, status=S.PREPARING)
    team = TeamFactory(round=round_, number=1)
    staff_team(team, size=size, deputies=deputies)
    TargetFactory(team=team, entry_date=today())

    assert refusal(round_, office_user) == [message]


@pytest.mark.parametrize(("size", "deputies"), [(5, 1), (7, 2)])
def test_entry_allowed_at_both_ends_of_the_team_shape(office_user, size, deputies):
    round_ = RoundFactory(office=office_user.office, status=S.PREPARING)
    team = TeamFactory(round=round_, number=1)
    staff_team(team, size=size, deputies=deputies)
    TargetFactory(team=team, entry_date=today())

    assert round_advance(round_=round_, user=office_user).status == S.ON_SITE


def test_entry_refused_naming_the_members_who_have_not_signed(ready_round, office_user):
    team = ready_round.teams.get()
    team.memberships.filter(role=Membership.Role.MEMBER).delete()
    MembershipFactory(team=team, cadre=cadre_with_user(name="张伟"))
    MembershipFactory(team=team, cadre=cadre_with_user(name="李娜"))
    MembershipFactory(team=team, cadre=cadre_with_user(name="王芳"), signed=True)

    messages = refusal(ready_round, office_user)

    assert messages == ["第一巡察组以下成员尚未签署三项承诺：张伟、李娜。"]


def test_entry_refused_for_targets_without_an_entry_date(ready_round, office_user):
    team = ready_round.teams.get()
    TargetFactory(team=team, organization=OrganizationFactory(name="市教育局党组"))
    TargetFactory(team=team, organization=OrganizationFactory(name="市卫健委党组"))

    messages = refusal(ready_round, office_user)

    assert sorted(messages) == sorted(
        ["「市教育局党组」尚未确定进驻日期。", "「市卫健委党组」尚未确定进驻日期。"]
    )


def test_entry_refusal_lists_everything_missing_at_once(office_user):
    round_ = RoundFactory(office=office_user.office, status=S.PREPARING)
    team = TeamFactory(round=round_, number=3)
    MembershipFactory(team=team, role=Membership.Role.LEADER, cadre=cadre_with_user(name="赵刚"))
    TargetFactory(team=team, organization=OrganizationFactory(name="市水务局党组"))

    messages = refusal(round_, office_user)

    assert messages == [
        "第三巡察组现有 1 人，应为 5–7 人。",
        "第三巡察组应设 1–2 名副组长，现有 0 名。",
        "第三巡察组以下成员尚未签署三项承诺：赵刚。",
        "「市水务局党组」尚未确定进驻日期。",
    ]


# --- 进驻 → 报告 → 反馈 → 整改 → 归档 ------------------------------------------------


@pytest.fixture
def on_site_round(ready_round, office_user):
    return round_advance(round_=ready_round, user=office_user)


def test_reporting_refused_for_targets_without_an_exit_date(on_site_round, office_user):
    assert refusal(on_site_round, office_user) == ["「市财政局党组」尚未确定撤离日期。"]


def test_reporting_allowed_with_exit_dates_and_targets_follow(on_site_round, office_user):
    on_site_round.targets.update(exit_date=today())

    round_advance(round_=on_site_round, user=office_user)

    on_site_round.refresh_from_db()
    assert on_site_round.status == S.REPORTING
    assert set(on_site_round.targets.values_list("status", flat=True)) == {Target.Status.REPORTING}


def test_feedback_stage_refused_until_every_target_is_fed_back(on_site_round, office_user):
    on_site_round.targets.update(exit_date=today())
    round_advance(round_=on_site_round, user=office_user)
    second = TargetFactory(
        team=on_site_round.teams.get(),
        organization=OrganizationFactory(name="市教育局党组"),
        entry_date=today(),
        exit_date=today(),
        status=Target.Status.REPORTING,
    )
    first = on_site_round.targets.exclude(pk=second.pk).get()
    target_give_feedback(target=first, feedback_date=today(), user=office_user)

    assert refusal(on_site_round, office_user) == ["「市教育局党组」尚未反馈。"]

    target_give_feedback(target=second, feedback_date=today(), user=office_user)
    round_advance(round_=on_site_round, user=office_user)

    on_site_round.refresh_from_db()
    assert on_site_round.status == S.FEEDBACK
    assert set(on_site_round.targets.values_list("status", flat=True)) == {Target.Status.FED_BACK}


def test_rectifying_and_archived_move_the_targets_then_nothing_further(on_site_round, office_user):
    on_site_round.targets.update(exit_date=today())
    round_advance(round_=on_site_round, user=office_user)
    for target in on_site_round.targets.all():
        target_give_feedback(target=target, feedback_date=today(), user=office_user)
    round_advance(round_=on_site_round, user=office_user)  # 反馈

    round_advance(round_=on_site_round, user=office_user)
    assert Round.objects.get(pk=on_site_round.pk).status == S.RECTIFYING
    assert set(on_site_round.targets.values_list("status", flat=True)) == {Target.Status.RECTIFYING}

    round_advance(round_=on_site_round, user=office_user)
    assert Round.objects.get(pk=on_site_round.pk).status == S.ARCHIVED
    assert set(on_site_round.targets.values_list("status", flat=True)) == {Target.Status.CLOSED}

    assert refusal(on_site_round, office_user) == ["本轮巡察已归档。"]
    steps = list(
        AuditEntry.objects.filter(action="round.advance")
        .order_by("id")
        .values_list("data__to", flat=True)
    )
    assert steps == ["on_site", "reporting", "feedback", "rectifying", "archived"]


# --- who may move a round -------------------------------------------------------------


@pytest.fixture
def district_office_user(db):
    return make_user(Role.OFFICE, username="district_office", office=OfficeFactory(district=True))


def test_district_office_cannot_advance_a_city_round(ready_round, district_office_user):
    with pytest.raises(PermissionDenied):
        round_advance(round_=ready_round, user=district_office_user)
    assert Round.objects.get(pk=ready_round.pk).status == S.PREPARING


def test_leadership_cannot_advance_a_round(ready_round):
    leadership = make_user(Role.LEADERSHIP)
    with pytest.raises(PermissionDenied):
        round_advance(round_=ready_round, user=leadership)
    assert Round.objects.get(pk=ready_round.pk).status == S.PREPARING


def test_team_leader_cannot_advance_own_round(ready_round):
    leader = ready_round.teams.get().memberships.get(role=Membership.Role.LEADER).cadre.user
    with pytest.raises(PermissionDenied):
        round_advance(round_=ready_round, user=leader)
    assert Round.objects.get(pk=ready_round.pk).status == S.PREPARING
    assert not AuditEntry.objects.filter(action="round.advance").exists()


def test_district_office_advances_its_own_round_and_the_city_office_any(
    district_office_user, office_user
):
    round_ = RoundFactory(office=district_office_user.office)
    team = TeamFactory(round=round_, number=1)
    MembershipFactory(team=team, role=Membership.Role.LEADER)
    TargetFactory(
        team=team, organization=OrganizationFactory(region=district_office_user.office.region)
    )
    other_district = make_user(
        Role.OFFICE, username="other_district", office=OfficeFactory(district=True)
    )

    with pytest.raises(PermissionDenied):
        round_advance(round_=round_, user=other_district)
    assert round_advance(round_=round_, user=district_office_user).status == S.PREPARING
    # The city office manages every round, a district's included.
    Round.objects.filter(pk=round_.pk).update(status=S.PLANNED)
    assert round_advance(round_=round_, user=office_user).status == S.PREPARING
