"""Keep the history of a finding's agencies and a theme's priorities (links), from what
each record links now."""

import django.db.models.deletion
import simple_history.models
from django.db import migrations, models

from sscb.history import record_links_in_newest_versions


def record_links(apps, schema_editor):
    record_links_in_newest_versions(apps, "learning", "Finding", "agencies")
    record_links_in_newest_versions(apps, "learning", "PriorityTheme", "priorities")


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0015_follow_up_due_with_subgroup"),
        ("sscb", "0018_reminder_recipient_index_in_list_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalFinding_agencies",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="sscb.agency",
                    ),
                ),
                (
                    "finding",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="learning.finding",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="learning.historicalfinding",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalFinding_agencies",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPriorityTheme_priorities",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="learning.historicalprioritytheme",
                    ),
                ),
                (
                    "prioritytheme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="learning.prioritytheme",
                    ),
                ),
                (
                    "strategicpriority",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="sscb.strategicpriority",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalPriorityTheme_priorities",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(record_links, migrations.RunPython.noop),
    ]
