"""测评问卷: the office defines a questionnaire (aspects, questions, scales,
weights) once and reuses it for its assessments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectification import selectors, services
from rectification.forms import AspectForm, QuestionForm, QuestionnaireForm
from rectification.models import QuestionnaireAspect, QuestionnaireQuestion
from rectification.services.questionnaires import questionnaire_in_use, questionnaire_missing
from rounds.access import office_manages
from xuncha.accounts.roles import Role
from xuncha.core.access import role_required
from xuncha.core.view_helpers import add_service_errors, form_errors, report_error


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


@role_required(Role.OFFICE)
def questionnaire_list(request):
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire = services.questionnaire_create(
                office=request.user.office,
                name=form.cleaned_data["name"],
                intro=form.cleaned_data["intro"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("问卷已创建，请添加测评方面和指标。"))
            return redirect(questionnaire)
    questionnaires = selectors.questionnaire_list(user=request.user).prefetch_related("aspects")
    return render(
        request,
        "rectification/questionnaire_list.html",
        {"questionnaires": questionnaires, "form": form},
    )


def _detail(request, questionnaire, *, aspect_form=None, question_form=None):
    in_use = questionnaire_in_use(questionnaire)
    editable = not in_use and office_manages(request.user, questionnaire.office)
    return render(
        request,
        "rectification/questionnaire_detail.html",
        {
            "questionnaire": questionnaire,
            "aspects": questionnaire.aspects.prefetch_related("questions"),
            "in_use": in_use,
            "editable": editable,
            "missing": questionnaire_missing(questionnaire),
            "assessments": questionnaire.assessments.select_related("target__organization"),
            "aspect_form": aspect_form or AspectForm(),
            "question_form": question_form or QuestionForm(questionnaire=questionnaire),
        },
    )


@role_required(Role.OFFICE)
def questionnaire_detail(request, pk: int):
    return _detail(request, selectors.get_questionnaire_for_user(request.user, pk))


@role_required(Role.OFFICE)
@require_POST
def questionnaire_action(request, pk: int, action: str):
    questionnaire = selectors.get_questionnaire_for_user(request.user, pk)
    user = request.user
    try:
        if action == "aspect":
            form = AspectForm(request.POST)
            if not form.is_valid():
                form_errors(request, form)
                return _detail(request, questionnaire, aspect_form=form)
            services.aspect_add(questionnaire=questionnaire, user=user, **form.cleaned_data)
        elif action == "question":
            form = QuestionForm(request.POST, questionnaire=questionnaire)
            if not form.is_valid():
                form_errors(request, form)
                return _detail(request, questionnaire, question_form=form)
            services.question_add(user=user, **form.cleaned_data)
        elif action == "remove-question":
            question = get_object_or_404(
                QuestionnaireQuestion,
                aspect__questionnaire=questionnaire,
                pk=_posted_id(request, "question"),
            )
            services.question_remove(question=question, user=user)
        elif action == "remove-aspect":
            aspect = get_object_or_404(
                QuestionnaireAspect, questionnaire=questionnaire, pk=_posted_id(request, "aspect")
            )
            services.aspect_remove(aspect=aspect, user=user)
        else:
            raise Http404
    except ValidationError as error:
        report_error(request, error)
    return redirect(questionnaire)
