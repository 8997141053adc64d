"""Factories for the foundation's models.

They write rows directly (no services), so setting up a test leaves the audit
log empty and tests that count audit entries count only what they do.
``make_user(role)`` gives a user of one role, linked the way that role is in
real life (office staff to an office, a unit contact to an organization...).
"""

import factory
from django.contrib.auth.models import Group

from xuncha.accounts.models import User
from xuncha.accounts.roles import ADMIN_SITE_ROLES, Role
from xuncha.accounts.services import ensure_role_groups
from xuncha.orgs.models import Cadre, Department, Office, Organization, Region, Specialty

PASSWORD = "Xuncha-test-2026"  # satisfies the password validators


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("name",)

    code = factory.Sequence(lambda n: f"3701{n:02d}")
    name = factory.Sequence(lambda n: f"测试{n}区")
    kind = Region.Kind.DISTRICT
    sort_order = factory.Sequence(int)


class OfficeFactory(factory.django.DjangoModelFactory):
    """The city office by default; ``OfficeFactory(district=True)`` for a district's."""

    class Meta:
        model = Office
        django_get_or_create = ("name",)

    class Params:
        district = factory.Trait(
            level=Office.Level.DISTRICT,
            region=factory.SubFactory(RegionFactory),
            name=factory.LazyAttribute(lambda o: f"中共{o.region.name}委巡察办"),
        )

    name = "中共测试市委巡察办"
    level = Office.Level.CITY
    region = None


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"group-{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    """Built like ``department_create`` does (a ``dept:<code>`` group), without its audit entry."""

    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"DEPT{n:03d}")
    name = factory.Sequence(lambda n: f"测试接收部门{n}")
    kind = Department.Kind.DISCIPLINE
    region = None
    group = factory.SubFactory(
        GroupFactory, name=factory.LazyAttribute(lambda g: f"dept:{g.factory_parent.code}")
    )


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    code = factory.Sequence(lambda n: f"ORG{n:05d}")
    name = factory.Sequence(lambda n: f"测试党组织{n}")
    kind = Organization.Kind.COMMITTEE
    sector = Organization.Sector.GOVERNMENT
    level = Organization.Level.CITY
    region = None
    leader_name = factory.Sequence(lambda n: f"负责人{n}")
    leader_title = "书记"


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ("name",)

    name = "财务"


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    code = factory.Sequence(lambda n: f"GB{n:05d}")
    name = factory.Sequence(lambda n: f"干部{n}")
    organization = factory.SubFactory(OrganizationFactory)
    position = "科长"
    rank = Cadre.Rank.SECTION
    in_leader_pool = False
    in_talent_pool = True


def role_group(role: Role) -> Group:
    """The role's group with its permissions (created once per test database)."""
    group = Group.objects.filter(name=role.value).first()
    return group if group is not None else ensure_role_groups()[role]


class UserFactory(factory.django.DjangoModelFactory):
    """``UserFactory(roles=[Role.OFFICE])``; is_staff follows the roles as in user_set_roles."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        roles = set(extracted)
        self.groups.add(*(role_group(role) for role in roles))
        self.is_staff = bool(roles & ADMIN_SITE_ROLES)
        self.save(update_fields=["is_staff"])
        self.__dict__.pop("roles", None)  # the cached property, read again


def make_user(role: Role, **kwargs) -> User:
    """A user of one role, linked to what that role works for."""
    links: dict = {}
    if role in (Role.OFFICE, Role.LEADERSHIP):
        links["office"] = OfficeFactory()
    elif role is Role.UNIT_CONTACT:
        links["organization"] = OrganizationFactory()
    elif role is Role.DEPARTMENT:
        links["department"] = DepartmentFactory()
    links.update(kwargs)
    links.setdefault("username", role.value)
    return UserFactory(roles=[role], **links)


# Text that bulk writes (COPY's CSV) must carry through unchanged.
AWKWARD = [
    'quotes "inside", a comma, and a\nnew line',
    "\\N",  # COPY's text-format NULL marker, as text
    "",  # an empty value stays empty, not NULL
    "反斜杠 \\ 和制表符\t及「引号」",
]
