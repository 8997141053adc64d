"""Sign-in lock-out (django-axes): the address it keys on, and the reads the
security officer's unlock page uses."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone


def client_ip(request) -> str | None:
    """The address a sign-in attempt really comes from (AXES_CLIENT_IP_CALLABLE).

    Behind the production proxy REMOTE_ADDR is the proxy's own, so keying on it
    would lock every account for everyone at once. The proxy's headers are read
    only where settings say one is in front (TRUST_X_REAL_IP); otherwise a
    client could name any address and slip the lock-out. X-Forwarded-For's last
    entry is the one our proxy appended, the earlier ones the client wrote."""
    meta = getattr(request, "META", {}) or {}
    if settings.TRUST_X_REAL_IP:
        if real := (meta.get("HTTP_X_REAL_IP") or "").strip():
            return real
        if last := meta.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip():
            return last
    return meta.get("REMOTE_ADDR") or None


def locked_attempts() -> QuerySet:
    """Accounts (from an address) that are locked out now."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if cool_off := get_cool_off():
        qs = qs.filter(attempt_time__gte=timezone.now() - cool_off)
    return qs.order_by("-attempt_time")
