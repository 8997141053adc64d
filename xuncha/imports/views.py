"""The import pages: office staff only; anyone else gets a 404."""

import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from xuncha.imports.forms import UploadForm
from xuncha.imports.kinds import all_kinds, get_kind
from xuncha.imports.models import ImportJob
from xuncha.imports.services import import_confirm, import_upload, live_progress, may_import
from xuncha.imports.templates import template_bytes
from xuncha.reports.registry import XLSX


def importer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_import(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _own_job(request, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.filter(owner=request.user), pk=pk)


@importer_required
def index(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_upload(
                user=request.user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect(job)
    jobs = ImportJob.objects.filter(owner=request.user)[:20]
    return render(
        request,
        "imports/index.html",
        {"form": form, "kinds": all_kinds(), "jobs": jobs},
        status=400 if form.errors else 200,
    )


@importer_required
def template(request, kind: str):
    try:
        spec = get_kind(kind)
    except LookupError:
        raise Http404 from None
    content = template_bytes(spec)
    response = FileResponse(
        io.BytesIO(content), as_attachment=True, filename=f"{spec.label}导入模板.xlsx"
    )
    response["Content-Type"] = XLSX
    return response


PREVIEW_CLASSES = [
    ("new", _("新增")),
    ("updated", _("更新")),
    ("unchanged", _("无变化")),
    ("duplicate", _("重复（不导入）")),
]


def preview_samples(job: ImportJob) -> list[tuple[str, list]]:
    """The preview's sample rows per class (new, updated …), classes with rows only."""
    samples = (job.totals or {}).get("samples") or {}
    return [(label, samples[name]) for name, label in PREVIEW_CLASSES if samples.get(name)]


@importer_required
def job_detail(request, pk: int):
    job = _own_job(request, pk)
    context = {
        "job": job,
        "kind": get_kind(job.kind),
        "progress": live_progress(job),
        "preview_samples": preview_samples(job),
    }
    template_name = "imports/_job_status.html" if request.htmx else "imports/job_detail.html"
    return render(request, template_name, context)


@importer_required
@require_POST
def job_confirm(request, pk: int):
    job = _own_job(request, pk)
    try:
        job = import_confirm(job=job, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
    else:
        if job.status == job.Status.DONE:
            messages.success(request, job.message)
    return redirect(job)
