"""The on-site records' pages: the team's members write, the office reads.
The same pages serve the field edition on the team's laptop."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fieldwork import selectors
from fieldwork.forms import RECORD_FORMS, AttachmentForm
from fieldwork.models import RECORD_MODELS, FieldSession
from fieldwork.services import records as services
from rounds.access import office_manages
from xuncha.audit.services import log_action
from xuncha.core.view_helpers import PAGE_SIZE, add_service_errors, report_error


def _kinds():
    return [(kind, model._meta.verbose_name) for kind, model in RECORD_MODELS.items()]


@login_required
def field_home(request):
    """The field edition's home: the loaded team's records. On the platform:
    the teams whose records the person may open (their own; the office's)."""
    if settings.FIELD_MODE:
        session = FieldSession.objects.first()
        if session is None:
            raise Http404
        return redirect("fieldwork:team_records", session.team_id)
    teams = selectors.teams_with_records(request.user)
    if teams is None:
        raise Http404
    return render(request, "fieldwork/team_choice.html", {"teams": teams})


@login_required
def team_records(request, pk: int):
    team = selectors.get_team_for_records(request.user, pk)
    return render(
        request,
        "fieldwork/team_records.html",
        {
            "team": team,
            "counts": selectors.record_counts(team),
            "kinds": _kinds(),
            "may_write": selectors.may_write_records(request.user, team),
            "field_mode": settings.FIELD_MODE,
            "is_office": not settings.FIELD_MODE
            and office_manages(request.user, team.round.office),
        },
    )


@login_required
def record_list(request, pk: int, kind: str):
    team = selectors.get_team_for_records(request.user, pk)
    model = selectors.record_model(kind)
    page = Paginator(selectors.record_list(team=team, kind=kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "fieldwork/record_list.html",
        {
            "team": team,
            "kind": kind,
            "title": model._meta.verbose_name,
            "page": page,
            "may_write": selectors.may_write_records(request.user, team),
        },
    )


@login_required
def record_create(request, pk: int, kind: str):
    team = selectors.get_team_for_records(request.user, pk)
    model = selectors.record_model(kind)
    if not selectors.may_write_records(request.user, team):
        raise PermissionDenied
    form_class = RECORD_FORMS[kind]
    form = form_class(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_create(
                kind=kind, team=team, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(what)s已保存。") % {"what": model._meta.verbose_name})
            return redirect(record)
    return render(
        request,
        "fieldwork/record_form.html",
        {"team": team, "kind": kind, "title": model._meta.verbose_name, "form": form},
    )


@login_required
def record_detail(request, kind: str, uuid):
    record = selectors.get_record_for_user(request.user, kind, uuid)
    return render(
        request,
        "fieldwork/record_detail.html",
        {
            "record": record,
            "team": record.team,
            "kind": kind,
            "title": record._meta.verbose_name,
            "fields": [
                (record._meta.get_field(name).verbose_name, _display(record, name))
                for name in record.CONTENT_FIELDS
            ],
            "attachments": selectors.record_attachments(record),
            "may_write": selectors.may_write_records(request.user, record.team),
            "attach_form": AttachmentForm(),
        },
    )


def _display(record, name: str):
    if name == "target":
        return record.target.organization.name
    display = getattr(record, f"get_{name}_display", None)
    value = display() if display else getattr(record, name)
    return "" if value is None else value


@login_required
def record_edit(request, kind: str, uuid):
    record = selectors.get_record_for_user(request.user, kind, uuid)
    if not selectors.may_write_records(request.user, record.team):
        raise PermissionDenied
    form = RECORD_FORMS[kind](request.POST or None, instance=record, team=record.team)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_update(record=record, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("修改已保存。"))
            return redirect(record.get_absolute_url())
    # The form wrote the typed values onto the instance: show the stored ones.
    record.refresh_from_db()
    return render(
        request,
        "fieldwork/record_form.html",
        {
            "team": record.team,
            "kind": kind,
            "title": record._meta.verbose_name,
            "form": form,
            "record": record,
        },
    )


@login_required
@require_POST
def record_attach(request, kind: str, uuid):
    record = selectors.get_record_for_user(request.user, kind, uuid)
    if not selectors.may_write_records(request.user, record.team):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
    else:
        try:
            services.attachment_add(
                record=record, upload=form.cleaned_data["file"], user=request.user
            )
        except ValidationError as error:
            report_error(request, error)
        else:
            messages.success(request, _("附件已上传。"))
    return redirect(record.get_absolute_url())


@login_required
def record_file(request, kind: str, uuid, file_uuid):
    record = selectors.get_record_for_user(request.user, kind, uuid)
    attachment = get_object_or_404(selectors.record_attachments(record), uuid=file_uuid)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log_action(request.user, "fieldwork.attachment.download", record, {"file": str(file_uuid)})
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name)
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
