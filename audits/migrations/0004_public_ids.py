"""Audits, cycles, returns and their answers get a public id for their links (issue 14)."""

from django.db import migrations

from sscb.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0003_pseudonym_validated"),
    ]

    operations = [
        *add_public_id("audits", "audit"),
        *add_public_id("audits", "auditcycle"),
        *add_public_id("audits", "selfassessment"),
        *add_public_id("audits", "standardassessment"),
    ]
