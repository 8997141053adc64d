"""Rule runs move to the worker: a status, a message, when they finished.
The runs made before (in the request) were complete: they become 已完成."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def earlier_runs_finished(apps, schema_editor):
    apps.get_model("crosscheck", "RuleRun").objects.update(finished_at=F("started_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("crosscheck", "0002_hash_name_birth"),
        ("rounds", "0002_seed_kinds_and_categories"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="rulerun",
            options={"ordering": ["-started_at", "-pk"]},
        ),
        migrations.AddField(
            model_name="rulerun",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="已尝试次数"),
        ),
        migrations.AddField(
            model_name="rulerun",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="完成时间"),
        ),
        migrations.AddField(
            model_name="rulerun",
            name="message",
            field=models.CharField(blank=True, max_length=500, verbose_name="说明"),
        ),
        migrations.AddField(
            model_name="rulerun",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="最近排队时间"),
        ),
        migrations.AddField(
            model_name="rulerun",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "排队中"),
                    ("running", "比对中"),
                    ("done", "已完成"),
                    ("failed", "失败"),
                ],
                default="done",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.AlterField(
            model_name="rulerun",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "排队中"),
                    ("running", "比对中"),
                    ("done", "已完成"),
                    ("failed", "失败"),
                ],
                default="queued",
                max_length=10,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(earlier_runs_finished, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="rulerun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("round", "rule"),
                name="cc_one_active_run_per_rule",
            ),
        ),
    ]
