"""满意度测评: the public page behind a survey link. No account is needed;
it shows the organization's name and nothing else about the inspection."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache

from rectification import services
from rectification.forms import SurveyAnswerForm
from rectification.models import SurveyLink
from xuncha.core.view_helpers import error_messages


def _page(request, link: SurveyLink, *, form=None, notice: str = "", status: int = 200):
    response = render(
        request,
        "rectification/survey_answer.html",
        {
            "organization_name": link.assessment.target.organization.name,
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


@never_cache
def survey_answer(request, token: str):
    # The token itself is the permission: a link that does not exist is a 404.
    link = get_object_or_404(
        SurveyLink.objects.select_related("assessment__target__organization"), token=token
    )
    if link.answered_at is not None:
        return _page(
            request, link, notice="您已通过此链接提交了评价，感谢您的参与！每个链接只能提交一次。"
        )
    if not link.assessment.survey_open:
        return _page(request, link, notice="本次满意度测评已结束，感谢您的关注。")
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
