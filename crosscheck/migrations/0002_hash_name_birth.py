"""name_birth becomes a keyed hash and rows with a valid ID lose their clear
birth date: with the masked ID (first 6, last 4) the two gave back the number.
A list keeps its mapping-page preview, read once at upload."""

from django.db import migrations, models

BATCH = 5000


def hash_existing(apps, schema_editor):
    from crosscheck.normalize import id_key

    Row = apps.get_model("crosscheck", "Row")
    Row.objects.filter(id_hash__isnull=False).update(birth_date=None)
    rows = Row.objects.filter(name_birth__isnull=False).only("pk", "name_birth")
    batch = []
    for row in rows.iterator(chunk_size=BATCH):
        row.name_birth = id_key(row.name_birth)
        batch.append(row)
        if len(batch) == BATCH:
            Row.objects.bulk_update(batch, ["name_birth"])
            batch = []
    Row.objects.bulk_update(batch, ["name_birth"])


class Migration(migrations.Migration):
    dependencies = [
        ("crosscheck", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(hash_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="row",
            name="name_birth",
            field=models.CharField(max_length=32, null=True),
        ),
        migrations.AddField(
            model_name="source",
            name="preview",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
