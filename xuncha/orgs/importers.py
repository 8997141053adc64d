"""The import page's organization and cadre imports (xuncha.imports).

Master data: a row whose code is already in the system updates it (or is
unchanged); a code given twice in one file is refused. An optional column
left out of the sheet leaves that field as it is. Each row is saved through
organization_save / cadre_save, marked as imported in the audit log.
(The admin's import buttons keep using xuncha.orgs.resources.)
"""

from django.core.exceptions import ValidationError

from xuncha.imports.engine import (
    NEW,
    REFUSED,
    UNCHANGED,
    UPDATED,
    Column,
    Importer,
    Parsed,
    Row,
    labels,
)
from xuncha.imports.kinds import ImportKind, register_kind
from xuncha.orgs.models import Cadre, Organization, Region, Specialty
from xuncha.orgs.services import cadre_save, organization_import_check, organization_save

NAME_SEPARATORS = (",", "，", ";", "；")


def _refuse(row: Row, error: ValidationError, columns: dict[str, str]) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                row.refuse(columns.get(field, ""), message)
    else:
        for message in error.messages:
            row.refuse("", message)


class _MasterData(Importer):
    """Rows keyed by a code; the fields a row gives are compared with the
    stored ones (for an update, only the columns the sheet has)."""

    updates = True
    model = None
    FIELDS: dict[str, str] = {}  # model field -> column

    def existing_by_code(self, codes: list[str]) -> dict:
        return {obj.code: obj for obj in self.model.objects.filter(code__in=codes)}

    def current(self, obj, field: str):
        return getattr(obj, field)

    def classify(self, rows: list[Parsed]) -> None:
        existing = self.existing_by_code([row.key[0] for row in rows])
        for row in rows:
            obj = existing.get(row.key[0])
            if obj is None:
                row.status = NEW
                continue
            row.existing = obj
            changed = {
                field: value
                for field, value in row.values.items()
                if self.current(obj, field) != value
            }
            row.status = UPDATED if changed else UNCHANGED


class OrganizationImporter(_MasterData):
    natural_key = "组织编码"
    model = Organization
    FIELDS = {
        "code": "组织编码",
        "name": "党组织名称",
        "short_name": "单位简称",
        "parent_code": "上级组织编码",
        "kind": "组织类别",
        "sector": "领域",
        "level": "层级",
        "region": "所属区县（市）",
        "leader_name": "主要负责人",
        "leader_title": "主要负责人职务",
    }

    def __init__(self, user):
        super().__init__(user)
        self.regions = {region.name: region for region in Region.objects.all()}
        self.codes_in_file: set[str] = set()
        self.parent_codes: set[str] = set()

    def current(self, obj, field: str):
        if field == "parent_code":
            return obj.parent.code if obj.parent_id else ""
        return getattr(obj, field)

    def parse(self, row: Row) -> Parsed | None:
        given = set(row.cells)
        values = {
            "code": row.text("组织编码", required=True, max_length=30),
            "name": row.text("党组织名称", required=True, max_length=200),
            "kind": row.choice("组织类别", Organization.Kind.choices),
            "sector": row.choice("领域", Organization.Sector.choices),
            "level": row.choice("层级", Organization.Level.choices),
        }
        optional = {
            "short_name": row.text("单位简称", max_length=100),
            "parent_code": row.text("上级组织编码"),
            "leader_name": row.text("主要负责人", max_length=50),
            "leader_title": row.text("主要负责人职务", max_length=100),
        }
        region_name = row.text("所属区县（市）")
        region = self.regions.get(region_name) if region_name else None
        if region_name and region is None:
            row.refuse("所属区县（市）", f"区县（市）「{region_name}」不存在。")
        optional["region"] = region
        values.update(
            {field: value for field, value in optional.items() if self.FIELDS[field] in given}
        )
        if values.get("parent_code") and values["parent_code"] == values["code"]:
            row.refuse("上级组织编码", "上级组织不能是自己。")
        if row.errors:
            return None
        probe = Organization(
            **{k: v for k, v in values.items() if k not in ("parent_code", "region")},
            region=values.get("region"),
        )
        try:
            organization_import_check(probe, self.user)
        except ValidationError as error:
            _refuse(row, error, self.FIELDS)
            return None
        self.codes_in_file.add(values["code"])
        if values.get("parent_code"):
            self.parent_codes.add(values["parent_code"])
        return Parsed(row.number, (values["code"],), f"{values['code']}｜{values['name']}", values)

    def classify(self, rows: list[Parsed]) -> None:
        # A parent named by code must be in the system or in the same file.
        known = set(
            Organization.objects.filter(code__in=self.parent_codes).values_list("code", flat=True)
        )
        for row in rows:
            parent = row.values.get("parent_code")
            if parent and parent not in known and parent not in self.codes_in_file:
                row.refuse("上级组织编码", f"上级组织编码「{parent}」不存在。")
        super().classify([row for row in rows if row.status != REFUSED])

    def write(self, rows: list[Parsed], *, job) -> dict:
        by_code = {row.key[0]: row for row in rows}
        saved: dict[str, Organization] = {}
        counts = {"created": 0, "updated": 0}

        def save(row: Parsed, seen: tuple = ()) -> Organization:
            code = row.key[0]
            if code in saved:
                return saved[code]
            values = dict(row.values)
            parent_code = values.pop("parent_code", None)
            organization = row.existing or Organization()
            for field, value in values.items():
                setattr(organization, field, value)
            if parent_code is not None:
                if parent_code in by_code and parent_code not in seen:
                    organization.parent = save(by_code[parent_code], (*seen, code))
                elif parent_code:
                    organization.parent = Organization.objects.get(code=parent_code)
                else:
                    organization.parent = None
            created = organization.pk is None
            organization_save(
                organization=organization,
                user=self.user,
                created=created,
                audit_extra={"imported": job.pk if job else True},
            )
            counts["created" if created else "updated"] += 1
            saved[code] = organization
            return organization

        for row in rows:
            save(row)
        return counts


