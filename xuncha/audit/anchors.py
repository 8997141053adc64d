"""Anchors: the chain's head, written outside the database every few minutes.

A MAC chain shows any edit, deletion or reordering in its middle, but
cutting off its newest entries leaves a shorter chain that is still valid.
So a beat task (and ``audit_verify``) appends the current head to an
append-only sink outside the database: one line per anchor,

    <head id> <head MAC> <entry count> <time> <HMAC of the four>

opened with O_APPEND so a writer can only add to it, and optionally sent to
syslog too. A later verification checks that every anchored entry is still
there with the same MAC. Production must put the file on storage the
database's writer cannot rewrite (settings refuse the data-directory default).
The line's own HMAC (same key as the chain) shows an anchor that was forged
or altered; lines written before anchors were signed have three fields and
are still compared with the chain.
"""

import hmac
import logging
import logging.handlers
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from xuncha.audit.models import AuditEntry, keyed_mac

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anchor:
    entry_id: int
    entry_hash: str
    count: int | None = None
    signed: bool = False
    signature_ok: bool = True


def anchor_file() -> Path | None:
    path = settings.AUDIT_ANCHOR_FILE
    return Path(path) if path else None


def _signature(entry_id: int, entry_hash: str, count: int, at: str, *, key=None) -> str:
    return keyed_mac(f"anchor|{entry_id}|{entry_hash}|{count}|{at}", key=key)


def read_anchors(*, key: bytes | None = None) -> list[Anchor]:
    path = anchor_file()
    if path is None or not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[0].isdigit() and parts[2].isdigit():
            entry_id, entry_hash, count, at, signature = parts[:5]
            expected = _signature(int(entry_id), entry_hash, int(count), at, key=key)
            anchors.append(
                Anchor(
                    int(entry_id),
                    entry_hash,
                    int(count),
                    signed=True,
                    signature_ok=hmac.compare_digest(expected, signature),
                )
            )
        elif len(parts) >= 2 and parts[0].isdigit():
            anchors.append(Anchor(int(parts[0]), parts[1]))
    return anchors


def _append_line(path: Path, line: str) -> None:
    """O_APPEND: every write lands at the end, whatever else has the file open;
    0600: only the application's account reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _to_syslog(line: str) -> None:
    target = settings.AUDIT_ANCHOR_SYSLOG
    if not target:
        return
    host, _, port = target.partition(":")
    address = target if target.startswith("/") else (host, int(port or 514))
    handler = logging.handlers.SysLogHandler(address=address)
    try:
        record = logging.LogRecord("xuncha.audit.anchor", logging.INFO, "", 0, line, None, None)
        handler.emit(record)
    finally:
        handler.close()


def _last_line_names(path: Path, entry_id: int, entry_hash: str) -> bool:
    """Whether the sink's last line anchors this head. Reads only the file's
    end: a year of anchors every five minutes is some 100,000 lines."""
    if not path.exists():
        return False
    with path.open("rb") as file:
        file.seek(0, os.SEEK_END)
        file.seek(max(0, file.tell() - 1024))
        lines = file.read().decode("utf-8", errors="replace").splitlines()
    parts = lines[-1].split() if lines else []
    return parts[:2] == [str(entry_id), entry_hash]


def write_anchor(*, only_if_moved: bool = False) -> Anchor | None:
    """Append the current head to the sink. With ``only_if_moved`` (the beat
    task) nothing is written when the head is the one anchored last, so
    running the task twice writes one line."""
    path = anchor_file()
    head = AuditEntry.objects.order_by("-id").only("id", "entry_hash").first()
    if path is None or head is None:
        return None
    if only_if_moved and _last_line_names(path, head.id, head.entry_hash):
        return None
    count = AuditEntry.objects.filter(id__lte=head.id).count()
    at = timezone.now().isoformat(timespec="seconds")
    line = f"{head.id} {head.entry_hash} {count} {at} "
    line += _signature(head.id, head.entry_hash, count, at) + "\n"
    _append_line(path, line)
    try:
        _to_syslog(line.strip())
    except OSError:
        # The file is the anchor of record; a syslog outage must not stop it.
        logger.exception("审计锚点未能发送到 syslog")
    return Anchor(head.id, head.entry_hash, count, signed=True)


def missing_anchor(*, key: bytes | None = None) -> tuple[Anchor, str] | None:
    """The first anchor that is forged, or whose entry is gone or changed."""
    anchors = read_anchors(key=key)
    if not anchors:
        return None
    ids = sorted({a.entry_id for a in anchors})
    stored = {}
    for start in range(0, len(ids), 1000):  # a year of anchors stays within SQLite's limits
        stored.update(
            AuditEntry.objects.filter(id__in=ids[start : start + 1000]).values_list(
                "id", "entry_hash"
            )
        )
    for anchor in anchors:
        if not anchor.signature_ok:
            return anchor, "锚点签名不符：锚点文件被改写或伪造"
        if anchor.entry_id not in stored:
            return anchor, "锚点记录的这一条已不存在：日志末尾被删除"
        if stored[anchor.entry_id] != anchor.entry_hash:
            return anchor, "与锚点记录的校验码不符：日志被改写"
        # The chain is numbered 1, 2, 3... without gaps (verify_chain checks
        # that), so the head's id is the count it had when anchored.
        if anchor.count is not None and anchor.count != anchor.entry_id:
            return anchor, "条数与锚点记录不符：日志被删除或插入"
    return None
