"""Keep the history of a course's outcomes and a session's activities (links), from what
each record links now."""

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models

from sscb.history import record_links_in_newest_versions


def record_links(apps, schema_editor):
    record_links_in_newest_versions(apps, "training", "Course", "outcomes")
    record_links_in_newest_versions(apps, "training", "Session", "activities")


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0016_history_of_links"),
        ("training", "0002_rating_history"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalCourse_outcomes",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "course",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="training.course",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="training.historicalcourse",
                    ),
                ),
                (
                    "learningoutcome",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="learning.learningoutcome",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalCourse_outcomes",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSession_activities",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "deliveryactivity",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="learning.deliveryactivity",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="training.historicalsession",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="training.session",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalSession_activities",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(record_links, migrations.RunPython.noop),
    ]
