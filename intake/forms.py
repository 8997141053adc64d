"""Forms for 码上巡察: the public's report and receipt look-up, the team's triage."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clues.models import Clue
from intake.models import Report
from rounds.models import Problem, ProblemCategory
from xuncha.core.forms import BootstrapFormMixin
from xuncha.orgs.models import Department


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PicturesField(forms.FileField):
    """A few pictures or PDFs; the service checks each (xuncha.core.uploads)."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf,.pdf"}
        )
        self.help_text = _("最多 %(n)s 个，每个不超过 %(mb)s MB。") % {
            "n": settings.INTAKE_FILES_PER_REPORT,
            "mb": settings.INTAKE_FILE_MAX_MB,
        }

    def clean(self, data, initial=None):
        if not data:
            return []
        return list(data) if isinstance(data, list | tuple) else [data]


class PublicReportForm(forms.Form):
    text = forms.CharField(
        label=_("反映的问题"),
        max_length=5000,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "class": "form-control",
                "placeholder": _("请写明涉及的人和事、时间、地点等，越具体越便于核实。"),
            }
        ),
    )
    files = PicturesField(label=_("图片或 PDF（可不传）"))
    reporter_name = forms.CharField(
        label=_("姓名"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "name"}),
    )
    reporter_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "tel", "autocomplete": "tel"}
        ),
    )
    captcha = forms.CharField(
        label=_("验证码"),
        required=False,
        max_length=10,
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "off", "autocapitalize": "characters"}
        ),
    )


class StatusForm(forms.Form):
    receipt = forms.CharField(
        label=_("回执码"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg font-monospace",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "placeholder": "XXXX-XXXX-XXXX-XXXX",
            }
        ),
    )


# --- Triage ----------------------------------------------------------------------


class ProblemTriageForm(BootstrapFormMixin, forms.Form):
    category = forms.ModelChoiceField(
        label=_("问题类别"), queryset=ProblemCategory.objects.order_by("code")
    )
    severity = forms.ChoiceField(label=_("严重程度"), choices=Problem.Severity.choices)
    description = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class ClueTriageForm(BootstrapFormMixin, forms.Form):
    person_name = forms.CharField(label=_("被反映人"), max_length=50)
    person_position = forms.CharField(label=_("职务"), max_length=100)
    person_rank = forms.ChoiceField(label=_("职级"), choices=Clue.Rank.choices)
    person_is_top_leader = forms.BooleanField(label=_("是否一把手"), required=False)
    discipline = forms.ChoiceField(label=_("涉及纪律"), choices=Clue.Discipline.choices)
    department = forms.ModelChoiceField(label=_("接收部门"), queryset=Department.objects.all())
    summary = forms.CharField(
        label=_("问题线索摘要"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class TransferForm(BootstrapFormMixin, forms.Form):
    department = forms.ModelChoiceField(label=_("转办部门"), queryset=Department.objects.all())
    note = forms.CharField(
        label=_("转办说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReceiptForm(BootstrapFormMixin, forms.Form):
    receipt_number = forms.CharField(label=_("回执编号"), max_length=50)
    receipt_on = forms.DateField(
        label=_("回执日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class OutsideForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("不予受理理由"), widget=forms.Textarea(attrs={"rows": 2}))


class DuplicateForm(BootstrapFormMixin, forms.Form):
    first = forms.ModelChoiceField(label=_("首次反映"), queryset=Report.objects.none())

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["first"]
        field.queryset = (
            Report.objects.filter(target_id=report.target_id)
            .exclude(pk=report.pk)
            .exclude(state=Report.State.DUPLICATE)
            .order_by("submitted_at")
        )
        field.label_from_instance = lambda r: (
            f"{r.submitted_at:%Y-%m-%d %H:%M}｜{r.get_state_display()}｜{r.text[:30]}"
        )


TRIAGE_FORMS = {
    "problem": ProblemTriageForm,
    "clue": ClueTriageForm,
    "transfer": TransferForm,
    "receipt": ReceiptForm,
    "outside": OutsideForm,
    "duplicate": DuplicateForm,
}
