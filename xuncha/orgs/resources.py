"""Excel import and export of organizations and cadres (django-import-export).

The admin's import buttons use these; the import page uses
xuncha.orgs.importers. Headers are the Chinese ones the office's existing ledgers use; choices are
read and written by their Chinese labels. Every row goes through the same
service as a form, so imports are validated and audited like any change.
"""

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from xuncha.audit.services import log_action
from xuncha.orgs.models import Cadre, Organization, Region, Specialty
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
                raise ValueError(_("不能为空。"))
            return ""
        # The office's sheets are in Chinese whatever language the page is in.
        with translation.override("zh-hans"):
            labels = [(code, str(label)) for code, label in self.choices]
        for code, label in labels:
            if text in (label, code):
                return code
        allowed = "、".join(label for _code, label in labels)
        raise ValueError(
            _("「%(text)s」不是有效值，可选：%(allowed)s。") % {"text": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        with translation.override("zh-hans"):
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
            raise ValueError(
                _("%(what)s「%(value)s」不存在。") % {"what": self.what, "value": value}
            ) from None


class NamedManyWidget(widgets.ManyToManyWidget):
    """Several related rows by name; an unknown name is an error, not silently dropped."""

    def __init__(self, model, field, *, what: str, separator: str = "、"):
        super().__init__(model, separator=separator, field=field)
        self.what = what

    def clean(self, value, row=None, **kwargs):
        text = str(value or "")
        for other in (",", "，", ";", "；"):
            text = text.replace(other, self.separator)
        names = [n.strip() for n in text.split(self.separator) if n.strip()]
        found = self.model.objects.filter(**{f"{self.field}__in": names})
        missing = set(names) - {getattr(obj, self.field) for obj in found}
        if missing:
            raise ValueError(
                _("%(what)s「%(value)s」不存在。")
                % {"what": self.what, "value": "、".join(sorted(missing))}
            )
        return found


class BooleanLabelWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = str(value).strip() if value is not None else ""
        if text in ("是", "1", "true", "True", "Y", "y"):
            return True
        if text in ("", "否", "0", "false", "False", "N", "n"):
            return False
        raise ValueError(_("「%(text)s」应为“是”或“否”。") % {"text": text})

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class ServiceSavedResource(resources.ModelResource):
    """Saves each row through the model's service, with the importing user."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def import_row(self, row, instance_loader, **kwargs):
        # Errors come keyed by model field ("kind"); the office knows the sheet's column ("组织类别").
        row_result = super().import_row(row, instance_loader, **kwargs)
        error = row_result.validation_error
        if error is not None and hasattr(error, "error_dict"):
            columns = {f.attribute: f.column_name for f in self.get_import_fields()}
            row_result.validation_error = ValidationError(
                {columns.get(key, key): value for key, value in error.error_dict.items()}
            )
        return row_result

    def after_import(self, dataset, result, **kwargs):
        # One entry for the import as a whole, from the admin page and run_import alike.
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run", True) or result.has_errors() or result.has_validation_errors():
            return
        log_action(
            self.user,
            "import." + self._meta.model._meta.model_name,
            None,
            {"rows": len(dataset), "totals": dict(result.totals)},
        )


class OrganizationResource(ServiceSavedResource):
    code = fields.Field("code", "组织编码", widget=widgets.CharWidget())
    name = fields.Field("name", "党组织名称", widget=widgets.CharWidget())
    short_name = fields.Field("short_name", "单位简称", widget=widgets.CharWidget())
    parent = fields.Field(
        "parent", "上级组织编码", widget=LookupWidget(Organization, "code", what="上级组织编码")
    )
    kind = fields.Field("kind", "组织类别", widget=ChoiceLabelWidget(Organization.Kind.choices))
    sector = fields.Field("sector", "领域", widget=ChoiceLabelWidget(Organization.Sector.choices))
    level = fields.Field("level", "层级", widget=ChoiceLabelWidget(Organization.Level.choices))
    region = fields.Field(
        "region", "所属区县（市）", widget=LookupWidget(Region, "name", what="区县（市）")
    )
    leader_name = fields.Field("leader_name", "主要负责人", widget=widgets.CharWidget())
    leader_title = fields.Field("leader_title", "主要负责人职务", widget=widgets.CharWidget())

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
        # The dry run calls the service too, so the preview refuses what the
        # commit would; its writes (audit entries included) are rolled back.
        organization_save(organization=instance, user=self.user, created=is_create)


class CadreResource(ServiceSavedResource):
    code = fields.Field("code", "干部编号", widget=widgets.CharWidget())
    name = fields.Field("name", "姓名", widget=widgets.CharWidget())
    gender = fields.Field(
        "gender", "性别", widget=ChoiceLabelWidget([("M", "男"), ("F", "女")], required=False)
    )
    organization = fields.Field(
        "organization", "所在单位编码", widget=LookupWidget(Organization, "code", what="单位编码")
    )
    position = fields.Field("position", "职务", widget=widgets.CharWidget())
    rank = fields.Field("rank", "职级", widget=ChoiceLabelWidget(Cadre.Rank.choices))
    in_leader_pool = fields.Field("in_leader_pool", "组长库", widget=BooleanLabelWidget())
    in_talent_pool = fields.Field("in_talent_pool", "人才库", widget=BooleanLabelWidget())
    specialties = fields.Field(
        "specialties",
        "专业特长",
        widget=NamedManyWidget(Specialty, "name", what="专业特长"),
    )
    phone = fields.Field("phone", "联系电话", widget=widgets.CharWidget())

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
        cadre_save(cadre=instance, user=self.user, created=is_create)
