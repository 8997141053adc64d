"""待办: what waits on a person now, gathered from the apps that know.

The ground floor holds only the registry. Each domain app registers a
provider from its AppConfig.ready (``rounds/todo.py``, ``clues/todo.py``,
``rectification/todo.py``); a provider takes the user and returns the tasks
that user has, each counted with the app's own selectors (already scoped to
the user) and linked to a list page the user may open. The to-do page, the
home cards and the navbar count all read ``todo_for(user)``, so they agree
(the navbar's through a short-lived cache, see ``cached_todo_count``).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Task:
    """One kind of work waiting on the user: "3 个问题待审核" and where to do it."""

    title: str
    count: int
    url: str
    text: str = ""
    # Shown on the page but not added to the navbar count (a headline, not a task).
    informational: bool = False


Provider = Callable[..., Iterable[Task]]
_providers: list[Provider] = []


def register_todo(provider: Provider) -> Provider:
    """Add a provider; usable as a decorator. Registering twice is harmless."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def todo_for(user) -> list[Task]:
    """Every task the providers give this user, in registration order."""
    if not user.is_authenticated:
        return []
    return [task for provider in _providers for task in provider(user)]


def todo_count(tasks: Iterable[Task]) -> int:
    return sum(task.count for task in tasks if not task.informational)


# --- The navbar's count, cached -------------------------------------------------
#
# Every page shows the count; computing it runs every provider (a dozen
# queries). It is kept per person for COUNT_SECONDS, and every hand-off or
# resolution (xuncha.notifications.services, where the apps' workflows tell
# the next person) starts a new generation, so a count never lags a hand-off.
# A change that tells nobody (a deadline passing) shows within COUNT_SECONDS.
# With the cache down (it fails open) the count is simply computed.

COUNT_SECONDS = 60
GENERATION_KEY = "todo:generation"


def _count_key(user, generation) -> str:
    return f"todo:count:{user.pk}:{generation or 0}"


def cached_todo_count(user, *, compute: bool = True) -> int | None:
    """The user's navbar count from the cache; computed and kept when missing,
    or None then if ``compute`` is False (the page asks htmx for it instead)."""
    generation = cache.get(GENERATION_KEY)
    count = cache.get(_count_key(user, generation))
    if count is None and compute:
        count = remember_todo_count(user, todo_count(todo_for(user)), generation=generation)
    return count


def remember_todo_count(user, count: int, *, generation=None) -> int:
    if generation is None:
        generation = cache.get(GENERATION_KEY)
    cache.set(_count_key(user, generation), count, COUNT_SECONDS)
    return count


def todo_changed() -> None:
    """Someone's to-do changed: every cached count is stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (or the cache is down)
        cache.set(GENERATION_KEY, 1, None)
