"""The options of the lists' filter selects, kept for a minute.

Every list page offers the rounds, districts, categories or departments a
person may filter by. Reading them was a query per select on every page
view (a server-side cursor each, for a ModelChoiceField), a good part of a
list page's CPU, for options that change a few times a term.

They are kept per scope (a person, or everyone where all see the same) and
language. Any save or delete of a model they are read from starts a new
generation (``watch``), so a new round is offered on the next page. A change
that sends no signal (a bulk import) shows within CHOICES_SECONDS. With the
cache down (it fails open) the options are read as before.

Only the options are cached: a submitted value is still checked against the
person's own queryset, so a cached option can never widen what they reach.
"""

from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

CHOICES_SECONDS = 60
GENERATION_KEY = "choices:generation"

Choices = list[tuple[object, str]]


def cached_choices(name: str, scope: str, build: Callable[[], Iterable[tuple]]) -> Choices:
    """``build()``'s (value, label) pairs, from the cache when they are of the
    current generation. ``scope`` must hold everything the options depend on
    besides the watched models and the language (the person, their office,
    their roles)."""
    key = f"choices:{name}:{scope}:{get_language()}"
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY) or 0
    stored = found.get(key)
    if stored is not None and stored[0] == generation:
        return stored[1]
    choices = [(value, str(label)) for value, label in build()]
    cache.set(key, (generation, choices), CHOICES_SECONDS)
    return choices


def choices_changed(**_signal) -> None:
    """A new generation now, and another once committed: a page read in
    between could otherwise keep the old options for CHOICES_SECONDS."""
    _next_generation()
    transaction.on_commit(_next_generation)


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet, or the cache is down
        cache.set(GENERATION_KEY, 1, None)


def watch(*models) -> None:
    """A save or delete of any of ``models`` starts a new generation. Called
    from the owning app's ready(); connecting twice is harmless."""
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(
                choices_changed,
                sender=model,
                dispatch_uid=f"choices:{signal is post_save}:{model._meta.label}",
            )


def user_scope(user) -> str:
    """What a person's own options depend on besides the watched models."""
    roles = ",".join(sorted(user.roles))
    return f"{user.pk}:{user.office_id or 0}:{user.organization_id or 0}:{roles}"
