"""The sign-in queue: in a morning rush, people sign in in the order they came.

The password checks take turns on the machine (accounts/hashers.py) and a web
process lets only a few sign-ins wait for one, so that waiting never holds all
of its threads. A sign-in that finds no seat is not left to a lottery of
retries: it gets a ticket, the next number of a counter in the cache (Redis in
production, shared by the web processes), and is told its place and an honest
wait: until its turn to go in (see SIGNIN_QUEUE_WINDOW below), at one
measured check time / the slots per person going in ahead of it. The page posts the form
again by itself when the wait is over (static/js/signin_queue.js); without
script the person clicks again. The ticket travels signed in a hidden field of
the form; the password stays in the browser, never here.

The order: a ticket may go in when fewer than ``SIGNIN_QUEUE_WINDOW`` earlier
tickets still *hold* their places; a sign-in without a ticket goes in only
when no ticket holds one. With a window of 1 the order is exact; the default
lets a ticket pass at most a few earlier ones. Why not exact: a person whose
turn has come is still refused when the web process their browser is
connected to has no free seat (the seats are per process, and a browser's
kept-alive connection brings it back to the same process), and with an exact
order everyone behind them then waited too: the first load test of an exact
order (100 people) gave sign-in p95 52 s. A
ticket holds its place until its turn plus ``SIGNIN_QUEUE_HOLD_SECONDS`` (a
few seconds: the browser comes back on time, and a closed tab must not stall
everyone behind it). A person who comes back later still has a valid ticket
for ``SIGNIN_QUEUE_KEEP_SECONDS`` and goes in ahead of newcomers, but no
longer blocks the others meanwhile. A ticket is used up when its sign-in gets
its seat, whatever the password then turns out to be.

With the cache down (FailOpenRedisCache reads nothing), nobody is queued:
sign-ins fall back to seat-or-retry, as before the queue.
"""

import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from xuncha.accounts.hashers import check_seconds

FIELD = "queue_ticket"
_SALT = "xuncha.accounts.signin-queue"
_ISSUED = "signin-queue:issued"
_HEAD = "signin-queue:head"  # every ticket below it holds no place any more
_SCAN = 2000  # the most tickets one request looks at
_FALLBACK_WAIT_SECONDS = 3  # when the cache cannot give out tickets


def _now() -> float:
    return time.time()


def _key(number: int) -> str:
    return f"signin-queue:ticket:{number}"


class NotYourTurn(Exception):
    """Earlier tickets still hold their places."""


@dataclass(frozen=True)
class Ticket:
    number: int
    secret: str


@dataclass(frozen=True)
class Place:
    """What a refused sign-in is told."""

    ticket: str  # signed, for the form's hidden field ("" without a queue)
    place: int  # 1: next
    wait_seconds: float

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.wait_seconds))

    @property
    def wait_ms(self) -> int:
        return round(self.wait_seconds * 1000)


def read_ticket(value: str | None) -> Ticket | None:
    """The ticket a form carries, if it is one of ours (whether it is still in
    the queue is the cache's to say: ``_valid``)."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_SALT)
        return Ticket(int(data["n"]), str(data["s"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _valid(ticket: Ticket | None) -> bool:
    """Still in the queue: given out here, not used, not past keeping."""
    if ticket is None:
        return False
    entry = cache.get(_key(ticket.number))
    return bool(entry) and entry.get("s") == ticket.secret


def _holding(first: int, last: int, now: float) -> list[int]:
    """The numbers from first to last whose tickets still hold their places."""
    if last < first:
        return []
    first = max(first, last - _SCAN + 1)
    found = cache.get_many([_key(n) for n in range(first, last + 1)])
    return sorted(
        int(key.rsplit(":", 1)[1]) for key, entry in found.items() if entry["hold_until"] > now
    )


def _head() -> int:
    return cache.get(_HEAD) or 1


def _move_head(head: int, to: int) -> None:
    if to > head:
        cache.set(_HEAD, to, None)


def take_turn(ticket: Ticket | None) -> Ticket | None:
    """NotYourTurn while someone came before this sign-in and still holds
    their place; otherwise the ticket that is going in (None: none needed)."""
    now = _now()
    head = _head()
    if _valid(ticket):
        ahead = _holding(head, ticket.number - 1, now)
        _move_head(head, ahead[0] if ahead else ticket.number)
        if len(ahead) >= settings.SIGNIN_QUEUE_WINDOW:
            raise NotYourTurn
        return ticket
    # Without a ticket (or with one used up or too old): behind every holder.
    issued = cache.get(_ISSUED) or 0
    holding = _holding(head, issued, now)
    if holding:
        _move_head(head, holding[0])
        raise NotYourTurn
    _move_head(head, issued + 1)
    return None


def used(ticket: Ticket | None) -> None:
    """The ticket's sign-in has its seat: the ticket is spent."""
    if ticket is not None:
        cache.delete(_key(ticket.number))


def wait_in_line(ticket: Ticket | None) -> Place:
    """A refused sign-in's place: its own ticket, kept, while valid; else a
    new one at the back. The wait is the work of everyone ahead of it."""
    now = _now()
    if not _valid(ticket):
        try:
            cache.add(_ISSUED, 0, None)
            number = cache.incr(_ISSUED)
        except ValueError:  # the cache is down (or was emptied between the two)
            return Place("", 1, _FALLBACK_WAIT_SECONDS)
        ticket = Ticket(number, secrets.token_urlsafe(8))
    ahead = len(_holding(_head(), ticket.number - 1, now))
    # Back when the window reaches it: once all but WINDOW-1 of those ahead
    # have gone in, one a check's time / slots. Quoting the whole queue ahead
    # brought people back when the seats had already run empty (200 people:
    # the rush took 200 s where the checks needed 108 s).
    turns = max(ahead - settings.SIGNIN_QUEUE_WINDOW + 2, 1)
    wait = turns * check_seconds() / settings.PASSWORD_CHECK_SLOTS
    place = ahead + 1
    cache.set(
        _key(ticket.number),
        {"s": ticket.secret, "hold_until": now + wait + settings.SIGNIN_QUEUE_HOLD_SECONDS},
        math.ceil(wait + settings.SIGNIN_QUEUE_KEEP_SECONDS),
    )
    signed = signing.dumps({"n": ticket.number, "s": ticket.secret}, salt=_SALT)
    return Place(signed, place, wait)
