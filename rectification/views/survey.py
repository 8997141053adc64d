"""满意度测评: the public page behind a survey link. No account is needed;
it shows the organization's name and nothing else about the inspection.

An assessment with a questionnaire asks its questions, grouped by aspect; one
without asks the single overall question it always did. A cadre's link is
answered once; the poster's shared link by many, a few per address."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from rectification import services
from rectification.forms import QuestionnaireAnswerForm, SurveyAnswerForm
from rectification.models import QuestionnaireAspect, SurveyLink
from xuncha.accounts.lockout import client_ip
from xuncha.core.view_helpers import error_messages

ANSWERED_SESSION_KEY = "survey_answered"


def _page(request, link: SurveyLink, *, form=None, notice: str = "", status: int = 200):
    assessment = link.assessment
    response = render(
        request,
        "rectification/survey_answer.html",
        {
            "organization_name": assessment.target.organization.name,
            "questionnaire": assessment.questionnaire if assessment.questionnaire_id else None,
            "form": form,
            "notice": notice,
        },
        status=status,
    )
    # The token is the only credential: keep it out of other sites' Referer
    # headers. "same-origin" rather than "no-referrer": under no-referrer
    # Chromium posts the form with "Origin: null" and Django's CSRF check
    # refuses every answer; the page loads nothing from another origin anyway.
    response["Referrer-Policy"] = "same-origin"
    return response


def _questionnaire_page(request, link: SurveyLink, token: str):
    aspects = QuestionnaireAspect.objects.filter(
        questionnaire_id=link.assessment.questionnaire_id
    ).prefetch_related("questions")
    form = QuestionnaireAnswerForm(request.POST or None, aspects=aspects)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_respond(
                token=token,
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
                client_key=client_ip(request) or "",
            )
        except ValidationError as error:
            return _page(request, link, notice="；".join(error_messages(error)), status=400)
        if link.shared:
            # This browser has answered: it is thanked rather than asked again
            # (the address limit is what stops a script).
            request.session[ANSWERED_SESSION_KEY] = [
                *request.session.get(ANSWERED_SESSION_KEY, [])[-19:],
                link.assessment_id,
            ]
        return redirect(link)
    return _page(request, link, form=form)


@never_cache
def survey_answer(request, token: str):
    # The token itself is the permission: a link that does not exist is a 404.
    link = get_object_or_404(
        SurveyLink.objects.select_related(
            "assessment__target__organization", "assessment__questionnaire"
        ),
        token=token,
    )
    thanks = _("您已通过此链接提交了评价，感谢您的参与！每个链接只能提交一次。")
    if link.answered_at is not None:
        return _page(request, link, notice=thanks)
    if link.shared and link.assessment_id in request.session.get(ANSWERED_SESSION_KEY, []):
        return _page(request, link, notice=_("您已提交了评价，感谢您的参与！"))
    if not link.assessment.survey_open:
        return _page(request, link, notice=_("本次满意度测评已结束，感谢您的关注。"))
    if link.assessment.questionnaire_id:
        return _questionnaire_page(request, link, token)
    form = SurveyAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                token=token,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            return _page(request, link, notice="；".join(error_messages(error)))
        return redirect(link)
    return _page(request, link, form=form)
