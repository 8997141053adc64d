from django.shortcuts import redirect


class PasswordChangeRequiredMiddleware:
    """Until a signed-in person replaces a temporary (or expired) password, every
    page sends them to the change-password page.

    Kept apart from the two-factor middleware on purpose: everything under
    /accounts/ (sign-in, sign-out, second factor, this page) stays reachable,
    so neither sends the other round in circles."""

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and (user.must_change_password or user.password_expired)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)
