"""Migration operations that give a model with rows a public id (a UUID) for its links.

A unique column cannot be added with one default for every existing row, so it takes three
steps: add it nullable, give each row its own id, then make it unique and required. Each
history row takes its record's id. Reversing removes the column.
"""

import uuid

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def _fill(app_label: str, model_name: str):
    def fill(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        history = apps.get_model(app_label, f"historical{model_name}")
        rows = list(model.objects.filter(uuid__isnull=True).only("pk"))
        for row in rows:
            row.uuid = uuid.uuid4()
        model.objects.bulk_update(rows, ["uuid"], batch_size=500)
        history.objects.filter(id__in=model.objects.values("pk")).update(
            uuid=Subquery(model.objects.filter(pk=OuterRef("id")).values("uuid")[:1])
        )
        # The history of a record no longer there: one id for all its rows.
        gone = history.objects.filter(uuid__isnull=True).values_list("id", flat=True).distinct()
        for record_id in list(gone):
            history.objects.filter(id=record_id).update(uuid=uuid.uuid4())

    return fill


def add_public_id(app_label: str, model_name: str) -> list:
    """The operations that add ``uuid`` to ``model_name`` (lower case) and its history."""
    historical = f"historical{model_name}"
    return [
        migrations.AddField(
            model_name=model_name,
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name=historical,
            name="uuid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(_fill(app_label, model_name), migrations.RunPython.noop),
        migrations.AlterField(
            model_name=model_name,
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name=historical,
            name="uuid",
            field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False),
        ),
    ]
