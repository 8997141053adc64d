"""The kinds of list a round compares, and the fields a list's columns map to.

Every list, whatever its layout, is read into the same few fields (a person,
an enterprise, a role, a unit, an amount, a date), so one table holds them
all and every rule is one SQL join on that table. A kind says which fields
its lists usually carry; the mapping page offers every field anyway.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    PAYMENTS = "payments", _("奖补资金发放")
    ENTERPRISES = "enterprises", _("企业登记（法定代表人、股东、高管）")
    PERSONAL_REPORTS = "personal_reports", _("个人有关事项报告")
    CADRES = "cadres", _("干部及亲属")
    RELIEF = "relief", _("低保及救助对象")
    DECEASED = "deceased", _("死亡人员")
    ASSETS = "assets", _("车辆和房产登记")
    PAYROLL = "payroll", _("财政供养人员工资")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    # Header texts that usually mean this field: the first guess of a mapping.
    synonyms: tuple[str, ...]


FIELDS = (
    Field(
        "name", _("姓名"), ("姓名", "名字", "法定代表人", "股东姓名", "户主", "人员姓名", "收款人")
    ),
    Field(
        "id_number", _("身份证号"), ("身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证")
    ),
    Field("birth_date", _("出生日期"), ("出生日期", "出生年月", "生日")),
    Field("enterprise", _("企业名称"), ("企业名称", "单位名称", "收款单位", "企业", "公司名称")),
    Field("credit_code", _("统一社会信用代码"), ("统一社会信用代码", "信用代码", "社会信用代码")),
    Field(
        "role", _("身份/关系"), ("身份", "关系", "职务", "任职", "称谓", "人员类型", "与本人关系")
    ),
    Field("unit", _("工作单位"), ("工作单位", "单位", "发放单位", "所在单位", "登记机关")),
    Field("amount", _("金额"), ("金额", "发放金额", "补贴金额", "应发工资", "实发工资", "资金")),
    Field("date", _("日期"), ("日期", "发放日期", "死亡日期", "登记日期", "发放时间", "报告日期")),
    Field("note", _("备注"), ("备注", "说明", "项目名称", "资金名称", "车牌号", "房产坐落")),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)
FIELD_LABELS = {field.name: field.label for field in FIELDS}


def guess_mapping(headers: list[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """field → header: the mapping saved for this kind where its headers are
    present, else the first header that reads like the field."""
    saved = saved or {}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for field in FIELDS:
        if saved.get(field.name) in headers:
            mapping[field.name] = saved[field.name]
            taken.add(saved[field.name])
    for field in FIELDS:
        if field.name in mapping:
            continue
        for synonym in field.synonyms:
            if synonym in headers and synonym not in taken:
                mapping[field.name] = synonym
                taken.add(synonym)
                break
    return mapping
