"""List imports as the sweep (xuncha.ops.sweep) sees them: an import run
again starts by deleting what the interrupted one wrote, so resending is safe."""

from django.utils import timezone

from crosscheck.models import Source
from xuncha.ops.sweep import JobKind, register_job_kind

JOB_KIND = "crosscheck_import"


def _send(source: Source) -> None:
    from crosscheck.tasks import import_source

    import_source.delay(source.pk)


def _fail(source: Source, message: str) -> None:
    Source.objects.filter(pk=source.pk, status=Source.Status.IMPORTING).update(
        status=Source.Status.FAILED, message=message[:500], imported_at=timezone.now()
    )


def register() -> None:
    register_job_kind(
        JobKind(
            name=JOB_KIND,
            model=Source,
            active=(Source.Status.IMPORTING,),
            send=_send,
            fail=_fail,
        )
    )
