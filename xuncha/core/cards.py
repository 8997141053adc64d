"""The home page's cards, registered by the apps that know what they count.

Each app registers, from its ``AppConfig.ready()``, the card builders of the
roles it serves; the home page (``portal/home.py``) asks :func:`cards_for`.
This registry lives on the ground floor so that a domain app can fill it
without importing the top layer, and the top layer need not import the
domain apps' internals to show their figures.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from xuncha.accounts.roles import Role


@dataclass(frozen=True)
class Card:
    title: str
    text: str
    figure: int | str | None = None
    url: str = ""
    link_text: str = ""

    @property
    def figure_is_number(self) -> bool:
        return isinstance(self.figure, int)


CardBuilder = Callable[..., list[Card]]  # (user) -> the cards, [] when none apply

# role -> [(order, builder)]; the order places one app's cards among another's.
_BUILDERS: dict[Role, list[tuple[int, CardBuilder]]] = {role: [] for role in Role}


def register_cards(roles: Iterable[Role], build: CardBuilder, *, order: int) -> None:
    """Show ``build(user)``'s cards to each of ``roles``; lower ``order`` first.
    Registering the same builder again for a role is a no-op (ready() may rerun)."""
    for role in roles:
        entries = _BUILDERS[Role(role)]
        if any(existing is build for _order, existing in entries):
            continue
        if any(existing_order == order for existing_order, _existing in entries):
            raise ImproperlyConfigured(f"两组首页卡片对角色 {role} 使用了相同的顺序号 {order}。")
        entries.append((order, build))
        entries.sort(key=lambda entry: entry[0])


def cards_for(user) -> list[Card]:
    """The cards of every role the user holds, role by role in ``Role`` order;
    a builder shared by two of the user's roles contributes once."""
    cards: list[Card] = []
    seen: set[int] = set()
    roles = user.roles
    for role in Role:
        if role not in roles:
            continue
        for _order, build in _BUILDERS[role]:
            if id(build) in seen:
                continue
            seen.add(id(build))
            cards.extend(build(user))
    return cards
