"""Teams: forming one (members from the pools, recusal checked by the service),
its page with the work-log calendar, and each member's three commitments."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds import selectors, services
from rounds.access import office_manages
from rounds.forms import (
    COMMITMENT_TEXTS,
    MemberAddForm,
    OrganizationSearchForm,
    TargetAddForm,
    TeamForm,
)
from rounds.models import Commitment, Membership, Team
from xuncha.core.view_helpers import form_errors, report_error
from xuncha.orgs.selectors import organization_list

ORG_SEARCH_LIMIT = 20


@login_required
@require_POST
def team_create(request, pk: int):
    round_ = selectors.get_round_for_user(request.user, pk)
    form = TeamForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(round_)
    try:
        team = services.team_create(round_=round_, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_error(request, error)
        return redirect(round_)
    messages.success(
        request, _("已组建%(team)s，请从组长库、人才库选派成员。") % {"team": team.name}
    )
    return redirect(team)


def calendar_weeks(team: Team, today: datetime.date) -> tuple[list[list[dict]], int] | None:
    """The team's time on site as weeks (Monday first), each day marked filed,
    missing (a working day before today with no log), today, weekend or
    outside the period. None while no target has an entry date."""
    period = selectors.team_on_site_period(team)
    if period is None:
        return None
    first, last = period
    last = min(last or today, today)
    if last < first:  # entry is still to come
        last = first
    logs = {log.date: log for log in team.logs.filter(date__range=(first, last))}
    start = first - datetime.timedelta(days=first.weekday())
    end = last + datetime.timedelta(days=6 - last.weekday())
    weeks, week, missing = [], [], 0
    day = start
    while day <= end:
        log = logs.get(day)
        if not first <= day <= last:
            state = "outside"
        elif log is not None:
            state = "filed"
        elif day > today:
            state = "future"
        elif day == today:
            state = "today"
        elif day.weekday() >= 5:
            state = "weekend"
        else:
            state = "missing"
            missing += 1
        week.append({"date": day, "state": state, "log": log})
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += datetime.timedelta(days=1)
    return weeks, missing


@login_required
def team_detail(request, pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    round_ = team.round
    manages = office_manages(request.user, round_.office)
    memberships = list(
        team.memberships.select_related("cadre__organization", "cadre__user").prefetch_related(
            "commitments"
        )
    )
    order = {role: i for i, role in enumerate(Membership.Role.values)}  # 组长, 副组长, 组员
    memberships.sort(key=lambda m: (order[m.role], m.pk))
    mine = next((m for m in memberships if m.cadre.user_id == request.user.pk), None)
    targets = list(selectors.target_list(user=request.user, filters={"team": team.pk}))
    for target in targets:
        target.round = round_
    today = timezone.localdate()
    context = {
        "team": team,
        "round": round_,
        "manages": manages,
        "memberships": memberships,
        "mine": mine,
        "targets": targets,
        "today": today,
        "is_leader": mine is not None
        and mine.role == Membership.Role.LEADER
        and mine.has_signed_all,
    }
    if selectors.sees_team_workings(request.user, team):
        calendar = calendar_weeks(team, today)
        context["calendar"], context["missing_days"] = calendar or (None, 0)
        context["shows_logs"] = True
    if manages:
        context["member_form"] = MemberAddForm(user=request.user, team=team)
        context["target_form"] = TargetAddForm(user=request.user)
        search = OrganizationSearchForm(request.GET or None)
        context["search_form"] = search
        if search.is_valid() and (query := search.cleaned_data["org_q"].strip()):
            taken = set(round_.targets.values_list("organization_id", flat=True))
            found = organization_list(user=request.user, filters={"q": query}).filter(
                is_active=True
            )[:ORG_SEARCH_LIMIT]
            context["found"] = [(org, org.pk in taken) for org in found]
    return render(request, "rounds/team_detail.html", context)


@login_required
@require_POST
def team_add_member(request, pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    form = MemberAddForm(request.POST, user=request.user, team=team)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(team)
    cadre, role = form.cleaned_data["cadre"], form.cleaned_data["role"]
    try:
        services.team_add_member(
            team=team,
            cadre=cadre,
            role=role,
            user=request.user,
            confirm_busy=form.cleaned_data["confirm_busy"],
        )
    except ValidationError as error:
        messages.warning(
            request, _("未能将%(name)s编入%(team)s：") % {"name": cadre.name, "team": team.name}
        )
        report_error(request, error)
    else:
        role_label = Membership.Role(role).label
        messages.success(
            request,
            _("已将%(name)s编入%(team)s，担任%(role)s。")
            % {"name": cadre.name, "team": team.name, "role": role_label},
        )
    return redirect(team)


@login_required
@require_POST
def team_remove_member(request, pk: int, membership_pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    membership = get_object_or_404(team.memberships.select_related("cadre"), pk=membership_pk)
    try:
        services.team_remove_member(membership=membership, user=request.user)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("已将%(name)s调出%(team)s。") % {"name": membership.cadre.name, "team": team.name},
        )
    return redirect(team)


def _my_membership(request, team: Team) -> Membership:
    membership = selectors.my_memberships(request.user).filter(team=team).first()
    if membership is None:
        raise Http404  # office staff open the team page; only members sign
    return membership


@login_required
def commitments(request, pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    membership = _my_membership(request, team)
    signed = {c.kind: c for c in membership.commitments.all()}
    rows = [
        {"kind": kind, "label": label, "text": COMMITMENT_TEXTS[kind], "signed": signed.get(kind)}
        for kind, label in Commitment.Kind.choices
    ]
    return render(
        request,
        "rounds/commitments.html",
        {"team": team, "membership": membership, "rows": rows},
    )


@login_required
@require_POST
def commitment_sign(request, pk: int):
    team = selectors.get_team_for_user(request.user, pk)
    membership = _my_membership(request, team)
    kind = request.POST.get("kind", "")
    try:
        services.commitment_sign(membership=membership, kind=kind, user=request.user)
    except ValidationError as error:
        report_error(request, error)
        return redirect("rounds:commitments", pk=team.pk)
    membership.refresh_from_db()
    messages.success(request, _("已签署《%(kind)s》。") % {"kind": Commitment.Kind(kind).label})
    if membership.has_signed_all:
        messages.success(request, _("三项承诺已全部签署，现在可以查看本组的巡察对象。"))
        return redirect(team)
    return redirect("rounds:commitments", pk=team.pk)
