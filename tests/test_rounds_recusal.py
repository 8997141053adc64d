"""Forming teams: recusal (回避) refused with the person, the organization and the
reason, whichever comes first (the member or the target); the cadre pools and
team shape; which organizations a round may take (提级, 延伸, 交叉)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from rounds.models import Membership, Round, Target, TargetUserObjectPermission
from rounds.services import target_add, team_add_member
from tests.factories import OfficeFactory, OrganizationFactory, RegionFactory, make_user
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
from xuncha.orgs.models import CadreRelation, CadreWorkHistory, ConflictDeclaration, Organization

Level = Organization.Level


def years_ago(years: float) -> datetime.date:
    return today() - datetime.timedelta(days=round(365.25 * years))


def messages_of(excinfo) -> str:
    return "\n".join(excinfo.value.messages)


@pytest.fixture
def round_(office_user):
    return RoundFactory(office=office_user.office)


@pytest.fixture
def team(round_):
    return TeamFactory(round=round_, number=1)


@pytest.fixture
def finance():
    return OrganizationFactory(name="市财政局党组", level=Level.CITY)


# --- the recusal rules -------------------------------------------------------------
# Each builder makes a cadre with one ground for recusal from ``organization``
# and returns (cadre, the reason the refusal must give).


def own_organization(organization):
    return cadre_with_user(name="张伟", organization=organization), "本人在该单位工作（任职回避）"


def organization_above_own(organization):
    office = OrganizationFactory(name="市财政局机关党支部", parent=organization)
    return (
        cadre_with_user(name="李娜", organization=office),
        "本人所在单位隶属该组织（任职回避）",
    )


def spouse_works_there(organization):
    cadre = cadre_with_user(name="王强")
    CadreRelation.objects.create(
        cadre=cadre, relation=CadreRelation.Relation.SPOUSE, name="刘丽", organization=organization
    )
    return cadre, "配偶刘丽在该单位工作（任职回避）"


def relative_works_there(organization):
    cadre = cadre_with_user(name="陈明")
    CadreRelation.objects.create(
        cadre=cadre, relation=CadreRelation.Relation.SIBLING, name="陈亮", organization=organization
    )
    return cadre, "兄弟姐妹陈亮在该单位工作（任职回避）"


def worked_there_recently(organization):
    cadre = cadre_with_user(name="赵敏")
    CadreWorkHistory.objects.create(
        cadre=cadre,
        organization=organization,
        position="预算科副科长",
        start_date=years_ago(6),
        end_date=years_ago(2),
    )
    return cadre, "近3年曾在该单位任职（预算科副科长）"


def still_works_there_by_history(organization):
    cadre = cadre_with_user(name="孙杰")
    CadreWorkHistory.objects.create(
        cadre=cadre, organization=organization, position="", start_date=years_ago(1)
    )
    return cadre, "近3年曾在该单位任职（工作）"


def declared_conflict(organization):
    cadre = cadre_with_user(name="周涛")
    ConflictDeclaration.objects.create(
        cadre=cadre, organization=organization, reason="曾参与该单位专项审计"
    )
    return cadre, "本人申报回避：曾参与该单位专项审计（公务回避）"


RULES = [
    own_organization,
    organization_above_own,
    spouse_works_there,
    relative_works_there,
    worked_there_recently,
    still_works_there_by_history,
    declared_conflict,
]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_member_refused_for_a_team_that_has_the_target(rule, team, finance, office_user):
    TargetFactory(team=team, organization=finance)
    cadre, reason = rule(finance)

    with pytest.raises(ValidationError) as caught:
        team_add_member(team=team, cadre=cadre, role=Membership.Role.MEMBER, user=office_user)

    assert messages_of(caught) == f"{cadre.name} 须回避「市财政局党组」：{reason}"
    assert not Membership.objects.filter(cadre=cadre).exists()
    assert not TargetUserObjectPermission.objects.filter(user=cadre.user).exists()
    assert not AuditEntry.objects.filter(action="team.member_add").exists()


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_target_refused_for_a_team_that_has_the_member(rule, team, finance, office_user):
    staff_team(team)
    cadre, reason = rule(finance)
    MembershipFactory(team=team, cadre=cadre)

    with pytest.raises(ValidationError) as caught:
        target_add(team=team, organization=finance, user=office_user)

    assert messages_of(caught) == f"{cadre.name} 须回避「市财政局党组」：{reason}"
    assert not Target.objects.filter(organization=finance).exists()
    assert not AuditEntry.objects.filter(action="target.add").exists()


def test_target_refusal_names_every_member_in_conflict(team, finance, office_user):
    first, first_reason = own_organization(finance)
    second, second_reason = declared_conflict(finance)
    MembershipFactory(team=team, cadre=first, role=Membership.Role.LEADER)
    MembershipFactory(team=team, cadre=second)

    with pytest.raises(ValidationError) as caught:
        target_add(team=team, organization=finance, user=office_user)

    assert caught.value.messages == [
        f"张伟 须回避「市财政局党组」：{first_reason}",
        f"周涛 须回避「市财政局党组」：{second_reason}",
    ]


def test_work_there_more_than_three_years_ago_is_no_ground(team, finance, office_user):
    TargetFactory(team=team, organization=finance)
    cadre = cadre_with_user(name="吴昊")
    CadreWorkHistory.objects.create(
        cadre=cadre, organization=finance, start_date=years_ago(8), end_date=years_ago(4)
    )

    membership = team_add_member(
        team=team, cadre=cadre, role=Membership.Role.MEMBER, user=office_user
    )

    assert membership.team == team


def test_member_without_conflict_is_added_and_granted_the_teams_targets(team, finance, office_user):
    target = TargetFactory(team=team, organization=finance)
    # A relative working outside the organization library is no ground either.
    cadre = cadre_with_user(name="郑洁", organization=OrganizationFactory(name="市教育局党组"))
    CadreRelation.objects.create(
        cadre=cadre, relation=CadreRelation.Relation.SPOUSE, name="何平", workplace="某私营企业"
    )

    membership = team_add_member(
        team=team, cadre=cadre, role=Membership.Role.MEMBER, user=office_user
    )

    assert membership.round == team.round
    assert cadre.user.has_perm("rounds.view_target", target)
    assert TargetUserObjectPermission.objects.filter(user=cadre.user, content_object=target)
    entry = AuditEntry.objects.get(action="team.member_add")
    assert entry.data == {"cadre": cadre.pk, "role": "member"}


def test_target_without_conflict_is_added_and_granted_to_every_member(team, finance, office_user):
    members = staff_team(team)

    target = target_add(team=team, organization=finance, user=office_user)

    assert target.leader_name == finance.leader_name
    for membership in members:
        assert TargetUserObjectPermission.objects.filter(
            user=membership.cadre.user, content_object=target
        ).exists()


def test_conflict_with_one_organization_does_not_block_another(team, finance, office_user):
    cadre, _ = own_organization(finance)
    MembershipFactory(team=team, cadre=cadre)

    target = target_add(
        team=team, organization=OrganizationFactory(name="市教育局党组"), user=office_user
    )

    assert target.team == team


# --- the pools and the team's shape -----------------------------------------------


def test_cadre_outside_the_leader_pool_refused_as_leader(team, office_user):
    cadre = cadre_with_user(name="钱芳", in_leader_pool=False)
    with pytest.raises(ValidationError) as caught:
        team_add_member(team=team, cadre=cadre, role=Membership.Role.LEADER, user=office_user)
    assert messages_of(caught) == "钱芳 不在组长库中，不能担任组长。"


def test_cadre_from_the_leader_pool_accepted_as_leader(team, office_user):
    cadre = cadre_with_user(role=Role.TEAM_LEADER, name="赵刚", in_leader_pool=True)
    membership = team_add_member(
        team=team, cadre=cadre, role=Membership.Role.LEADER, user=office_user
    )
    assert membership.role == Membership.Role.LEADER


def test_cadre_outside_the_talent_pool_refused_as_member(team, office_user):
    cadre = cadre_with_user(name="冯雪", in_talent_pool=False)
    with pytest.raises(ValidationError) as caught:
        team_add_member(team=team, cadre=cadre, role=Membership.Role.MEMBER, user=office_user)
    assert messages_of(caught) == "冯雪 不在人才库中，不能担任组员。"


def test_inactive_cadre_and_cadre_without_login_refused(team, office_user):
    inactive = cadre_with_user(name="褚红", is_active=False)
    with pytest.raises(ValidationError, match="褚红 目前不可选派"):
        team_add_member(team=team, cadre=inactive, role=Membership.Role.MEMBER, user=office_user)
    no_login = cadre_with_user(name="卫东")
    no_login.user = None
    no_login.save()
    with pytest.raises(ValidationError, match="卫东 还没有登录账号"):
        team_add_member(team=team, cadre=no_login, role=Membership.Role.MEMBER, user=office_user)


def test_same_cadre_refused_twice_in_one_round(round_, team, office_user):
    cadre = cadre_with_user(name="蒋琳")
    team_add_member(team=team, cadre=cadre, role=Membership.Role.MEMBER, user=office_user)
    second_team = TeamFactory(round=round_, number=2)

    for again in (team, second_team):
        with pytest.raises(ValidationError) as caught:
            team_add_member(team=again, cadre=cadre, role=Membership.Role.MEMBER, user=office_user)
        assert messages_of(caught) == "蒋琳 已在本轮其他巡察组中。"
    assert Membership.objects.filter(cadre=cadre).count() == 1

    # Another round is another authorisation (一次一授权).
    next_round = RoundFactory(office=round_.office)
    team_add_member(
        team=TeamFactory(round=next_round, number=1),
        cadre=cadre,
        role=Membership.Role.MEMBER,
        user=office_user,
        confirm_busy=True,  # still on the first round's team: the office confirms both
    )
    assert Membership.objects.filter(cadre=cadre).count() == 2


def test_team_of_seven_refuses_an_eighth(team, office_user):
    staff_team(team, size=7, deputies=2)
    eighth = cadre_with_user(name="沈阳")
    with pytest.raises(ValidationError) as caught:
        team_add_member(team=team, cadre=eighth, role=Membership.Role.MEMBER, user=office_user)
    assert messages_of(caught) == "第一巡察组已有 7 人，不能再增加。"
    assert team.memberships.count() == 7


def test_second_leader_and_third_deputy_refused(team, office_user):
    staff_team(team, size=3, deputies=2)
    with pytest.raises(ValidationError, match="第一巡察组已有组长。"):
        team_add_member(
            team=team,
            cadre=cadre_with_user(in_leader_pool=True),
            role=Membership.Role.LEADER,
            user=office_user,
        )
    with pytest.raises(ValidationError, match="第一巡察组最多设 2 名副组长。"):
        team_add_member(
            team=team, cadre=cadre_with_user(), role=Membership.Role.DEPUTY, user=office_user
        )


def test_team_frozen_once_the_round_reports(round_, team, office_user):
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.REPORTING)
    with pytest.raises(ValidationError, match="不能再调整巡察组成员"):
        team_add_member(
            team=team, cadre=cadre_with_user(), role=Membership.Role.MEMBER, user=office_user
        )


# --- which organizations a round may take ------------------------------------------


@pytest.fixture
def district_office_user(db):
    office = OfficeFactory(district=True, region=RegionFactory(name="历下区"))
    return make_user(Role.OFFICE, username="lixia_office", office=office)


@pytest.fixture
def other_region():
    return RegionFactory(name="槐荫区")


def city_team(office_user, *kinds):
    return TeamFactory(round=RoundFactory(office=office_user.office, kinds=list(kinds)), number=1)


def district_team(district_office_user, *kinds):
    round_ = RoundFactory(office=district_office_user.office, kinds=list(kinds))
    return TeamFactory(round=round_, number=1)


@pytest.mark.parametrize("level", [Level.VILLAGE, Level.TOWNSHIP])
def test_city_round_cannot_take_a_grassroots_unit_without_elevated_extended_or_cross(
    office_user, other_region, level
):
    village = OrganizationFactory(name="王家村党支部", level=level, region=other_region)
    team = city_team(office_user, "regular", "special")
    with pytest.raises(ValidationError) as caught:
        target_add(team=team, organization=village, user=office_user)
    assert messages_of(caught) == (
        "「王家村党支部」属于区县管理的基层组织，市委巡察须为提级、延伸或交叉巡察。"
    )


@pytest.mark.parametrize("kind", ["elevated", "extended", "cross"])
def test_city_round_takes_a_village_when_elevated_extended_or_cross(
    office_user, other_region, kind
):
    village = OrganizationFactory(name="王家村党支部", level=Level.VILLAGE, region=other_region)
    target = target_add(team=city_team(office_user, kind), organization=village, user=office_user)
    assert target.organization == village


@pytest.mark.parametrize("level", [Level.CITY, Level.COUNTY])
def test_regular_city_round_takes_city_and_county_units(office_user, other_region, level):
    unit = OrganizationFactory(level=level, region=other_region if level == Level.COUNTY else None)
    target = target_add(team=city_team(office_user, "regular"), organization=unit, user=office_user)
    assert target.organization == unit


def test_district_round_cannot_take_another_districts_unit(district_office_user, other_region):
    unit = OrganizationFactory(name="槐荫区某街道党工委", level=Level.TOWNSHIP, region=other_region)
    with pytest.raises(ValidationError) as caught:
        target_add(
            team=district_team(district_office_user, "regular"),
            organization=unit,
            user=district_office_user,
        )
    assert messages_of(caught) == (
        "「槐荫区某街道党工委」不属于本区县，只有交叉巡察可以巡察外区县单位。"
    )


def test_district_cross_round_takes_another_districts_unit(district_office_user, other_region):
    unit = OrganizationFactory(level=Level.TOWNSHIP, region=other_region)
    target = target_add(
        team=district_team(district_office_user, "cross"),
        organization=unit,
        user=district_office_user,
    )
    assert target.organization == unit


def test_district_cross_round_cannot_take_its_own_districts_unit(district_office_user):
    own = OrganizationFactory(
        name="历下区某街道党工委", level=Level.TOWNSHIP, region=district_office_user.office.region
    )
    with pytest.raises(ValidationError) as caught:
        target_add(
            team=district_team(district_office_user, "cross"),
            organization=own,
            user=district_office_user,
        )
    assert messages_of(caught) == "交叉巡察不能巡察本区县的「历下区某街道党工委」。"


def test_district_round_takes_own_units_but_not_city_units(district_office_user):
    team = district_team(district_office_user, "regular")
    own = OrganizationFactory(level=Level.VILLAGE, region=district_office_user.office.region)
    assert target_add(team=team, organization=own, user=district_office_user).organization == own

    city_unit = OrganizationFactory(name="市财政局党组", level=Level.CITY)
    with pytest.raises(ValidationError) as caught:
        target_add(team=team, organization=city_unit, user=district_office_user)
    assert messages_of(caught) == "「市财政局党组」是市直单位，区县巡察不能直接巡察。"


def test_organization_taken_once_per_round(round_, team, finance, office_user):
    target_add(team=team, organization=finance, user=office_user)
    with pytest.raises(ValidationError, match="「市财政局党组」已是本轮的巡察对象。"):
        target_add(team=TeamFactory(round=round_, number=2), organization=finance, user=office_user)
