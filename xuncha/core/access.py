"""Page-level gate shared by the apps: a page a role has no use for is a 404."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from xuncha.accounts.roles import Role


def role_required(*roles: Role):
    """Log in first; then anyone without one of these roles gets a 404, not a
    hint that the page exists. Object access is still the selectors' job."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
