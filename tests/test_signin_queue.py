"""The sign-in queue: in a rush, people sign in in the order they came, are told
their place and an honest wait, and nothing of the password is kept."""

import pickle
import re

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse

from tests.factories import PASSWORD, make_user
from xuncha.accounts import hashers, signin_queue
from xuncha.accounts.roles import Role

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
TICKET = re.compile(r'name="queue_ticket" value="([^"]+)"')


@pytest.fixture
def clock(monkeypatch):
    """The queue's clock, moved by hand."""
    now = [1_000_000.0]
    monkeypatch.setattr(signin_queue, "_now", lambda: now[0])
    return now


@pytest.fixture
def room(monkeypatch, settings):
    """This process's waiting room: full or free, as the test says."""
    settings.PASSWORD_CHECKS_WAITING = 2
    settings.PASSWORD_CHECK_SLOTS = 2
    settings.SIGNIN_QUEUE_HOLD_SECONDS = 2
    settings.SIGNIN_QUEUE_WINDOW = 1  # exact order, unless a test says otherwise

    class Room:
        def fill(self):
            monkeypatch.setitem(hashers._waiting, "count", settings.PASSWORD_CHECKS_WAITING)

        def free(self):
            monkeypatch.setitem(hashers._waiting, "count", 0)

    # A check takes 3 s here: a place is 1.5 s of waiting on 2 slots.
    cache.set(hashers._CHECK_SECONDS_KEY, 3.0, 3600)
    monkeypatch.setattr(hashers, "_record_check", lambda seconds: None)
    return Room()


def person():
    person.count = getattr(person, "count", 0) + 1
    return make_user(Role.OFFICE, username=f"rush{person.count}")


def sign_in(client, username, ticket="", password=PASSWORD, **headers):
    data = {"username": username, "password": password}
    if ticket:
        data["queue_ticket"] = ticket
    return client.post(LOGIN, data, **headers)


def ticket_of(response) -> str:
    return TICKET.search(response.content.decode())[1]


def test_a_refused_sign_in_is_told_its_place_and_wait_in_chinese(client, room, clock):
    room.fill()
    first = person()
    second = person()

    response = sign_in(client, first.username)
    assert response.status_code == 429
    assert response["Retry-After"] == "2"  # 1 place x 3 s / 2 slots = 1.5 s, rounded up
    page = response.content.decode()
    assert "登录人数较多" in page
    assert "第 1 位" in page and "约 2 秒" in page
    assert 'data-retry-ms="1500"' in page
    assert ticket_of(response)
    assert "_auth_user_id" not in client.session

    response = sign_in(client, second.username)
    assert response.status_code == 429
    assert response["Retry-After"] == "3"  # 2 places x 3 s / 2 slots
    assert "第 2 位" in response.content.decode()


def test_tickets_go_in_in_order_and_newcomers_do_not_jump_ahead(client, room, clock):
    first, second, newcomer = (person() for _ in range(3))
    room.fill()
    ticket_1 = ticket_of(sign_in(client, first.username))
    ticket_2 = ticket_of(sign_in(client, second.username))
    room.free()
    clock[0] += 3  # both waits are over; ticket 1 is not back yet but holds its place

    response = sign_in(client, second.username, ticket_2)
    assert response.status_code == 429
    assert "第 2 位" in response.content.decode()  # still behind ticket 1
    assert signin_queue.read_ticket(ticket_of(response)) == signin_queue.read_ticket(ticket_2)

    response = sign_in(client, newcomer.username)
    assert response.status_code == 429
    assert "第 3 位" in response.content.decode()  # at the back

    assert sign_in(client, first.username, ticket_1).status_code == 302
    client.logout()
    assert sign_in(client, second.username, ticket_2).status_code == 302
    client.logout()
    # The newcomer's ticket 3 still holds its place: a sign-in without one waits behind it.
    assert "第 2 位" in sign_in(client, person().username).content.decode()


