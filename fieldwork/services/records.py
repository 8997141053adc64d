"""Writing the on-site records: the team's members, on the platform or on the
field laptop (the same services run in both). Every write is audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fieldwork.models import FieldRecord, Petition, RecordAttachment
from fieldwork.selectors import may_write_records, record_model
from rounds.access import require_member
from rounds.models import Problem, Team
from xuncha.audit.services import log_action
from xuncha.core.uploads import check_upload, storage_name


def _check_petition(record: Petition) -> None:
    H = Petition.Handling
    if record.handling != H.PROBLEM:
        record.problem = None
    if record.handling == H.PROBLEM and record.problem is None:
        raise ValidationError({"problem": _("处理方式为“形成问题”时，请选择形成的问题。")})
    if record.problem is not None and record.problem.target_id != record.target_id:
        raise ValidationError({"problem": _("只能选择本巡察对象的问题。")})
    if record.handling == H.TRANSFER and not record.transfer_to.strip():
        raise ValidationError({"transfer_to": _("转办时请填写转办单位。")})
    if record.handling in (H.OUTSIDE, H.CLUE) and not record.handling_note.strip():
        raise ValidationError(
            {"handling_note": _("不属于巡察范围的，请写明理由；起草线索的，请写明线索要点。")}
        )


def _check(record: FieldRecord) -> None:
    if record.target.team_id != record.team_id:
        raise ValidationError({"target": _("只能选择本组的巡察对象。")})
    if isinstance(record, Petition):
        _check_petition(record)
    record.full_clean()


@transaction.atomic
def record_create(*, kind: str, team: Team, user, **fields) -> FieldRecord:
    model = record_model(kind)
    unknown = set(fields) - set(model.CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"不能填写的字段：{unknown}")
    target = fields.get("target")
    if target is None:
        raise ValidationError({"target": _("请选择巡察对象。")})
    require_member(user, target)
    record = model(team=team, created_by=user, updated_by=user, **fields)
    _check(record)
    record.save()
    log_action(user, f"fieldwork.{kind}.create", record, {"team": team.pk})
    return record


@transaction.atomic
def record_update(*, record: FieldRecord, user, **changes) -> FieldRecord:
    model = type(record)
    record = model.objects.select_for_update().select_related("team__round").get(pk=record.pk)
    if not may_write_records(user, record.team):
        raise PermissionDenied(_("只有已签署三项承诺的本组成员可以修改记录。"))
    unknown = set(changes) - set(model.CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"不能修改的字段：{unknown}")
    changed = [name for name, value in changes.items() if getattr(record, name) != value]
    if not changed:
        return record
    for name in changed:
        setattr(record, name, changes[name])
    record.updated_by, record.updated_at, record.version = user, timezone.now(), record.version + 1
    _check(record)
    record.save()
    log_action(user, f"fieldwork.{model.KIND}.update", record, {"fields": changed})
    return record


@transaction.atomic
def attachment_add(*, record: FieldRecord, upload: UploadedFile, user) -> RecordAttachment:
    if not may_write_records(user, record.team):
        raise PermissionDenied(_("只有已签署三项承诺的本组成员可以上传附件。"))
    checked = check_upload(upload)
    attachment = RecordAttachment(
        team=record.team,
        record_kind=record.KIND,
        record_uuid=record.uuid,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    attachment.file.save(storage_name(checked), checked.content, save=False)
    attachment.save()
    log_action(user, "fieldwork.attachment.create", record, {"sha256": attachment.sha256})
    return attachment


def team_problems(team: Team):
    """The problems a petition may have turned into: the team's own."""
    return Problem.objects.filter(team=team).select_related("target__organization")
