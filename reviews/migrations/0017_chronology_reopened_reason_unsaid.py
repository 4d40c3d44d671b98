"""Why a chronology was reopened is the case file's text (what an agency found), but its
review's history, read by everyone who opens the review, gave it as the version's reason, cut at
100 characters: the history now says only "Chronology reopened"; the timeline keeps why, for
those who read the case file."""

from django.db import migrations


def forwards(apps, schema_editor):
    versions = apps.get_model("reviews", "HistoricalReview")
    versions.objects.filter(history_change_reason__startswith="Chronology reopened: ").update(
        history_change_reason="Chronology reopened"
    )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0016_lcspr_reasons_without_reference")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
