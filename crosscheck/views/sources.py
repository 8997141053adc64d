"""The lists of a round: the overview, upload, column mapping, progress, rows."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from crosscheck import selectors
from crosscheck.access import (
    get_round_for_user,
    get_source_for_user,
    may_build_held_list,
    sees_whole_round,
)
from crosscheck.forms import MappingForm, UploadForm
from crosscheck.kinds import FIELDS, guess_mapping
from crosscheck.models import Hit, Source
from crosscheck.reading import masked_cell
from crosscheck.services import sources as services
from crosscheck.services.rules import may_add_rules
from crosscheck.views.common import error_text, worker_required
from crosscheck.views.rules import runs_context


@worker_required
def index(request):
    return render(
        request, "crosscheck/index.html", {"rounds": selectors.round_overview(request.user)}
    )


@worker_required
def round_home(request, pk: int):
    round_ = get_round_for_user(request.user, pk)
    hits = selectors.round_hits(round_, user=request.user)
    counts = {status: hits.filter(status=status).count() for status in Hit.Status.values}
    return render(
        request,
        "crosscheck/round_home.html",
        {
            "round": round_,
            "sources": selectors.round_sources(round_, user=request.user),
            "rules": selectors.round_rules(round_),
            **runs_context(round_, request.user),
            "counts": counts,
            "status_labels": dict(Hit.Status.choices),
            "may_add_rules": may_add_rules(request.user),
            "may_build_held": may_build_held_list(request.user, round_),
        },
    )


@worker_required
def source_upload(request, pk: int):
    round_ = get_round_for_user(request.user, pk)
    whole = sees_whole_round(request.user, round_)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        targets=selectors.upload_targets(request.user, round_),
        whole_round=whole,
    )
    if request.method == "POST" and form.is_valid():
        try:
            source = services.source_upload(
                user=request.user,
                round_=round_,
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data["label"],
                upload=form.cleaned_data["file"],
                target=form.cleaned_data["target"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error("file", error_text(error))
        else:
            return redirect(source)
    return render(
        request,
        "crosscheck/source_upload.html",
        {"round": round_, "form": form},
        status=400 if form.errors else 200,
    )


@worker_required
@require_POST
def source_from_held(request, pk: int):
    round_ = get_round_for_user(request.user, pk)
    if not may_build_held_list(request.user, round_):
        raise PermissionDenied  # the team sees the round, the cadre pool is the office's
    try:
        source = services.source_from_held_data(user=request.user, round_=round_)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
        return redirect("crosscheck:round_home", round_.pk)
    return redirect(source)


@worker_required
def source_detail(request, pk: int):
    source = get_source_for_user(request.user, pk)
    context = {"source": source, "round": source.round}
    if request.htmx:
        return render(request, "crosscheck/_source_status.html", context)
    services.source_record_read(user=request.user, source=source, what="detail")
    if source.status == Source.Status.MAPPING:
        context["preview"] = services.source_preview(source)
        context["headers"] = [masked_cell(header) for header in source.headers]
        initial = guess_mapping(source.headers, source.mapping)
        context["form"] = MappingForm(headers=source.headers, initial=initial)
        context["fields"] = FIELDS
    return render(request, "crosscheck/source_detail.html", context)


@worker_required
@require_POST
def source_map(request, pk: int):
    source = get_source_for_user(request.user, pk)
    form = MappingForm(request.POST, headers=source.headers)
    if not form.is_valid():
        return redirect(source)
    try:
        services.source_set_mapping(user=request.user, source=source, mapping=form.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect(source)


@worker_required
def source_rows(request, pk: int):
    source = get_source_for_user(request.user, pk)
    if source.file_format == Source.Format.HELD and not may_build_held_list(
        request.user, source.round
    ):
        # The cadre pool page by page is the office's; a team sees its rows in hits.
        raise Http404
    page = Paginator(selectors.source_rows(source), 50).get_page(request.GET.get("page"))
    services.source_record_read(user=request.user, source=source, what=f"rows page {page.number}")
    return render(request, "crosscheck/source_rows.html", {"source": source, "page": page})