def test_a_window_lets_a_ticket_pass_a_few_earlier_ones_but_no_more(client, room, clock, settings):
    settings.SIGNIN_QUEUE_WINDOW = 2
    people = [person() for _ in range(3)]
    room.fill()
    tickets = [ticket_of(sign_in(client, who.username)) for who in people]
    room.free()
    # Ticket 3 has two earlier tickets holding their places: not yet. It is
    # third, and is told to come back when one of the two has gone in (then
    # it is in the window), one check's time / slots later: 2 x 1.5 s.
    response = sign_in(client, people[2].username, tickets[2])
    assert response.status_code == 429
    assert "第 3 位" in response.content.decode()
    assert response["Retry-After"] == "3"
    # Ticket 2 has one: it may pass ticket 1.
    assert sign_in(client, people[1].username, tickets[1]).status_code == 302
    client.logout()
    assert sign_in(client, people[2].username, tickets[2]).status_code == 302
    client.logout()
    # A newcomer still waits while ticket 1 holds its place.
    assert sign_in(client, person().username).status_code == 429


def test_a_ticket_that_is_not_back_in_time_stops_holding_up_the_queue(client, room, clock):
    gone, waiting = person(), person()
    room.fill()
    ticket_gone = ticket_of(sign_in(client, gone.username))
    ticket_waiting = ticket_of(sign_in(client, waiting.username))
    room.free()

    clock[0] += 1.5 + 2 + 0.1  # ticket 1's turn and the hold are past
    assert sign_in(client, waiting.username, ticket_waiting).status_code == 302
    client.logout()
    # A newcomer is not held up by it either.
    assert sign_in(client, person().username).status_code == 302
    client.logout()
    # Its holder, back late, still goes in with it.
    assert sign_in(client, gone.username, ticket_gone).status_code == 302


def test_a_used_or_forged_ticket_counts_as_none(client, room, clock):
    user, other = person(), person()
    room.fill()
    ticket = ticket_of(sign_in(client, user.username))
    ticket_of(sign_in(client, other.username))  # ticket 2 waits behind it
    room.free()
    assert sign_in(client, user.username, ticket).status_code == 302
    client.logout()

    room.fill()
    again = sign_in(client, user.username, ticket)  # spent: a new place at the back
    assert "第 2 位" in again.content.decode()
    assert signin_queue.read_ticket(ticket_of(again)).number == 3
    assert signin_queue.read_ticket(ticket[:-2] + "xx") is None
    assert signin_queue.read_ticket("1") is None


def test_nothing_of_the_password_is_kept_in_cookies_or_cache(client, room, clock):
    user = person()
    room.fill()
    response = sign_in(client, user.username)
    ticket = ticket_of(response)
    assert PASSWORD not in ticket
    for cookie in client.cookies.values():
        assert PASSWORD not in cookie.value
    stored = b"".join(cache._cache.values()) + b"".join(pickle.dumps(key) for key in cache._cache)
    assert PASSWORD.encode() not in stored
    assert PASSWORD not in response.content.decode()  # the field is not filled back in


def test_a_refused_sign_in_counts_no_failure_and_an_admitted_one_counts_once(client, room, clock):
    user = person()
    room.fill()
    ticket = ""
    for _ in range(3):
        response = sign_in(client, user.username, ticket, password="wrong-password")
        assert response.status_code == 429
        ticket = ticket_of(response)
    assert not AccessAttempt.objects.filter(username=user.username).exists()

    room.free()
    response = sign_in(client, user.username, ticket, password="wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.failures_since_start == 1


def test_the_page_script_is_told_where_to_go_instead_of_redirected(client, room, clock):
    user = person()
    response = sign_in(client, user.username, HTTP_X_SIGNIN_QUEUE="1")
    assert response.status_code == 204
    assert response["X-Signin-Next"]
    assert "_auth_user_id" in client.session


def test_the_waiting_room_seat_is_given_back(room):
    room.free()
    with hashers.waiting_seat():
        assert hashers._waiting["count"] == 1
        with hashers.waiting_seat():  # the check inside the same sign-in: no second seat
            assert hashers._waiting["count"] == 1
    assert hashers._waiting["count"] == 0
    room.fill()
    with pytest.raises(hashers.PasswordChecksBusy), hashers.waiting_seat():
        pass
