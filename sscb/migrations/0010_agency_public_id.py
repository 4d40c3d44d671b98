"""Agencies get a public id for the link to their returns' history (issue 14)."""

from django.db import migrations

from sscb.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [
        ("sscb", "0009_monthly_disposal_sweep_schedule"),
    ]

    operations = add_public_id("sscb", "agency")
