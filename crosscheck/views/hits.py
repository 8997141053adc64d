"""Hits: the list of a round, one hit with its rows and why, and its review."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clues.forms import ClueForm
from crosscheck import selectors
from crosscheck.access import get_hit_for_user, get_round_for_user
from crosscheck.forms import DismissForm, HitProblemForm
from crosscheck.models import Hit
from crosscheck.services import review
from crosscheck.views.common import error_text, worker_required
from crosscheck.workflow import HIT
from rounds.models import Problem
from xuncha.core import workflow


@worker_required
def hit_list(request, pk: int):
    round_ = get_round_for_user(request.user, pk)
    status = request.GET.get("status", Hit.Status.OPEN)
    if status not in Hit.Status.values:
        status = ""
    page = Paginator(selectors.round_hits(round_, status, user=request.user), 50).get_page(
        request.GET.get("page")
    )
    # The list shows names from the lists' rows: a read like any other.
    review.hits_record_read(user=request.user, round_=round_, page=page.number)
    return render(
        request,
        "crosscheck/hit_list.html",
        {"round": round_, "page": page, "status": status, "statuses": Hit.Status.choices},
    )


def _forms(request, hit: Hit, data=None, which: str = ""):
    targets = selectors.review_targets(request.user, hit.round)
    actions = workflow.actions_for(HIT, request.user, hit)
    return {
        "problem_form": HitProblemForm(
            data if which == "problem" else None,
            targets=targets,
            initial={"description": f"{hit.rule.name}：{hit.rule.description}"},
            prefix="problem",
        ),
        "clue_form": ClueForm(
            data if which == "clue" else None,
            initial={"source": Problem.Source.DATA, "summary": review.why(hit)},
            prefix="clue",
        ),
        "dismiss_form": DismissForm(data if which == "dismiss" else None, prefix="dismiss"),
        "targets": targets,
        "actions": actions,
        "assignable": (selectors.assignable_targets(hit.round) if "assign" in actions else None),
    }


def _render(request, hit: Hit, forms: dict, status: int = 200):
    # Every page that shows the rows is a read, a refused review's too.
    review.hit_record_read(user=request.user, hit=hit)
    return render(
        request,
        "crosscheck/hit_detail.html",
        {
            "hit": hit,
            "round": hit.round,
            "rows": [
                (part, row, [getattr(row, column) for column in review.EVIDENCE_COLUMNS])
                for part, row in review.hit_rows(hit)
            ],
            "headers": [review.EVIDENCE_LABELS[column] for column in review.EVIDENCE_COLUMNS],
            "why": review.why(hit),
            **forms,
        },
        status=status,
    )


@worker_required
def hit_detail(request, pk: int):
    hit = get_hit_for_user(request.user, pk)
    return _render(request, hit, _forms(request, hit))


@worker_required
@require_POST
def hit_assign(request, pk: int):
    hit = get_hit_for_user(request.user, pk)
    target_id = request.POST.get("target", "")
    target = (
        selectors.assignable_targets(hit.round)
        .filter(pk=int(target_id) if target_id.isdigit() else 0)
        .first()
    )
    try:
        hit = review.hit_assign(hit=hit, target=target, user=request.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("该命中已交「%(org)s」所在巡察组研判。") % {"org": hit.target.organization.name},
        )
    return redirect(hit)


@worker_required
@require_POST
def hit_review(request, pk: int):
    hit = get_hit_for_user(request.user, pk)
    action = request.POST.get("action", "")
    forms = _forms(request, hit, request.POST, action)
    form = forms.get(f"{action}_form")
    if form is None or not form.is_valid():
        if form is not None:
            messages.error(request, _("请检查填写的内容。"))
        return _render(request, hit, forms, status=400)
    data = form.cleaned_data
    try:
        if action == "problem":
            review.hit_to_problem(hit=hit, user=request.user, **data)
        elif action == "clue":
            fields = form.service_kwargs()
            fields.pop("source", None)
            target = forms["targets"].filter(pk=request.POST.get("clue-target") or 0).first()
            if target is None:
                raise ValidationError(_("请选择巡察对象。"))
            review.hit_to_clue(hit=hit, user=request.user, target=target, **fields)
        else:
            review.hit_dismiss(hit=hit, user=request.user, reason=data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
        return _render(request, hit, forms, status=400)
    messages.success(request, _("研判结果已保存。"))
    return redirect(hit)
