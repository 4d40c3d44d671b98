# createsuperuser makes a Business Unit officer (sscb.models.UserManager): the role, not the
# superuser flag, is what opens the admin and every record.

from django.db import migrations

import sscb.models


class Migration(migrations.Migration):
    dependencies = [
        ("sscb", "0020_reminder_status_unreachable"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", sscb.models.UserManager()),
            ],
        ),
    ]
