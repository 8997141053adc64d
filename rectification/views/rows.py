"""The rows of the item ledger and the overdue list, written in Python
(xuncha/core/rows.py says why). Each function writes what the list's template
wrote for its rows, attribute for attribute; tests/test_list_rows.py holds the
two side by side."""

import datetime
from itertools import groupby

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rectification.models import Item, colour_windows, deadline_colour
from xuncha.core.rows import esc, label, labels, markup, truncate, url_maker, ymd

# What the rows show: the ledger's select_related also fetched the round and its
# office, and every column of the item, its problem and its organization.
ITEM_COLUMNS = (
    *("state", "kind", "deadline", "progress", "responsible_person"),
    *("organization__name", "transferred_to__name", "problem__description"),
)


def items_for_rows(items: QuerySet[Item]) -> QuerySet[Item]:
    return (
        items.select_related(None)
        .select_related("organization", "problem", "transferred_to")
        .only(*ITEM_COLUMNS)
    )


STATE_BADGES = {
    "closed": "text-bg-success",
    "accepted": "text-bg-success",
    "handed_in": "text-bg-info",
    "transferred": "text-bg-secondary",
    "planning": "text-bg-light border",
}


def _state_badge(item: Item, states: dict) -> str:
    badge = STATE_BADGES.get(item.state, "text-bg-primary")
    return f'<span class="badge {badge}">{label(states, item.state)}</span>'


def item_rows(items, *, today: datetime.date) -> SafeString:
    """``<tr>``s of the ledger (rectification/item_list.html's table)."""
    url = url_maker("rectification:item_detail")
    kinds = labels(Item, "kind")
    states = labels(Item, "state")
    transferred = esc(_("转办："))
    colours = {
        "red": f'<span class="badge text-bg-danger" data-colour="red">{esc(_("红色·已逾期"))}</span>',
        "yellow": '<span class="badge text-bg-warning" data-colour="yellow">'
        f"{esc(_('黄色·临期'))}</span>",
        "green": '<span class="badge text-bg-success" data-colour="green">'
        f"{esc(_('绿色·将到期'))}</span>",
    }
    windows = colour_windows(today)  # once a page, not once a row (Item.colour)
    rows = []
    for item in items:
        colour = deadline_colour(item.state, item.kind, item.deadline, today, windows)
        to = (
            f'<div class="text-muted">{transferred}{esc(item.transferred_to.name)}</div>'
            if item.transferred_to_id
            else ""
        )
        rows.append(
            f'<tr>\n<td><a href="{url(item.pk)}">{esc(truncate(item.problem.description, 40))}</a></td>\n'
            f'<td class="d-none d-md-table-cell small"><a class="link-secondary" '
            f'href="?organization={item.organization_id}">{esc(item.organization.name)}</a>{to}</td>\n'
            f'<td class="d-none d-lg-table-cell small">{label(kinds, item.kind)}</td>\n'
            f'<td class="d-none d-lg-table-cell small">{esc(item.responsible_person or "—")}</td>\n'
            f'<td class="text-nowrap small">{ymd(item.deadline) or "—"}</td>\n'
            f'<td class="text-end small">{item.progress}%</td>\n'
            f'<td><div class="d-flex flex-wrap gap-1">{_state_badge(item, states)}'
            f"{colours.get(colour, '')}</div></td>\n</tr>"
        )
    return markup(rows)


def overdue_rows(items, *, today: datetime.date, by_organization: bool) -> SafeString:
    """The overdue list's rows (rectification/overdue_list.html): ``<tr>``s, or,
    sorted by organization, one ``<tbody>`` per organization under its name."""
    url = url_maker("rectification:item_detail")
    states = labels(Item, "state")
    days_text: dict[int, str] = {}

    def row(item: Item) -> str:
        days = (today - item.deadline).days
        if days not in days_text:
            days_text[days] = esc(ngettext("%(days)s 天", "%(days)s 天", days) % {"days": days})
        organization = (
            ""
            if by_organization
            else f'<td class="d-none d-md-table-cell small">{esc(item.organization.name)}</td>\n'
        )
        return (
            f'<tr>\n<td><a href="{url(item.pk)}">{esc(truncate(item.problem.description, 40))}</a></td>\n'
            f"{organization}"
            f'<td class="d-none d-md-table-cell small">{esc(item.responsible_person or "—")}</td>\n'
            f'<td class="text-nowrap small">{ymd(item.deadline)}</td>\n'
            f'<td class="text-end text-danger small text-nowrap">{days_text[days]}</td>\n'
            f"<td>{_state_badge(item, states)}</td>\n</tr>"
        )

    if not by_organization:
        return markup(row(item) for item in items)
    ledger = esc(reverse("rectification:item_list"))
    groups = []
    for _pk, group in groupby(items, key=lambda item: item.organization_id):
        group = list(group)
        organization = group[0].organization
        groups.append(
            f'<tbody>\n<tr class="table-light"><th colspan="5"><a href="{ledger}?organization='
            f'{organization.pk}">{esc(organization.name)}</a> <span class="badge text-bg-danger">'
            f"{len(group)}</span></th></tr>\n" + "".join(row(item) for item in group) + "\n</tbody>"
        )
    return markup(groups)
