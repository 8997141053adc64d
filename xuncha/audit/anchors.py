"""Anchors: the chain's head, written outside the database now and then.

A hash chain shows any edit, deletion or reordering in its middle, but
cutting off its newest entries leaves a shorter chain that is still valid.
So ``audit_verify`` (and the nightly task) append the current head (id and
hash) to a file outside the database; a later verification checks that every
anchored entry is still there with the same hash. Put the file on storage the
database owner cannot rewrite (a separate volume, or ship it to syslog).
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from xuncha.audit.models import AuditEntry


@dataclass(frozen=True)
class Anchor:
    entry_id: int
    entry_hash: str


def anchor_file() -> Path | None:
    path = settings.AUDIT_ANCHOR_FILE
    return Path(path) if path else None


def read_anchors() -> list[Anchor]:
    path = anchor_file()
    if path is None or not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit():
            anchors.append(Anchor(int(parts[0]), parts[1]))
    return anchors


def write_anchor() -> Anchor | None:
    path = anchor_file()
    head = AuditEntry.objects.order_by("-id").only("id", "entry_hash").first()
    if path is None or head is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(f"{head.id} {head.entry_hash} {timezone.now().isoformat()}\n")
    return Anchor(head.id, head.entry_hash)


def missing_anchor() -> tuple[Anchor, str] | None:
    """The first anchored entry that is gone or changed, with the reason."""
    anchors = read_anchors()
    if not anchors:
        return None
    stored = dict(
        AuditEntry.objects.filter(id__in={a.entry_id for a in anchors}).values_list(
            "id", "entry_hash"
        )
    )
    for anchor in anchors:
        if anchor.entry_id not in stored:
            return anchor, "锚点记录的这一条已不存在：日志末尾被删除"
        if stored[anchor.entry_id] != anchor.entry_hash:
            return anchor, "与锚点记录的哈希不符：日志被改写"
    return None
