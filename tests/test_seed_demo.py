"""``manage.py seed_demo``: a believable demo city, built the same way every time."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from xuncha.accounts.models import User
from xuncha.accounts.roles import ADMIN_SITE_ROLES, Role
from xuncha.audit.models import AuditEntry
from xuncha.audit.services import verify_chain
from xuncha.core.demo.context import DemoContext
from xuncha.core.demo.orgs import CITY_OFFICE, organization_plan
from xuncha.orgs.models import (
    Cadre,
    CadreRelation,
    CadreWorkHistory,
    ConflictDeclaration,
    Department,
    Office,
    Organization,
    Region,
    Specialty,
)

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "Xuncha-demo-2026"
DEMO_ROLES = {
    "office": Role.OFFICE,
    "leader": Role.TEAM_LEADER,
    "member": Role.TEAM_MEMBER,
    "unit": Role.UNIT_CONTACT,
    "leadership": Role.LEADERSHIP,
    "jiwei": Role.DEPARTMENT,
    "sysadmin": Role.SYSADMIN,
    "secadmin": Role.SECURITY_OFFICER,
    "auditor": Role.AUDITOR,
}
COUNTED = [
    Region,
    Office,
    Department,
    Organization,
    Specialty,
    Cadre,
    CadreRelation,
    CadreWorkHistory,
    ConflictDeclaration,
    User,
    User.groups.through,
    AuditEntry,
]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def seeded():
    seed()


def test_seeding_twice_gives_the_same_rows_as_seeding_once():
    seed()
    after_first = row_counts()
    names_after_first = list(Organization.objects.values_list("code", "name", "leader_name"))
    output = seed()
    assert row_counts() == after_first
    assert list(Organization.objects.values_list("code", "name", "leader_name")) == (
        names_after_first
    )
    assert "本次新建 0 条记录" in output


def test_the_first_run_is_audited_in_two_entries_and_the_second_in_none():
    seed()
    assert AuditEntry.objects.filter(action="organization.bulk_create").get().data == {
        "count": Organization.objects.count()
    }
    assert AuditEntry.objects.filter(action="demo.seed").get().data["cadres"] == 64
    entries = AuditEntry.objects.count()
    seed()
    assert AuditEntry.objects.count() == entries
    assert verify_chain() == (entries, None)


def test_the_names_come_out_the_same_on_every_run():
    first = organization_plan(DemoContext.start())
    second = organization_plan(DemoContext.start())
    assert first == second
    assert len({spec.leader_name for spec in first}) == len(first)


def test_the_city_has_organizations_of_every_sector_level_and_kind(seeded):
    assert Organization.objects.count() >= 300
    for field, choices in [
        ("sector", Organization.Sector),
        ("level", Organization.Level),
        ("kind", Organization.Kind),
    ]:
        present = set(Organization.objects.values_list(field, flat=True))
        assert present == set(choices.values), field
    assert not Organization.objects.filter(leader_name="").exists()
    assert not Organization.objects.filter(level="city").exclude(region=None).exists()


def test_villages_hang_under_a_township_of_their_own_region(seeded):
    villages = Organization.objects.filter(level=Organization.Level.VILLAGE)
    assert villages.count() >= 200
    for village in villages.select_related("parent"):
        assert village.parent.level == Organization.Level.TOWNSHIP
        assert village.parent.region_id == village.region_id
        assert village.code.startswith(village.parent.code + "-V")


def test_every_region_has_its_own_office_under_the_city_office(seeded):
    assert Region.objects.count() == 10
    assert Office.objects.get(name=CITY_OFFICE).level == Office.Level.CITY
    assert Office.objects.filter(level=Office.Level.DISTRICT).count() == Region.objects.count()
    assert Office.objects.get(region__name="市南区").name == "市南区委巡察办"


def test_the_receiving_departments_include_discipline_and_organization(seeded):
    kinds = set(Department.objects.values_list("kind", flat=True))
    assert kinds == set(Department.Kind.values)
    jiwei = Department.objects.get(name="市纪委监委")
    assert jiwei.kind == Department.Kind.DISCIPLINE
    assert jiwei.group.name == f"dept:{jiwei.code}"


def test_the_cadre_pool_has_leaders_talent_and_recusal_grounds(seeded):
    assert Cadre.objects.count() >= 60
    leaders = Cadre.objects.filter(in_leader_pool=True)
    assert 12 <= leaders.count() <= 20
    assert set(leaders.values_list("rank", flat=True)) == {Cadre.Rank.DEPARTMENT}
    assert Cadre.objects.filter(in_leader_pool=False, in_talent_pool=True).count() == (
        Cadre.objects.count() - leaders.count()
    )
    assert not Cadre.objects.exclude(organization__level=Organization.Level.CITY).exists()
    assert set(Specialty.objects.values_list("name", flat=True)) >= {
        "党务", "财务", "审计", "法律", "工程", "农村工作",
    }  # fmt: skip
    assert not Cadre.objects.filter(specialties=None).exists()
    assert CadreRelation.objects.filter(relation="spouse").exclude(organization=None).exists()
    assert CadreWorkHistory.objects.exists()
    assert ConflictDeclaration.objects.count() >= 2


def test_demo_rows_pass_model_validation(seeded):
    for organization in Organization.objects.all():
        organization.full_clean()
    for cadre in Cadre.objects.all():
        cadre.full_clean()


@pytest.mark.parametrize(("username", "role"), DEMO_ROLES.items())
def test_each_demo_user_has_one_role_and_logs_in_with_the_demo_password(
    seeded, client, username, role
):
    user = User.objects.get(username=username)
    assert user.roles == {role}
    assert user.full_name
    assert user.is_staff == (role in ADMIN_SITE_ROLES)
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_demo_users_are_linked_to_what_their_role_works_for(seeded):
    users = {user.username: user for user in User.objects.all()}
    assert users["office"].office.name == CITY_OFFICE
    assert users["leadership"].office.name == CITY_OFFICE
    assert users["unit"].organization.name == "市市场监督管理局党组"
    jiwei = users["jiwei"]
    assert jiwei.department.name == "市纪委监委"
    assert jiwei.groups.filter(pk=jiwei.department.group_id).exists()
    assert users["leader"].cadre.in_leader_pool
    assert users["leader"].full_name == users["leader"].cadre.name
    assert users["member"].cadre.in_talent_pool
    assert not users["member"].cadre.in_leader_pool


def test_reseeding_restores_the_demo_role_and_password(seeded):
    user = User.objects.get(username="unit")
    user.groups.add(Group.objects.get(name=Role.OFFICE))
    user.set_password("Something-else-2026")
    user.save()
    with override_settings(DEMO_PASSWORD="Another-demo-2027"):
        seed()
    user = User.objects.get(username="unit")
    assert user.roles == {Role.UNIT_CONTACT}
    assert user.check_password("Another-demo-2027")
    assert AuditEntry.objects.filter(action="demo.seed").latest("id").data == {"password_resets": 9}
