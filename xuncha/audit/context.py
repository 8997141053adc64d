"""The request an audited action comes from, so services need not pass the IP around."""

from contextvars import ContextVar

current_ip: ContextVar[str | None] = ContextVar("audit_current_ip", default=None)


def client_ip(request) -> str | None:
    # Behind the production reverse proxy the peer is the proxy itself; it sets
    # X-Real-IP (see docker-compose / deployment notes), which clients cannot.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None
