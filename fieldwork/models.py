"""What a team's stay on site produces besides problems: 谈话记录, 信访件 and
调阅资料, made on the office's platform or on the team's field laptop alike;
and the field packages that carry a team's work out to the laptop and back.

Every record carries a UUID, its identity on both sides: the platform's and
the laptop's primary keys are each their own database's, the UUID is what an
imported record is matched by. ``version`` counts the edits (shown to people);
conflicts are found by comparing contents, see services/returns.py.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rounds.models import Problem, Target, Team


class FieldRecord(models.Model):
    uuid = models.UUIDField(_("记录标识"), default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(
        Team, verbose_name=_("巡察组"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey(
        Target, verbose_name=_("巡察对象"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Not auto_now: an imported record keeps the time it was made on the laptop.
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("修改时间"), default=timezone.now)
    version = models.PositiveIntegerField(_("版本"), default=1)

    # The fields a person edits; they are what packages carry and compare.
    CONTENT_FIELDS: tuple[str, ...] = ()
    KIND = ""

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse("fieldwork:record_detail", args=[self.KIND, self.uuid])


class Interview(FieldRecord):
    """谈话记录: confidential to the team and its office."""

    person_name = models.CharField(_("谈话对象"), max_length=50)
    person_position = models.CharField(_("职务"), max_length=100, blank=True)
    held_on = models.DateField(_("谈话日期"))
    interviewers = models.CharField(_("谈话人"), max_length=200)
    summary = models.TextField(_("谈话要点"))

    CONTENT_FIELDS = (
        "target",
        "person_name",
        "person_position",
        "held_on",
        "interviewers",
        "summary",
    )
    KIND = "interview"

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("谈话记录")
        verbose_name_plural = _("谈话记录")
        indexes = [models.Index(fields=["team", "held_on"], name="interview_team_day")]

    def __str__(self) -> str:
        return f"{self.person_name}（{self.held_on}）"

    @property
    def day(self):
        return self.held_on


class Petition(FieldRecord):
    """信访件 received on site, and what was done with it."""

    class Channel(models.TextChoices):
        LETTER = "letter", _("来信")
        VISIT = "visit", _("来访")
        PHONE = "phone", _("来电")
        OTHER = "other", _("其他")

    class Handling(models.TextChoices):
        PENDING = "pending", _("待处理")
        PROBLEM = "problem", _("形成问题")
        CLUE = "clue", _("起草问题线索")
        TRANSFER = "transfer", _("转办")
        OUTSIDE = "outside", _("不属于巡察范围")

    received_on = models.DateField(_("受理日期"))
    channel = models.CharField(_("来源方式"), max_length=10, choices=Channel.choices)
    petitioner = models.CharField(
        _("信访人"), max_length=100, blank=True, help_text=_("匿名的可不填。")
    )
    content = models.TextField(_("反映内容"))
    handling = models.CharField(
        _("处理方式"), max_length=10, choices=Handling.choices, default=Handling.PENDING
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("形成的问题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A name, not a row: the laptop carries no department table.
    transfer_to = models.CharField(_("转办单位"), max_length=100, blank=True)
    handling_note = models.TextField(
        _("处理说明"), blank=True, help_text=_("转办事项、线索要点，或不属于巡察范围的理由。")
    )

    CONTENT_FIELDS = (
        "target", "received_on", "channel", "petitioner", "content", "handling", "problem",
        "transfer_to", "handling_note",
    )  # fmt: skip
    KIND = "petition"

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("信访件")
        verbose_name_plural = _("信访件")
        indexes = [models.Index(fields=["team", "received_on"], name="petition_team_day")]
        constraints = [
            models.CheckConstraint(
                name="petition_problem_only_when_handled_so",
                condition=models.Q(problem__isnull=True) | models.Q(handling="problem"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.received_on}"

    @property
    def day(self):
        return self.received_on


class DocumentReview(FieldRecord):
    """调阅资料: what the team asked for and examined."""

    title = models.CharField(_("资料名称"), max_length=200)
    provider = models.CharField(_("提供部门"), max_length=100, blank=True)
    examined_on = models.DateField(_("调阅日期"))
    copies = models.PositiveIntegerField(_("份数"), default=1)
    notes = models.TextField(_("调阅情况"), blank=True)

    CONTENT_FIELDS = ("target", "title", "provider", "examined_on", "copies", "notes")
    KIND = "document"

    class Meta:
        ordering = ["-examined_on", "-id"]
        verbose_name = _("调阅资料")
        verbose_name_plural = _("调阅资料")
        indexes = [models.Index(fields=["team", "examined_on"], name="document_team_day")]

    def __str__(self) -> str:
        return self.title

    @property
    def day(self):
        return self.examined_on


RECORD_MODELS: dict[str, type[FieldRecord]] = {
    model.KIND: model for model in (Interview, Petition, DocumentReview)
}


class RecordAttachment(models.Model):
    """A file kept with a record (a scanned interview note, a petition letter)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    record_kind = models.CharField(max_length=10)
    record_uuid = models.UUIDField(db_index=True)
    file = models.FileField(_("文件"), upload_to="fieldwork/%Y/%m/", max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("记录附件")
        verbose_name_plural = _("记录附件")

    def __str__(self) -> str:
        return self.original_name


class ProblemLink(models.Model):
    """A problem's identity across platform and laptop (rounds' problems have
    no UUID of their own, and this app does not change rounds' tables)."""

    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="field_link")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("问题标识")
        verbose_name_plural = _("问题标识")

    def __str__(self) -> str:
        return str(self.uuid)


