"""One password check at a time on this machine: a morning rush of sign-ins
queues instead of taking every core.

A check costs about half a second of CPU (PBKDF2, Django's 1,000,000
iterations, which stay as they are). A hundred people signing in within ten
seconds asked for fifty seconds of CPU at once: every core went to hashing
and the pages of those already signed in waited behind it. Here a check waits
for a machine-wide lock (a file lock in the data folder, which every web
process shares), so at most one core hashes and the others serve pages; the
web processes run threads (gunicorn gthread, see docker-compose.yml), so a
sign-in waiting for the lock holds a thread, not a process. The waiting is
in the kernel's hands (flock), first come first served in practice. Sign-ins
in a rush take longer; the pages do not.

Bounded: a web process lets at most ``PASSWORD_CHECKS_WAITING`` sign-ins wait
for the lock at once (settings, 2 by default with 4 threads a process), so
waiting sign-ins never hold every thread. One more is refused at once
(``PasswordChecksBusy``): the sign-in page answers 429 "登录人数较多" with a
Retry-After, and the person signs in a few seconds later. Only sign-in is
refused this way (``refuse_when_busy``); a password change or a check of the
password history waits its turn.
"""

import contextlib
import fcntl
import threading

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

_local = threading.local()
_waiting = {"count": 0}
_waiting_lock = threading.Lock()


class PasswordChecksBusy(Exception):
    """This process already has as many sign-ins waiting as it lets wait."""


@contextlib.contextmanager
def refuse_when_busy():
    """Within: a password check refuses (PasswordChecksBusy) instead of queueing
    when this process's waiting room is full. The sign-in form uses it."""
    _local.refuse = True
    try:
        yield
    finally:
        _local.refuse = False


@contextlib.contextmanager
def _waiting_room():
    with _waiting_lock:
        if getattr(_local, "refuse", False) and (
            _waiting["count"] >= settings.PASSWORD_CHECKS_WAITING
        ):
            raise PasswordChecksBusy
        _waiting["count"] += 1
    try:
        yield
    finally:
        with _waiting_lock:
            _waiting["count"] -= 1


@contextlib.contextmanager
def password_check_slot():
    """Hold the machine's one password-check slot (re-entrant within a thread)."""
    if getattr(_local, "held", False):
        yield
        return
    path = settings.DATA_DIR / "password-check.lock"
    with _waiting_room(), path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # blocks without holding the GIL
        _local.held = True
        try:
            yield
        finally:
            _local.held = False
            fcntl.flock(lock, fcntl.LOCK_UN)


class QueuedPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 (same algorithm name, same hashes), checked one at a time."""

    def verify(self, password, encoded):
        with password_check_slot():
            return super().verify(password, encoded)

    def encode(self, password, salt, iterations=None):
        # Also what a sign-in with an unknown username costs (ModelBackend
        # hashes the password anyway, to take as long): it queues the same.
        with password_check_slot():
            return super().encode(password, salt, iterations)
