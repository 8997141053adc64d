"""Forms for the on-site records and the office's package pages. They type what
a person typed; the rules are the services'."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fieldwork.models import DocumentReview, Interview, LaptopReturn, Petition
from fieldwork.package import MIN_PASSPHRASE
from rounds.forms import DateInput
from rounds.models import Problem, Team
from xuncha.core.forms import BootstrapFormMixin


class _RecordForm(BootstrapFormMixin, forms.ModelForm):
    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = team.targets.select_related("organization")
        self.fields["target"].label_from_instance = lambda t: t.organization.name
        if self.instance.pk is None:
            # A record is mostly typed the day it happens.
            for name in ("held_on", "received_on", "examined_on"):
                if name in self.fields:
                    self.initial.setdefault(name, timezone.localdate())
        if "problem" in self.fields:
            self.fields["problem"].queryset = Problem.objects.filter(team=team).order_by("-id")
            self.fields["problem"].label_from_instance = lambda p: f"#{p.pk} {p}"


class InterviewForm(_RecordForm):
    class Meta:
        model = Interview
        fields = Interview.CONTENT_FIELDS
        widgets = {"held_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 6})}


class PetitionForm(_RecordForm):
    class Meta:
        model = Petition
        fields = Petition.CONTENT_FIELDS
        widgets = {
            "received_on": DateInput(),
            "content": forms.Textarea(attrs={"rows": 5}),
            "handling_note": forms.Textarea(attrs={"rows": 3}),
        }


class DocumentReviewForm(_RecordForm):
    class Meta:
        model = DocumentReview
        fields = DocumentReview.CONTENT_FIELDS
        widgets = {"examined_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}


RECORD_FORMS = {
    "interview": InterviewForm,
    "petition": PetitionForm,
    "document": DocumentReviewForm,
}


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label=_("附件"))


class PassphraseForm(BootstrapFormMixin, forms.Form):
    passphrase = forms.CharField(
        label=_("口令"),
        min_length=MIN_PASSPHRASE,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 %(n)d 个字符；口令另行交给巡察组，不与数据包一起传递。")
        % {"n": MIN_PASSPHRASE},
    )


class ExportForm(PassphraseForm):
    confirm = forms.CharField(
        label=_("再次输入口令"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("passphrase") and data.get("passphrase") != data.get("confirm"):
            self.add_error("confirm", _("两次输入的口令不一致。"))
        return data


class ReturnUploadForm(PassphraseForm):
    package = forms.FileField(label=_("回传包"))


class LaptopReturnForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = LaptopReturn
        fields = ("laptop", "returned_on", "package_sha256", "clearing_record")
        widgets = {"returned_on": DateInput(), "clearing_record": forms.Textarea(attrs={"rows": 6})}
