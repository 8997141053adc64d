"""A rule's run: asked for on the round page, done by the worker.

At province scale the statements of a rule (see matching) take seconds: the
request only queues a run (``rule_run``) and the worker runs it
(``rule_run_execute``, from crosscheck.tasks.run_rule under a lease). The
statements and the run's outcome commit together, so a run that fails or
whose worker dies leaves no hits behind, and one sent again (by the sweep,
crosscheck.jobs) starts from nothing; ON CONFLICT DO NOTHING keeps the pairs
an earlier run found from counting twice.
"""

import logging
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crosscheck import handoffs
from crosscheck.models import Hit, Row, RuleRun
from crosscheck.services.matching import match_statements, rules_for
from crosscheck.services.sources import require_round_access
from rounds.models import Round
from xuncha.audit.services import log_action

logger = logging.getLogger(__name__)

R = RuleRun.Status
BUSY = gettext_noop("该规则正在本轮排队或比对中，请等它完成后再运行。")
NO_LISTS = gettext_noop("本轮还没有该规则所需的名单（或名单尚未读取完成）。")
BROKE = "比对出错，未写入任何命中。请稍后重新运行；如仍失败，请联系系统管理员。"


def rule_run(*, user, round_: Round, rule, send: bool = True) -> RuleRun:
    """Queue a run of the rule over the round's ready lists; the worker runs it.

    ``send=False``: the caller runs the task itself (the demo seed, the bench),
    so no message is left on the queue for a worker to find finished."""
    require_round_access(user, round_)
    if not rules_for(round_).filter(pk=rule.pk).exists():
        raise ValidationError(_("该规则不适用于本轮。"))
    if not match_statements(rule, round_, timezone.now()):
        raise ValidationError(_(NO_LISTS))
    if RuleRun.objects.filter(round=round_, rule=rule, status__in=RuleRun.ACTIVE).exists():
        raise ValidationError(_(BUSY))
    try:
        with transaction.atomic():
            run = RuleRun.objects.create(
                round=round_, rule=rule, run_by=user, queued_at=timezone.now()
            )
            log_action(user, "crosscheck.rule.run", run, {"rule": rule.code, "status": R.QUEUED})
    except IntegrityError:  # the same form posted twice at once: the constraint held
        raise ValidationError(_(BUSY)) from None
    if send:
        from crosscheck.tasks import run_rule

        transaction.on_commit(lambda: run_rule.delay(run.pk))
    return run


def _claim(run_id: int) -> RuleRun | None:
    """Mark the run started (counting the attempt); None when it is finished already.
    A run left 比对中 by a dead worker is claimed again: the caller holds the
    run's lease (crosscheck.tasks.run_rule), so no live worker has it."""
    claimed = RuleRun.objects.filter(pk=run_id, status__in=RuleRun.ACTIVE).update(
        status=R.RUNNING, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return RuleRun.objects.select_related("round__office", "rule", "run_by").get(pk=run_id)


def rule_run_execute(run_id: int) -> RuleRun:
    """Run a queued run's statements in one transaction and record the outcome.

    Safe to run twice: a finished run is left as it is, and an unfinished one
    committed nothing."""
    run = _claim(run_id)
    if run is None:
        return RuleRun.objects.get(pk=run_id)
    try:
        # The person who asked may have left the round since: checked again here.
        require_round_access(run.run_by, run.round)
        statements = match_statements(run.rule, run.round, timezone.now())
        if not statements:
            raise ValidationError(_(NO_LISTS))
        started = time.monotonic()
        added = 0
        with transaction.atomic():
            with connection.cursor() as cursor:
                for sql, args in statements:
                    cursor.execute(sql, args)
                    added += max(cursor.rowcount, 0)
            assign_hit_targets(run.round)
            run.status, run.new_hits = R.DONE, added
            run.seconds = round(time.monotonic() - started, 3)
            run.finished_at = timezone.now()
            run.message = ""
            run.save(update_fields=["status", "new_hits", "seconds", "finished_at", "message"])
            log_action(
                run.run_by,
                "crosscheck.rule.run",
                run,
                {"rule": run.rule.code, "status": R.DONE, "new_hits": added},
            )
            if added:
                handoffs.run_found_hits(run)
    except (ValidationError, PermissionDenied) as error:
        return rule_run_fail(run, "；".join(getattr(error, "messages", None) or [str(error)]))
    except Exception:
        logger.exception("crosscheck rule run #%s failed", run_id)
        return rule_run_fail(run, BROKE)
    return run


def assign_hit_targets(round_: Round) -> int:
    """Give the round's hits that have no target the target of the lists they
    came from. A hit between lists of the whole round keeps none, and so does
    one between lists of two different targets: its page shows rows of both
    lists, and a team may read only its own targets' (the office gives such a
    hit to a target, knowingly). One UPDATE, in the run's transaction."""

    def list_target(column: str) -> Subquery:
        return Subquery(Row.objects.filter(pk=OuterRef(column)).values("source__target")[:1])

    def same(a: str, b: str) -> Q:
        return Q(**{f"{a}__isnull": True}) | Q(**{f"{b}__isnull": True}) | Q(**{a: F(b)})

    pending = Hit.objects.filter(round=round_, target__isnull=True).annotate(
        left=list_target("left_row_id"),
        via=list_target("via_row_id"),
        right=list_target("right_row_id"),
    )
    one_target = pending.filter(same("left", "via"), same("left", "right"), same("via", "right"))
    return Hit.objects.filter(pk__in=one_target.values("pk")).update(
        target=Coalesce(
            list_target("left_row_id"), list_target("via_row_id"), list_target("right_row_id")
        )
    )


def rule_run_fail(run: RuleRun, message: str) -> RuleRun:
    """Record why a run stopped (its statements rolled back); the sweep calls it too."""
    with transaction.atomic():
        failed = RuleRun.objects.filter(pk=run.pk, status__in=RuleRun.ACTIVE).update(
            status=R.FAILED, message=message[:500], finished_at=timezone.now(), new_hits=0
        )
        if failed:
            log_action(
                run.run_by,
                "crosscheck.rule.run",
                run,
                {"rule": run.rule.code, "status": R.FAILED, "message": message[:500]},
            )
    run.refresh_from_db()
    return run
