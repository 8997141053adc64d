"""Who may act on a round: the rules every rounds service and selector share."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from rounds.models import Membership, Round, Target, Team
from xuncha.accounts.roles import Role


def office_manages(user, office) -> bool:
    """Office staff manage their own office's rounds; the city office manages all."""
    if not user.has_role(Role.OFFICE) or user.office is None:
        return False
    return user.office.is_city or user.office_id == office.pk


def office_reach_q(user, field: str = "office") -> Q | None:
    """The rounds-related rows office staff and leadership may read: their own
    office's (the city office: all). None when the user has no office reach,
    so callers fall through to the team, unit or department scopes."""
    if not user.has_role(Role.OFFICE, Role.LEADERSHIP) or user.office is None:
        return None
    return Q() if user.office.is_city else Q(**{f"{field}_id": user.office_id})


def require_office(user, round_: Round) -> None:
    if not office_manages(user, round_.office):
        raise PermissionDenied(_("只有本级巡察办工作人员可以进行此操作。"))


def active_membership(user, team: Team) -> Membership | None:
    """The user's place on the team, if they have signed all three commitments."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(
            team=team, cadre__user=user, commitments_completed_at__isnull=False
        )
        .select_related("cadre")
        .first()
    )


def require_member(user, target: Target) -> Membership:
    membership = active_membership(user, target.team)
    if membership is None:
        raise PermissionDenied(_("只有已签署三项承诺的本组成员可以进行此操作。"))
    return membership


def require_team_leader(user, team: Team) -> Membership:
    membership = active_membership(user, team)
    if membership is None or membership.role != Membership.Role.LEADER:
        raise PermissionDenied(_("只有本组组长可以进行此操作。"))
    return membership
