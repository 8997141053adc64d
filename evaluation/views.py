from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluation import services
from evaluation.access import (
    get_round_for_evaluation,
    reads_evaluation,
    require_city_reader,
    sets_evaluation,
)
from evaluation.figures import (
    DISTRICT_FIGURES,
    TEAM_FIGURES,
    district_rows,
    district_terms,
    team_rows,
    weights_for,
)
from evaluation.models import WeightSet
from evaluation.selectors import evaluated_rounds
from rounds.models import Team
from xuncha.core.view_helpers import report_error
from xuncha.core.xlsx import list_export
from xuncha.orgs.models import Office


def _value(row, figure) -> str:
    value = row.values[figure.code]
    return "—" if value is None else value


@login_required
def index(request):
    if not reads_evaluation(request.user):
        raise Http404
    return render(
        request,
        "evaluation/index.html",
        {
            "rounds": evaluated_rounds(user=request.user)[:100],
            "districts": request.user.office.is_city,
        },
    )


def _table(rows, figures):
    return [{"row": row, "values": [_value(row, f) for f in figures]} for row in rows]


@login_required
def round_view(request, pk: int):
    round_ = get_round_for_evaluation(request.user, pk)
    rows = team_rows(round_)
    may_set = sets_evaluation(request.user, round_.office)
    weights = weights_for(round_.office, WeightSet.Scope.TEAM)
    return render(
        request,
        "evaluation/round.html",
        {
            "round": round_,
            "figures": TEAM_FIGURES,
            "table": _table(rows, TEAM_FIGURES),
            "weights": [(f, weights[f.code]) for f in TEAM_FIGURES],
            "may_set": may_set,
        },
    )


@login_required
def round_export(request, pk: int):
    round_ = get_round_for_evaluation(request.user, pk)
    rows = team_rows(round_)
    columns = [("排名", 6), ("巡察组", 14), ("得分", 8)]
    columns += [(f"{f.label}（{f.unit}）", 14) for f in TEAM_FIGURES]
    columns += [("考评意见", 40)]
    return list_export(
        request,
        name=f"巡察组量化考评-{round_.name}",
        columns=columns,
        rows=(
            [row.rank, row.subject.name, row.score]
            + [_value(row, f) for f in TEAM_FIGURES]
            + [row.remark]
            for row in rows
        ),
        action="evaluation.export",
        filters={"round": round_.pk},
    )


@login_required
@require_POST
def weights_set(request, scope: str):
    if scope not in WeightSet.Scope.values or not reads_evaluation(request.user):
        raise Http404
    try:
        services.weights_set(
            office=request.user.office, scope=scope, weights=request.POST, user=request.user
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("考评权重已保存，排名已按新权重重新计算。"))
    round_id = request.POST.get("round", "")
    if scope == WeightSet.Scope.TEAM and round_id.isdigit():
        return redirect("evaluation:round", int(round_id))
    if scope == WeightSet.Scope.DISTRICT:
        return redirect("evaluation:districts")
    return redirect("evaluation:index")


@login_required
@require_POST
def team_remark(request, pk: int):
    team = get_object_or_404(Team.objects.select_related("round__office"), pk=pk)
    get_round_for_evaluation(request.user, team.round_id)
    try:
        services.team_remark_set(team=team, text=request.POST.get("text", ""), user=request.user)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("已保存%(team)s的考评意见。") % {"team": team.name})
    return redirect("evaluation:round", team.round_id)


def _term(request) -> int | None:
    terms = district_terms()
    raw = request.GET.get("term") or request.POST.get("term") or ""
    if raw.isdigit() and int(raw) in terms:
        return int(raw)
    return terms[0] if terms else None


@login_required
def districts(request):
    require_city_reader(request.user)
    term = _term(request)
    rows = district_rows(term, city=request.user.office) if term else []
    weights = weights_for(request.user.office, WeightSet.Scope.DISTRICT)
    return render(
        request,
        "evaluation/districts.html",
        {
            "term": term,
            "terms": district_terms(),
            "figures": DISTRICT_FIGURES,
            "table": _table(rows, DISTRICT_FIGURES),
            "weights": [(f, weights[f.code]) for f in DISTRICT_FIGURES],
            "may_set": sets_evaluation(request.user, request.user.office),
        },
    )


@login_required
def districts_export(request):
    require_city_reader(request.user)
    term = _term(request)
    rows = district_rows(term, city=request.user.office) if term else []
    columns = [("排名", 6), ("巡察机构", 20), ("得分", 8)]
    columns += [(f"{f.label}（{f.unit}）", 14) for f in DISTRICT_FIGURES]
    columns += [("考评意见", 40)]
    return list_export(
        request,
        name=f"区县巡察工作考评-第{term or ''}届",
        columns=columns,
        rows=(
            [row.rank, row.subject.name, row.score]
            + [_value(row, f) for f in DISTRICT_FIGURES]
            + [row.remark]
            for row in rows
        ),
        action="evaluation.export",
        filters={"term": term},
    )


@login_required
@require_POST
def district_remark(request, pk: int):
    require_city_reader(request.user)
    office = get_object_or_404(Office, pk=pk, level=Office.Level.DISTRICT)
    term = _term(request)
    if term is None:
        raise Http404
    try:
        services.district_remark_set(
            office=office, term=term, text=request.POST.get("text", ""), user=request.user
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("已保存%(office)s的考评意见。") % {"office": office.name})
    return redirect(f"{reverse('evaluation:districts')}?term={term}")
