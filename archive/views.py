from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive.access import archive_list, get_archive_for_user, keeps_archives, may_keep
from archive.package import OFFICE_PART, TEAM_PART
from archive.services import archive_request
from rounds.models import Round
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.core.view_helpers import report_error


@login_required
def archive_index(request):
    """The office's page; only its clue officers see packages and rounds on it."""
    if not request.user.has_role(Role.OFFICE) or request.user.office is None:
        raise Http404
    keeps = keeps_archives(request.user)
    archived = Round.objects.none()
    if keeps:
        archived = Round.objects.filter(status=Round.Status.ARCHIVED).select_related("office")
        if not request.user.office.is_city:
            archived = archived.filter(office=request.user.office)
    return render(
        request,
        "archive/list.html",
        {
            "keeps": keeps,
            "archives": archive_list(user=request.user)[:100],
            "rounds": archived.order_by("-year", "-term", "-number")[:100],
        },
    )


@login_required
def archive_detail(request, pk: int):
    archive = get_archive_for_user(request.user, pk)
    entries = archive.manifest.get("entries", [])
    template = "archive/_status.html" if request.htmx else "archive/detail.html"
    return render(
        request,
        template,
        {
            "archive": archive,
            "parts": [
                (part, [e for e in entries if e["part"] == part])
                for part in (OFFICE_PART, TEAM_PART)
            ],
        },
    )


@login_required
@require_POST
def archive_create(request, pk: int):
    round_ = get_object_or_404(Round.objects.select_related("office"), pk=pk)
    if not may_keep(request.user, round_):
        raise Http404
    try:
        archive, created = archive_request(round_=round_, user=request.user)
    except ValidationError as error:
        report_error(request, error)
        return redirect("archive:index")
    if not created:
        messages.info(request, _("本轮的归档包正在生成，请稍候。"))
    return redirect(archive)


@login_required
def archive_download(request, pk: int):
    archive = get_archive_for_user(request.user, pk)
    if archive.status != archive.Status.DONE or not archive.file:
        raise Http404
    try:
        handle = archive.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log_action(request.user, "archive.download", archive, {"sha256": archive.sha256})
    response = FileResponse(handle, as_attachment=True, filename=archive.filename)
    response["Content-Type"] = "application/zip"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
