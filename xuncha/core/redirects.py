"""Following a ``next`` parameter without becoming an open redirect."""

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str = "") -> str:
    """The request's ``next`` (POST, then GET) if it is a path on this site,
    else ``default``: ``next=https://evil.example/`` or ``//evil.example`` is
    never followed."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def redirect_to_next(request, fallback: str, *args):
    """Redirect to the safe ``next``, else to ``fallback`` (a URL name or path)."""
    target = safe_next(request)
    return redirect(target) if target else redirect(fallback, *args)
