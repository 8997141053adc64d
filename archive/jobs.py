"""Archive packages as the sweep (xuncha.ops.sweep) sees them."""

from archive.models import RoundArchive
from archive.services import ACTIVE, JOB_KIND, archive_fail
from xuncha.ops.sweep import JobKind, register_job_kind


def _send(archive: RoundArchive) -> None:
    from archive.tasks import build_archive

    build_archive.delay(archive.pk)


def register() -> None:
    register_job_kind(
        JobKind(name=JOB_KIND, model=RoundArchive, active=ACTIVE, send=_send, fail=archive_fail)
    )
