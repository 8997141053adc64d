"""Problems found at a target: the list, recording and editing one, its review
steps, its attachments (served only through this module)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rounds import selectors, services
from rounds.access import require_member
from rounds.forms import (
    AttachmentForm,
    ProblemFilterForm,
    ProblemForm,
    TransitionForm,
    TransitionNoteForm,
)
from rounds.models import Problem
from rounds.services.problems import EDITABLE_FIELDS, TRANSITIONS, may_attach, may_edit
from rounds.views.rows import problem_rows, problems_for_rows
from xuncha.accounts.roles import Role
from xuncha.audit.models import AuditEntry
from xuncha.audit.selectors import withheld_content
from xuncha.audit.services import log_action
from xuncha.core.access import role_required
from xuncha.core.pagination import BoundedPaginator
from xuncha.core.view_helpers import add_service_errors, form_errors, report_error

PROBLEM_OBJECT_TYPE = "rounds.problem"


@role_required(Role.OFFICE, Role.LEADERSHIP, Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT_CONTACT)
def problem_list(request):
    form = ProblemFilterForm(request.GET or None, user=request.user)
    problems = problems_for_rows(selectors.problem_list(user=request.user, filters=form.filters()))
    page = BoundedPaginator(problems, form.page_size()).get_page(request.GET.get("page"))
    shows_source = selectors.sees_problem_sources(request.user)
    return render(
        request,
        "rounds/problem_list.html",
        {
            "form": form,
            "page": page,
            "rows": problem_rows(page, shows_source=shows_source),
            "query": request.GET.urlencode(),
            "shows_source": shows_source,
        },
    )


@login_required
def problem_create(request, pk: int):
    target = selectors.get_target_for_user(request.user, pk)
    require_member(request.user, target)
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_create(target=target, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("问题已录入（草稿）。核实后请提交组内研判。"))
            return redirect(problem)
    return render(request, "rounds/problem_form.html", {"form": form, "target": target})


ACTION_LABELS = {
    "problem.create": "录入问题",
    "problem.update": "修改",
    "problem.import": "从 Excel 导入",
    "problem.feed_back": "向被巡察单位反馈",
    "problem.attach": "上传附件",
    "problem.download": "下载附件",
    **{f"problem.{t.name}": t.label for t in TRANSITIONS.values()},
}
FIELD_LABELS = {name: str(Problem._meta.get_field(name).verbose_name) for name in EDITABLE_FIELDS}


def history(problem: Problem) -> list[AuditEntry]:
    """The problem's audit entries, oldest first, each with a Chinese label."""
    entries = list(
        AuditEntry.objects.filter(object_type=PROBLEM_OBJECT_TYPE, object_id=str(problem.pk))
        .select_related("actor")
        .order_by("id")
    )
    # The audit chain names what changed; the note and file names it withholds
    # from the auditor are shown here, to those who may see the problem.
    content = withheld_content(entries)
    for entry in entries:
        entry.content = content.get(entry.pk, entry.data)
        entry.label = ACTION_LABELS.get(entry.action, entry.action)
        if entry.action == "problem.update":
            changed = entry.data.get("changed") or entry.content.get("after", {})
            entry.label += "：" + "、".join(FIELD_LABELS.get(f, f) for f in changed)
        elif entry.action in ("problem.attach", "problem.download"):
            entry.label += f"「{entry.content.get('file', '')}」"
    return entries


@login_required
def problem_detail(request, pk: int):
    problem = selectors.get_problem_for_user(request.user, pk)
    workings = selectors.sees_problem_workings(request.user, problem)
    context = {
        "problem": problem,
        "workings": workings,
        "shows_source": selectors.sees_problem_sources(request.user),
        "transitions": services.allowed_transitions(request.user, problem),
        "may_edit": may_edit(request.user, problem),
    }
    if workings:
        context["history"] = history(problem)
        context["attachments"] = problem.attachments.select_related("uploaded_by")
        context["found_by"] = problem.found_by
    if context["transitions"]:
        context["note_form"] = TransitionNoteForm()
    if may_attach(request.user, problem):
        context["attachment_form"] = AttachmentForm()
    return render(request, "rounds/problem_detail.html", context)


@login_required
def problem_edit(request, pk: int):
    problem = selectors.get_problem_for_user(request.user, pk)
    if not may_edit(request.user, problem):
        raise PermissionDenied(_("此状态下您不能修改该问题。"))
    initial = ProblemForm.initial_for(problem)
    form = ProblemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {
            name: value
            for name, value in form.cleaned_data.items()
            if (value.pk if hasattr(value, "pk") else value) != initial[name]
        }
        if not changes:
            messages.info(request, _("没有修改任何内容。"))
            return redirect(problem)
        try:
            services.problem_update(problem=problem, user=request.user, **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("问题已修改。"))
            return redirect(problem)
    return render(
        request,
        "rounds/problem_form.html",
        {"form": form, "target": problem.target, "problem": problem},
    )


@login_required
@require_POST
def problem_transition(request, pk: int):
    problem = selectors.get_problem_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(problem)
    action, note = form.cleaned_data["action"], form.cleaned_data["note"].strip()
    try:
        problem = services.problem_transition(
            problem=problem, action=action, user=request.user, note=note
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(
            request,
            _("已%(action)s，当前状态：%(status)s。")
            % {"action": TRANSITIONS[action].label, "status": problem.get_status_display()},
        )
    return redirect(problem)


@login_required
@require_POST
def problem_attach(request, pk: int):
    problem = selectors.get_problem_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return redirect(problem)
    try:
        attachment = services.problem_attach(
            problem=problem, upload=form.cleaned_data["file"], user=request.user
        )
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("已上传「%(name)s」。") % {"name": attachment.original_name})
    return redirect(problem)


@login_required
def problem_attachment(request, pk: int, file_pk: int):
    problem = selectors.get_problem_for_user(request.user, pk)
    if not selectors.sees_problem_workings(request.user, problem):
        raise Http404
    attachment = get_object_or_404(problem.attachments, pk=file_pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    log_action(
        request.user,
        "problem.download",
        problem,
        {"attachment": attachment.pk, "file": attachment.original_name},
    )
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name)
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
