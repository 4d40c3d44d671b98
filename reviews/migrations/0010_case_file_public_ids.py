from django.db import migrations

from sscb.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0009_clock_public_id"),
    ]

    operations = [
        *add_public_id("reviews", "reviewteammember"),
        *add_public_id("reviews", "casedocument"),
        *add_public_id("reviews", "documentversion"),
    ]
