"""Rounds: the list, a new round, one round's page with its stages, and moving it on."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds import selectors, services
from rounds.access import office_manages
from rounds.forms import ReportDueForm, RoundFilterForm, RoundForm, TeamForm
from rounds.links import round_links
from rounds.models import Round
from rounds.services.team_reports import report_due_settable
from rounds.workflow import ROUND, next_step
from xuncha.accounts.roles import Role
from xuncha.core import workflow
from xuncha.core.access import role_required
from xuncha.core.view_helpers import PAGE_SIZE, add_service_errors, report_error


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER)
def round_list(request):
    form = RoundFilterForm(request.GET or None)
    rounds = selectors.round_list(user=request.user, filters=form.filters())
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    may_create = request.user.office is not None and office_manages(
        request.user, request.user.office
    )
    return render(
        request,
        "rounds/round_list.html",
        {"form": form, "page": page, "may_create": may_create},
    )


@role_required(Role.OFFICE)
def round_create(request):
    office = request.user.office
    if office is None or not office_manages(request.user, office):
        raise PermissionDenied(_("只有巡察办工作人员可以新建巡察轮次。"))
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(office=office, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已新建「%(round)s」。") % {"round": round_.name})
            return redirect(round_)
    return render(request, "rounds/round_form.html", {"form": form, "office": office})


def stages(round_: Round) -> list[dict]:
    """The seven stages for the stepper: done, current or still to come."""
    values = Round.Status.values
    current = values.index(round_.status)
    return [
        {
            "label": label,
            "state": "done" if i < current else "current" if i == current else "todo",
            "number": i + 1,
        }
        for i, (_value, label) in enumerate(Round.Status.choices)
    ]


@login_required
def round_detail(request, pk: int):
    round_ = selectors.get_round_for_user(request.user, pk)
    manages = office_manages(request.user, round_.office)
    teams = list(selectors.team_list(user=request.user, round_=round_).order_by("number"))
    targets = selectors.target_list(user=request.user, filters={"round": round_.pk})
    by_team: dict[int, list] = {}
    for target in targets:
        by_team.setdefault(target.team_id, []).append(target)
    for team in teams:
        team.round = round_  # already loaded: the template's team links need no query
        team.target_rows = by_team.get(team.pk, [])
        members = list(team.memberships.all())
        team.leader = next((m for m in members if m.role == m.Role.LEADER), None)
        team.size = len(members)
        team.signed = sum(m.has_signed_all for m in members)
    context = {
        "round": round_,
        "stages": stages(round_),
        "teams": teams,
        "target_count": sum(len(t.target_rows) for t in teams),
        "manages": manages,
        "links": round_links(request.user, round_),
    }
    offers = workflow.actions_for(ROUND, request.user, round_)
    if step := next_step(round_):
        # The next stage's row: offered (data-action) when allowed, else what still blocks it.
        context["advance"] = offers.get(step.action)
        context["next_label"] = Round.Status(step.target).label
        context["missing"] = context["advance"].reasons if context["advance"] else []
    if manages and report_due_settable(round_):
        context["report_due_form"] = ReportDueForm(initial={"report_due": round_.report_due})
    if "form_team" in offers:
        next_number = (round_.teams.aggregate(n=Max("number"))["n"] or 0) + 1
        context["team_form"] = TeamForm(initial={"number": next_number})
    return render(request, "rounds/round_detail.html", context)


@login_required
@require_POST
def round_advance(request, pk: int):
    round_ = selectors.get_round_for_user(request.user, pk)
    try:
        round_ = services.round_advance(round_=round_, user=request.user)
    except ValidationError as error:
        if step := next_step(round_):
            label = Round.Status(step.target).label
            messages.warning(
                request, _("还不能进入%(stage)s阶段，请先完成以下事项：") % {"stage": label}
            )
        report_error(request, error)
    else:
        messages.success(
            request,
            _("「%(round)s」已进入%(stage)s阶段。")
            % {"round": round_.name, "stage": round_.get_status_display()},
        )
    return redirect(round_)
