"""Table rows written in Python for the busiest list pages.

A list page's CPU is what caps the server (issue #18), and the template
engine's per-row work was most of it: some twenty variable lookups, the
choice labels, a ``reverse()`` for each row's link and the date and
truncation filters cost about 0.3 ms a row, 15 ms for a page of 50. The
page frame (header, filters, pagination) stays in its template; the rows of
the five lists people open most are written by a function beside each view
(``rounds/views/rows.py``, ``rectification/views/rows.py``, ``clues/views/rows.py``)
with the helpers below, which give exactly what the template filters gave:

- ``esc``: ``django.utils.html.escape`` (which is ``html.escape(str(value))``),
  without wrapping each cell in a SafeString. Every value a person typed and
  every translated word goes through it, as autoescaping did.
- ``labels``: a choice field's labels in the active language, escaped, looked
  up once per page instead of translated per row.
- ``url_maker``: one ``reverse()`` per page; each row's pk is put into it.
- ``ymd``: the ``date:"Y-m-d"`` filter ("" for None, local time for a datetime).
- ``truncate``: the ``truncatechars`` filter (the ellipsis counts).

Tests (tests/test_list_rows.py) render each list's rows both ways, the old
template markup and these functions, and compare them.
"""

import datetime
import html
import unicodedata
from collections.abc import Callable, Iterable

from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator, add_truncation_text

# A pk no table reaches, to find where a detail URL puts its pk.
_SENTINEL = 9_007_199_254_740_993


class Names(dict):
    """Names by id from a cached map (rounds.selectors.round_names and the
    like: the rows name their round or department without joining it); one
    not yet in the map (made a moment ago in another process) is read by id."""

    def __init__(self, names: dict[int, str], model: type[Model]):
        super().__init__(names)
        self.model = model

    def __missing__(self, pk: int) -> str:
        self[pk] = self.model.objects.get(pk=pk).name
        return self[pk]


def markup(parts: Iterable[str], separator: str = "\n") -> SafeString:
    """Rows put together for ``{{ rows }}``: each part was written from ``esc``aped
    values and fixed markup, so the whole is safe; nothing else is marked safe."""
    return mark_safe(separator.join(parts))  # noqa: S308


def esc(value) -> str:
    """``django.utils.html.escape`` as a plain str (& < > " ' → entities)."""
    return html.escape(str(value), quote=True)


def labels(model: type[Model], field_name: str) -> dict:
    """A choice field's labels, translated into the active language and escaped."""
    field = model._meta.get_field(field_name)
    return {value: esc(label) for value, label in field.flatchoices}


def label(choices: dict, value) -> str:
    """``get_FOO_display``: the label, or the stored value when it has none."""
    found = choices.get(value)
    return esc(value) if found is None else found


def url_maker(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for every pk, from one ``reverse()``; escaped
    as ``href="{{ obj.get_absolute_url }}"`` was."""
    prefix, suffix = esc(reverse(name, args=[_SENTINEL])).split(str(_SENTINEL))
    return lambda pk: f"{prefix}{pk}{suffix}"


def ymd(value: datetime.date | datetime.datetime | None) -> str:
    """The ``date:"Y-m-d"`` filter: "" for None, a datetime in local time."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().isoformat()
    return value.isoformat()


def truncate(value, length: int) -> str:
    """The ``truncatechars`` filter: at most ``length`` characters, the ellipsis
    ("…", or its translation) counted among them."""
    text = unicodedata.normalize("NFC", str(value))
    if len(text) <= length:
        return text
    if any(map(unicodedata.combining, text)):
        # Combining characters do not count: Django's own loop knows how.
        return Truncator(text).chars(length)
    ellipsis = add_truncation_text("")
    keep = length - sum(1 for char in ellipsis if not unicodedata.combining(char))
    return add_truncation_text(text[: max(keep, 0)])
