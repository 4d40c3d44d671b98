"""A review's statutory clocks get a public id for their pause and resume links (issue 14)."""

from django.db import migrations

from sscb.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0008_case_file"),
    ]

    operations = add_public_id("reviews", "reviewclock")
