"""An LCSPR's decision reasons and withdrawal note named the rapid review it arose from by its
reference, which a reader of the LCSPR may not be allowed to see (a restricted rapid review):
they now say "the rapid review it arose from", in the records and in their history."""

import re

from django.db import migrations

REASONS = re.compile(r"^Decided by rapid review [A-Z]+-\d{4}-\d+: ")
NOTE = re.compile(r"^Withdrawn: rapid review [A-Z]+-\d{4}-\d+ changed its decision")


def forwards(apps, schema_editor):
    for name in ("Review", "HistoricalReview"):
        model = apps.get_model("reviews", name)
        for row in model.objects.filter(decision_reasons__startswith="Decided by rapid review "):
            row.decision_reasons = REASONS.sub(
                "Decided by the rapid review it arose from: ", row.decision_reasons
            )
            model.objects.filter(pk=row.pk).update(decision_reasons=row.decision_reasons)
    for name in ("ReviewStageChange", "HistoricalReviewStageChange"):
        model = apps.get_model("reviews", name)
        for row in model.objects.filter(note__startswith="Withdrawn: rapid review "):
            note = NOTE.sub(
                "Withdrawn: the rapid review it arose from changed its decision", row.note
            )
            model.objects.filter(pk=row.pk).update(note=note)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0015_review_restricted_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
