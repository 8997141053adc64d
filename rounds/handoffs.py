"""Who must act next on a round's work, and telling them (消息).

Each service calls one function here after its change; the notification goes
out on commit and names the act it waits for, so it resolves itself when that
act is done (xuncha.notifications.services.hand_off / resolve).
"""

from django.db.models import Q, QuerySet

from rounds.models import Membership, Problem
from xuncha.accounts.activation import cadre_needs_activation
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.notifications.services import hand_off, resolve
from xuncha.orgs.models import Office


def office_staff(office: Office) -> QuerySet[User]:
    """Office staff who manage the office's work (the city office manages all)."""
    return User.objects.filter(
        Q(office_id=office.pk) | Q(office__level=Office.Level.CITY),
        groups__name=Role.OFFICE.value,
        is_active=True,
    ).distinct()


def team_leaders(team_id: int) -> QuerySet[User]:
    return User.objects.filter(
        cadre__memberships__team_id=team_id,
        cadre__memberships__role=Membership.Role.LEADER,
        is_active=True,
    )


def problem_moved(problem: Problem, action: str) -> None:
    """problem_transition: the problem goes to whoever reviews it next, or back to its finder."""
    key = f"problem:{problem.pk}"
    label = f"发现问题（{problem.target.organization.name}）"
    url = problem.get_absolute_url()
    if action in ("submit", "office_return"):
        hand_off(
            recipients=team_leaders(problem.team_id),
            title=f"{label}待组内研判" + ("（巡察办退回）" if action == "office_return" else ""),
            url=url,
            awaits=f"{key}:team_review",
            resolves=[f"{key}:office_review", f"{key}:draft"],
        )
    elif action == "team_approve":
        hand_off(
            recipients=office_staff(problem.round.office),
            title=f"{label}待巡察办审核",
            url=url,
            awaits=f"{key}:office_review",
            resolves=[f"{key}:team_review"],
        )
    elif action == "team_return":
        hand_off(
            recipients=[problem.found_by],
            title=f"{label}被组长退回修改",
            url=url,
            awaits=f"{key}:draft",
            resolves=[f"{key}:team_review"],
        )
    else:
        resolve(awaits=[f"{key}:office_review"])


def member_added(membership: Membership) -> None:
    """A cadre on a team who cannot sign in yet: the system admins are told to issue a code."""
    cadre_needs_activation(membership.cadre.user)
