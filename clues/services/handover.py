"""Drafting a clue and its handover (审批交接单): the team leader signs, the
office approves (or returns it), the receiving department signs for receipt.
Only the receipt grants the department the clue."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from clues import handoffs
from clues.access import (
    require_team_member,
)
from clues.models import Clue, ClueFile
from clues.workflow import CLUE
from rounds.models import Problem, Target
from xuncha.audit.services import log_action
from xuncha.core import workflow
from xuncha.core.uploads import check_upload, storage_name

S = Clue.Status
DRAFT_FIELDS = (
    "person_name",
    "person_position",
    "person_rank",
    "person_is_top_leader",
    "discipline",
    "source",
    "confidentiality",
    "summary",
    "department",
    "urgent",
)


def _locked(clue: Clue) -> Clue:
    return (
        Clue.objects.select_for_update()
        .select_related("round__office", "team", "department")
        .get(pk=clue.pk)
    )


@transaction.atomic
def clue_create(*, target: Target, user, problems: list[Problem] = (), **fields) -> Clue:
    """A team member drafts a clue, from problems of the target or on its own."""
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"未知字段：{unknown}")
    clue = Clue(
        number=f"TMP-{uuid.uuid4().hex[:20]}",
        round_id=target.round_id,
        team_id=target.team_id,
        target=target,
        drafted_by=user,
        **fields,
    )
    require_team_member(user, clue)
    if any(problem.target_id != target.pk for problem in problems):
        raise ValidationError(_("相关问题必须属于同一巡察对象。"))
    clue.full_clean(exclude=["number"])
    clue.save()
    # Sequential numbers read better on paper than random ones; the pk is already unique.
    clue.number = f"XC{timezone.localdate():%Y}-{clue.pk:05d}"
    clue.save(update_fields=["number"])
    clue.problems.set(problems)
    log_action(user, "clue.create", clue, {"problems": [p.pk for p in problems]})
    return clue


@transaction.atomic
def clue_update(*, clue: Clue, user, **fields) -> Clue:
    clue = _locked(clue)
    workflow.check(CLUE, user, clue, "edit")
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"未知字段：{unknown}")
    for name, value in fields.items():
        setattr(clue, name, value)
    clue.full_clean()
    clue.save()
    # Field names only: the audit log must not become a copy of the allegation.
    log_action(user, "clue.update", clue, {"fields": sorted(fields)})
    return clue


@transaction.atomic
def clue_attach_file(*, clue: Clue, upload: UploadedFile, kind: str, user) -> ClueFile:
    clue = _locked(clue)
    workflow.check(CLUE, user, clue, "upload")
    if kind not in ClueFile.Kind.values:
        raise ValidationError(_("未知的材料类别。"))
    checked = check_upload(upload)
    clue_file = ClueFile(
        clue=clue,
        kind=kind,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    clue_file.file.save(storage_name(checked), checked.content, save=False)
    try:
        clue_file.save()
        log_action(user, "clue.file_add", clue, {"file": clue_file.pk, "sha256": checked.sha256})
    except Exception:
        clue_file.file.delete(save=False)
        raise
    return clue_file


@transaction.atomic
def clue_submit(*, clue: Clue, user) -> Clue:
    """First signature: the team leader."""
    clue = _locked(clue)
    workflow.check(CLUE, user, clue, "submit")
    clue.status, clue.submitted_by, clue.submitted_at = S.SUBMITTED, user, timezone.now()
    clue.return_reason = ""
    clue.save()
    log_action(user, "clue.submit", clue, {"urgent": clue.urgent})
    handoffs.clue_submitted(clue)
    return clue


@transaction.atomic
def clue_return(*, clue: Clue, user, reason: str) -> Clue:
    clue = _locked(clue)
    workflow.check(CLUE, user, clue, "return")
    if not reason.strip():
        raise ValidationError(_("退回须说明理由。"))
    clue.status, clue.return_reason = S.DRAFT, reason.strip()
    clue.submitted_by = clue.submitted_at = None
    clue.save()
    log_action(user, "clue.return", clue, {"reason": reason.strip()})
    handoffs.clue_returned(clue)
    return clue


@transaction.atomic
def clue_approve(*, clue: Clue, user) -> Clue:
    """Second signature: the office. The department is told a clue awaits its
    receipt (the number only: the content opens at receipt). An urgent clue
    (直报快车道) is flagged red on every list and in the notice."""
    clue = _locked(clue)
    workflow.check(CLUE, user, clue, "approve")
    clue.status, clue.approved_by, clue.approved_at = S.APPROVED, user, timezone.now()
    clue.save()
    log_action(
        user, "clue.approve", clue, {"department": clue.department_id, "urgent": clue.urgent}
    )
    handoffs.clue_approved(clue)
    return clue


def disposition_due_from(received: datetime.date, *, urgent: bool = False) -> datetime.date:
    """The fast track (直报快车道) is fast at the department too: a shorter deadline."""
    days = settings.CLUE_URGENT_DISPOSITION_DAYS if urgent else settings.CLUE_DISPOSITION_DAYS
    return received + datetime.timedelta(days=days)


@transaction.atomic
def clue_receive(*, clue: Clue, user) -> Clue:
    """Third signature: the receiving department. Grants its group the clue."""
    clue = _locked(clue)
    workflow.check(CLUE, user, clue, "receive")
    now = timezone.now()
    clue.status, clue.received_by, clue.received_at = S.RECEIVED, user, now
    clue.disposition_due = disposition_due_from(timezone.localdate(now), urgent=clue.urgent)
    clue.save()
    assign_perm("clues.view_clue", clue.department.group, clue)
    log_action(
        user, "clue.receive", clue, {"department": clue.department_id, "due": clue.disposition_due}
    )
    handoffs.clue_received(clue)
    return clue
