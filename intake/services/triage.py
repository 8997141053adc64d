"""Triage by the team: each report becomes a problem (source 信访), a clue
draft, a 转办 to a named department (whose receipt is recorded later), or is
closed as outside the remit with a reason; a repeat is linked to the first
report and not counted again. Reading a report is itself audited."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clues.models import Clue, ClueFile
from clues.services import clue_attach_file, clue_create
from intake.models import Report
from intake.workflow import TRIAGE
from rounds.models import Problem, ProblemCategory
from rounds.services import problem_attach, problem_create
from xuncha.audit.services import log_action
from xuncha.core import workflow
from xuncha.orgs.models import Department


def report_read(*, report: Report, user, file_id: int | None = None) -> None:
    """Every read of a report (and of its files) is in the audit log."""
    details = {"file": file_id} if file_id else {}
    log_action(user, "intake.read", report, details)


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update()
        .select_related("target__round__office", "target__team")
        .get(pk=report.pk)
    )


def _first_of_chain(pk: int) -> Report:
    """The report a chain of repeats leads to, read from the database (not the
    caller's copy, which may be stale); a damaged chain stops after a few hops."""
    report = Report.objects.get(pk=pk)
    for _hop in range(Report.MAX_DUPLICATE_HOPS):
        if report.state != Report.State.DUPLICATE or not report.duplicate_of_id:
            return report
        report = Report.objects.get(pk=report.duplicate_of_id)
    raise ValidationError(_("该反映的重复关联有误，请联系巡察办处理。"))


def _settle(report: Report, user, state: str, action: str, note: str, **details) -> Report:
    report.state = state
    report.triaged_by, report.triaged_at = user, timezone.now()
    report.note = note.strip()
    report.full_clean()
    report.save()
    log_action(user, f"intake.{action}", report, details)
    return report


def _copies(report: Report):
    """The report's files, opened for another service to check and store as its own."""
    for report_file in report.files.all():
        with report_file.file.open("rb") as handle:
            yield File(handle, name=report_file.original_name)


@transaction.atomic
def report_to_problem(
    *, report: Report, category: ProblemCategory, severity: str, description: str, user
) -> Problem:
    report = _locked(report)
    workflow.check(TRIAGE, user, report, "problem")
    problem = problem_create(
        target=report.target,
        category=category,
        description=description.strip() or report.text,
        source=Problem.Source.PETITION,
        severity=severity,
        user=user,
    )
    for upload in _copies(report):
        problem_attach(problem=problem, upload=upload, user=user)
    report.problem = problem
    _settle(report, user, Report.State.PROBLEM, "to_problem", "", problem=problem.pk)
    return problem


@transaction.atomic
def report_to_clue(*, report: Report, user, **fields) -> Clue:
    """A clue draft from the report: the team completes and hands it over as any other."""
    report = _locked(report)
    workflow.check(TRIAGE, user, report, "clue")
    fields["summary"] = (fields.get("summary") or "").strip() or report.text
    clue = clue_create(
        target=report.target,
        user=user,
        source=Problem.Source.PETITION,
        confidentiality=Clue.Confidentiality.SECRET,
        urgent=False,
        **fields,
    )
    for upload in _copies(report):
        clue_attach_file(clue=clue, upload=upload, kind=ClueFile.Kind.PETITION, user=user)
    report.clue = clue
    _settle(report, user, Report.State.CLUE, "to_clue", "", clue=clue.pk)
    return clue


@transaction.atomic
def report_transfer(*, report: Report, department: Department, note: str = "", user) -> Report:
    report = _locked(report)
    workflow.check(TRIAGE, user, report, "transfer")
    report.department = department
    return _settle(
        report, user, Report.State.TRANSFERRED, "transfer", note, department=department.pk
    )


@transaction.atomic
def report_receipt(
    *, report: Report, receipt_number: str, receipt_on: datetime.date, user
) -> Report:
    """The department's receipt (回执) for a 转办: the report is then 已办结 for the public."""
    report = _locked(report)
    workflow.check(TRIAGE, user, report, "receipt")
    if not receipt_number.strip():
        raise ValidationError(_("请填写回执编号。"))
    if receipt_on > timezone.localdate():
        raise ValidationError(_("回执日期不能晚于今天。"))
    report.receipt_number, report.receipt_on = receipt_number.strip(), receipt_on
    report.full_clean()
    report.save(update_fields=["receipt_number", "receipt_on"])
    log_action(user, "intake.receipt", report, {"department": report.department_id})
    return report


@transaction.atomic
def report_outside(*, report: Report, reason: str, user) -> Report:
    report = _locked(report)
    workflow.check(TRIAGE, user, report, "outside")
    if not reason.strip():
        raise ValidationError(_("请写明不属于受理范围的理由。"))
    report.outside_reason = reason.strip()
    return _settle(report, user, Report.State.OUTSIDE, "outside", "")


@transaction.atomic
def report_duplicate(*, report: Report, first: Report, user) -> Report:
    """A repeat is linked to the first report of the same matter and not counted again."""
    root = _first_of_chain(first.pk)
    # Both rows locked in pk order: A→B and B→A at once cannot both pass and
    # make a cycle (each waits for the other's row, then sees it settled).
    locked = {
        row.pk: row
        for row in Report.objects.select_for_update()
        .select_related("target__round__office", "target__team")
        .filter(pk__in={report.pk, root.pk})
        .order_by("pk")
    }
    report, first = locked[report.pk], locked[root.pk]
    workflow.check(TRIAGE, user, report, "duplicate")
    if first.pk == report.pk:
        raise ValidationError(_("不能把反映标记为它自己的重复。"))
    if first.state == Report.State.DUPLICATE:
        raise ValidationError(_("所选的首次反映刚被标记为重复，请刷新后重新选择。"))
    if first.target_id != report.target_id:
        raise ValidationError(_("只能关联同一巡察对象的反映。"))
    report.duplicate_of = first
    return _settle(report, user, Report.State.DUPLICATE, "duplicate", "", first=first.pk)
