"""Entries get a chain version: the rows already written were hashed with plain
SHA-256 and keep that hash (version 1), so nothing is re-chained and the
verifier still checks them; new rows are keyed (version 2, the model default)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="chain_version",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="校验方式"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="chain_version",
            field=models.PositiveSmallIntegerField(default=2, verbose_name="校验方式"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="本条校验码"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(max_length=64, verbose_name="前一条校验码"),
        ),
    ]
