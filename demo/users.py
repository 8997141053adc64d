"""Steps for the role groups and one demo account per role."""

from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import Group

from demo.context import DemoContext
from demo.orgs import CITY_OFFICE
from xuncha.accounts.models import User
from xuncha.accounts.roles import ADMIN_SITE_ROLES, Role
from xuncha.accounts.services import ensure_role_groups
from xuncha.orgs.models import Cadre, Department, Office, Organization


class DemoUser(NamedTuple):
    username: str
    role: Role
    full_name: str = ""  # empty for a cadre's account: it is the cadre's name
    office: str | None = None  # name
    organization: str | None = None  # code
    department: str | None = None  # code
    cadre: str | None = None  # code


DEMO_USERS = [
    DemoUser("office", Role.OFFICE, "陈立群", office=CITY_OFFICE),
    DemoUser("leader", Role.TEAM_LEADER, cadre="GB0001"),
    DemoUser("member", Role.TEAM_MEMBER, cadre="GB0017"),
    DemoUser("unit", Role.UNIT_CONTACT, "李春燕", organization="C019"),
    DemoUser("leadership", Role.LEADERSHIP, "王振国", office=CITY_OFFICE),
    DemoUser("jiwei", Role.DEPARTMENT, "吴志刚", department="JW"),
    DemoUser("sysadmin", Role.SYSADMIN, "郑海波"),
    DemoUser("secadmin", Role.SECURITY_OFFICER, "冯丽娟"),
    DemoUser("auditor", Role.AUDITOR, "何静"),
]
FIXED_NAMES = tuple(user.full_name for user in DEMO_USERS if user.full_name)


def seed_role_groups(demo: DemoContext) -> None:
    ensure_role_groups()


def seed_users(demo: DemoContext) -> None:
    role_groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
    for row in DEMO_USERS:
        cadre = Cadre.objects.get(code=row.cadre) if row.cadre else None
        user, created = User.objects.update_or_create(
            username=row.username,
            defaults={
                "full_name": row.full_name or cadre.name,
                **_workplace(row),
                "is_staff": row.role in ADMIN_SITE_ROLES,
                "is_active": True,
            },
        )
        demo.count("users", created)
        _give_only_role(user, row.role, role_groups)
        if user.department:
            # What is handed to a department is granted to its group.
            user.groups.add(user.department.group)
        if cadre and cadre.user_id != user.pk:
            _link_cadre(cadre, user)
        if created:
            _set_demo_password(user)
        elif not user.check_password(settings.DEMO_PASSWORD):
            _set_demo_password(user)
            demo.count("password_resets")


def _workplace(row: DemoUser) -> dict:
    """The office, organization or department whose data the account may see."""
    return {
        "office": Office.objects.get(name=row.office) if row.office else None,
        "organization": (
            Organization.objects.get(code=row.organization) if row.organization else None
        ),
        "department": Department.objects.get(code=row.department) if row.department else None,
    }


def _give_only_role(user: User, role: Role, role_groups: dict[str, Group]) -> None:
    user.groups.remove(*(group for name, group in role_groups.items() if name != role))
    user.groups.add(role_groups[role])


def _link_cadre(cadre: Cadre, user: User) -> None:
    Cadre.objects.filter(user=user).update(user=None)  # the link is one-to-one
    cadre.user = user
    cadre.save(update_fields=["user"])


def _set_demo_password(user: User) -> None:
    user.set_password(settings.DEMO_PASSWORD)
    user.save(update_fields=["password"])


def seed_second_factor(demo: DemoContext) -> None:
    """Every demo account signs in with the demo password and an authenticator
    holding the published demo secret (README; ``manage.py demo_otp <username>``
    prints its current code). Production never gets a published secret: there
    the accounts enrol their own phones like everyone else."""
    from base64 import b32decode

    from xuncha.twofactor.services import demo_device_set

    if settings.PRODUCTION:
        return
    key_hex = b32decode(settings.DEMO_OTP_SECRET.replace(" ", "").upper()).hex()
    # An unusable password starts with "!": such accounts do not sign in at all.
    usable = User.objects.filter(is_active=True).exclude(password__startswith="!")  # noqa: S106
    for user in usable:
        demo.count("authenticators", demo_device_set(user=user, key_hex=key_hex))
