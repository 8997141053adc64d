"""What the office can import, each with its template and its resource.

The apps register their kinds from their ``AppConfig.ready()`` (organizations
and cadres in ``xuncha/orgs``, problems in ``rounds``, rectification items in
``rectification``), so this ground-floor machinery names no domain app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    # (header, required, example value): the template's two rows.
    columns: list[tuple[str, bool, Any]]
    resource: Callable[..., Any]  # (user) -> an import-export Resource
    help: str = ""
    # The organization import saves rows during the preview (so that later rows
    # can name earlier ones as parents), inside a transaction rolled back after.
    saves_in_preview: bool = False

    @property
    def headers(self) -> list[str]:
        return [header for header, _required, _example in self.columns]


# key -> (order, builder). A builder runs at each use, so an app's resource
# classes are imported only when someone imports or downloads a template.
_BUILDERS: dict[str, tuple[int, Callable[[], ImportKind]]] = {}


def register_kind(key: str, build: Callable[[], ImportKind], *, order: int) -> None:
    """Offer ``build()``'s kind under ``key``; the import page lists kinds by ``order``."""
    existing = _BUILDERS.get(key)
    if existing is not None and existing[1] is not build:
        raise ImproperlyConfigured(f"导入类型 {key!r} 被注册了两次。")
    _BUILDERS[key] = (order, build)


def get_kind(key: str) -> ImportKind:
    try:
        _order, build = _BUILDERS[key]
    except KeyError:
        raise LookupError(key) from None
    return build()


def all_kinds() -> list[ImportKind]:
    return [build() for _order, build in sorted(_BUILDERS.values(), key=lambda entry: entry[0])]
