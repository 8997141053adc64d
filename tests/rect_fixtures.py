"""Building fed-back targets with rectification items for the tests.

The rounds half (round, team, target, problems) is written directly, already
fed back: rectification starts where rounds ends, and going through every
rounds service would test them again. The rectification half goes through the
real services (plan_open, item_plan_update, plan_sign, plan_submit,
plan_review), so an item "in progress" got there the way it does in life.

``world()`` gives the cast every test needs: the unit contact (and the
organization's top leader), another unit's contact, the office, leadership,
the discipline commission and organization department (who co-sign a
check) and another department.

The module is also a URLconf (``urlpatterns``, for ``pytest.mark.urls``):
the root URLconf plus this app's URLs, until xuncha/urls.py includes them.
"""

import datetime
import io
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path
from django.utils import timezone
from PIL import Image

from rectification import services
from rectification.models import Item, Plan
from rounds.models import Problem, ProblemCategory, Round, Target, Team
from tests.factories import (
    DepartmentFactory,
    OfficeFactory,
    OrganizationFactory,
    UserFactory,
    make_user,
)
from tests.files import minimal_pdf
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.orgs.models import Department, Office, Organization

# --- URLconf -----------------------------------------------------------------


def _urlpatterns() -> list:
    from xuncha import urls as root

    if any(getattr(p, "namespace", None) == "rectification" for p in root.urlpatterns):
        return root.urlpatterns
    return [path("rectification/", include("rectification.urls")), *root.urlpatterns]


urlpatterns = _urlpatterns()
URLS = "tests.rect_fixtures"

# --- The rounds half, written directly -----------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def category() -> ProblemCategory:
    # Not the migration's seeded rows: a transactional test flushes those.
    found, _ = ProblemCategory.objects.get_or_create(
        code="TEST-RECT", defaults={"name": "违规发放津补贴", "is_negative_list": True}
    )
    return found


def make_round(office: Office, number: int | None = None) -> Round:
    number = number or (Round.objects.filter(office=office).count() + 1)
    return Round.objects.create(
        office=office,
        term=13,
        number=number,
        year=today().year,
        planned_start=today() - datetime.timedelta(days=120),
        planned_end=today() - datetime.timedelta(days=60),
        status=Round.Status.RECTIFYING,
    )


def make_fed_back_target(
    *, organization: Organization, round_: Round, problems: int = 3, found_by: User
) -> Target:
    team, _ = Team.objects.get_or_create(round=round_, number=1)
    target = Target.objects.create(
        round=round_,
        team=team,
        organization=organization,
        leader_name=organization.leader_name,
        entry_date=today() - datetime.timedelta(days=100),
        exit_date=today() - datetime.timedelta(days=70),
        feedback_date=today() - datetime.timedelta(days=30),
        status=Target.Status.FED_BACK,
    )
    for n in range(problems):
        Problem.objects.create(
            target=target,
            category=category(),
            description=f"{organization.name}问题{n + 1}：违规发放津补贴，涉及资金{n + 1}万元",
            source=Problem.Source.DOCUMENTS,
            severity=Problem.Severity.SERIOUS,
            status=Problem.Status.FED_BACK,
            found_by=found_by,
            found_on=today() - datetime.timedelta(days=80),
            round=round_,
            team=team,
        )
    # A problem never fed back: it must never reach the unit.
    Problem.objects.create(
        target=target,
        category=category(),
        description="未反馈的问题（不得出现在整改中）",
        source=Problem.Source.INTERVIEW,
        severity=Problem.Severity.MINOR,
        status=Problem.Status.IN_REPORT,
        found_by=found_by,
        found_on=today() - datetime.timedelta(days=80),
        round=round_,
        team=team,
    )
    return target


# --- The rectification half, through the services ----------------------------


def fill_plan(plan: Plan, contact: User, *, deadline: datetime.date | None = None) -> None:
    for n, item in enumerate(plan.items.order_by("pk")):
        services.item_plan_update(
            item=item,
            user=contact,
            measures=f"措施{n + 1}：清退违规发放的津补贴，完善审批制度。",
            responsible_leader="分管副局长",
            responsible_person=f"责任人{n + 1}",
            responsible_department="财务科",
            deadline=deadline or today() + datetime.timedelta(days=60),
        )


