import logging

from celery import shared_task

from xuncha.audit.anchors import write_anchor
from xuncha.audit.services import verification_run
from xuncha.audit.services import verify_chain as verify_audit_chain

logger = logging.getLogger(__name__)


@shared_task(name="xuncha.audit.tasks.verify_chain")
def verify_chain() -> dict:
    """Nightly: walk the audit chain and log loudly if it is broken."""
    checked, broken = verify_audit_chain()
    if broken:
        logger.error("审计日志链在 #%s 处断裂：%s", broken.entry_id, broken.reason)
        return {"checked": checked, "broken_at": broken.entry_id, "reason": broken.reason}
    write_anchor()
    return {"checked": checked, "broken_at": None}


@shared_task(name="xuncha.audit.tasks.anchor_chain")
def anchor_chain() -> dict:
    """Every few minutes (beat): anchor the chain's head outside the database.
    Safe to run twice: an unmoved head is not anchored again."""
    anchor = write_anchor(only_if_moved=True)
    return {"anchored": anchor.entry_id if anchor else None}


@shared_task(name="xuncha.audit.tasks.run_verification")
def run_verification(verification_id: int) -> str:
    """The auditor's verification, started from the audit page."""
    return verification_run(verification_id).status
