"""What the office can import, each with its template and its importer.

The apps register their kinds from their ``AppConfig.ready()`` (organizations
and cadres in ``xuncha/orgs``, rounds and problems in ``rounds``, clues in
``clues``, rectification items in ``rectification``), so this ground-floor
machinery names no domain app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from xuncha.imports.engine import EXAMPLE_COLUMN, Column, Importer


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    columns: list[Column]
    importer: Callable[..., Importer]  # (user) -> Importer
    help: str = ""
    # In words: how a row is recognised (stated on the 填写说明 sheet).
    natural_key: str = ""

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    @property
    def template_columns(self) -> list[Column]:
        """The template's columns: 序号 first, whose 示例 marks the example row."""
        marker = Column(EXAMPLE_COLUMN, False, "示例", note="可不填；填“示例”的行不导入。")
        return [marker, *self.columns]


# key -> (order, builder). A builder runs at each use, so an app's import
# code is loaded only when someone imports or downloads a template.
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
