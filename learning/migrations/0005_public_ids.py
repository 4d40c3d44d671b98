"""Delivery activities, practice checks, evaluation stages and files get a public id for their
links (issue 14)."""

from django.db import migrations

from sscb.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0004_finding_theme_review_index"),
    ]

    operations = [
        *add_public_id("learning", "deliveryactivity"),
        *add_public_id("learning", "practicecheck"),
        *add_public_id("learning", "trainingevaluationstage"),
        *add_public_id("learning", "attachment"),
    ]
