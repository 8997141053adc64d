"""一评估: the office opens an assessment for a target, hands out survey
links, closes the survey, records its verdict and any accountability."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectification import selectors, services
from rectification.forms import (
    AccountabilityForm,
    QuestionnaireChoiceForm,
    SurveyLinksForm,
    VerdictForm,
)
from rectification.models import Assessment, SurveyLink
from rectification.workflow import ASSESSMENT
from rounds.access import office_manages
from rounds.selectors import get_target_for_user
from xuncha.accounts.roles import Role
from xuncha.core import workflow
from xuncha.core.access import role_required
from xuncha.core.view_helpers import PAGE_SIZE, form_errors, report_error


@role_required(Role.OFFICE, Role.LEADERSHIP)
def assessment_list(request):
    assessments = (
        selectors.assessment_list(user=request.user)
        .annotate(
            # The one-question answers sit on their links; questionnaires have responses.
            answers=Count(
                "links",
                filter=Q(links__answered_at__isnull=False, links__satisfaction__isnull=False),
                distinct=True,
            ),
            response_count=Count("responses", distinct=True),
        )
        .order_by("-target__round__year", "-pk")
    )
    page = Paginator(assessments, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rectification/assessment_list.html", {"page": page})


@login_required
@require_POST
def assessment_open(request, target_pk: int):
    target = get_target_for_user(request.user, target_pk)
    try:
        assessment = services.assessment_open(target=target, user=request.user)
    except ValidationError as error:
        report_error(request, error)
        plan = getattr(target, "plan", None)
        return redirect(plan) if plan is not None else redirect("rectification:plan_list")
    return redirect(assessment)


def _questionnaires(user):
    return selectors.questionnaire_list(user=user)


def _render(request, assessment: Assessment, **forms):
    target = assessment.target
    manages = office_manages(request.user, target.round.office)
    items = selectors.item_list(
        user=request.user,
        filters={"round": target.round_id, "organization": target.organization_id},
    )
    unanswered: dict[str, list[str]] = {}
    # A closed survey's unused links are dead: listing them would invite sending them.
    if manages and assessment.survey_open:
        # The poster's shared link is shown on its own, not as an unused personal one.
        personal = assessment.links.filter(answered_at__isnull=True, shared=False)
        for respondent, token in personal.values_list("respondent", "token"):
            url = request.build_absolute_uri(
                SurveyLink(token=token, respondent=respondent).get_absolute_url()
            )
            unanswered.setdefault(respondent, []).append(url)
    labels = dict(SurveyLink.Respondent.choices)
    public = assessment.links.filter(shared=True).first() if manages else None
    context = {
        "assessment": assessment,
        "target": target,
        "manages": manages,
        "survey": selectors.survey_figures(assessment),
        "questionnaire_figures": selectors.questionnaire_figures(assessment),
        "public_url": (
            request.build_absolute_uri(public.get_absolute_url())
            if public is not None and assessment.survey_open
            else ""
        ),
        "completion": selectors.completion_figures(items),
        "unanswered": [(labels[key], urls) for key, urls in unanswered.items()],
        "accountabilities": assessment.accountabilities.select_related("recorded_by"),
        "offers": workflow.actions_for(ASSESSMENT, request.user, assessment),
    }
    if manages:
        context.update(
            links_form=forms.get("links") or SurveyLinksForm(),
            verdict_form=forms.get("verdict") or VerdictForm(instance=assessment),
            accountability_form=forms.get("accountability") or AccountabilityForm(),
            questionnaire_form=forms.get("questionnaire")
            or QuestionnaireChoiceForm(questionnaires=_questionnaires(request.user)),
        )
    return render(request, "rectification/assessment_detail.html", context)


@login_required
def assessment_detail(request, pk: int):
    return _render(request, selectors.get_assessment_for_user(request.user, pk))


@login_required
@require_POST
def assessment_action(request, pk: int, action: str):
    assessment = selectors.get_assessment_for_user(request.user, pk)
    user = request.user
    forms = {
        "links": SurveyLinksForm,
        "verdict": VerdictForm,
        "accountability": AccountabilityForm,
    }
    if action == "close":
        try:
            services.survey_close(assessment=assessment, user=user)
        except ValidationError as error:
            report_error(request, error)
        else:
            messages.success(request, _("测评已关闭，未使用的链接不能再提交。"))
        return redirect(assessment)
    if action == "questionnaire":
        form = QuestionnaireChoiceForm(request.POST, questionnaires=_questionnaires(user))
        if not form.is_valid():
            form_errors(request, form)
            return _render(request, assessment, questionnaire=form)
        try:
            services.assessment_use_questionnaire(
                assessment=assessment,
                questionnaire=form.cleaned_data["questionnaire"],
                user=user,
            )
        except ValidationError as error:
            report_error(request, error)
            return _render(request, assessment, questionnaire=form)
        messages.success(request, _("已选用问卷，可生成测评海报和链接。"))
        return redirect(assessment)
    if action not in forms:
        raise Http404
    form = forms[action](request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _render(request, assessment, **{action: form})
    data = form.cleaned_data
    try:
        if action == "links":
            links = services.survey_links_create(
                assessment=assessment, respondent=data["respondent"], count=data["count"], user=user
            )
            messages.success(
                request, _("已生成 %(count)s 个测评链接，请复制后分发。") % {"count": len(links)}
            )
        elif action == "verdict":
            services.assessment_decide(
                assessment=assessment, verdict=data["verdict"], note=data["verdict_note"], user=user
            )
            messages.success(request, _("评估结论已保存。"))
        else:
            services.accountability_record(assessment=assessment, user=user, **data)
            messages.success(request, _("问责记录已添加。"))
    except ValidationError as error:
        report_error(request, error)
        return _render(request, assessment, **{action: form})
    return redirect(assessment)
