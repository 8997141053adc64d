"""Sessions: read from Redis, kept in the database, written only when needed.

Two parts, used together in production (settings.SESSION_ENGINE):

- ``SessionStore``: Django's cached_db engine on the fail-open Redis cache.
  A page reads its session from Redis (no database query); every write goes
  to the database first, so a Redis outage signs nobody out: a read is a miss
  and falls back to the row. What an outage must not do is bring a signed-out
  session back: a sign-out during the outage deletes the row, but the copy in
  Redis could not be deleted. Such deletions are remembered in the process and
  done as soon as Redis answers again, and no copy lives in Redis longer than
  ``CACHE_SECONDS`` whatever happens, so a copy the process could not clean
  (it was restarted) is gone within minutes.

- ``IdleTouchMiddleware``: the idle expiry (SESSION_COOKIE_AGE, 30 minutes)
  moves forward when the session is written. Writing on every request
  (SESSION_SAVE_EVERY_REQUEST) cost a database write per page; here a
  signed-in session is written when its last touch is ``TOUCH_SECONDS`` old or
  more. A session therefore ends between 29 and 30 minutes after the last
  request, never later than 30: the stricter side of the rule.
"""

import threading
import time

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

from xuncha.ops.cache import cache_is_down

TOUCH_KEY = "_touched"
TOUCH_SECONDS = 60
# The longest a session's copy stays in Redis (a miss reads the row again).
CACHE_SECONDS = 10 * 60

_undeleted: set[str] = set()
_undeleted_lock = threading.Lock()


class SessionStore(CachedDBStore):
    cache_key_prefix = "xuncha.session."

    def load(self):
        self._retry_deletions()
        data = self._cache.get(self.cache_key)
        if data is not None:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        self._cache.set(self.cache_key, data, self._cache_seconds(row.expire_date))
        return data

    def save(self, must_create=False):
        # The row first (cached_db's order), then the copy, kept for a bounded time.
        DBStore.save(self, must_create)
        self._cache.set(self.cache_key, self._session, self._cache_seconds())

    def _cache_seconds(self, expiry=None) -> int:
        return max(1, min(self.get_expiry_age(expiry=expiry), CACHE_SECONDS))

    def delete(self, session_key=None):
        key = session_key or self.session_key
        super().delete(session_key)
        if key and cache_is_down():
            with _undeleted_lock:
                _undeleted.add(self.cache_key_prefix + key)

    def _retry_deletions(self) -> None:
        if not _undeleted or cache_is_down():
            return
        with _undeleted_lock:
            keys = list(_undeleted)
        self._cache.delete_many(keys)
        if not cache_is_down():
            with _undeleted_lock:
                _undeleted.difference_update(keys)


def undeleted_session_keys() -> set[str]:
    """Copies a sign-out could not remove from Redis yet (for tests and checks)."""
    with _undeleted_lock:
        return set(_undeleted)


def touch_at_sign_in(sender, request, user, **kwargs) -> None:
    """Signing in writes the session: stamp it, so the next page need not."""
    session = getattr(request, "session", None)
    if session is not None:
        session[TOUCH_KEY] = int(time.time())


class IdleTouchMiddleware:
    """Marks a signed-in session for writing when its last touch is a minute
    old, which moves its expiry forward; otherwise leaves it unwritten.

    Placed right after SessionMiddleware. Sessions without data (no one signed
    in, nothing stored) are never touched, so an anonymous visit creates no
    session. Sign-in, sign-out, a password change and the second factor change
    the session themselves and are written as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            last = session.get(TOUCH_KEY, 0)  # loads it; an unknown key is dropped
            now = int(time.time())
            if session.session_key and session.keys() and now - int(last) >= TOUCH_SECONDS:
                session[TOUCH_KEY] = now
        return self.get_response(request)
