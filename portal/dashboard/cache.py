"""The dashboard's figures, cached per scope and office for at most a minute.

Every key carries a *generation* number. Saving or deleting any record the
figures count bumps it, so the next view computes afresh instead of waiting
for the timeout; the timeout bounds what the signals cannot see (queryset
``update()`` and ``bulk_create`` send none, and a LocMemCache bump reaches
only its own process), so a figure is never more than a minute old.

The bump happens both at once and again after the transaction commits: a
view that runs between the save and the commit still reads the old rows, and
without the second bump it would cache them under the new generation.
"""

import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

CACHE_SECONDS = 60
GENERATION_KEY = "dashboard:generation"
KEY_VERSION = 1


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Start from the clock, not from 1: if the cache ever drops this key,
        # a restarted count must not meet entries left from the old one.
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # the key is missing: any new value invalidates
        cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)


def figures_key(office_key: str, scope_key: str) -> str:
    return (
        f"dashboard:figures:v{KEY_VERSION}:{generation()}:{office_key}:{get_language()}:{scope_key}"
    )


def cached_figures(office_key: str, scope_key: str, compute: Callable[[], dict]) -> dict:
    key = figures_key(office_key, scope_key)
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def _changed(sender, **kwargs) -> None:
    bump_generation()
    if connection.in_atomic_block:
        transaction.on_commit(bump_generation)


def watched_models() -> list:
    from clues.models import Clue, Disposition
    from rectification.models import Item, LedgerEntry, Plan
    from rounds.models import Problem, Round, Target
    from xuncha.orgs.models import Organization

    # LedgerEntry and Plan: the ledger moves an item with update(), and a
    # plan's review starts its items the same way; each leaves an entry or a
    # saved plan behind. Round: its term and year place targets in a scope.
    return [Problem, Target, Round, Clue, Disposition, Item, LedgerEntry, Plan, Organization]


def connect_invalidation() -> None:
    for model in watched_models():
        uid = f"dashboard-invalidate-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
