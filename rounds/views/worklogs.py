"""Daily work logs (工作日报), filed by the team leader on a phone, and the
weekly summaries (周汇总) compiled from them for the leading group."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds import selectors, services
from rounds.access import require_office, require_team_leader
from rounds.forms import WeeklySummaryFilterForm, WeeklySummaryRunForm, WorkLogForm
from rounds.services.worklogs import LOG_FIGURES
from rounds.tasks import compile_weekly_summary
from rounds.worklog_sources import counts_from_records
from xuncha.accounts.roles import Role
from xuncha.core.view_helpers import PAGE_SIZE, add_service_errors, form_errors


def _date_param(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


@login_required
def worklog_form(request, pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    require_team_leader(request.user, team)
    if request.method == "POST":
        form = WorkLogForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["date"]
            try:
                services.worklog_file(
                    team=team,
                    date=day,
                    figures=form.figures(),
                    narrative=form.cleaned_data["narrative"],
                    user=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("%(day)s的工作日报已保存。") % {"day": f"{day:%m月%d日}"}
                )
                return redirect(team)
        existing = None
    else:
        day = _date_param(request.GET.get("date"))
        existing = team.logs.filter(date=day).first()
        initial = {"date": day}
        from_records = counts_from_records(team, day)
        if existing is not None:
            initial.update({name: getattr(existing, name) for name in LOG_FIGURES})
            initial["narrative"] = existing.narrative
        else:
            # A new day's figures start from the day's records; the leader may correct them.
            initial.update(from_records)
        form = WorkLogForm(initial=initial)
    return render(
        request,
        "rounds/worklog_form.html",
        {
            "team": team,
            "form": form,
            "existing": existing,
            "today": timezone.localdate(),
            "from_records": from_records if request.method == "GET" else {},
        },
    )


@login_required
def worklog_list(request, pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    if not selectors.sees_team_workings(request.user, team):
        raise Http404
    logs = selectors.worklog_list(team=team)
    page = Paginator(logs, PAGE_SIZE).get_page(request.GET.get("page"))
    mine = selectors.my_memberships(request.user).filter(team=team).first()
    return render(
        request,
        "rounds/worklog_list.html",
        {
            "team": team,
            "page": page,
            "is_leader": mine is not None and mine.role == mine.Role.LEADER,
        },
    )


def _reads_summaries(user) -> None:
    # The summary is written for the leading group and kept by the office.
    if not user.has_role(Role.OFFICE, Role.LEADERSHIP):
        raise Http404


@login_required
def weekly_summary_list(request):
    _reads_summaries(request.user)
    form = WeeklySummaryFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    summaries = selectors.weekly_summary_list(user=request.user, filters=filters)
    page = Paginator(summaries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form}
    if request.user.has_role(Role.OFFICE):
        rounds = selectors.round_list(user=request.user).prefetch_related(None)
        context["run_form"] = WeeklySummaryRunForm(
            rounds=rounds, initial={"round": filters.get("round")}
        )
    return render(request, "rounds/weekly_summary_list.html", context)


@login_required
def weekly_summary_detail(request, pk: int):
    _reads_summaries(request.user)
    summary = get_object_or_404(selectors.weekly_summary_list(user=request.user), pk=pk)
    data = summary.data
    teams = data.get("teams", [])
    for team in teams:
        team["missing"] = [datetime.date.fromisoformat(d) for d in team.get("missing_days", [])]
    return render(
        request,
        "rounds/weekly_summary_detail.html",
        {
            "summary": summary,
            "teams": teams,
            "totals": data.get("totals", {}),
            "figures": LOG_FIGURES,
        },
    )


@login_required
@require_POST
def weekly_summary_run(request):
    _reads_summaries(request.user)
    rounds = selectors.round_list(user=request.user).prefetch_related(None)
    form = WeeklySummaryRunForm(request.POST, rounds=rounds)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("rounds:weekly_summary_list")
    round_, week_start = form.cleaned_data["round"], form.cleaned_data["week_start"]
    require_office(request.user, round_)
    names = {"round": round_.name, "week": f"{week_start:%m月%d日}"}
    existing = (
        selectors.weekly_summary_list(user=request.user, filters={"round": round_.pk})
        .filter(week_start=week_start)
        .first()
    )
    if existing is not None:
        messages.info(
            request, _("「%(round)s」%(week)s起的一周的周汇总已经生成，不再重复生成。") % names
        )
        return redirect(existing)
    compile_weekly_summary.delay_on_commit(round_.pk, week_start.isoformat(), request.user.pk)
    messages.success(
        request,
        _(
            "已提交生成「%(round)s」%(week)s起的一周的周汇总，稍后刷新本页即可查看；"
            "领导小组成员将收到通知。"
        )
        % names,
    )
    return redirect(f"{reverse('rounds:weekly_summary_list')}?round={round_.pk}")
