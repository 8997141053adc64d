"""Who may do what with a clue. Shared by services and selectors."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from clues.models import Clue
from rounds.access import active_membership, office_manages
from xuncha.accounts.roles import Role

S = Clue.Status


def is_clue_officer(user, clue: Clue | None = None) -> bool:
    """Office staff who hold the clue permission (granted per person by the
    security officer), within their office's reach."""
    if not (user.has_role(Role.OFFICE) and user.has_perm("clues.manage_clue")):
        return False
    return clue is None or office_manages(user, clue.round.office)


def require_clue_officer(user, clue: Clue) -> None:
    if not is_clue_officer(user, clue):
        raise PermissionDenied(_("只有持有线索管理权限的巡察办工作人员可以进行此操作。"))


def is_receiving_user(user, clue: Clue) -> bool:
    return (
        user.has_role(Role.DEPARTMENT)
        and user.department_id is not None
        and user.department_id == clue.department_id
    )


def require_receiving_user(user, clue: Clue) -> None:
    if not is_receiving_user(user, clue):
        raise PermissionDenied(_("只有接收部门的工作人员可以进行此操作。"))


def require_team_member(user, clue: Clue):
    membership = active_membership(user, clue.team)
    if membership is None:
        raise PermissionDenied(_("只有已签署三项承诺的本组成员可以进行此操作。"))
    return membership
