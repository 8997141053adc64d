"""Who may act on a plan or an item."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from rectification.models import Item, Plan
from rounds.access import office_manages
from xuncha.accounts.roles import Role


def is_unit_contact(user, organization_id: int) -> bool:
    return user.has_role(Role.UNIT_CONTACT) and user.organization_id == organization_id


def is_top_leader(user, plan: Plan) -> bool:
    return plan.organization.leader_user_id == user.pk


def is_receiving_department(user, item: Item) -> bool:
    return (
        item.transferred_to_id is not None
        and user.has_role(Role.DEPARTMENT)
        and user.department_id == item.transferred_to_id
    )


def carries_item(user, item: Item) -> bool:
    """The side that does the work: the unit, or the department it was passed to."""
    if item.state == Item.State.TRANSFERRED:
        return is_receiving_department(user, item)
    return is_unit_contact(user, item.organization_id)


def require_unit_contact(user, plan: Plan) -> None:
    if not is_unit_contact(user, plan.organization_id):
        raise PermissionDenied(_("只有本单位的联络人可以进行此操作。"))


def require_office(user, office) -> None:
    if not office_manages(user, office):
        raise PermissionDenied(_("只有巡察办工作人员可以进行此操作。"))
