from django.db import models
from django.utils.translation import gettext_lazy as _


class ResumableJob(models.Model):
    """What a background job needs to be finished by another worker when the
    one running it dies: how often it was started, and when it was last sent
    to the queue. The lease (who runs it now, and whether they are alive) is
    kept apart, in JobLease (see xuncha.ops.leases)."""

    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    queued_at = models.DateTimeField(_("最近排队时间"), null=True, blank=True)

    class Meta:
        abstract = True


class JobLease(models.Model):
    """A worker's claim on one job, renewed by its heartbeat.

    Not a column of the job row: an import holds its job row locked inside
    its transaction until it commits, and a heartbeat written there would
    wait for that commit."""

    kind = models.CharField(max_length=30)
    job_id = models.BigIntegerField()
    token = models.CharField(max_length=32)
    beat_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "job_id"], name="one_lease_per_job"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.job_id}"
