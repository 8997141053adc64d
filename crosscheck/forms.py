"""Forms for the 大数据比对 pages: they collect and type input; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crosscheck.kinds import FIELDS, ListKind
from crosscheck.models import Rule
from crosscheck.reading import masked_cell
from rounds.forms import category_choices
from rounds.models import Problem, ProblemCategory, Target
from xuncha.core.forms import BootstrapFormMixin

NOT_MAPPED = ("", _("（不对应）"))


class UploadForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("名单类型"), choices=ListKind.choices)
    label = forms.CharField(
        label=_("名单名称"),
        max_length=100,
        required=False,
        help_text=_("如：2023 年产业扶持资金发放表。"),
    )
    target = forms.ModelChoiceField(
        label=_("巡察对象"),
        queryset=None,
        required=False,
        help_text=_("名单用于哪个巡察对象：该对象所在巡察组可以看到这份名单及其命中。"),
    )
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))

    def __init__(self, *args, targets, whole_round: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
        target = self.fields["target"]
        target.queryset = targets
        target.label_from_instance = lambda t: f"{t.team.name} · {t.organization.name}"
        if whole_round:
            target.empty_label = _("全轮通用（仅巡察办可见）")
        else:
            # A team's list is always for one of its own targets.
            target.required = True
            target.empty_label = _("请选择本组的巡察对象")
            target.error_messages["required"] = _("请选择本组的巡察对象。")


class MappingForm(BootstrapFormMixin, forms.Form):
    """One select per field, offering the file's headers."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [NOT_MAPPED, *[(header, masked_cell(header)) for header in headers if header]]
        for field in FIELDS:
            self.fields[field.name] = forms.ChoiceField(
                label=field.label, choices=choices, required=False
            )


class RuleForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("规则名称"), max_length=100)
    description = forms.CharField(
        label=_("命中含义"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("用一句话说明命中意味着可能存在什么问题。"),
    )  # fmt: skip
    left_kind = forms.ChoiceField(label=_("左表"), choices=ListKind.choices)
    key = forms.ChoiceField(label=_("比对依据"), choices=Rule.Key.choices)
    via_kind = forms.ChoiceField(
        label=_("经由名单（可选）"), choices=[("", _("不经由")), *ListKind.choices], required=False
    )
    via_key = forms.ChoiceField(
        label=_("经由后比对依据"), choices=[("", "—"), *Rule.Key.choices], required=False
    )
    right_kind = forms.ChoiceField(label=_("右表"), choices=ListKind.choices)
    mode = forms.ChoiceField(label=_("命中方式"), choices=Rule.Mode.choices)
    date_from = forms.DateField(label=_("左表日期不早于"), required=False)
    date_to = forms.DateField(label=_("左表日期不晚于"), required=False)
    min_amount = forms.DecimalField(label=_("左表金额不低于"), required=False, min_value=0)
    left_roles = forms.CharField(
        label=_("左表身份限于"), required=False, help_text=_("多个用顿号分隔。")
    )
    via_roles = forms.CharField(label=_("经由名单身份限于"), required=False)
    right_roles = forms.CharField(label=_("右表身份限于"), required=False)
    left_after_right = forms.BooleanField(label=_("左表日期晚于右表日期"), required=False)
    different_unit = forms.BooleanField(label=_("两边工作单位不同"), required=False)

    PARAMS = ("date_from", "date_to", "min_amount", "left_roles", "via_roles", "right_roles",
              "left_after_right", "different_unit")  # fmt: skip

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in ("name", "description", "left_kind", "key",
                                             "via_kind", "via_key", "right_kind", "mode")},
            "params": {name: data[name] for name in self.PARAMS},
        }  # fmt: skip


class HitProblemForm(BootstrapFormMixin, forms.Form):
    target = forms.ModelChoiceField(label=_("巡察对象"), queryset=Target.objects.none())
    category = forms.TypedChoiceField(label=_("问题类别"), coerce=int)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Problem.Severity.choices)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["category"].choices = category_choices(_("请选择"))

    def clean_category(self):
        category = ProblemCategory.objects.filter(pk=self.cleaned_data["category"]).first()
        if category is None:
            raise forms.ValidationError(_("请选择问题类别。"))
        return category


class DismissForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("排除理由"), widget=forms.Textarea(attrs={"rows": 2}))
