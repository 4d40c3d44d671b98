"""Install the monthly retention sweep in the beat schedule; the Business Unit can change it."""

from django.db import migrations

NAME = "Monthly retention sweep"


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 06:30 UK time on the 1st of each month: the list is ready when the month's work starts.
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="6",
        day_of_week="*",
        day_of_month="1",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "sscb.list_disposals",
            "crontab": crontab,
            "description": "Lists the records the retention schedule says have been kept long "
            "enough and emails the Business Unit about new ones. Disposes of nothing: an "
            "officer confirms each disposal on the Disposals page.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sscb", "0008_default_retention_rules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
