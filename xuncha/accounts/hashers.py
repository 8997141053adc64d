"""Password checks take turns on this machine: a morning rush of sign-ins
queues instead of taking every thread.

A check costs about half a second of CPU (PBKDF2, Django's 1,000,000
iterations, which stay as they are). A hundred people signing in within ten
seconds asked for fifty seconds of CPU at once. Here a check holds one of
``PASSWORD_CHECK_SLOTS`` machine-wide slots (file locks in the data folder,
which every web process shares); the web processes run threads (gunicorn
gthread, see docker-compose.yml), so a sign-in waiting for a slot holds a
thread, not a process. The waiting is in the kernel's hands (flock).

Bounded: a web process lets at most ``PASSWORD_CHECKS_WAITING`` sign-ins wait
for a slot at once (settings, 2 by default with 4 threads a process), so
waiting sign-ins never hold every thread. One more is refused at once
(``PasswordChecksBusy``): the sign-in page answers 429 "登录人数较多" with a
Retry-After, and the person signs in a few seconds later. Only sign-in is
refused this way (``refuse_when_busy``); a password change or a check of the
password history waits its turn.
"""

import contextlib
import fcntl
import itertools
import threading

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

_local = threading.local()
_waiting = {"count": 0}
_waiting_lock = threading.Lock()
_turns = itertools.count()


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


def _take_a_slot(slots: int):
    """One of the machine's ``slots`` lock files, held: a free one if there is
    one, else wait for the next in turn (the waiting spread over the slots)."""
    paths = [
        settings.DATA_DIR / f"password-check{'' if i == 0 else f'-{i}'}.lock" for i in range(slots)
    ]
    for path in paths:
        lock = path.open("a")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock
        except BlockingIOError:
            lock.close()
    lock = paths[next(_turns) % slots].open("a")
    fcntl.flock(lock, fcntl.LOCK_EX)  # blocks without holding the GIL
    return lock


@contextlib.contextmanager
def password_check_slot():
    """Hold one of the machine's PASSWORD_CHECK_SLOTS password-check slots
    (re-entrant within a thread)."""
    if getattr(_local, "held", False):
        yield
        return
    with _waiting_room():
        lock = _take_a_slot(settings.PASSWORD_CHECK_SLOTS)
        _local.held = True
        try:
            yield
        finally:
            _local.held = False
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()


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
