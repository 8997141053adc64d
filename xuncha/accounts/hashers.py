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
waiting sign-ins never hold every thread. The sign-in form takes its seat in
this waiting room before it looks at the password (``waiting_seat``); with the
room full it is refused at once (``PasswordChecksBusy``) and the person is
given a place in the sign-in queue (accounts/signin_queue.py). Only sign-in is
refused this way; a password change or a check of the password history waits
its turn.

The time a check holds its slot is measured (``check_seconds``): the queue
tells a waiting person how long their turn is away from it.
"""

import contextlib
import fcntl
import itertools
import threading
import time

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache

_local = threading.local()
_waiting = {"count": 0}
_waiting_lock = threading.Lock()
_turns = itertools.count()
# Seconds a check took, smoothed; shared through the cache so that every web
# process quotes the same figure. Before any check: the 0.5-0.6 s.
_CHECK_SECONDS_KEY = "password-check:seconds"
_DEFAULT_CHECK_SECONDS = 0.5


class PasswordChecksBusy(Exception):
    """This process already has as many sign-ins waiting as it lets wait."""


@contextlib.contextmanager
def waiting_seat():
    """A seat in this process's waiting room for this thread's coming password
    check, or PasswordChecksBusy at once when the room is full. The sign-in
    form takes it first, so that it knows before the check whether it waits."""
    if getattr(_local, "seated", False):
        yield
        return
    with _waiting_lock:
        if _waiting["count"] >= settings.PASSWORD_CHECKS_WAITING:
            raise PasswordChecksBusy
        _waiting["count"] += 1
    _local.seated = True
    try:
        yield
    finally:
        _local.seated = False
        with _waiting_lock:
            _waiting["count"] -= 1


@contextlib.contextmanager
def _waiting_room():
    # A seated sign-in is already counted; anything else (a password change)
    # is counted while it waits but never refused.
    if getattr(_local, "seated", False):
        yield
        return
    with _waiting_lock:
        _waiting["count"] += 1
    try:
        yield
    finally:
        with _waiting_lock:
            _waiting["count"] -= 1


def _record_check(seconds: float) -> None:
    """Smoothed with the figure every process shares (the cache), so that
    all of them quote the same wait."""
    previous = cache.get(_CHECK_SECONDS_KEY)
    smoothed = seconds if previous is None else 0.8 * previous + 0.2 * seconds
    cache.set(_CHECK_SECONDS_KEY, smoothed, 3600)


def check_seconds() -> float:
    """How long a password check holds its slot, as measured lately."""
    return cache.get(_CHECK_SECONDS_KEY) or _DEFAULT_CHECK_SECONDS


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
        started = time.perf_counter()
        try:
            yield
        finally:
            _local.held = False
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
            _record_check(time.perf_counter() - started)


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
