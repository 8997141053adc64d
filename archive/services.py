"""Requesting and building a round's archive package (see archive.package)."""

import hashlib
import logging
import tempfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from archive.access import may_keep
from archive.models import RoundArchive
from archive.package import ArchiveError, build_package
from rounds.models import Round
from xuncha.audit.services import log_action
from xuncha.ops import leases

logger = logging.getLogger(__name__)

JOB_KIND = "archive"
ACTIVE = (RoundArchive.Status.QUEUED, RoundArchive.Status.RUNNING)


@transaction.atomic
def archive_request(*, round_: Round, user) -> tuple[RoundArchive, bool]:
    """Queue the round's package, or return the one already being built."""
    if not may_keep(user, round_):
        raise PermissionDenied(_("只有本级巡察办持有线索管理权限的工作人员可以生成归档包。"))
    if round_.status != Round.Status.ARCHIVED:
        raise ValidationError(_("只有已归档的轮次可以生成归档包。"))
    active = RoundArchive.objects.filter(round=round_, status__in=ACTIVE).first()
    if active:
        return active, False
    try:
        with transaction.atomic():
            archive = RoundArchive.objects.create(
                round=round_, requested_by=user, queued_at=timezone.now()
            )
    except IntegrityError:
        return RoundArchive.objects.get(round=round_, status__in=ACTIVE), False
    log_action(user, "archive.request", archive, {"round": round_.pk})
    from archive.tasks import build_archive

    build_archive.delay_on_commit(archive.pk)
    return archive, True


def archive_on_advance(round_: Round, user) -> None:
    """The rounds' hook: at 归档, the office's package is queued. Someone
    without the clue permission moves the round on without it: the package
    waits for a clue officer to ask for it from the archive page."""
    if round_.status == Round.Status.ARCHIVED and may_keep(user, round_):
        archive_request(round_=round_, user=user)


def archive_run(archive_id: int) -> RoundArchive:
    """Take the job's lease and build the package; a second run changes nothing."""
    with leases.holding(JOB_KIND, archive_id) as lease:
        if lease is None:
            return RoundArchive.objects.get(pk=archive_id)
        return _build(archive_id)


def _progress(archive_id: int, percent: int) -> None:
    RoundArchive.objects.filter(pk=archive_id).update(progress=max(0, min(100, int(percent))))


def _build(archive_id: int) -> RoundArchive:
    claimed = RoundArchive.objects.filter(pk=archive_id, status__in=ACTIVE).update(
        status=RoundArchive.Status.RUNNING,
        started_at=timezone.now(),
        progress=0,
        attempts=F("attempts") + 1,
    )
    archive = RoundArchive.objects.select_related("round__office", "requested_by").get(
        pk=archive_id
    )
    if not claimed:
        return archive
    user = archive.requested_by
    # The permission is checked again: it may have been withdrawn since the request.
    if not may_keep(user, archive.round):
        return archive_fail(archive, "申请人已无权查看本轮全部材料，归档包未生成。")
    with tempfile.TemporaryFile() as out:
        try:
            manifest = build_package(archive.round, user, out, lambda p: _progress(archive_id, p))
        except ArchiveError as error:
            return archive_fail(archive, str(error))
        except (PermissionDenied, Http404):
            return archive_fail(archive, "申请人已无权查看本轮全部材料，归档包未生成。")
        except Exception as error:
            logger.exception("archive %s failed", archive_id)
            return archive_fail(archive, f"生成失败：{type(error).__name__}")
        out.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: out.read(1 << 20), b""):
            digest.update(chunk)
        size = out.tell()
        out.seek(0)
        filename = f"归档包-{archive.round.year}-{archive.round.name}.zip"
        archive.file.save(f"{archive.pk}-archive.zip", File(out), save=False)
    archive.filename, archive.size, archive.sha256 = filename, size, digest.hexdigest()
    archive.manifest = manifest
    archive.status, archive.progress = RoundArchive.Status.DONE, 100
    archive.finished_at, archive.message = timezone.now(), ""
    archive.save()
    log_action(
        user,
        "archive.build",
        archive,
        {
            "round": archive.round_id,
            "entries": len(manifest["entries"]),
            "size": size,
            "sha256": archive.sha256,
        },
    )
    return archive


def archive_fail(archive: RoundArchive, message: str) -> RoundArchive:
    RoundArchive.objects.filter(pk=archive.pk, status__in=ACTIVE).update(
        status=RoundArchive.Status.FAILED, message=message[:500], finished_at=timezone.now()
    )
    archive.refresh_from_db()
    return archive
