"""Writing to the audit log. Every service that changes data calls ``log_action``."""

import hmac
import json
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.utils import timezone

from xuncha.audit.anchors import missing_anchor
from xuncha.audit.context import current_ip
from xuncha.audit.models import GENESIS_HASH, PLAIN_SHA256, AuditEntry, audit_key
from xuncha.audit.redaction import case_object_repr, redact_entry

# Any fixed number: the key of the PostgreSQL advisory lock that serialises
# appends, so that two writers never chain to the same predecessor.
_CHAIN_LOCK_KEY = 0x58554E4341  # "XUNCA"


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite runs with transaction_mode=IMMEDIATE: the write lock is already ours.


def _json_safe(data: dict | None) -> dict:
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))


def _describe(obj) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    if isinstance(obj, models.Model):
        label = obj._meta.label_lower
        return label, str(obj.pk), (case_object_repr(obj, label) or str(obj))[:200]
    return type(obj).__name__.lower(), "", str(obj)[:200]


@transaction.atomic
def log_action(actor, action: str, obj=None, data: dict | None = None) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction, so the entry is
    written if and only if the change it records is. For case data ``data``
    keeps only what names the change (see redaction.py): callers may pass
    before/after values, the log keeps field names."""
    object_type, object_id, object_repr = _describe(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    _lock_chain()
    last = AuditEntry.objects.order_by("-id").only("id", "entry_hash").first()
    entry = AuditEntry(
        id=(last.id + 1) if last else 1,
        actor=actor if is_user else None,
        actor_username=actor.get_username() if is_user else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        data=redact_entry(object_type, action, _json_safe(data)),
        ip_address=current_ip.get(),
        created_at=timezone.now(),
        prev_hash=last.entry_hash if last else GENESIS_HASH,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save(force_insert=True)
    return entry


@transaction.atomic
def log_actions(actor, action: str, entries: list[tuple[object, dict | None]]) -> list[AuditEntry]:
    """Append one entry per (object, data) pair with one lock and one INSERT:
    the same chain as calling log_action for each, for bulk writes (imports)."""
    if not entries:
        return []
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    _lock_chain()
    last = AuditEntry.objects.order_by("-id").only("id", "entry_hash").first()
    next_id, prev_hash = (last.id + 1, last.entry_hash) if last else (1, GENESIS_HASH)
    now, ip = timezone.now(), current_ip.get()
    rows = []
    for obj, data in entries:
        object_type, object_id, object_repr = _describe(obj)
        entry = AuditEntry(
            id=next_id,
            actor=actor if is_user else None,
            actor_username=actor.get_username() if is_user else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            data=redact_entry(object_type, action, _json_safe(data)),
            ip_address=ip,
            created_at=now,
            prev_hash=prev_hash,
        )
        entry.entry_hash = entry.compute_hash()
        rows.append(entry)
        next_id, prev_hash = next_id + 1, entry.entry_hash
    return AuditEntry.objects.bulk_create(rows, batch_size=1000)


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify_chain(
    *, batch_size: int = 2000, key: bytes | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk the whole chain in id order; return how many entries were checked
    and the first break, if any. Then compare the chain with the anchors
    written outside the database, which show a cut-off tail."""
    key = key or audit_key()
    expected_prev = GENESIS_HASH
    expected_id = 1
    checked = 0
    keyed = False
    queryset = AuditEntry.objects.order_by("id")
    for entry in queryset.iterator(chunk_size=batch_size):
        if entry.id != expected_id:
            return checked, ChainBreak(entry.id, f"编号不连续：应为 #{expected_id}")
        if entry.prev_hash != expected_prev:
            return checked, ChainBreak(entry.id, "前一条校验码不符：之前的记录被删除、插入或调换")
        if entry.chain_version == PLAIN_SHA256:
            if keyed:
                return checked, ChainBreak(
                    entry.id, "密钥校验开始后出现未加密钥的记录：该记录及其后的记录被改写"
                )
        else:
            keyed = True
        if not hmac.compare_digest(entry.compute_hash(key=key), entry.entry_hash):
            return checked, ChainBreak(entry.id, "内容与校验码不符：该记录被修改")
        expected_prev = entry.entry_hash
        expected_id += 1
        checked += 1
    if gone := missing_anchor(key=key):
        anchor, reason = gone
        return checked, ChainBreak(anchor.entry_id, reason)
    return checked, None