def accepted_plan(target: Target, *, contact: User, leader: User, office_user: User) -> Plan:
    """Open, fill, sign, submit and accept: the items are then in progress."""
    plan = services.plan_open(target=target, user=contact)
    fill_plan(plan, contact)
    services.plan_sign(plan=plan, user=leader)
    services.plan_submit(plan=plan, user=contact)
    services.plan_review(plan=plan, user=office_user, accept=True)
    plan.refresh_from_db()
    return plan


def fresh(item: Item) -> Item:
    return Item.objects.get(pk=item.pk)


def set_item(item: Item, **fields) -> Item:
    """Put an item straight into a state (set-up only; the ledger is for what is tested)."""
    Item.objects.filter(pk=item.pk).update(**fields)
    return fresh(item)


# --- Files -------------------------------------------------------------------


def pdf_file(name: str = "整改报告.pdf", body: bytes = b"evidence") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(body), content_type="application/pdf")


def png_file(name: str = "现场照片.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- The cast ----------------------------------------------------------------


@dataclass
class World:
    office: Office
    office_user: User
    leadership: User
    organization: Organization
    contact: User
    leader: User
    other_organization: Organization
    other_contact: User
    discipline: User
    organization_dept: User
    other_dept: User
    round: Round
    target: Target
    plan: Plan
    other_target: Target
    other_plan: Plan
    extra: dict = field(default_factory=dict)

    @property
    def items(self) -> list[Item]:
        return list(self.plan.items.order_by("pk"))

    @property
    def item(self) -> Item:
        return self.items[0]

    @property
    def other_item(self) -> Item:
        return self.other_plan.items.order_by("pk").first()

    @property
    def department(self) -> Department:
        return self.other_dept.department


def unit_people(organization: Organization, prefix: str) -> tuple[User, User]:
    """The organization's contact and its top leader (an account in the unit too)."""
    contact = make_user(Role.UNIT_CONTACT, organization=organization, username=f"{prefix}-contact")
    leader = UserFactory(
        roles=[Role.UNIT_CONTACT],
        organization=organization,
        username=f"{prefix}-leader",
        full_name=organization.leader_name,
    )
    organization.leader_user = leader
    organization.save(update_fields=["leader_user"])
    return contact, leader


def department_user(kind: str, username: str) -> User:
    department = DepartmentFactory(kind=kind)
    return make_user(Role.DEPARTMENT, department=department, username=username)


def world(*, problems: int = 3, other_problems: int = 2) -> World:
    office = OfficeFactory()
    office_user = make_user(Role.OFFICE, office=office, username="office")
    leadership = make_user(Role.LEADERSHIP, office=office, username="leadership")
    organization = OrganizationFactory(name="中共测试市财政局党组", leader_name="张建国")
    contact, leader = unit_people(organization, "unit")
    other_organization = OrganizationFactory(name="中共测试市交通局党组", leader_name="王海")
    other_contact, other_leader = unit_people(other_organization, "other")
    round_ = make_round(office)
    target = make_fed_back_target(
        organization=organization, round_=round_, problems=problems, found_by=office_user
    )
    other_target = make_fed_back_target(
        organization=other_organization,
        round_=round_,
        problems=other_problems,
        found_by=office_user,
    )
    plan = accepted_plan(target, contact=contact, leader=leader, office_user=office_user)
    other_plan = accepted_plan(
        other_target, contact=other_contact, leader=other_leader, office_user=office_user
    )
    return World(
        office=office,
        office_user=office_user,
        leadership=leadership,
        organization=organization,
        contact=contact,
        leader=leader,
        other_organization=other_organization,
        other_contact=other_contact,
        discipline=department_user(Department.Kind.DISCIPLINE, "jiwei"),
        organization_dept=department_user(Department.Kind.ORGANIZATION, "zuzhi"),
        other_dept=department_user(Department.Kind.OTHER, "zhuanban"),
        round=round_,
        target=target,
        plan=plan,
        other_target=other_target,
        other_plan=other_plan,
    )
