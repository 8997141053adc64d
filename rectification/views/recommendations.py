"""巡察建议书: the office issues, the department receives and answers, the office closes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rectification import selectors, services
from rectification.forms import RecommendationForm, RecommendationStepForm
from rectification.models import Recommendation
from rectification.workflow import RECOMMENDATION
from rounds.access import office_manages
from rounds.selectors import round_list
from xuncha.accounts.roles import Role
from xuncha.core import workflow
from xuncha.core.access import role_required
from xuncha.core.view_helpers import PAGE_SIZE, report_error

# What each step asks of the person taking it; the rows themselves are rectification.workflow.
STEP_HINTS = {
    Recommendation.Status.RECEIVED: gettext_lazy("确认收到本建议书。"),
    Recommendation.Status.ANSWERED: gettext_lazy("填写针对建议采取的措施和成效；可多次反馈。"),
    Recommendation.Status.CLOSED: gettext_lazy("确认部门已落实，办结本建议书。"),
}


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.DEPARTMENT)
def recommendation_list(request):
    recommendations = selectors.recommendation_list(user=request.user)
    page = Paginator(recommendations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "rectification/recommendation_list.html",
        {"page": page, "may_issue": office_manages(request.user, request.user.office)},
    )


@login_required
def recommendation_create(request):
    # 404 like every other page a role may not use, not a 403 that says it exists.
    if not office_manages(request.user, request.user.office):
        raise Http404
    form = RecommendationForm(
        request.POST or None, rounds=round_list(user=request.user).prefetch_related(None)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recommendation = services.recommendation_issue(
                office=request.user.office,
                department=data["department"],
                round_=data["round"],
                title=data["title"],
                content=data["content"],
                due=data["due"],
                user=request.user,
            )
        except ValidationError as error:
            report_error(request, error)
        else:
            messages.success(request, _("巡察建议书已印发，主送部门已收到通知。"))
            return redirect(recommendation)
    return render(request, "rectification/recommendation_form.html", {"form": form})


@login_required
def recommendation_detail(request, pk: int):
    recommendation = selectors.get_recommendation_for_user(request.user, pk)
    steps = [
        (offer.action, offer.label, STEP_HINTS[offer.action])
        for offer in workflow.actions_for(RECOMMENDATION, request.user, recommendation).values()
        if offer.allowed
    ]
    return render(
        request,
        "rectification/recommendation_detail.html",
        {
            "recommendation": recommendation,
            "entries": recommendation.entries.select_related("actor"),
            "steps": steps,
            "step_form": RecommendationStepForm(),
        },
    )


@login_required
@require_POST
def recommendation_step(request, pk: int):
    recommendation = selectors.get_recommendation_for_user(request.user, pk)
    form = RecommendationStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("未知的操作。"))
        return redirect(recommendation)
    try:
        services.recommendation_step(
            recommendation=recommendation,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("已记录。"))
    return redirect(recommendation)