class CadreImporter(_MasterData):
    natural_key = "干部编号"
    model = Cadre
    FIELDS = {
        "code": "干部编号",
        "name": "姓名",
        "gender": "性别",
        "organization": "所在单位编码",
        "position": "职务",
        "rank": "职级",
        "in_leader_pool": "组长库",
        "in_talent_pool": "人才库",
        "specialties": "专业特长",
        "phone": "联系电话",
    }

    def __init__(self, user):
        super().__init__(user)
        self.specialties = {s.name: s for s in Specialty.objects.all()}
        self.organizations: dict[str, Organization | None] = {}

    def current(self, obj, field: str):
        if field == "specialties":
            return sorted(s.pk for s in obj.specialties.all())
        return getattr(obj, field)

    def existing_by_code(self, codes):
        return {
            cadre.code: cadre
            for cadre in Cadre.objects.filter(code__in=codes).prefetch_related("specialties")
        }

    def parse(self, row: Row) -> Parsed | None:
        given = set(row.cells)
        code = row.text("所在单位编码", required=True)
        if code and code not in self.organizations:
            self.organizations[code] = Organization.objects.filter(code=code).first()
        organization = self.organizations.get(code)
        if code and organization is None:
            row.refuse("所在单位编码", f"单位编码「{code}」不存在。")
        values = {
            "code": row.text("干部编号", required=True, max_length=30),
            "name": row.text("姓名", required=True, max_length=50),
            "organization": organization,
            "position": row.text("职务", required=True, max_length=100),
            "rank": row.choice("职级", Cadre.Rank.choices),
        }
        optional = {
            "gender": row.choice("性别", [("M", "男"), ("F", "女")], required=False),
            "in_leader_pool": row.boolean("组长库"),
            "in_talent_pool": row.boolean("人才库"),
            "phone": row.text("联系电话", max_length=30),
        }
        names = row.text("专业特长")
        for separator in NAME_SEPARATORS:
            names = names.replace(separator, "、")
        wanted = [name.strip() for name in names.split("、") if name.strip()]
        unknown = [name for name in wanted if name not in self.specialties]
        if unknown:
            row.refuse("专业特长", f"专业特长「{'、'.join(unknown)}」不存在。")
        optional["specialties"] = sorted(
            self.specialties[name].pk for name in wanted if name in self.specialties
        )
        values.update(
            {field: value for field, value in optional.items() if self.FIELDS[field] in given}
        )
        if row.errors:
            return None
        probe = Cadre(**{k: v for k, v in values.items() if k != "specialties"})
        try:
            probe.clean_fields(exclude=["organization", "user", "specialties"])
        except ValidationError as error:
            _refuse(row, error, self.FIELDS)
            return None
        return Parsed(row.number, (values["code"],), f"{values['code']}｜{values['name']}", values)

    def write(self, rows: list[Parsed], *, job) -> dict:
        counts = {"created": 0, "updated": 0}
        for row in rows:
            values = dict(row.values)
            specialties = values.pop("specialties", None)
            cadre = row.existing or Cadre()
            for field, value in values.items():
                setattr(cadre, field, value)
            created = cadre.pk is None
            cadre_save(
                cadre=cadre,
                user=self.user,
                created=created,
                audit_extra={"imported": job.pk if job else True},
            )
            if specialties is not None:
                cadre.specialties.set(specialties)
            counts["created" if created else "updated"] += 1
        return counts


YES_NO = ("是", "否")


def _organization_kind() -> ImportKind:
    return ImportKind(
        "organizations",
        "党组织",
        [
            Column("组织编码", True, "370100-001"),
            Column("党组织名称", True, "中共某市财政局党组"),
            Column("单位简称", False, "市财政局"),
            Column("上级组织编码", False, "", note="须是系统中或本文件中的组织编码。"),
            Column("组织类别", True, "党组", labels(Organization.Kind.choices)),
            Column("领域", True, "党政机关", labels(Organization.Sector.choices)),
            Column("层级", True, "市直", labels(Organization.Level.choices)),
            Column("所属区县（市）", False, "", note="市直单位不填。"),
            Column("主要负责人", False, "周建国"),
            Column("主要负责人职务", False, "党组书记、局长"),
        ],
        OrganizationImporter,
        "按组织编码识别：已有的组织更新，新的组织新增；同一组织编码在文件中只能出现一次。"
        "未列出的选填列保持原值。",
        natural_key=OrganizationImporter.natural_key,
    )


def _cadre_kind() -> ImportKind:
    return ImportKind(
        "cadres",
        "干部",
        [
            Column("干部编号", True, "GB0001"),
            Column("姓名", True, "张三"),
            Column("性别", False, "男", ("男", "女")),
            Column("所在单位编码", True, "370100-001"),
            Column("职务", True, "科长"),
            Column("职级", True, "科级", labels(Cadre.Rank.choices)),
            Column("组长库", False, "否", YES_NO),
            Column("人才库", False, "是", YES_NO),
            Column("专业特长", False, "财务、审计", note="多个用“、”分隔。"),
            Column("联系电话", False, ""),
        ],
        CadreImporter,
        "按干部编号识别：已有的干部更新，新的干部新增；未列出的选填列保持原值。",
        natural_key=CadreImporter.natural_key,
    )


def register_import_kinds() -> None:
    register_kind("organizations", _organization_kind, order=2)
    register_kind("cadres", _cadre_kind, order=3)
