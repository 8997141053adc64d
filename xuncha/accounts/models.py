from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuncha.accounts import role_cache
from xuncha.accounts.roles import ADMIN_SITE_ROLES, Role


class User(AbstractUser):
    """A person who logs in. Linked to where they work, which scopes what they see:
    a unit contact to their organization, a department user to their
    department, office staff and leadership to their office."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    office = models.ForeignKey(
        "orgs.Office",
        verbose_name=_("所属巡察机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所属党组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("所属接收部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # Set when the system admin issues a temporary password: the holder must
    # choose their own at the next sign-in (PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [("grant_roles", _("授予角色与对象权限"))]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile")

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    @property
    def password_expired(self) -> bool:
        days = settings.PASSWORD_EXPIRY_DAYS
        if not days or not self.has_usable_password():
            return False
        return self.password_changed_at < timezone.now() - timedelta(days=days)

    @cached_property
    def roles(self) -> frozenset[Role]:
        known = {role.value for role in Role}
        names = role_cache.group_names(self) if self.pk else []
        return frozenset(Role(name) for name in names if name in known)

    def has_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def role_labels(self) -> list[str]:
        labels = [role.label for role in Role if role in self.roles]
        # The organization's top leader signs in as a unit account but is not
        # its contact: name them for what they do (签字背书).
        if self.is_top_leader:
            labels = [
                str(_("被巡察单位主要负责人")) if label == Role.UNIT_CONTACT.label else label
                for label in labels
            ]
        return labels

    @property
    def is_top_leader(self) -> bool:
        return (
            self.organization_id is not None
            and Role.UNIT_CONTACT in self.roles
            and self.organization.leader_user_id == self.pk
        )

    @property
    def may_use_admin_site(self) -> bool:
        return self.is_active and (self.is_superuser or bool(self.roles & ADMIN_SITE_ROLES))


class PasswordHistory(models.Model):
    """Hashes of an account's recent passwords, so they are not used again
    (passwords.PasswordHistoryValidator keeps the last PASSWORD_HISTORY)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class Activation(models.Model):
    """A one-time activation code for an account that cannot sign in yet;
    see xuncha/accounts/activation.py. Only a keyed hash of the code is kept."""

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="activations",
    )
    code_hash = models.CharField(_("激活码摘要"), max_length=64, unique=True)
    issued_by = models.ForeignKey(
        "accounts.User", verbose_name=_("签发人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("账号激活码")
        verbose_name_plural = _("账号激活码")

    def __str__(self) -> str:
        return f"{self.user} {self.issued_at:%Y-%m-%d}"
