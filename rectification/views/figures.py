"""The headline figures: 整改完成率, 建章立制 and 挽回经济损失, for the whole
reach, per round and per target. One grouped query per table."""

from django.core.paginator import Paginator
from django.shortcuts import render

from rectification import selectors
from rectification.forms import FiguresFilterForm
from rounds.models import Round
from rounds.selectors import round_choices
from xuncha.accounts.roles import Role
from xuncha.core.access import role_required
from xuncha.core.view_helpers import PAGE_SIZE


@role_required(Role.UNIT_CONTACT, Role.OFFICE, Role.LEADERSHIP, Role.DEPARTMENT)
def figures(request):
    rounds = round_choices(user=request.user)
    form = FiguresFilterForm(request.GET or None, rounds=rounds)
    round_id = form.filters().get("round")
    items = selectors.item_list(user=request.user)
    total = selectors.completion_figures(items)
    per_round = [selectors.with_rate(row) for row in selectors.completion_by(items, "round")]
    round_names = {
        pk: r.name
        for pk, r in Round.objects.select_related("office")
        .in_bulk([row["round"] for row in per_round])
        .items()
    }
    for row in per_round:
        row["name"] = round_names.get(row["round"], "")
    targets = items.filter(round=round_id) if round_id else items
    per_target = Paginator(
        selectors.completion_by(targets, "round", "organization", "organization__name"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    for row in per_target:
        selectors.with_rate(row)
        row["round_name"] = round_names.get(row["round"], "")
    return render(
        request,
        "rectification/figures.html",
        {
            "form": form,
            "total": total,
            "per_round": per_round,
            "per_target": per_target,
        },
    )
