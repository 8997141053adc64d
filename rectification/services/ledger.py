"""The ledger (五账): every item moves only by 报账, 交账, 转账, 查账 and 销账,
each an append-only entry; 回头看 can reopen a closed item.

Each action states which item states allow it and who may do it; a refusal
says why in Chinese. Concurrent actions on one item are settled by the
item's version: the action carries the version its author saw, and only one
UPDATE ... WHERE version = seen can win.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rectification import handoffs
from rectification.models import Evidence, FollowUp, Item, LedgerEntry
from rectification.workflow import ITEM
from xuncha.accounts.roles import Role
from xuncha.audit.services import log_action
from xuncha.core import workflow
from xuncha.core.uploads import check_upload, storage_name
from xuncha.orgs.models import Department

A = LedgerEntry.Action
ST = Item.State


class ConcurrentActionError(ValidationError):
    pass


STALE = gettext_noop("该事项刚刚已被他人处理，本次操作未生效，请刷新页面后重试。")


def may_act(user, item: Item, action: str) -> bool:
    return workflow.allowed(ITEM, user, item, action)


def allowed_actions(user, item: Item) -> list[str]:
    return [code for code, offer in workflow.actions_for(ITEM, user, item).items() if offer.allowed]


def _check(user, item: Item, action: str) -> None:
    workflow.check(ITEM, user, item, action)


def _apply(item: Item, expected_version: int, **changes) -> None:
    """Move the item only if nobody else moved it since its author looked."""
    updated = Item.objects.filter(pk=item.pk, version=expected_version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise ConcurrentActionError(_(STALE))
    for name, value in changes.items():
        setattr(item, name, value)
    item.version = expected_version + 1


def _record(
    item: Item, action: str, user, before: str, note: str, progress: int | None = None
) -> LedgerEntry:
    entry = LedgerEntry.objects.create(
        item=item,
        action=action,
        actor=user,
        note=note,
        progress=progress,
        state_before=before,
        state_after=item.state,
    )
    log_action(
        user, f"ledger.{action}", item, {"entry": entry.pk, "from": before, "to": item.state}
    )
    handoffs.item_moved(item, action)
    return entry


def _attach(
    item: Item, entry: LedgerEntry, uploads: Iterable[UploadedFile], user
) -> list[Evidence]:
    """Check every file before storing any; a refusal stores nothing."""
    checked = [check_upload(upload) for upload in uploads]
    stored: list[Evidence] = []
    try:
        for info in checked:
            latest = (
                Evidence.objects.filter(item=item, original_name=info.original_name).aggregate(
                    v=Max("version")
                )["v"]
                or 0
            )
            evidence = Evidence(
                item=item,
                entry=entry,
                original_name=info.original_name,
                version=latest + 1,
                content_type=info.content_type,
                size=info.size,
                sha256=info.sha256,
                uploaded_by=user,
            )
            evidence.file.save(storage_name(info), info.content, save=False)
            stored.append(evidence)
            evidence.save()
            log_action(
                user,
                "evidence.add",
                item,
                {
                    "evidence": evidence.pk,
                    "name": info.original_name,
                    "version": evidence.version,
                    "sha256": info.sha256,
                },
            )
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return stored


def _load(item: Item, expected_version: int | None = None) -> Item:
    """The item as it is now. If it moved since its author looked, say so
    before anything else: the state or carrier they would be refused on is
    one they have not seen yet (the UPDATE in _apply still settles a true race)."""
    item = Item.objects.select_related("office", "organization").get(pk=item.pk)
    if expected_version is not None and item.version != expected_version:
        raise ConcurrentActionError(_(STALE))
    return item


@transaction.atomic
def ledger_report(
    *,
    item: Item,
    user,
    expected_version: int,
    progress: int,
    note: str,
    files: Iterable[UploadedFile] = (),
) -> LedgerEntry:
    """报账: progress and what was done, as often as the unit likes."""
    item = _load(item, expected_version)
    _check(user, item, A.REPORT)
    if not 0 <= int(progress) <= 100:
        raise ValidationError(_("进度应在 0 到 100 之间。"))
    if not note.strip():
        raise ValidationError(_("请说明整改进展。"))
    before = item.state
    _apply(item, expected_version, progress=int(progress))
    entry = _record(item, A.REPORT, user, before, note.strip(), int(progress))
    _attach(item, entry, files, user)
    return entry


@transaction.atomic
def ledger_hand_in(
    *,
    item: Item,
    user,
    expected_version: int,
    note: str,
    files: Iterable[UploadedFile],
    rules_made: int = 0,
    money_recovered=0,
) -> LedgerEntry:
    """交账: done, with evidence."""
    item = _load(item, expected_version)
    _check(user, item, A.HAND_IN)
    files = list(files)
    if not files and not item.evidence.exists():
        raise ValidationError(_("交账须上传佐证材料。"))
    before = item.state
    _apply(
        item,
        expected_version,
        state=ST.HANDED_IN,
        progress=100,
        rules_made=int(rules_made or 0),
        money_recovered=money_recovered or 0,
    )
    entry = _record(item, A.HAND_IN, user, before, note.strip())
    _attach(item, entry, files, user)
    return entry


@transaction.atomic
def ledger_transfer(
    *,
    item: Item,
    user,
    expected_version: int,
    note: str,
    department: Department | None = None,
    long_term: bool = False,
) -> LedgerEntry:
    """转账: to another body or department (which then carries it), or to long-term handling."""
    item = _load(item, expected_version)
    _check(user, item, A.TRANSFER)
    if bool(department) == bool(long_term):
        raise ValidationError(_("请选择转办部门，或转为长期坚持，二者选一。"))
    if not note.strip():
        raise ValidationError(_("转账须说明理由。"))
    before = item.state
    if department:
        _apply(item, expected_version, state=ST.TRANSFERRED, transferred_to=department)
    else:
        _apply(
            item,
            expected_version,
            state=ST.IN_PROGRESS,
            kind=Item.Kind.ONGOING,
            transferred_to=None,
        )
    return _record(item, A.TRANSFER, user, before, note.strip())


def _cosigners_allowed(cosigners) -> list:
    allowed = []
    for cosigner in cosigners:
        department = cosigner.department
        if not (
            cosigner.has_role(Role.DEPARTMENT)
            and department is not None
            and department.kind in (Department.Kind.DISCIPLINE, Department.Kind.ORGANIZATION)
        ):
            raise ValidationError(
                _("%(cosigner)s 不是纪委监委或组织部的工作人员，不能会签。")
                % {"cosigner": cosigner}
            )
        allowed.append(cosigner)
    return allowed


@transaction.atomic
def ledger_check(
    *, item: Item, user, expected_version: int, accept: bool, note: str, cosigners=()
) -> LedgerEntry:
    """查账: the office, with discipline-commission and organization-department
    co-signers where asked, accepts the evidence or sends the item back."""
    item = _load(item, expected_version)
    action = A.CHECK_ACCEPT if accept else A.CHECK_RETURN
    _check(user, item, action)
    if not accept and not note.strip():
        raise ValidationError(_("退回须说明理由。"))
    cosigners = _cosigners_allowed(cosigners)
    before = item.state
    if accept:
        _apply(item, expected_version, state=ST.ACCEPTED)
    else:
        back_to = ST.TRANSFERRED if item.transferred_to_id else ST.IN_PROGRESS
        # Handing in set 100%; sent back, the item is as far as its last 报账 said.
        last_report = (
            item.entries.filter(action=A.REPORT, progress__isnull=False)
            .order_by("-created_at", "-pk")
            .values_list("progress", flat=True)
            .first()
        )
        _apply(item, expected_version, state=back_to, progress=min(last_report or 0, 99))
    entry = _record(item, action, user, before, note.strip())
    entry.cosigners.set(cosigners)
    return entry


@transaction.atomic
def ledger_close(*, item: Item, user, expected_version: int, note: str = "") -> LedgerEntry:
    """销账 (销号): only an accepted item."""
    item = _load(item, expected_version)
    _check(user, item, A.CLOSE)
    before = item.state
    _apply(item, expected_version, state=ST.CLOSED, closed_at=timezone.now())
    return _record(item, A.CLOSE, user, before, note.strip())


@transaction.atomic
def follow_up_check(
    *, item: Item, user, held: bool, note: str, expected_version: int | None = None
) -> FollowUp:
    """回头看: record whether a closed item stayed fixed; if not, reopen it."""
    item = _load(item, expected_version)
    _check(user, item, A.REOPEN)
    if not note.strip():
        raise ValidationError(_("请填写回头看检查情况。"))
    follow_up = FollowUp.objects.create(item=item, held=held, note=note.strip(), checked_by=user)
    log_action(user, "follow_up.check", item, {"held": held, "follow_up": follow_up.pk})
    if not held:
        before = item.state
        version = item.version if expected_version is None else expected_version
        _apply(item, version, state=ST.IN_PROGRESS, closed_at=None, progress=0)
        _record(item, A.REOPEN, user, before, note.strip())
    return follow_up
