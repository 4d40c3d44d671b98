import datetime
import smtplib

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from sscb import figures_cache
from sscb.models import Reminder
from sscb.reminders import catch_up_skipped, reminders_sweep


class Command(BaseCommand):
    help = (
        "Run the reminder sweep now, without Celery (for cron or a first look): plan what is "
        "due, send one digest per person, and print what was sent. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Sweep as if today were this earlier date (YYYY-MM-DD), e.g. to catch up on a "
            "day the sweep did not run. Not a date after today: its reminders would really be "
            "sent, and recorded as sent before they were due.",
        )

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as error:
                raise CommandError("Give the date as YYYY-MM-DD, e.g. 2025-06-02.") from error
            if today > timezone.localdate():
                raise CommandError(
                    f"{today:%-d %B %Y} is after today. Reminders can only be swept for today or "
                    "an earlier day: nothing was sent or recorded."
                )
        try:
            result = reminders_sweep(today=today)
        except (smtplib.SMTPException, OSError) as error:
            raise CommandError(
                f"Some reminder emails could not be sent ({error}). Their reminders are kept: "
                "run this again once the mail server is working, or the next sweep sends them."
            ) from error
        finally:
            figures_cache.bump()  # the sweep updates reminders in bulk, which sends no signal
        self.stdout.write(
            f"Planned {result['planned']} new reminder(s), cancelled {result['cancelled']}; "
            f"sent {result['emails']} email(s) covering {result['sent']} reminder(s); "
            f"{result['not_emailed']} recorded without email."
        )
        if result.get("left_pending"):
            self.stdout.write(
                f"Left {result['left_pending']} waiting reminder(s) for the sweep for today "
                "to send."
            )
        if today and today < timezone.localdate():
            for line in catch_up_skipped(today):
                self.stdout.write(line)
        sent = (
            Reminder.objects.filter(claim_token=result["token"], status=Reminder.Status.SENT)
            .values("recipient__username", "email", "kind")
            .annotate(count=Count("pk"))
            .order_by("recipient__username", "email", "kind")
        )
        kinds = dict(Reminder.Kind.choices)
        for row in sent:
            # A person with an account by their username; one without (a practitioner asked for
            # a training follow-up) by the address the reminder went to.
            to = row["recipient__username"] or row["email"]
            self.stdout.write(f"  {to:<20} {row['count']:>6} × {kinds[row['kind']]}")
