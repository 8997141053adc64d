from django.db.models import QuerySet

from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.twofactor.models import SecondFactorReset

RESET_ROLES = (Role.SYSADMIN, Role.SECURITY_OFFICER)


def may_see_resets(user: User) -> bool:
    return user.is_authenticated and user.has_role(*RESET_ROLES)


def reset_list(*, user: User) -> QuerySet[SecondFactorReset]:
    """The two admin roles that take part in a reset see them all; nobody else any."""
    if not may_see_resets(user):
        return SecondFactorReset.objects.none()
    return SecondFactorReset.objects.select_related(
        "user", "requested_by", "approved_by", "declined_by"
    )


def user_is_verified(user) -> bool:
    """Signed in with both factors in this session (django-otp's OTPMiddleware
    gives the request's user ``is_verified``; a user without it is not)."""
    return bool(getattr(user, "is_verified", lambda: False)())
