"""Excel import and export of organizations and cadres (django-import-export).

Headers are the Chinese ones the office's existing ledgers use; choices are
read and written by their Chinese labels. Every row goes through the same
service as a form, so imports are validated and audited like any change.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from xuncha.orgs.models import Cadre, Organization, Region
from xuncha.orgs.services import cadre_save, organization_save


class ChoiceLabelWidget(widgets.Widget):
    """Reads a choice by its Chinese label (or its code) and writes the label."""

    def __init__(self, choices, *, required: bool = True):
        super().__init__()
        self.choices = list(choices)
        self.required = required

    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if not text:
            if self.required:
                raise ValueError("不能为空。")
            return ""
        for code, label in self.choices:
            if text in (str(label), code):
                return code
        allowed = "、".join(str(label) for _, label in self.choices)
        raise ValueError(f"「{text}」不是有效值，可选：{allowed}。")

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class LookupWidget(widgets.ForeignKeyWidget):
    """A foreign key by a natural key, with the refusal in Chinese."""

    def __init__(self, model, field, *, what: str):
        super().__init__(model, field=field)
        self.what = what

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        try:
            return self.model.objects.get(**{self.field: str(value).strip()})
        except self.model.DoesNotExist:
            raise ValueError(f"{self.what}「{value}」不存在。") from None


class BooleanLabelWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if text in ("是", "1", "true", "True", "Y", "y"):
            return True
        if text in ("", "否", "0", "false", "False", "N", "n"):
            return False
        raise ValueError(f"「{text}」应为“是”或“否”。")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ServiceSavedResource(resources.ModelResource):
    """Saves each row through the model's service, with the importing user."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def import_instance(self, instance, row, **kwargs):
        # import-export's own messages for a field are in English; ours are not.
        try:
            super().import_instance(instance, row, **kwargs)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class OrganizationResource(ServiceSavedResource):
    code = fields.Field("code", "组织编码")
    name = fields.Field("name", "党组织名称")
    short_name = fields.Field("short_name", "单位简称")
    parent = fields.Field(
        "parent", "上级组织编码", widget=LookupWidget(Organization, "code", what="上级组织编码")
    )
    kind = fields.Field("kind", "组织类别", widget=ChoiceLabelWidget(Organization.Kind.choices))
    sector = fields.Field("sector", "领域", widget=ChoiceLabelWidget(Organization.Sector.choices))
    level = fields.Field("level", "层级", widget=ChoiceLabelWidget(Organization.Level.choices))
    region = fields.Field(
        "region", "所属区县（市）", widget=LookupWidget(Region, "name", what="区县（市）")
    )
    leader_name = fields.Field("leader_name", "主要负责人")
    leader_title = fields.Field("leader_title", "主要负责人职务")

    class Meta:
        model = Organization
        import_id_fields = ["code"]
        fields = (
            "code",
            "name",
            "short_name",
            "parent",
            "kind",
            "sector",
            "level",
            "region",
            "leader_name",
            "leader_title",
        )
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            # Still save inside the rolled-back transaction so that later rows
            # can name this one as their parent in the preview.
            instance.save()
            return
        organization_save(organization=instance, user=self.user, created=is_create)


class CadreResource(ServiceSavedResource):
    code = fields.Field("code", "干部编号")
    name = fields.Field("name", "姓名")
    gender = fields.Field(
        "gender", "性别", widget=ChoiceLabelWidget([("M", "男"), ("F", "女")], required=False)
    )
    organization = fields.Field(
        "organization", "所在单位编码", widget=LookupWidget(Organization, "code", what="单位编码")
    )
    position = fields.Field("position", "职务")
    rank = fields.Field("rank", "职级", widget=ChoiceLabelWidget(Cadre.Rank.choices))
    in_leader_pool = fields.Field("in_leader_pool", "组长库", widget=BooleanLabelWidget())
    in_talent_pool = fields.Field("in_talent_pool", "人才库", widget=BooleanLabelWidget())
    specialties = fields.Field(
        "specialties",
        "专业特长",
        widget=widgets.ManyToManyWidget("orgs.Specialty", field="name", separator="、"),
    )
    phone = fields.Field("phone", "联系电话")

    class Meta:
        model = Cadre
        import_id_fields = ["code"]
        fields = (
            "code",
            "name",
            "gender",
            "organization",
            "position",
            "rank",
            "in_leader_pool",
            "in_talent_pool",
            "specialties",
            "phone",
        )
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run"):
            instance.save()
            return
        cadre_save(cadre=instance, user=self.user, created=is_create)
