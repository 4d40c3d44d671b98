from django.conf import settings
from django.core.management.base import BaseCommand

from sscb.access_log import access_log_purge


class Command(BaseCommand):
    help = (
        "Delete access log entries older than ACCESS_LOG_RETENTION_DAYS, without Celery (for "
        "cron). Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        deleted = access_log_purge()
        self.stdout.write(
            f"Deleted {deleted} access log entr{'y' if deleted == 1 else 'ies'} older than "
            f"{settings.ACCESS_LOG_RETENTION_DAYS} days."
        )
