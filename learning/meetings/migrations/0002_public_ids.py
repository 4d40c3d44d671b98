from django.db import migrations

from sscb.public_ids import add_public_id


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
    ]

    operations = [
        *add_public_id("meetings", "agendaitem"),
        *add_public_id("meetings", "paper"),
    ]
