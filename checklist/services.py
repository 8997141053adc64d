"""Writes for the checklist: the office defines the steps; the team (or the
office) ticks them at each target with the record that shows them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from checklist.models import ChecklistItem, ChecklistTick
from checklist.selectors import TICKING_STAGES, may_tick
from fieldwork.models import Interview
from rounds.access import office_manages
from rounds.models import RoundKind, Target, WorkLog
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.core.uploads import check_upload, storage_name
from xuncha.orgs.models import Office

E = ChecklistItem.Evidence


def _require_office(user, office: Office) -> None:
    if not (user.has_role(Role.OFFICE) and office_manages(user, office)):
        raise PermissionDenied(_("只有本级巡察办工作人员可以设定现场工作清单。"))


@transaction.atomic
def item_create(
    *,
    office: Office,
    kind: RoundKind,
    section: str,
    name: str,
    evidence: str,
    sort_order: int = 0,
    user,
) -> ChecklistItem:
    _require_office(user, office)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("请填写清单事项。"))
    if section not in ChecklistItem.Section.values or evidence not in E.values:
        raise ValidationError(_("请选择事项类别和佐证记录。"))
    if ChecklistItem.objects.filter(office=office, kind=kind, name=name).exists():
        raise ValidationError(
            _("「%(kind)s」巡察的清单中已有「%(name)s」。") % {"kind": kind.name, "name": name}
        )
    item = ChecklistItem.objects.create(
        office=office,
        kind=kind,
        section=section,
        name=name,
        evidence=evidence,
        sort_order=sort_order,
    )
    log_action(
        user,
        "checklist.item_create",
        item,
        {"kind": kind.code, "section": section, "evidence": evidence},
    )
    return item


@transaction.atomic
def item_set_active(*, item: ChecklistItem, active: bool, user) -> ChecklistItem:
    """An item is retired, never deleted: the ticks that name it stay readable."""
    _require_office(user, item.office)
    if item.is_active != active:
        item.is_active = active
        item.save(update_fields=["is_active"])
        log_action(user, "checklist.item_active", item, {"active": active})
    return item


def _check_worklog(target: Target, worklog: WorkLog) -> None:
    if worklog.team_id != target.team_id:
        raise ValidationError(_("只能选择本组的工作日报。"))
    if target.entry_date and worklog.date < target.entry_date:
        raise ValidationError(_("所选工作日报早于进驻日期。"))
    if target.exit_date and worklog.date > target.exit_date:
        raise ValidationError(_("所选工作日报晚于撤离日期。"))


def _check_interview(target: Target, interview: Interview) -> None:
    # A talk at another target, even by the same team, does not show this one's step.
    if interview.team_id != target.team_id or interview.target_id != target.pk:
        raise ValidationError(_("只能选择本组在该巡察对象的谈话记录。"))
    if target.entry_date and interview.held_on < target.entry_date:
        raise ValidationError(_("所选谈话记录早于进驻日期。"))
    if target.exit_date and interview.held_on > target.exit_date:
        raise ValidationError(_("所选谈话记录晚于撤离日期。"))


@transaction.atomic
def tick(
    *,
    target: Target,
    item: ChecklistItem,
    user,
    worklog: WorkLog | None = None,
    interview: Interview | None = None,
    upload: UploadedFile | None = None,
    note: str = "",
) -> ChecklistTick:
    """Tick a step at a target with its record: a 谈话记录 of the team at that
    target for an interview step, a file for a step shown by a document, a work
    log for the rest. Bad input changes nothing.

    An interview step no longer takes a work log that merely counts interviews:
    the team's 谈话记录 (fieldwork, always installed beside this app) are the
    record, so there is no fallback to the log."""
    target = Target.objects.select_related("round__office", "team").get(pk=target.pk)
    if not may_tick(user, target):
        if target.round.status not in TICKING_STAGES:
            raise ValidationError(_("只有准备和进驻阶段可以勾选现场工作清单。"))
        raise PermissionDenied(_("只有本组成员或本级巡察办工作人员可以勾选现场工作清单。"))
    if item.office_id != target.round.office_id or not item.is_active:
        raise ValidationError(_("该事项不在本轮巡察的清单中。"))
    if not target.round.kinds.filter(pk=item.kind_id).exists():
        raise ValidationError(_("该事项不在本轮巡察的清单中。"))
    tick = ChecklistTick(target=target, item=item, ticked_by=user, note=(note or "")[:200])
    if item.evidence == E.DOCUMENT:
        if upload is None:
            raise ValidationError(_("「%(item)s」须上传文件材料作为佐证。") % {"item": item.name})
        checked = check_upload(upload)
        tick.original_name, tick.content_type = checked.original_name, checked.content_type
        tick.size, tick.sha256 = checked.size, checked.sha256
        tick.file.save(storage_name(checked), checked.content, save=False)
    elif item.evidence == E.INTERVIEW:
        if interview is None:
            raise ValidationError(
                _(
                    "「%(item)s」须以本组在该巡察对象的谈话记录佐证，"
                    "请先在现场记录中录入谈话记录，再选择它。"
                )
                % {"item": item.name}
            )
        _check_interview(target, interview)
        tick.interview = interview
    else:
        if worklog is None:
            raise ValidationError(_("请选择佐证「%(item)s」的工作日报。") % {"item": item.name})
        _check_worklog(target, worklog)
        tick.worklog = worklog
    try:
        with transaction.atomic():
            tick.save()
    except IntegrityError:
        if tick.file:
            tick.file.delete(save=False)
        raise ValidationError(_("「%(item)s」已经勾选过了。") % {"item": item.name}) from None
    except Exception:
        if tick.file:
            tick.file.delete(save=False)
        raise
    log_action(
        user,
        "checklist.tick",
        target,
        {
            "item": item.name,
            "worklog": tick.worklog.date.isoformat() if tick.worklog else None,
            "interview": str(tick.interview.uuid) if tick.interview else None,
            "file": tick.original_name or None,
            "sha256": tick.sha256 or None,
        },
    )
    return tick


@transaction.atomic
def untick(*, tick: ChecklistTick, user) -> None:
    """Withdraw a tick while the team is still on site (a wrong record chosen).
    The stored file stays on disk: the audit entry names its checksum."""
    target = tick.target
    if not may_tick(user, target):
        if target.round.status not in TICKING_STAGES:
            raise ValidationError(_("只有准备和进驻阶段可以修改现场工作清单。"))
        raise PermissionDenied(_("只有本组成员或本级巡察办工作人员可以修改现场工作清单。"))
    log_action(
        user,
        "checklist.untick",
        target,
        {"item": tick.item.name, "sha256": tick.sha256 or None},
    )
    tick.delete()
