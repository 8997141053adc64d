"""待办: what waits on a person now, gathered from the apps that know.

The ground floor holds only the registry. Each domain app registers a
provider from its AppConfig.ready (``rounds/todo.py``, ``clues/todo.py``,
``rectification/todo.py``); a provider takes the user and returns the tasks
that user has, each counted with the app's own selectors (already scoped to
the user) and linked to a list page the user may open. The to-do page, the
home cards and the navbar count all read ``todo_for(user)``, so they agree.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


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
