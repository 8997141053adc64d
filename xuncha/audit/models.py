"""The audit log: append-only, each entry chained to the one before by a keyed MAC.

The application never updates or deletes an entry (``save`` refuses an
update, ``delete`` refuses outright, the admin offers neither), and on
PostgreSQL a trigger refuses UPDATE and DELETE for everyone but a superuser
who disables it on purpose. What the database owner could still do by hand
is detected by ``manage.py audit_verify``, which recomputes the chain.

Since chain version 2 each entry's MAC is HMAC-SHA256(key, previous MAC +
canonical entry) with a key that is not in the database (``AUDIT_HMAC_KEY``):
whoever can write the table can still edit a row, but cannot compute the MACs
that would make the rest of the chain agree with the edit. Entries written
before keying began keep their plain SHA-256 (version 1); they may only stand
at the start of the chain, so a keyed chain cannot be "downgraded" back.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64

PLAIN_SHA256 = 1  # entries written before the chain was keyed
KEYED_HMAC = 2  # HMAC-SHA256 with AUDIT_HMAC_KEY
CHAIN_VERSION = KEYED_HMAC


def audit_key() -> bytes:
    """The chain key, read when used so that tests (and a key rotation at a
    restart) see the current setting."""
    key = settings.AUDIT_HMAC_KEY
    if not key:
        raise RuntimeError("未设置 AUDIT_HMAC_KEY：无法写入或校验审计日志。")
    return key.encode("utf-8")


def keyed_mac(message: str, *, key: bytes | None = None) -> str:
    # hmac.digest is OpenSSL's one-shot MAC: the same value as hmac.new's,
    # without building an HMAC object per entry.
    return hmac.digest(key or audit_key(), message.encode("utf-8"), "sha256").hex()


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志只能追加，不能修改。")

    def delete(self):
        raise PermissionError("审计日志只能追加，不能删除。")


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    prev_hash = models.CharField(_("前一条校验码"), max_length=64)
    entry_hash = models.CharField(_("本条校验码"), max_length=64, unique=True)
    # 1: plain SHA-256 (entries written before keying began), 2: HMAC-SHA256.
    chain_version = models.PositiveSmallIntegerField(_("校验方式"), default=CHAIN_VERSION)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        default_permissions = ("view",)
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除。")

    def payload(self) -> dict:
        """What the hash covers: every field but the hash itself (version 1
        entries keep exactly the payload they were hashed with)."""
        return entry_payload(
            id=self.pk,
            actor_id=self.actor_id,
            actor_username=self.actor_username,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            object_repr=self.object_repr,
            data=self.data,
            ip_address=self.ip_address,
            created_at=self.created_at.isoformat(timespec="microseconds"),
            prev_hash=self.prev_hash,
            chain_version=self.chain_version,
        )

    def canonical(self) -> str:
        return canonical_json(self.payload())

    def compute_hash(self, *, key: bytes | None = None) -> str:
        """The entry's MAC (its plain SHA-256 for a version 1 entry)."""
        if self.chain_version == PLAIN_SHA256:
            return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()
        return keyed_mac(f"{self.prev_hash}\n{self.canonical()}", key=key)


def entry_payload(*, chain_version: int, **fields) -> dict:
    """An entry's hashed payload from its field values (``created_at`` as
    ISO text with microseconds): one definition for AuditEntry.payload and
    the bulk writer, which hashes entries it never builds as models."""
    if chain_version != PLAIN_SHA256:
        fields["chain_version"] = chain_version
    return fields


# One encoder, built once: json.dumps with options builds a new one per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def canonical_json(payload: dict) -> str:
    return _CANONICAL.encode(payload)


class AuditVerification(models.Model):
    """One run of the chain verification, started by the auditor from the page
    and carried out by a Celery task; the page polls it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("校验中")
        OK = "ok", _("完好")
        BROKEN = "broken", _("发现断裂")
        FAILED = "failed", _("未能完成")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    checked = models.PositiveIntegerField(_("已校验条数"), default=0)
    broken_at = models.PositiveIntegerField(_("断裂位置"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # True while queued or running, NULL once finished: unique, so a second
    # click while one runs finds that run instead of starting another.
    active = models.BooleanField(null=True, default=True, unique=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计日志校验")
        verbose_name_plural = _("审计日志校验")
        constraints = [
            models.CheckConstraint(
                name="audit_verification_progress_percent", condition=models.Q(progress__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class WithheldContent(models.Model):
    """The case content an entry names but does not carry.

    The chain (which the auditor reads) says "a reason was given"; the reason
    itself is kept here, outside the chain, for the case page that showed it
    to the people who may see the case (a problem's history shows the
    return note to its team). No audit page, export or admin reads this table.
    """

    entry = models.OneToOneField(
        AuditEntry,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    values = models.JSONField(default=dict)

    class Meta:
        default_permissions = ()

    def __str__(self) -> str:
        return f"#{self.entry_id}"
