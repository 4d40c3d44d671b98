import datetime

from django.core.management.base import BaseCommand

from sscb.retention import retention_sweep


class Command(BaseCommand):
    help = (
        "List the records the retention schedule says are due for disposal and email the "
        "Business Unit about new ones, without Celery (for cron). Disposes of nothing; safe to "
        "run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="List as if on this day (YYYY-MM-DD)."
        )

    def handle(self, *args, date=None, **options):
        result = retention_sweep(today=date)
        self.stdout.write(
            f"Listed {result['listed']} newly due, withdrew {result['withdrawn']} no longer due, "
            f"told the Business Unit about {result['notified']}."
        )
