"""Running a rule over a round's lists (queued for the worker, its status
polled by the round page); the office adding a rule of its own."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crosscheck import selectors
from crosscheck.access import get_round_for_user, sees_whole_round
from crosscheck.forms import RuleForm
from crosscheck.models import Rule
from crosscheck.services.matching import rules_for
from crosscheck.services.rules import may_add_rules
from crosscheck.services.rules import rule_create as create_rule
from crosscheck.services.runs import rule_run as run_rule
from crosscheck.views.common import error_text, worker_required


@worker_required
@require_POST
def rule_run(request, pk: int):
    round_ = get_round_for_user(request.user, pk)
    rule = rules_for(round_).filter(pk=request.POST.get("rule") or 0).first()
    if rule is None:
        messages.error(request, _("请选择规则。"))
        return redirect("crosscheck:round_home", round_.pk)
    try:
        run_rule(user=request.user, round_=round_, rule=rule)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("已提交比对“%(rule)s”，进度和结果见下方“最近的比对”。") % {"rule": rule.name},
        )
    return redirect("crosscheck:round_home", round_.pk)


@worker_required
def run_status(request, pk: int):
    """The round page's recent runs, polled while one is queued or running."""
    round_ = get_round_for_user(request.user, pk)
    return render(
        request, "crosscheck/_runs.html", {"round": round_, **runs_context(round_, request.user)}
    )


def runs_context(round_, user) -> dict:
    runs = selectors.round_runs(round_)
    return {
        "runs": runs,
        "polling": any(run.is_active for run in runs),
        # A run's count is the whole round's: a team sees only its own targets' hits.
        "shows_counts": sees_whole_round(user, round_),
    }


@worker_required
def rule_create(request, pk: int):
    round_ = get_round_for_user(request.user, pk)
    if not may_add_rules(request.user):
        raise PermissionDenied  # the team sees the round, the rules are the office's
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = create_rule(user=request.user, **form.service_kwargs())
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("已添加规则“%(rule)s”。") % {"rule": rule.name})
            return redirect("crosscheck:round_home", round_.pk)
    return render(
        request,
        "crosscheck/rule_form.html",
        {"round": round_, "form": form, "keys": Rule.Key.choices},
        status=400 if form.errors else 200,
    )
