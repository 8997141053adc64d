"""Password checks take turns: PBKDF2 stays as strong as Django makes it, the
hashes are Django's own, and no more sign-ins hash at once than the machine
has slots for."""

import re
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


def _most_checks_at_once(monkeypatch, people: int) -> int:
    """Sign ``people`` in at once (threads); how many PBKDF2 checks ran together."""
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
        for _ in range(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * people
    return most[0]


def test_with_one_slot_two_checks_never_run_at_once(settings, monkeypatch):
    settings.PASSWORD_HASHERS = QUEUED
    settings.PASSWORD_CHECK_SLOTS = 1
    assert _most_checks_at_once(monkeypatch, 5) == 1


def test_the_machine_may_run_as_many_checks_as_it_has_slots(settings, monkeypatch):
    settings.PASSWORD_HASHERS = QUEUED
    settings.PASSWORD_CHECK_SLOTS = 2
    assert _most_checks_at_once(monkeypatch, 6) == 2


def test_a_full_waiting_room_asks_the_next_sign_in_to_retry(settings, client, db):
    import fcntl

    from django.urls import reverse

    from tests.factories import make_user
    from xuncha.accounts.roles import Role

    settings.PASSWORD_HASHERS = QUEUED
    settings.PASSWORD_CHECKS_WAITING = 1
    settings.PASSWORD_CHECK_SLOTS = 1  # the one slot is held below
    user = make_user(Role.OFFICE)
    user.set_password("Xuncha-queue-2026")
    user.save()
    encoded = user.password
    waited = []

    with (settings.DATA_DIR / "password-check.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a check under way somewhere on the machine

        def waiting_sign_in():
            with hashers.waiting_seat():
                waited.append(check_password("Xuncha-queue-2026", encoded))

        waiter = threading.Thread(target=waiting_sign_in)
        waiter.start()
        while hashers._waiting["count"] < 1:  # the room's one seat is taken
            time.sleep(0.01)
        response = client.post(
            reverse("accounts:login"),
            {"username": user.username, "password": "Xuncha-queue-2026"},
        )
        assert response.status_code == 429
        assert int(response["Retry-After"]) >= 1
        assert "登录人数较多" in response.content.decode()
        assert "第 1 位" in response.content.decode()
        assert "_auth_user_id" not in client.session
        fcntl.flock(held, fcntl.LOCK_UN)
    waiter.join(timeout=30)
    assert waited == [True]  # the one waiting got through once the check was done

    # With the room free again, the same sign-in goes through (with the
    # ticket it was given: it holds the first place in the queue).
    ticket = re.search(r'name="queue_ticket" value="([^"]+)"', response.content.decode())[1]
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": "Xuncha-queue-2026", "queue_ticket": ticket},
    )
    assert response.status_code == 302
