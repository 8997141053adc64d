"""The QR posters (码上巡察 and 满意度测评), A4 PDFs drawn from a target's page.

The QR code is drawn offline with segno as an SVG data: URI, which the PDF
renderer's offline fetcher accepts; the fonts are the shipped ones. The
reporting poster carries the target's channel (valid during the stay); the
survey poster the assessment's shared public link (valid while the survey is
open, and only once the assessment has a questionnaire)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from intake import services
from intake.selectors import sees_target_reports
from rectification.models import Assessment
from rectification.reports import chinese_date
from rectification.services import public_link
from rounds.access import office_manages
from rounds.selectors import get_target_for_user
from xuncha.reports.pdf import qr_data_uri, render_pdf
from xuncha.reports.registry import PDF, Document, Generated, register

PURPOSES = {"report": "码上巡察", "survey": "满意度测评"}


def public_url(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def _params(params: dict) -> tuple[int, str]:
    purpose = params.get("purpose", "report")
    if purpose not in PURPOSES:
        raise ValidationError(_("未知的海报类型。"))
    if params.get("format", "pdf") != "pdf":
        raise ValidationError(_("海报只能导出为 PDF。"))
    try:
        return int(params.get("id")), purpose
    except (TypeError, ValueError):
        raise ValidationError(_("请指定巡察对象。")) from None


def _open_assessment(target) -> Assessment:
    assessment = Assessment.objects.filter(target=target).select_related("questionnaire").first()
    if assessment is None or assessment.questionnaire_id is None:
        raise ValidationError(_("该巡察对象的整改评估尚未选用问卷，不能生成测评海报。"))
    if not assessment.survey_open:
        raise ValidationError(_("该巡察对象的满意度测评已结束，测评海报已失效。"))
    return assessment


def authorize(user, params: dict) -> None:
    """The reporting poster: the team and the office; the survey poster: the
    office that runs the assessment. Others: 404."""
    pk, purpose = _params(params)
    target = get_target_for_user(user, pk)
    if purpose == "report":
        if not sees_target_reports(user, target):
            raise Http404
        if not services.stay_open(target):
            raise ValidationError(_("巡察组不在进驻期间，码上巡察二维码无效，不能生成海报。"))
    else:
        if not office_manages(user, target.round.office):
            raise Http404
        _open_assessment(target)


def poster_link(user, target, purpose: str) -> tuple[str, str]:
    """The address a poster's QR code carries, and its validity in words."""
    if purpose == "report":
        channel = services.channel_for(target=target, user=user)
        start, end = target.entry_date, target.exit_date
        validity = (
            f"有效期：巡察组进驻期间（{chinese_date(start)}至{chinese_date(end)}）"
            if start and end
            else "有效期：巡察组进驻期间"
        )
        return public_url(channel.get_absolute_url()), validity
    assessment = _open_assessment(target)
    return public_url(public_link(assessment).get_absolute_url()), "有效期：整改满意度测评开展期间"


def generate(user, params: dict, progress) -> Generated:
    pk, purpose = _params(params)
    target = get_target_for_user(user, pk)
    url, validity = poster_link(user, target, purpose)
    progress(40)
    content = render_pdf(
        "intake/pdf/poster.html",
        {
            "purpose": purpose,
            "target": target,
            "url": url,
            "qr": qr_data_uri(url),
            "validity": validity,
            "today": chinese_date(timezone.localdate()),
        },
    )
    progress(95)
    name = target.organization.name[:40]
    return Generated(f"{PURPOSES[purpose]}海报-{name}.pdf", content, PDF)


POSTER = register(
    Document(kind="intake.poster", label="二维码海报", authorize=authorize, generate=generate)
)
