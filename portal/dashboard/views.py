"""The leadership dashboard (领导驾驶舱) and its workbook export."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from portal.dashboard.export import workbook_bytes
from portal.dashboard.presentation import body_html, load_dashboard, require_viewer
from xuncha.reports.registry import XLSX


@login_required
@require_GET
def index(request):
    reach = require_viewer(request.user)
    if reach is None:
        return render(request, "dashboard/no_office.html")
    dash = load_dashboard(reach, request.GET)
    return render(
        request,
        "dashboard/index.html",
        {
            "dash": dash,
            "form": dash.form,
            "body": body_html(dash, request.GET),
            "export_query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def export_xlsx(request):
    reach = require_viewer(request.user)
    if reach is None:
        return render(request, "dashboard/no_office.html")
    dash = load_dashboard(reach, request.GET)
    filename = f"巡察工作数据-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(workbook_bytes(dash), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
