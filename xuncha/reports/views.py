from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xuncha.audit.services import log_action
from xuncha.core.redirects import redirect_to_next
from xuncha.reports.registry import DOCUMENTS, standing_requests
from xuncha.reports.selectors import get_job_for_user, job_list
from xuncha.reports.services import job_request


@login_required
@require_POST
def job_create(request):
    kind = request.POST.get("kind", "")
    if kind not in DOCUMENTS:
        return HttpResponseBadRequest("未知的文书类型。")
    params = {k: v for k, v in request.POST.items() if k not in ("kind", "csrfmiddlewaretoken")}
    try:
        job, created = job_request(user=request.user, kind=kind, params=params)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect_to_next(request, "reports:job_list")
    if not created:
        messages.info(request, "同样的文书正在生成，请稍候。")
    return redirect(job)


@login_required
def job_list_view(request):
    return render(
        request,
        "reports/job_list.html",
        {"jobs": job_list(user=request.user)[:50], "standing": standing_requests(request.user)},
    )


@login_required
def job_detail(request, pk: int):
    job = get_job_for_user(request.user, pk)
    template = "reports/_job_status.html" if request.htmx else "reports/job_detail.html"
    return render(request, template, {"job": job, "document": DOCUMENTS.get(job.kind)})


@login_required
def job_download(request, pk: int):
    job = get_job_for_user(request.user, pk)
    if job.status != job.Status.DONE or not job.file:
        raise Http404
    log_action(request.user, "report.download", job, {"kind": job.kind})
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
    response["Content-Type"] = job.content_type
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
