"""Forms of the clue pages. They collect and check input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clues.models import Clue, ClueFile, Disposition, DispositionPerson
from clues.services.handover import DRAFT_FIELDS
from xuncha.core.forms import BootstrapFormMixin
from xuncha.orgs.models import Department
from xuncha.orgs.selectors import department_choices

YES = [("", _("全部")), ("1", _("是"))]


class ClueFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(label=_("编号或被反映人"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *Clue.Status.choices], required=False
    )
    discipline = forms.ChoiceField(
        label=_("涉及纪律"), choices=[("", _("全部")), *Clue.Discipline.choices], required=False
    )
    department = forms.ModelChoiceField(
        label=_("接收部门"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("全部"),
    )
    round = forms.ModelChoiceField(
        label=_("巡察轮次"), queryset=None, required=False, empty_label=_("全部")
    )
    urgent = forms.ChoiceField(label=_("直报快车道"), choices=YES, required=False)
    overdue = forms.ChoiceField(label=_("处置逾期"), choices=YES, required=False)

    def __init__(self, *args, rounds, round_choices=None, department_view: bool = False, **kwargs):
        """``rounds``: the queryset a chosen round must be in; ``round_choices``:
        the options offered (rounds.selectors.round_choices, cached), else the
        queryset's."""
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        if round_choices is not None:
            self.fields["round"].choices = [("", _("全部")), *round_choices]
        self.fields["department"].choices = [("", _("全部")), *department_choices()]
        # A department's ledger holds only its own clues, and it sees no rounds:
        # those two filters would offer nothing.
        if department_view:
            del self.fields["department"]
            del self.fields["round"]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        for name in ("department", "round"):
            if data.get(name):
                data[name] = data[name].pk
        return data


class ClueForm(BootstrapFormMixin, forms.ModelForm):
    """The draft's own fields (DRAFT_FIELDS); the problems only when drafting."""

    class Meta:
        model = Clue
        fields = DRAFT_FIELDS
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, problems=None, **kwargs):
        super().__init__(*args, **kwargs)
        if problems is not None:
            self.fields["problems"] = forms.ModelMultipleChoiceField(
                label=_("相关问题"),
                queryset=problems,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("可选：本线索所依据的本巡察对象的问题。"),
            )

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in DRAFT_FIELDS}


class ClueFileForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"), choices=ClueFile.Kind.choices)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、图片、Office/WPS 文档或 zip。"))


class ReasonForm(BootstrapFormMixin, forms.Form):
    """A reason to return or reopen. Whether it may be empty is the service's
    to say (its message is the one shown), so the form does not require it."""

    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )


class DispositionForm(BootstrapFormMixin, forms.ModelForm):
    """The report itself; the people dealt with come in PersonFormSet."""

    class Meta:
        model = Disposition
        fields = ("method", "money_recovered", "is_final", "note")
        widgets = {"note": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"is_final": _("勾选后，巡察办可据此销号。")}


class PersonForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = DispositionPerson
        fields = (
            "name",
            "position",
            "party_discipline",
            "government_sanction",
            "organizational_handling",
            "transferred_to_justice",
        )


PersonFormSet = forms.formset_factory(PersonForm, extra=3, max_num=50, validate_max=True)


def disposition_service_kwargs(form: DispositionForm, people: "forms.BaseFormSet") -> dict:
    """The service's arguments: the report's fields and every person row filled in."""
    rows = [
        person.cleaned_data
        for person in people
        if person.cleaned_data
        and not person.cleaned_data.get("DELETE")
        and any(value not in ("", None, False) for value in person.cleaned_data.values())
    ]
    return {**form.cleaned_data, "people": rows}
