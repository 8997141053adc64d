"""The team's side: drafting a clue for one of its targets, editing the draft
and adding to its material package (问题资料包)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clues import selectors, services
from clues.forms import ClueFileForm, ClueForm
from clues.workflow import allowed_clue_actions
from rounds.selectors import get_target_for_user, problem_list, target_list
from xuncha.accounts.roles import Role
from xuncha.core.access import role_required
from xuncha.core.view_helpers import add_service_errors, report_error

TEAM_ROLES = (Role.TEAM_LEADER, Role.TEAM_MEMBER)


def _target_param(request):
    try:
        return int(request.GET["target"])
    except (KeyError, ValueError):
        return None


@role_required(*TEAM_ROLES)
def clue_create(request):
    target_pk = _target_param(request)
    if target_pk is None:
        # First pick the target: only the user's own team's, once signed.
        targets = target_list(user=request.user)[:200]
        return render(request, "clues/clue_target_choice.html", {"targets": targets})
    target = get_target_for_user(request.user, target_pk)
    problems = problem_list(user=request.user, filters={"target": target.pk}).select_related(None)
    form = ClueForm(request.POST or None, problems=problems)
    if request.method == "POST" and form.is_valid():
        try:
            clue = services.clue_create(
                target=target,
                user=request.user,
                problems=list(form.cleaned_data["problems"]),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("问题线索 %(number)s 已起草，请上传问题资料包后报组长签字。")
                % {"number": clue.number},
            )
            return redirect(clue)
    return render(request, "clues/clue_form.html", {"form": form, "target": target, "clue": None})


@role_required(*TEAM_ROLES)
def clue_edit(request, pk: int):
    clue = selectors.get_clue_for_user(request.user, pk)
    if "edit" not in allowed_clue_actions(request.user, clue):
        # Visible but not changeable by this person (or no longer a draft).
        raise PermissionDenied(_("只有起草阶段的本组线索可以修改。"))
    form = ClueForm(request.POST or None, instance=clue)
    if request.method == "POST" and form.is_valid():
        try:
            services.clue_update(clue=clue, user=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("线索已修改。"))
            return redirect(clue)
    return render(
        request, "clues/clue_form.html", {"form": form, "target": clue.target, "clue": clue}
    )


@role_required(*TEAM_ROLES)
@require_POST
def clue_file_upload(request, pk: int):
    clue = selectors.get_clue_for_user(request.user, pk)
    form = ClueFileForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(clue)
    try:
        services.clue_attach_file(
            clue=clue,
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            user=request.user,
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("材料已上传。"))
    return redirect(clue)
