"""Password checks take turns: PBKDF2 stays as strong as Django makes it, the
hashes are Django's own, and two sign-ins never hash at the same time."""

import threading
import time

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from xuncha.accounts import hashers

QUEUED = ["xuncha.accounts.hashers.QueuedPBKDF2PasswordHasher"]


def test_the_queued_hasher_is_django_pbkdf2_unweakened():
    assert hashers.QueuedPBKDF2PasswordHasher.algorithm == PBKDF2PasswordHasher.algorithm
    assert hashers.QueuedPBKDF2PasswordHasher.iterations == PBKDF2PasswordHasher.iterations
    assert hashers.QueuedPBKDF2PasswordHasher.iterations >= 1_000_000


def test_django_hashes_still_verify_and_new_ones_are_django_pbkdf2(settings):
    settings.PASSWORD_HASHERS = QUEUED
    plain = PBKDF2PasswordHasher().encode("Xuncha-2026!", "somesalt", iterations=1000)
    assert check_password("Xuncha-2026!", plain)
    assert not check_password("wrong", plain)
    made = make_password("Xuncha-2026!")
    assert made.startswith(f"pbkdf2_sha256${PBKDF2PasswordHasher.iterations}$")


def test_two_checks_never_run_at_once(settings, monkeypatch):
    settings.PASSWORD_HASHERS = QUEUED
    encoded = PBKDF2PasswordHasher().encode("pw", "salt1234", iterations=1000)
    running, most = [0], [0]
    lock = threading.Lock()
    original = PBKDF2PasswordHasher.verify

    def slow_verify(self, password, encoded):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        try:
            return original(self, password, encoded)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(PBKDF2PasswordHasher, "verify", slow_verify)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(check_password("pw", encoded)))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 5
    assert most[0] == 1
