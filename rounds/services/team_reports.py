"""The team's 巡察情况报告: the office sets when it is due (the round's plan),
the team leader hands it in for each target, and every hand-in is kept with
who and when. The evaluation's 报告报送及时率 is counted from these rows."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rounds.access import active_membership, require_office
from rounds.models import Membership, Round, Target, TeamReport
from xuncha.audit.services import log_action
from xuncha.core.uploads import check_upload, storage_name

# The stages in which a report is written and handed in: after feedback it
# has done its work, and a late file would only blur the record.
SUBMITTING_STAGES = (Round.Status.ON_SITE, Round.Status.REPORTING)
# A report is a document: not an image, a sheet, slides or an archive.
REPORT_EXTENSIONS = frozenset({".pdf", ".doc", ".docx", ".wps", ".ofd"})
# Until feedback the office may still move the due date (never into the past,
# and never once it has passed: the timeliness figure stands on it).
DUE_SETTABLE_STAGES = (
    Round.Status.PLANNED,
    Round.Status.PREPARING,
    Round.Status.ON_SITE,
    Round.Status.REPORTING,
)


def check_report_due(round_: Round, report_due: datetime.date | None) -> None:
    """The plan's own rule, shared by round_create and round_set_report_due."""
    if report_due and report_due < round_.planned_start:
        raise ValidationError(
            {
                "report_due": _("巡察报告报送期限不能早于本轮计划开始日期（%(start)s）。")
                % {"start": f"{round_.planned_start:%Y-%m-%d}"}
            }
        )


def report_due_settable(round_: Round) -> bool:
    """Whether the due date may still be set or moved (the page offers the
    form only then): before feedback, and never once it has passed."""
    due = round_.report_due
    return round_.status in DUE_SETTABLE_STAGES and not (due and due < timezone.localdate())


@transaction.atomic
def round_set_report_due(*, round_: Round, report_due: datetime.date | None, user) -> Round:
    round_ = Round.objects.select_for_update().select_related("office").get(pk=round_.pk)
    require_office(user, round_)
    if round_.status not in DUE_SETTABLE_STAGES:
        raise ValidationError(_("本轮已进入反馈阶段，不能再修改巡察报告报送期限。"))
    today = timezone.localdate()
    before = round_.report_due
    if before == report_due:
        return round_
    if before and before < today:
        raise ValidationError(
            _("巡察报告报送期限（%(due)s）已过，不能再修改：报告报送及时率按该期限计算。")
            % {"due": f"{before:%Y-%m-%d}"}
        )
    if report_due is None:
        if TeamReport.objects.filter(target__round=round_).exists():
            raise ValidationError(_("已有巡察组报送了巡察情况报告，不能取消报送期限。"))
    elif report_due < today:
        raise ValidationError({"report_due": _("巡察报告报送期限不能早于今天。")})
    check_report_due(round_, report_due)
    round_.report_due = report_due
    round_.save(update_fields=["report_due"])
    log_action(user, "round.report_due", round_, {"before": before, "after": report_due})
    return round_


def may_submit_report(user, target: Target) -> bool:
    membership = active_membership(user, target.team)
    return (
        membership is not None
        and membership.role == Membership.Role.LEADER
        and target.round.status in SUBMITTING_STAGES
    )


@transaction.atomic
def team_report_submit(*, target: Target, upload: UploadedFile, user, note: str = "") -> TeamReport:
    """The leader hands in the team's 巡察情况报告 for a target. A second hand-in
    (a corrected report) is a new row; the first one's time stays the hand-in
    time. Bad input stores nothing."""
    target = Target.objects.select_related("round__office", "team", "organization").get(
        pk=target.pk
    )
    membership = active_membership(user, target.team)
    if membership is None or membership.role != Membership.Role.LEADER:
        raise PermissionDenied(_("只有本组组长可以报送巡察情况报告。"))
    if target.round.status not in SUBMITTING_STAGES:
        raise ValidationError(_("只有进驻和报告阶段可以报送巡察情况报告。"))
    note = " ".join((note or "").split())
    if len(note) > 200:
        raise ValidationError(_("说明不能超过 200 字。"))
    checked = check_upload(upload)
    if checked.extension not in REPORT_EXTENSIONS:
        raise ValidationError(
            _("巡察情况报告请以 PDF、Word、WPS 或 OFD 文件报送，「%(name)s」不是。")
            % {"name": checked.original_name}
        )
    first = not TeamReport.objects.filter(target=target).exists()
    report = TeamReport(
        target=target,
        team=target.team,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        note=note,
        submitted_by=user,
    )
    report.file.save(storage_name(checked), checked.content, save=False)
    try:
        report.save()
        due = target.round.report_due
        log_action(
            user,
            "team_report.submit",
            target,
            {
                "report": report.pk,
                "file": checked.original_name,
                "sha256": checked.sha256,
                "size": checked.size,
                "first": first,
                "due": due,
                "on_time": report.is_on_time(due) if first and due else None,
            },
        )
    except Exception:
        # No row, no file: a failed save leaves nothing half-stored.
        report.file.delete(save=False)
        raise
    return report
