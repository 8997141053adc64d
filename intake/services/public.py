"""The public side of 码上巡察: a target's channel (the poster's token), a
report submitted from a phone, and the status a receipt code shows."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from intake.models import Channel, Report, ReportFile
from rounds.models import Round, Target
from xuncha.audit.context import address_withheld
from xuncha.audit.services import log_action
from xuncha.core.uploads import IMAGE_KINDS, PDF, check_upload, storage_name

RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: 5 bits each
RECEIPT_LENGTH = 16  # 80 bits: not guessable at any rate the status page allows
ACCEPTED_TYPES = {PDF.content_type, *(kind.content_type for kind in IMAGE_KINDS)}
TEXT_MIN, TEXT_MAX = 10, 5000
CLOSED = gettext_noop("本单位巡察进驻已结束，此二维码已失效。如需反映问题，请通过信访渠道。")
FULL_TODAY = gettext_noop("今日在线反映已达上限，请明日再试，或通过信访渠道反映。")
STORAGE_FULL = gettext_noop("附件存储空间已满，请只提交文字内容，或稍后再试。")


def receipt_digest(code: str) -> str:
    normalized = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalized.encode()).hexdigest()


def new_receipt() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def stay_open(target: Target, today: datetime.date | None = None) -> bool:
    """The reporting code is valid during the stay: the round on site, and
    between the target's arrival and departure dates where they are set."""
    today = today or timezone.localdate()
    if target.round.status != Round.Status.ON_SITE:
        return False
    if target.entry_date and today < target.entry_date:
        return False
    return not (target.exit_date and today > target.exit_date)


@transaction.atomic
def channel_for(*, target: Target, user) -> Channel:
    """The target's channel, made the first time a poster is printed."""
    channel, created = Channel.objects.get_or_create(
        target=target, defaults={"token": secrets.token_urlsafe(16)}
    )
    if created:
        log_action(user, "intake.channel_open", target, {})
    return channel


@dataclass(frozen=True)
class Submitted:
    report: Report
    receipt: str  # shown to the person once, never stored


def _check_fields(text: str, name: str, phone: str, files: list) -> tuple[str, str, str]:
    text, name, phone = text.strip(), name.strip(), phone.strip()
    if len(text) < TEXT_MIN:
        raise ValidationError(
            _("请具体描述反映的问题（不少于 %(min)s 个字）。") % {"min": TEXT_MIN}
        )
    if len(text) > TEXT_MAX:
        raise ValidationError(_("反映内容不能超过 %(max)s 个字。") % {"max": TEXT_MAX})
    if len(name) > 50:
        raise ValidationError(_("姓名过长。"))
    if phone and not (7 <= len(phone) <= 20 and all(ch.isdigit() or ch in "+- " for ch in phone)):
        raise ValidationError(_("联系电话格式不正确。"))
    if len(files) > settings.INTAKE_FILES_PER_REPORT:
        raise ValidationError(
            _("最多上传 %(count)s 个图片或 PDF 文件。")
            % {"count": settings.INTAKE_FILES_PER_REPORT}
        )
    return text, name, phone


def _check_quota(channel: Channel, incoming: int) -> None:
    """The disk never fills: the target's and all public attachments stay under quota."""
    if not incoming:
        return
    mb = 1024 * 1024
    target_used = channel.bytes_stored
    all_used = Channel.objects.aggregate(s=Sum("bytes_stored"))["s"] or 0
    if (
        target_used + incoming > settings.INTAKE_TARGET_QUOTA_MB * mb
        or all_used + incoming > settings.INTAKE_STORAGE_QUOTA_MB * mb
    ):
        raise ValidationError(_(STORAGE_FULL))


@transaction.atomic
def report_submit(
    *,
    channel: Channel,
    text: str,
    reporter_name: str = "",
    reporter_phone: str = "",
    files: list[UploadedFile] = (),
) -> Submitted:
    """A report from the public, with its receipt code. Everything is checked
    before anything is written; a refusal stores nothing."""
    files = list(files)
    text, name, phone = _check_fields(text, reporter_name, reporter_phone, files)
    # The files are decoded and re-encoded before the lock: a slow (or hostile)
    # picture must not hold up every other report to the same target.
    checked = [check_upload(upload, max_mb=settings.INTAKE_FILE_MAX_MB) for upload in files]
    for item in checked:
        if item.content_type not in ACCEPTED_TYPES:
            raise ValidationError(
                _("文件「%(name)s」不是图片或 PDF，只能上传图片或 PDF。")
                % {"name": item.original_name}
            )
    # One submission at a time per target: the daily count and the quota hold.
    channel = Channel.objects.select_for_update().select_related("target__round").get(pk=channel.pk)
    target = channel.target
    if not stay_open(target):
        raise ValidationError(_(CLOSED))
    day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    if (
        Report.objects.filter(target=target, submitted_at__gte=day_start).count()
        >= settings.INTAKE_PER_TARGET_DAY
    ):
        raise ValidationError(_(FULL_TODAY))
    incoming = sum(item.size for item in checked)
    _check_quota(channel, incoming)
    receipt = new_receipt()
    report = Report.objects.create(
        target=target,
        receipt_hash=receipt_digest(receipt),
        text=text,
        reporter_name=name,
        reporter_phone=phone,
    )
    stored: list[ReportFile] = []
    try:
        for item in checked:
            report_file = ReportFile(
                report=report,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
            )
            report_file.file.save(storage_name(item), item.content, save=False)
            stored.append(report_file)
            report_file.save()
        if incoming:
            Channel.objects.filter(pk=channel.pk).update(bytes_stored=F("bytes_stored") + incoming)
        # Nothing of the content or the person (not even the address): the count of files.
        with address_withheld():
            log_action(None, "intake.submit", report, {"files": len(checked)})
    except Exception:
        for report_file in stored:
            report_file.file.delete(save=False)
        raise
    return Submitted(report, receipt)


def status_for_receipt(code: str) -> str | None:
    """The public status label for a receipt code, or None for an unknown code."""
    if not code.strip():
        return None
    report = (
        Report.objects.select_related(
            "problem", "clue", "duplicate_of__problem", "duplicate_of__clue"
        )
        .filter(receipt_hash=receipt_digest(code))
        .first()
    )
    return report.public_status() if report else None
