"""The office's side of the field edition: export a team's package (and, once,
its 领取单 of field credentials), import its return (verify → show → apply all
or nothing), record the laptop's return."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from fieldwork import selectors
from fieldwork.forms import ExportForm, LaptopReturnForm, PassphraseForm, ReturnUploadForm
from fieldwork.handouts import handout_pdf
from fieldwork.package import PackageRefused
from fieldwork.services.export import package_export as export_service
from fieldwork.services.handouts import handout_claim
from fieldwork.services.laptops import laptop_return_record
from fieldwork.services.returns import return_analyse, return_apply
from xuncha.core.view_helpers import form_errors, report_error


def _incoming_dir() -> Path:
    return Path(settings.DATA_DIR) / "fieldwork-incoming"


def _page(request, team, **extra):
    return render(
        request,
        "fieldwork/package_list.html",
        {
            "team": team,
            "packages": selectors.package_list(team=team),
            "returns": selectors.return_list(team=team),
            "laptops": selectors.laptop_return_list(team=team),
            "handouts": selectors.pending_handouts(user=request.user, team=team),
            "export_form": extra.pop("export_form", ExportForm()),
            "upload_form": extra.pop("upload_form", ReturnUploadForm()),
            "laptop_form": extra.pop("laptop_form", LaptopReturnForm()),
            **extra,
        },
    )


@login_required
def package_list(request, pk: int):
    team = selectors.get_team_for_office(request.user, pk)
    return _page(request, team)


@login_required
@require_POST
def package_export(request, pk: int):
    team = selectors.get_team_for_office(request.user, pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, team, export_form=form)
    try:
        blob, package = export_service(
            team=team, passphrase=form.cleaned_data["passphrase"], user=request.user
        )
    except PackageRefused as refused:
        form.add_error(None, str(refused))
        return _page(request, team, export_form=form)
    response = HttpResponse(blob, content_type="application/octet-stream")
    name = f"field-{team.round_id}-{team.number}-{package.created_at:%Y%m%d%H%M}.xcfield"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@sensitive_variables("credentials")
@never_cache
@login_required
@require_POST
def handout_download(request, package_id):
    """The 领取单, once, to the person who exported; a 404 for anyone else and
    for them afterwards. A POST: a link preview or prefetch cannot use it up."""
    sheet = selectors.get_handout_for_user(request.user, package_id)
    try:
        with transaction.atomic():
            credentials = handout_claim(sheet=sheet, user=request.user)
            pdf = handout_pdf(package=sheet.package, credentials=credentials, reader=request.user)
    except ValidationError as error:
        report_error(request, error)
        return redirect("fieldwork:package_list", sheet.package.team_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"handout-{sheet.package.team.round_id}-{sheet.package.team.number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _resolutions(request, plan) -> dict[str, str]:
    return {c.uuid: request.POST.get(f"resolve-{c.uuid}", "") for c in plan.conflicts}


@login_required
@require_POST
def return_import(request, pk: int):
    """Step one uploads and shows; step two (the same file, by its hash, and
    the passphrase again, which is never stored) applies."""
    team = selectors.get_team_for_office(request.user, pk)
    step = request.POST.get("step", "analyse")
    if step == "apply":
        form = PassphraseForm(request.POST)
        digest = request.POST.get("sha256", "")
        path = _incoming_dir() / f"{digest}.xcfield"
        if len(digest) != 64 or not digest.isalnum() or not path.exists():
            messages.error(request, _("找不到已上传的回传包，请重新上传。"))
            return redirect("fieldwork:package_list", team.pk)
        data = path.read_bytes()
    else:
        form = ReturnUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return _page(request, team, upload_form=form)
        data = form.cleaned_data["package"].read()
    if not form.is_valid():
        form_errors(request, form)
        return redirect("fieldwork:package_list", team.pk)
    passphrase = form.cleaned_data["passphrase"]
    try:
        plan, _content, _archive = return_analyse(
            team=team, data=data, passphrase=passphrase, user=request.user
        )
        if step == "apply":
            imported = return_apply(
                team=team,
                data=data,
                passphrase=passphrase,
                resolutions=_resolutions(request, plan),
                user=request.user,
            )
    except PackageRefused as refused:
        messages.error(request, _("回传包被拒绝：%(why)s") % {"why": refused})
        return redirect("fieldwork:package_list", team.pk)
    except ValidationError as error:
        report_error(request, error)
    else:
        if step == "apply":
            path.unlink(missing_ok=True)
            if imported is None:
                messages.info(request, _("回传包中没有新的或修改过的内容，平台数据未作任何改动。"))
            else:
                messages.success(request, _("回传包已导入。"))
            return redirect("fieldwork:package_list", team.pk)
        digest = hashlib.sha256(data).hexdigest()
        _incoming_dir().mkdir(parents=True, exist_ok=True)
        (_incoming_dir() / f"{digest}.xcfield").write_bytes(data)
    return render(
        request,
        "fieldwork/return_plan.html",
        {"team": team, "plan": plan, "form": PassphraseForm()},
    )


@login_required
@require_POST
def laptop_return(request, pk: int):
    team = selectors.get_team_for_office(request.user, pk)
    form = LaptopReturnForm(request.POST)
    if not form.is_valid():
        return _page(request, team, laptop_form=form)
    try:
        laptop_return_record(team=team, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        report_error(request, error)
    else:
        messages.success(request, _("设备交回已登记。"))
    return redirect("fieldwork:package_list", team.pk)
