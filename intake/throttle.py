"""How a flood from one address is slowed: counters per address and hour in
the cache, counted on every POST before its body is read (so a flood of
large or invalid posts is slowed too). Past a few reports the page asks for a
CAPTCHA; past the hourly limit the post is refused unread.

Addresses are kept only as a keyed hash, only in the cache, and only for the
hour: a report row never records where it came from (the channel is one-way).
With the cache down the counters read zero: the per-target daily limit and
the storage quotas, kept in the database, still hold."""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def client_key(address: str | None) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), (address or "unknown").encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _key(kind: str, key: str) -> str:
    return f"intake:{kind}:{key}"


def count(kind: str, key: str) -> int:
    return cache.get(_key(kind, key)) or 0


def hit(kind: str, key: str) -> int:
    """Count one more and return the new count."""
    name = _key(kind, key)
    cache.add(name, 0, WINDOW_SECONDS)
    try:
        return cache.incr(name)
    except ValueError:
        cache.set(name, 1, WINDOW_SECONDS)
        return 1


def needs_captcha(key: str) -> bool:
    return count("submit", key) >= settings.INTAKE_CAPTCHA_AFTER


def submit_refused(key: str) -> bool:
    return count("submit", key) >= settings.INTAKE_PER_ADDRESS_HOUR


def status_refused(key: str) -> bool:
    return count("status", key) >= settings.INTAKE_STATUS_PER_ADDRESS_HOUR
