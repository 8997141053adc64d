"""量化考评: what the office sets (the weights of each figure) and says (its
remarks on each team and each district office). The figures themselves are
not stored: they are counted from what the system holds (evaluation.figures)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rounds.models import Team
from xuncha.orgs.models import Office


class WeightSet(models.Model):
    """One office's weights for one kind of evaluation, figure code → weight."""

    class Scope(models.TextChoices):
        TEAM = "team", _("巡察组考评")
        DISTRICT = "district", _("区县（市）巡察工作考评")

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("考评类别"), max_length=10, choices=Scope.choices)
    weights = models.JSONField(_("权重"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("考评权重")
        verbose_name_plural = _("考评权重")
        constraints = [
            models.UniqueConstraint(fields=["office", "scope"], name="weights_once_per_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.get_scope_display()}"


class TeamRemark(models.Model):
    """The office's own words on a team's work in its round."""

    team = models.OneToOneField(Team, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("考评意见"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("巡察组考评意见")
        verbose_name_plural = _("巡察组考评意见")

    def __str__(self) -> str:
        return str(self.team)


class DistrictRemark(models.Model):
    """The city office's words on a district office's work in one term."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    term = models.PositiveSmallIntegerField(_("届次"))
    text = models.TextField(_("考评意见"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("区县考评意见")
        verbose_name_plural = _("区县考评意见")
        constraints = [
            models.UniqueConstraint(fields=["office", "term"], name="district_remark_once"),
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.term}"
