"""Evidence files: served only through this permission-checked view."""

from pathlib import PurePosixPath

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from rectification.selectors import get_evidence_for_user
from xuncha.audit.services import log_action


def download_name(evidence) -> str:
    """The uploaded name; later versions say which, so two downloads never clash."""
    if evidence.version == 1:
        return evidence.original_name
    name = PurePosixPath(evidence.original_name)
    return f"{name.stem}（第{evidence.version}版）{name.suffix}"


@login_required
def evidence_file(request, pk: int, evidence_pk: int):
    evidence = get_evidence_for_user(request.user, pk, evidence_pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    log_action(request.user, "evidence.download", evidence.item, {"evidence": evidence.pk})
    response = FileResponse(handle, as_attachment=True, filename=download_name(evidence))
    response["Content-Type"] = evidence.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
