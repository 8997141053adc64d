"""Links on a round's page to the features built on rounds (大数据比对, say).

The round page cannot import the apps above it; each registers its link here
(in its AppConfig.ready) with the test of who may follow it, and the page
shows the links the person may use."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class RoundLink:
    label: str
    url_name: str  # takes the round's pk
    icon: str
    visible: Callable  # (user, round) -> bool


_LINKS: list[RoundLink] = []


def register_round_link(link: RoundLink) -> None:
    if all(existing.url_name != link.url_name for existing in _LINKS):
        _LINKS.append(link)


def round_links(user, round_) -> list[dict]:
    return [
        {"label": link.label, "url": reverse(link.url_name, args=[round_.pk]), "icon": link.icon}
        for link in _LINKS
        if link.visible(user, round_)
    ]
