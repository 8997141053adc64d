"""The plan and its three lists (三单): drawn up by the unit's contact, signed
by its top leader, submitted, and accepted or returned by the office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rectification import services
from rectification.forms import ItemPlanForm, ReviewForm
from rectification.models import ItemQuerySet
from rectification.selectors import get_item_for_user, get_plan_for_user
from rectification.selectors import plan_list as select_plans
from rectification.services.plans import PLANNABLE_TARGET_STATUSES, may_open_plan
from rectification.workflow import PLAN, plan_office_manages
from rounds.selectors import get_target_for_user, target_list
from xuncha.accounts.roles import Role
from xuncha.core import workflow
from xuncha.core.access import role_required
from xuncha.core.view_helpers import PAGE_SIZE, report_error

DONE = ItemQuerySet.done_q("items__")


@role_required(Role.UNIT_CONTACT, Role.OFFICE, Role.LEADERSHIP)
def plan_list(request):
    plans = (
        select_plans(user=request.user)
        .annotate(item_count=Count("items"), done_count=Count("items", filter=DONE))
        .order_by("-created_at", "-pk")
    )
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    # Fed-back targets with no plan yet: the unit's contact starts its plan here.
    waiting = [
        (target, may_open_plan(request.user, target))
        for target in target_list(user=request.user).filter(
            status__in=PLANNABLE_TARGET_STATUSES, plan__isnull=True
        )[:100]
    ]
    return render(request, "rectification/plan_list.html", {"page": page, "waiting": waiting})


@login_required
@require_POST
def plan_open(request, target_pk: int):
    target = get_target_for_user(request.user, target_pk)
    try:
        plan = services.plan_open(target=target, user=request.user)
    except ValidationError as error:
        report_error(request, error)
        return redirect("rectification:plan_list")
    messages.success(request, _("已生成整改方案，请逐项填写整改措施和责任分工。"))
    return redirect(plan)


@login_required
def plan_detail(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    items = plan.items.select_related(
        "problem__category", "responsible_user", "supervisor_user"
    ).order_by("problem_id")
    actions = workflow.actions_for(PLAN, request.user, plan)
    # What still keeps the top leader from signing, shown to the contact who can fix it
    # (the leader sees the same list as the reasons the 签字背书 row gives).
    missing = services.plan_missing(plan) if "edit" in actions else []
    return render(
        request,
        "rectification/plan_detail.html",
        {
            "plan": plan,
            "items": items,
            "actions": actions,
            "missing": missing,
            "review_form": ReviewForm() if "review" in actions else None,
            "assessment": getattr(plan.target, "assessment", None)
            if plan_office_manages(request.user, plan)
            else None,
        },
    )


@login_required
def item_edit(request, pk: int):
    """Fill in one item's measures and responsibility (inline on the plan page)."""
    item = get_item_for_user(request.user, pk)
    plan = item.plan
    if not workflow.allowed(PLAN, request.user, plan, "edit"):
        raise PermissionDenied(_("该整改方案当前不能由您修改。"))
    form = ItemPlanForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_plan_update(item=item, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            report_error(request, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(reverse("rectification:plan_detail", args=[plan.pk]) + f"#item-{pk}")
    template = (
        "rectification/_item_plan_form.html"
        if request.htmx and request.method == "GET"
        else "rectification/item_edit.html"
    )
    return render(request, template, {"item": item, "plan": plan, "form": form})


@login_required
@require_POST
def plan_sign(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    try:
        services.plan_sign(plan=plan, user=request.user)
    except ValidationError as error:
        messages.error(request, _("方案还不完整，暂不能签字："))
        report_error(request, error)
    else:
        messages.success(request, _("已签字背书。请联络人报送巡察办。"))
    return redirect(plan)


@login_required
@require_POST
def plan_submit(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    try:
        services.plan_submit(plan=plan, user=request.user)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("整改方案已报送巡察办，请等待审核。"))
    return redirect(plan)


@login_required
@require_POST
def plan_review(request, pk: int):
    plan = get_plan_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核意见。"))
        return redirect(plan)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.plan_review(
            plan=plan, user=request.user, accept=accept, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("方案已通过，整改事项进入台账。") if accept else "方案已退回，并告知退回理由。",
        )
    return redirect(plan)