class ClueLink(models.Model):
    """A clue draft's identity: clues drafted on the laptop come back as drafts.
    (Existing clues never go out: a package carries no allegation.)"""

    clue = models.OneToOneField("clues.Clue", on_delete=models.CASCADE, related_name="field_link")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("线索标识")
        verbose_name_plural = _("线索标识")

    def __str__(self) -> str:
        return str(self.uuid)


class FieldPackage(models.Model):
    """An export to one team's laptop (platform side). The field key's public
    half is kept here: a return package must be signed by its private half,
    which only that export carried."""

    package_id = models.UUIDField(_("数据包编号"), default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey(
        Team, verbose_name=_("巡察组"), on_delete=models.PROTECT, related_name="field_packages"
    )
    field_public_key = models.BinaryField(_("现场签名公钥"))
    sha256 = models.CharField(_("数据包 SHA-256"), max_length=64)
    manifest = models.JSONField(_("清单"), default=dict)
    # Each record's content hash as it left (uuid → hash): what a return's
    # changes are measured against. The laptop's own claim is never trusted.
    base_hashes = models.JSONField(_("导出时的内容校验值"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导出人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("导出时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("现场数据包")
        verbose_name_plural = _("现场数据包")

    def __str__(self) -> str:
        return f"{self.team} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def contents(self) -> str:
        """The manifest in words: 谈话记录 3，信访件 2，…"""
        counts = self.manifest.get("records", {})
        parts = [
            f"{model._meta.verbose_name} {counts.get(kind, 0)}"
            for kind, model in RECORD_MODELS.items()
        ]
        parts.append(f"{Problem._meta.verbose_name} {self.manifest.get('problems', 0)}")
        parts.append(f"{_('附件')} {len(self.manifest.get('attachments', []))}")
        return "，".join(str(p) for p in parts)


class HandoutSheet(models.Model):
    """The 领取单 of one export: each member's field password and authenticator
    secret, encrypted (fieldwork/credentials.py), waiting for the one person
    who exported to download it once. The download deletes the row; nothing
    else ever reads it, and the office keeps no other copy of the secrets."""

    package = models.OneToOneField(
        FieldPackage, on_delete=models.CASCADE, related_name="handout", verbose_name=_("数据包")
    )
    issued_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("领取人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # AES-256-GCM: 12-byte nonce, then ciphertext and tag.
    sealed = models.BinaryField(_("密文"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("现场账号领取单")
        verbose_name_plural = _("现场账号领取单")

    def __str__(self) -> str:
        return str(self.package)


class ReturnImport(models.Model):
    """A return package applied on the platform (the hash makes a second
    application of the same file a no-op that says so)."""

    package = models.ForeignKey(FieldPackage, on_delete=models.PROTECT, related_name="returns")
    sha256 = models.CharField(_("回传包 SHA-256"), max_length=64)
    summary = models.JSONField(_("导入结果"), default=dict)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("回传导入")
        verbose_name_plural = _("回传导入")

    def __str__(self) -> str:
        return f"{self.package.team} {self.imported_at:%Y-%m-%d %H:%M}"


class LaptopReturn(models.Model):
    """清理: the office records the laptop handed back, cleared, against the team."""

    team = models.ForeignKey(
        Team, verbose_name=_("巡察组"), on_delete=models.PROTECT, related_name="laptop_returns"
    )
    laptop = models.CharField(_("设备编号"), max_length=100)
    package_sha256 = models.CharField(_("清理记录中的数据包 SHA-256"), max_length=64, blank=True)
    clearing_record = models.TextField(_("清理记录"), blank=True)
    returned_on = models.DateField(_("交回日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-returned_on", "-id"]
        verbose_name = _("设备交回登记")
        verbose_name_plural = _("设备交回登记")

    def __str__(self) -> str:
        return f"{self.team} {self.laptop}"


class FieldSession(models.Model):
    """Field side: the package this laptop was loaded from, and each record's
    content hash as it left the office (the base a return is compared on)."""

    package_id = models.UUIDField(unique=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    package_sha256 = models.CharField(max_length=64)
    # The office key the package verified under: the return re-opens the package with it.
    office_public_key = models.BinaryField()
    base_hashes = models.JSONField(default=dict)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("现场会话")
        verbose_name_plural = _("现场会话")

    def __str__(self) -> str:
        return str(self.package_id)
