from django import forms
from django.utils.translation import gettext_lazy as _

from xuncha.core.forms import BootstrapFormMixin
from xuncha.orgs.models import Cadre, Organization, Region, Specialty


class OrganizationFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("名称或编码"), required=False)
    region = forms.ModelChoiceField(
        label=_("区县（市）"), queryset=Region.objects.all(), required=False, empty_label=_("全部")
    )
    sector = forms.ChoiceField(
        label=_("领域"), choices=[("", _("全部")), *Organization.Sector.choices], required=False
    )
    level = forms.ChoiceField(
        label=_("层级"), choices=[("", _("全部")), *Organization.Level.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("组织类别"), choices=[("", _("全部")), *Organization.Kind.choices], required=False
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        if data.get("region"):
            data["region"] = data["region"].pk
        return data


class CadreFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("姓名或编号"), required=False)
    pool = forms.ChoiceField(
        label=_("库"),
        choices=[("", _("全部")), ("leader", _("组长库")), ("talent", _("人才库"))],
        required=False,
    )
    rank = forms.ChoiceField(
        label=_("职级"), choices=[("", _("全部")), *Cadre.Rank.choices], required=False
    )
    specialty = forms.ModelChoiceField(
        label=_("专业特长"),
        queryset=Specialty.objects.all(),
        required=False,
        empty_label=_("全部"),
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        if data.get("specialty"):
            data["specialty"] = data["specialty"].pk
        return data
