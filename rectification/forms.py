"""Forms for the rectification pages. They collect and type what a person
typed; the rules (who may, in which state, which files) are the services'."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rectification.models import (
    Accountability,
    Assessment,
    Item,
    Questionnaire,
    QuestionnaireAspect,
    QuestionScale,
    Recommendation,
    SurveyLink,
)
from xuncha.accounts.models import User
from xuncha.accounts.roles import Role
from xuncha.core.forms import BootstrapFormMixin
from xuncha.core.uploads import SIGNATURES
from xuncha.orgs.models import Department, Organization

ALLOWED_EXTENSIONS = sorted({ext for _magic, kind in SIGNATURES for ext in kind.extensions})
ALLOWED_TYPES_TEXT = _("PDF、图片（PNG/JPEG/GIF）、Word/Excel/PPT、WPS、OFD 文档和 zip 压缩包")


# --- Filters ---------------------------------------------------------------


class RoundFilterMixin:
    """A round select over the rounds the user may see; dropped when there are none."""

    def __init__(self, *args, rounds=(), **kwargs):
        """``rounds``: (id, name) pairs, as rounds.selectors.round_choices gives them."""
        super().__init__(*args, **kwargs)
        rounds = list(rounds)
        if rounds:
            self.fields["round"].choices = [("", _("全部")), *rounds]
        else:
            del self.fields["round"]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class ItemFilterForm(RoundFilterMixin, BootstrapFormMixin, forms.Form):
    colour = forms.ChoiceField(
        label=_("预警"),
        required=False,
        choices=[("", _("全部"))] + [c for c in Item.Colour.choices if c[0]],
    )
    state = forms.ChoiceField(
        label=_("台账状态"), required=False, choices=[("", _("全部")), *Item.State.choices]
    )
    kind = forms.ChoiceField(
        label=_("整改类型"), required=False, choices=[("", _("全部")), *Item.Kind.choices]
    )
    round = forms.TypedChoiceField(label=_("巡察轮次"), required=False, coerce=int)
    open = forms.ChoiceField(
        label=_("完成情况"), required=False, choices=[("", _("全部")), ("1", _("未完成"))]
    )
    # Set by the links on organization names, not typed: a select of every
    # organization in the city would be thousands of options.
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Set by the dashboard's drill-down links, which carry its whole scope
    # (届次, year, district, sector), so the list shows the figure's rows.
    term = forms.IntegerField(required=False, min_value=1, max_value=99, widget=forms.HiddenInput)
    year = forms.IntegerField(
        required=False, min_value=2000, max_value=2100, widget=forms.HiddenInput
    )
    region = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sector = forms.ChoiceField(
        required=False, choices=[("", ""), *Organization.Sector.choices], widget=forms.HiddenInput
    )
    # 建章立制: the items that report rules made.
    rules = forms.BooleanField(required=False, widget=forms.HiddenInput)


class FiguresFilterForm(RoundFilterMixin, BootstrapFormMixin, forms.Form):
    round = forms.TypedChoiceField(label=_("巡察轮次"), required=False, coerce=int)


class OverdueSortForm(BootstrapFormMixin, forms.Form):
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[("organization", _("按单位")), ("deadline", _("按逾期时间"))],
    )

    def sort_key(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "organization"


# --- The plan (三单) ---------------------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ItemPlanForm(BootstrapFormMixin, forms.ModelForm):
    """One item's measures (任务清单) and responsibility (责任清单)."""

    class Meta:
        model = Item
        fields = [
            "measures",
            "kind",
            "responsible_leader",
            "responsible_person",
            "responsible_department",
            "deadline",
            "responsible_user",
            "supervisor_user",
        ]
        widgets = {
            "measures": forms.Textarea(attrs={"rows": 4}),
            "deadline": DateInput(),
        }
        help_texts = {
            "measures": _("针对该问题的具体整改措施，可分条填写。"),
            "deadline": _("长期坚持类可不填。"),
            "responsible_user": _("接收到期提醒；不选则只提醒分管领导和主要负责人。"),
            "supervisor_user": _("临近期限（黄色）时一并提醒。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Reminders go to accounts of the organization itself.
        people = User.objects.filter(
            organization_id=self.instance.organization_id, is_active=True
        ).order_by("full_name", "username")
        for name in ("responsible_user", "supervisor_user"):
            self.fields[name].queryset = people
        # A draft may be saved half-filled; what signing still needs is listed
        # on the plan page (plan_missing).


class ReviewForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审核意见"),
        choices=[("accept", _("通过")), ("return", _("退回修改"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label=_("退回理由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- The ledger (五账) -------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files. Each is checked by the service (content type,
    size, name) before any is stored, so this only collects them."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)
        self.help_text = _("可一次选择多个文件；每个不超过 %(mb)s MB；允许：%(types)s。") % {
            "mb": settings.UPLOAD_MAX_MB,
            "types": ALLOWED_TYPES_TEXT,
        }

    def clean(self, data, initial=None):
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


class LedgerForm(BootstrapFormMixin, forms.Form):
    """Every action carries the version its author saw: if someone acted in
    between, the service refuses instead of overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    has_files = False

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version")
        return data


class ReportForm(LedgerForm):
    progress = forms.IntegerField(
        label=_("整改进度（%）"), min_value=0, max_value=100, widget=forms.NumberInput
    )
    note = forms.CharField(
        label=_("整改进展"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("本阶段做了什么、还差什么")}),
    )
    files = MultipleFileField(label=_("佐证材料（可选）"))
    has_files = True


class HandInForm(LedgerForm):
    note = forms.CharField(
        label=_("完成情况"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("整改完成情况和取得的成效")}),
    )
    files = MultipleFileField(label=_("佐证材料"))
    rules_made = forms.IntegerField(label=_("建章立制（项）"), min_value=0, initial=0)
    money_recovered = forms.DecimalField(
        label=_("挽回经济损失（元）"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    has_files = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _("交账须附佐证材料（之前报账时已上传的也算）。") + str(
            self.fields["files"].help_text
        )


class TransferForm(LedgerForm):
    department = forms.ModelChoiceField(
        label=_("转办部门"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("（不转部门）"),
    )
    long_term = forms.BooleanField(label=_("转为长期坚持"), required=False)
    note = forms.CharField(label=_("转账理由"), widget=forms.Textarea(attrs={"rows": 2}))


def cosigner_choices():
    """Discipline-commission and organization-department accounts (the service checks again)."""
    return (
        User.objects.filter(
            is_active=True,
            groups__name=Role.DEPARTMENT.value,
            department__kind__in=[Department.Kind.DISCIPLINE, Department.Kind.ORGANIZATION],
        )
        .select_related("department")
        .order_by("department__kind", "department__name", "full_name")
        .distinct()
    )


class CosignerField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj}（{obj.department}）"


class CheckForm(LedgerForm):
    decision = forms.ChoiceField(
        label=_("查账结论"),
        choices=[("accept", _("通过")), ("return", _("退回重改"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("查账意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("退回时必须说明理由")}),
    )
    cosigners = CosignerField(
        label=_("会签人（纪委监委、组织部）"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cosigners"].queryset = cosigner_choices()

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["accept"] = data.pop("decision") == "accept"
        return data


class CloseForm(LedgerForm):
    note = forms.CharField(
        label=_("销号说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(LedgerForm):
    held = forms.TypedChoiceField(
        label=_("整改成效是否巩固"),
        choices=[("1", _("巩固，未反弹")), ("0", _("出现反弹，重新打开"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(label=_("检查情况"), widget=forms.Textarea(attrs={"rows": 2}))


# --- Assessment (一评估) ------------------------------------------------------


class SurveyLinksForm(BootstrapFormMixin, forms.Form):
    respondent = forms.ChoiceField(label=_("测评对象"), choices=SurveyLink.Respondent.choices)
    count = forms.IntegerField(label=_("生成数量"), min_value=1, max_value=500, initial=20)


class VerdictForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["verdict", "verdict_note"]
        widgets = {"verdict_note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verdict"].required = True
        self.fields["verdict"].choices = [("", "---------")] + [
            c for c in Assessment.Verdict.choices if c[0]
        ]


class AccountabilityForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Accountability
        fields = ["person_name", "position", "measure", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}


class SurveyAnswerForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("您对该单位整改工作的总体评价"),
        choices=[
            (5, _("非常满意")),
            (4, _("满意")),
            (3, _("基本满意")),
            (2, _("不太满意")),
            (1, _("不满意")),
        ],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("请选择满意程度。")},
    )
    comment = forms.CharField(
        label=_("意见建议（可不填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class QuestionnaireChoiceForm(BootstrapFormMixin, forms.Form):
    questionnaire = forms.ModelChoiceField(
        label=_("测评问卷"), queryset=Questionnaire.objects.none()
    )

    def __init__(self, *args, questionnaires=None, **kwargs):
        super().__init__(*args, **kwargs)
        if questionnaires is not None:
            self.fields["questionnaire"].queryset = questionnaires


class QuestionnaireForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["name", "intro"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 2})}


class AspectForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("测评方面"), max_length=100)
    weight = forms.IntegerField(label=_("权重"), min_value=1, max_value=100, initial=1)


class QuestionForm(BootstrapFormMixin, forms.Form):
    aspect = forms.ModelChoiceField(
        label=_("所属方面"), queryset=QuestionnaireAspect.objects.none()
    )
    text = forms.CharField(label=_("测评指标"), max_length=200)
    scale = forms.ChoiceField(label=_("评分等级"), choices=QuestionScale.choices)
    weight = forms.IntegerField(label=_("权重"), min_value=1, max_value=100, initial=1)

    def __init__(self, *args, questionnaire=None, **kwargs):
        super().__init__(*args, **kwargs)
        if questionnaire is not None:
            self.fields["aspect"].queryset = questionnaire.aspects.all()


class QuestionnaireAnswerForm(forms.Form):
    """One radio group per question of the questionnaire, grouped by aspect on the page."""

    comment = forms.CharField(
        label=_("意见建议（可不填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def __init__(self, *args, aspects, **kwargs):
        super().__init__(*args, **kwargs)
        self.aspects = []
        for aspect in aspects:
            names = []
            for question in aspect.questions.all():
                name = f"q{question.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=question.options,
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                    error_messages={"required": _("请选择一项。")},
                )
                names.append(name)
            self.aspects.append((aspect, [self[name] for name in names]))

    def answers(self) -> dict[int, int]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if name.startswith("q") and value is not None
        }


# --- Recommendations (巡察建议书) ----------------------------------------------


class RecommendationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Recommendation
        fields = ["department", "round", "title", "content", "due"]
        widgets = {"content": forms.Textarea(attrs={"rows": 8}), "due": DateInput()}
        labels = {"round": _("相关巡察轮次（可选）")}

    def __init__(self, *args, rounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rounds is not None:
            self.fields["round"].queryset = rounds


class RecommendationStepForm(BootstrapFormMixin, forms.Form):
    action = forms.ChoiceField(choices=Recommendation.Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
