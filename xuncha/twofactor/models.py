"""Second-factor resets: the one way a person's authenticator is taken away.

The devices themselves are django-otp's (``otp_totp.TOTPDevice`` for the
authenticator app, ``otp_static.StaticDevice`` for the recovery codes).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SecondFactorReset(models.Model):
    """A lost phone: the system admin asks, the security officer approves (三员分立),
    and only the approval removes the person's devices."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="second_factor_resets",
    )
    reason = models.CharField(_("原因"), max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("驳回人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    declined_at = models.DateTimeField(_("驳回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("双因素重置申请")
        verbose_name_plural = _("双因素重置申请")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # Two steps, two people; and nobody's own authenticator is reset by themself.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="second_factor_reset_two_people",
            ),
            models.CheckConstraint(
                condition=~Q(requested_by=F("user")),
                name="second_factor_reset_not_own_request",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("user")),
                name="second_factor_reset_not_own_approval",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(declined_at__isnull=True),
                name="second_factor_reset_approved_or_declined",
            ),
            # One open request per person at a time.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(approved_at__isnull=True, declined_at__isnull=True),
                name="second_factor_reset_one_open_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.approved_at is None and self.declined_at is None
