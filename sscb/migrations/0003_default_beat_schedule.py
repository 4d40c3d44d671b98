"""Install the default Celery beat schedule; the Business Unit can change it in the admin."""

from django.db import migrations


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 07:00 UK time every day: reminders arrive at the start of the working day.
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="7",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.get_or_create(
        name="Daily reminder sweep",
        defaults={
            "task": "sscb.send_reminders",
            "crontab": crontab,
            "description": "Plans and sends reminders for actions, follow-ups, evidence, "
            "statutory review deadlines and audit returns: one digest email per person.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name="Daily reminder sweep"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sscb", "0002_reminders"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
