"""The lean form renderer writes, byte for byte, what Django's widget templates
write, for every widget it takes over; a list's filter form renders its
options without a template render each."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.utils import override_settings
from django.urls import reverse

from rounds.forms import ProblemFilterForm
from tests.factories import make_user
from xuncha.accounts.roles import Role
from xuncha.core.forms import LeanFormRenderer


class Everything(forms.Form):
    name = forms.CharField(max_length=10, initial='a "quoted" <b>')
    count = forms.IntegerField(min_value=1, initial=3)
    mail = forms.EmailField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="x&y")
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False, initial=True)
    off = forms.BooleanField(required=False)
    plain = forms.ChoiceField(choices=[("", "全部"), ("a", "甲 & 乙"), (1, "<一>")], initial=1)
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("组一", [("x", "X"), ("y", "Y")]), ("z", "Z")], initial="y"
    )
    disabled = forms.ChoiceField(choices=[("a", "A")], disabled=True)


def rendered(form: forms.Form) -> dict[str, str]:
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("bound", [False, True])
def test_every_widget_it_takes_over_comes_out_as_the_templates_write_it(bound):
    data = {
        "name": "<script>",
        "count": "7",
        "secret": "s",
        "hidden": "h",
        "day": "2026-01-02",
        "flag": "on",
        "plain": "a",
        "grouped": "z",
    }
    args = (data,) if bound else ()
    django_form = Everything(*args, renderer=DjangoTemplates())
    lean_form = Everything(*args, renderer=LeanFormRenderer())
    assert rendered(lean_form) == rendered(django_form)


@pytest.mark.django_db
def test_the_problem_filter_form_is_the_same_html_with_either_renderer():
    user = make_user(Role.OFFICE)
    data = {"status": "draft", "q": "招待", "year": "2025", "per_page": "20"}
    django_form = ProblemFilterForm(data, user=user, renderer=DjangoTemplates())
    lean_form = ProblemFilterForm(data, user=user, renderer=LeanFormRenderer())
    assert rendered(lean_form) == rendered(django_form)
    assert "<option" in rendered(lean_form)["category"]


@pytest.mark.django_db
def test_the_problem_list_renders_no_option_template(client):
    from django.test.signals import template_rendered

    names = []

    def seen(sender, template, **kwargs):
        names.append(template.name)

    client.force_login(make_user(Role.OFFICE))
    template_rendered.connect(seen)
    try:
        with override_settings(DEBUG=True):
            assert client.get(reverse("rounds:problem_list")).status_code == 200
    finally:
        template_rendered.disconnect(seen)
    assert not [n for n in names if n.startswith("django/forms/widgets/")]
