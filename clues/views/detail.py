"""Reading a clue: its page, its files and its printable handover form. Each
is an audited read (clue.read / clue.read_file), and each is a 404 for anyone
the selectors do not let see the clue."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clues import selectors, services
from clues.forms import ClueFileForm, DispositionForm, PersonFormSet, ReasonForm
from clues.models import Clue
from clues.workflow import clue_offers
from xuncha.reports.registry import DOCUMENTS
from xuncha.reports.watermark import WatermarkError, watermark_pdf

HANDOVER_PDF = "clues.handover"
WATERMARK_REPEAT = range(24)


def signatures(clue: Clue) -> list[dict]:
    """The three signatures of the handover form (审批交接单), in order."""
    return [
        {"role": _("巡察组组长签字"), "who": clue.submitted_by, "at": clue.submitted_at},
        {"role": _("巡察办审批"), "who": clue.approved_by, "at": clue.approved_at},
        {"role": _("接收部门签收"), "who": clue.received_by, "at": clue.received_at},
    ]


def render_detail(
    request,
    clue: Clue,
    disposition_form: DispositionForm | None = None,
    people_formset: PersonFormSet | None = None,
):
    """The clue's page. Also used to show a disposition form posted with errors."""
    services.clue_record_read(clue=clue, user=request.user)
    dispositions = list(clue.dispositions.select_related("reported_by").prefetch_related("people"))
    latest = dispositions[-1] if dispositions else None
    offers = clue_offers(request.user, clue)
    actions = frozenset(code for code, offer in offers.items() if offer.allowed)
    if "disposition" in actions and disposition_form is None:
        disposition_form = DispositionForm()
    if disposition_form is not None and people_formset is None:
        people_formset = PersonFormSet(prefix="people")
    return render(
        request,
        "clues/clue_detail.html",
        {
            "clue": clue,
            "actions": actions,
            "blocked": [offer for offer in offers.values() if not offer.allowed],
            "signatures": signatures(clue),
            "problems": clue.problems.select_related("category"),
            "files": clue.files.select_related("uploaded_by"),
            "dispositions": dispositions,
            "latest": latest,
            "disposition_form": disposition_form,
            "people_formset": people_formset,
            "file_form": ClueFileForm() if "upload" in actions else None,
            "reason_form": ReasonForm(auto_id="id_reason_%s"),
            "pdf_available": HANDOVER_PDF in DOCUMENTS,
        },
    )


@never_cache
@login_required
def clue_detail(request, pk: int):
    return render_detail(request, selectors.get_clue_for_user(request.user, pk))


@login_required
def clue_file(request, pk: int, file_pk: int):
    clue_file = selectors.get_clue_file_for_user(request.user, pk, file_pk)
    try:
        handle = clue_file.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("文件不存在。")) from None
    if clue_file.content_type == "application/pdf":
        # A downloaded PDF carries the reader's name and the time on every page.
        with handle:
            try:
                handle = io.BytesIO(watermark_pdf(handle.read(), request.user))
            except WatermarkError as error:
                messages.error(request, str(error))
                return redirect(clue_file.clue)
    services.clue_record_read(clue=clue_file.clue, user=request.user, file_id=clue_file.pk)
    response = FileResponse(handle, as_attachment=True, filename=clue_file.original_name)
    response["Content-Type"] = clue_file.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@login_required
def clue_print(request, pk: int):
    """The handover form (审批交接单) as a print-friendly page, watermarked with
    the reader's name and the time."""
    clue = selectors.get_clue_for_user(request.user, pk)
    services.clue_record_read(clue=clue, user=request.user)
    now = timezone.localtime()
    return render(
        request,
        "clues/clue_print.html",
        {
            "clue": clue,
            "signatures": signatures(clue),
            "problems": clue.problems.select_related("category"),
            "files": clue.files.all(),
            "printed_at": now,
            "watermark": _("查阅人：%(name)s %(time)s")
            % {"name": request.user.get_full_name(), "time": f"{now:%Y-%m-%d %H:%M}"},
            "watermark_repeat": WATERMARK_REPEAT,
        },
    )
