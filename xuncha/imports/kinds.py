"""What the office can import, each with its template and its resource."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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


def _problems() -> ImportKind:
    from rounds.resources import IMPORT_COLUMNS, ProblemImportResource

    return ImportKind(
        "problems",
        "发现问题",
        IMPORT_COLUMNS,
        lambda user: ProblemImportResource(user=user),
        "历次巡察发现的问题。巡察对象填“巡察对象编号”，或填组织编码加届次、轮次；"
        "问题类别填编码或名称；问题状态可填“列入报告”或“已反馈”，不填时按巡察对象是否已反馈确定。",
    )


def _items() -> ImportKind:
    from rectification.resources import IMPORT_COLUMNS, ItemImportResource

    return ImportKind(
        "items",
        "整改台账",
        IMPORT_COLUMNS,
        lambda user: ItemImportResource(user=user),
        "已反馈问题的整改事项及其台账状态。问题填“问题编号”，或填该巡察对象已反馈问题的完整描述；"
        "整改方案尚未编制的，导入时自动建立。",
    )


def _organizations() -> ImportKind:
    from xuncha.orgs.resources import OrganizationResource

    return ImportKind(
        "organizations",
        "党组织",
        [
            ("组织编码", True, "370100-001"),
            ("党组织名称", True, "中共某市财政局党组"),
            ("单位简称", False, "市财政局"),
            ("上级组织编码", False, ""),
            ("组织类别", True, "党组"),
            ("领域", True, "党政机关"),
            ("层级", True, "市直"),
            ("所属区县（市）", False, ""),
            ("主要负责人", False, "周建国"),
            ("主要负责人职务", False, "党组书记、局长"),
        ],
        lambda user: OrganizationResource(user=user),
        "按组织编码识别：已有的组织更新，新的组织新增。",
        saves_in_preview=True,
    )


def _cadres() -> ImportKind:
    from xuncha.orgs.resources import CadreResource

    return ImportKind(
        "cadres",
        "干部",
        [
            ("干部编号", True, "GB0001"),
            ("姓名", True, "张三"),
            ("性别", False, "男"),
            ("所在单位编码", True, "370100-001"),
            ("职务", True, "科长"),
            ("职级", True, "科级"),
            ("组长库", False, "否"),
            ("人才库", False, "是"),
            ("专业特长", False, "财务、审计"),
            ("联系电话", False, ""),
        ],
        lambda user: CadreResource(user=user),
        "按干部编号识别：已有的干部更新，新的干部新增。",
        saves_in_preview=True,
    )


_BUILDERS = {
    "problems": _problems,
    "items": _items,
    "organizations": _organizations,
    "cadres": _cadres,
}
ORDER = list(_BUILDERS)


def get_kind(key: str) -> ImportKind:
    try:
        return _BUILDERS[key]()
    except KeyError:
        raise LookupError(key) from None


def all_kinds() -> list[ImportKind]:
    return [_BUILDERS[key]() for key in ORDER]
