"""The request an audited action comes from, so services need not pass the IP around."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)


def client_ip(request) -> str | None:
    # Behind the production reverse proxy the peer is the proxy itself, which
    # sets X-Real-IP. Trusted only where settings say a proxy is in front:
    # otherwise any client could write whatever address it likes into the log.
    if settings.TRUST_X_REAL_IP and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"]
    return request.META.get("REMOTE_ADDR") or None


@contextmanager
def address_withheld():
    """Log without the client's address: for what the public sends through a
    one-way channel (码上巡察 reports, anonymous survey answers), where the
    address would be the one trace of who sent it."""
    token = current_ip.set(None)
    try:
        yield
    finally:
        current_ip.reset(token)
