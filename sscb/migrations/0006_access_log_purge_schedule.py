"""Install the daily access log purge in the beat schedule; the Business Unit can change it."""

from django.db import migrations

NAME = "Daily access log purge"


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 02:30 UK time every day: out of hours, when nobody is reading the log.
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "sscb.purge_access_log",
            "crontab": crontab,
            "description": "Deletes access log entries older than ACCESS_LOG_RETENTION_DAYS "
            "(two years unless set).",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sscb", "0005_access_log"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
