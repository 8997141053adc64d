"""Targets: assigning an organization to a team, the list, one target's page
with its dates, the feedback to the unit and the problems found there."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds import selectors, services
from rounds.access import active_membership, office_manages
from rounds.forms import (
    FeedbackForm,
    TargetAddForm,
    TargetDatesForm,
    TargetFilterForm,
    TeamReportForm,
)
from rounds.services.lifecycle import pending_problem_count
from rounds.services.problems import clue_problems
from rounds.services.team_reports import may_submit_report
from rounds.views.rows import target_rows, targets_for_rows
from xuncha.accounts.roles import Role
from xuncha.core.access import role_required
from xuncha.core.pagination import BoundedPaginator
from xuncha.core.view_helpers import PAGE_SIZE, form_errors, report_error


@login_required
@require_POST
def target_add(request, pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    form = TargetAddForm(request.POST, user=request.user)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(team)
    organization = form.cleaned_data["organization"]
    try:
        services.target_add(team=team, organization=organization, user=request.user)
    except ValidationError as error:
        messages.warning(
            request,
            _("未能将「%(org)s」列为%(team)s的巡察对象：")
            % {"org": organization.name, "team": team.name},
        )
        report_error(request, error)
    else:
        messages.success(
            request,
            _("已将「%(org)s」列为%(team)s的巡察对象。")
            % {"org": organization.name, "team": team.name},
        )
    return redirect(team)


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT_CONTACT)
def target_list(request):
    form = TargetFilterForm(request.GET or None, user=request.user)
    targets = targets_for_rows(selectors.target_list(user=request.user, filters=form.filters()))
    page = BoundedPaginator(targets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "rounds/target_list.html",
        {"form": form, "page": page, "rows": target_rows(page)},
    )


@login_required
def target_detail(request, pk: int):
    target = selectors.get_target_for_user(request.user, pk)
    manages = office_manages(request.user, target.round.office)
    problems = selectors.problem_list(user=request.user, filters={"target": target.pk})
    context = {
        "target": target,
        "manages": manages,
        "problems": problems,
        "may_record": active_membership(request.user, target.team) is not None,
        "shows_source": selectors.sees_problem_sources(request.user),
        "sees_round": selectors.round_list(user=request.user).filter(pk=target.round_id).exists(),
    }
    if selectors.sees_team_reports(request.user, target):
        context["team_report"] = selectors.team_report_status(target)
        if may_submit_report(request.user, target):
            context["team_report_form"] = TeamReportForm()
    if manages:
        context["dates_form"] = TargetDatesForm(
            initial={
                "entry_date": target.entry_date,
                "exit_date": target.exit_date,
                "feedback_date": target.feedback_date,
            }
        )
        context["feedback_form"] = FeedbackForm(initial={"feedback_date": target.feedback_date})
        context["pending"] = pending_problem_count(target)
        context["clue_problems"] = list(clue_problems(target)[:50])
    return render(request, "rounds/target_detail.html", context)


@login_required
@require_POST
def target_dates(request, pk: int):
    target = selectors.get_target_for_user(request.user, pk)
    form = TargetDatesForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(target)
    try:
        services.target_set_dates(target=target, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("日期已保存。"))
    return redirect(target)


@login_required
@require_POST
def target_feedback(request, pk: int):
    target = selectors.get_target_for_user(request.user, pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(target)
    try:
        target = services.target_give_feedback(
            target=target,
            feedback_date=form.cleaned_data["feedback_date"],
            user=request.user,
            confirm_clue_problems=form.cleaned_data["confirm_clue_problems"],
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("已向「%(org)s」反馈，整改报告期限为%(due)s。")
            % {"org": target.organization.name, "due": f"{target.rectification_due:%Y年%m月%d日}"},
        )
    return redirect(target)
