"""List imports and rule runs as the sweep (xuncha.ops.sweep) sees them.

An import run again starts by deleting what the interrupted one wrote; a rule
run commits its hits and its outcome together, so an interrupted one wrote
nothing, and ON CONFLICT DO NOTHING keeps a resent one from adding a pair
twice. Resending either is safe."""

from django.utils import timezone

from crosscheck.models import RuleRun, Source
from xuncha.ops.sweep import JobKind, register_job_kind

JOB_KIND = "crosscheck_import"
RUN_JOB_KIND = "crosscheck_run"


def _send(source: Source) -> None:
    from crosscheck.tasks import import_source

    import_source.delay(source.pk)


def _fail(source: Source, message: str) -> None:
    Source.objects.filter(pk=source.pk, status=Source.Status.IMPORTING).update(
        status=Source.Status.FAILED, message=message[:500], imported_at=timezone.now()
    )


def _send_run(run: RuleRun) -> None:
    from crosscheck.tasks import run_rule

    run_rule.delay(run.pk)


def _fail_run(run: RuleRun, message: str) -> None:
    from crosscheck.services.runs import rule_run_fail

    rule_run_fail(run, message)


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
    register_job_kind(
        JobKind(
            name=RUN_JOB_KIND,
            model=RuleRun,
            active=RuleRun.ACTIVE,
            send=_send_run,
            fail=_fail_run,
        )
    )
