"""What training asks the daily reminder sweep to send (sscb.reminders: one digest per person,
each reminder planned once under a unique key): the 6–8-week follow-up questionnaire, to each
attendee of a delivered session and to their manager, who answer it together.

Neither has an account, so the reminder goes to an address (``Candidate.email``), and its link,
a one-use questionnaire link whose token is stored only as a hash, is made as the email is sent
(``reminder_link``), so the reminder row never holds it. A reminder is sent once: a re-run
sweep plans nothing new. Each email carries a new link; every link opens the same questionnaire,
which takes one answer.
"""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from learning.services import FOLLOW_UP_FROM, FOLLOW_UP_TO
from sscb.dates import say
from sscb.models import Reminder
from sscb.record_urls import url_for
from sscb.reminders import (
    Candidate,
    content_type_id,
    reminder_catch_up_skip,
    reminder_link,
    reminder_source,
)

from . import services
from .models import Attendee, Questionnaire


def _open_on(today):
    """Attendees who attended a session delivered 6 to 8 weeks before ``today``, of an agency
    not archived (one that no longer exists is not chased)."""
    return Attendee.objects.filter(
        status=Attendee.Status.ATTENDED,
        agency__is_active=True,
        session__delivered_on__lte=today - FOLLOW_UP_FROM,
        session__delivered_on__gte=today - FOLLOW_UP_TO,
    )


def _answered():
    return Exists(
        Questionnaire.objects.filter(
            attendee=OuterRef("pk"),
            stage=Questionnaire.Stage.FOLLOW_UP,
            answered_at__isnull=False,
        )
    )


def follow_ups_closed_since(today) -> int:
    """For a sweep run for an earlier day (``send_reminders --date``): how many attendees'
    follow-ups were open on ``today`` and unanswered but have closed since, so that the sweep
    sends them nothing (``follow_up_due``)."""
    return (
        _open_on(today)
        .filter(session__delivered_on__lt=timezone.localdate() - FOLLOW_UP_TO)
        .exclude(_answered())
        .count()
    )


@reminder_catch_up_skip
def follow_ups_not_sent(day) -> str:
    """The catch-up sweep's summary line for the follow-ups it did not send."""
    closed = follow_ups_closed_since(day)
    if not closed:
        return ""
    return (
        f"Not sent: {closed} training follow-up(s) open on {day:%-d %B %Y} whose 6–8-week "
        "window has closed since (their links would have expired on arrival)."
    )


@reminder_source
def follow_up_due(today, policy):
    """Attendees of a delivered session whose follow-up window (6 to 8 weeks after it) is open
    and who have not answered it yet: the attendee and their manager. A sweep for an earlier
    day (a catch-up) sends no follow-up whose window has closed by the real today: its link
    would have expired before it arrived."""
    subject = content_type_id(Attendee)
    rows = (
        _open_on(today)
        .filter(session__delivered_on__gte=timezone.localdate() - FOLLOW_UP_TO)
        .exclude(_answered())
        .filter(
            policy.window(today, ("session__delivered_on", [FOLLOW_UP_FROM.days]))
            | policy.changed("session__updated_at")
        )
        .values_list(
            "pk",
            "name",
            "email",
            "manager_email",
            "session__delivered_on",
            "session__uuid",
            "session__course__title",
        )
        .order_by("pk")
    )
    for pk, name, email, manager, delivered_on, session_uuid, course in rows.iterator(
        chunk_size=2000
    ):
        due_on = delivered_on + FOLLOW_UP_FROM
        # The last day its link works (``services._window``): the digest gives only the first.
        until = say(delivered_on + FOLLOW_UP_TO)
        url = url_for("training:session", args=[session_uuid])
        for address, title in (
            (
                email,
                f"Your 6–8-week follow-up on {course}, to answer with your manager by {until}",
            ),
            (manager, f"The 6–8-week follow-up on {course}, to answer with {name} by {until}"),
        ):
            yield Candidate(
                Reminder.Kind.TRAINING_FOLLOW_UP,
                subject,
                pk,
                None,
                due_on,
                title,
                url,
                email=address,
            )


@reminder_link(Reminder.Kind.TRAINING_FOLLOW_UP)
def follow_up_link(reminder) -> str:
    attendee = Attendee.objects.select_related("session").get(pk=reminder.subject_id)
    return services.follow_up_link(attendee=attendee, sent_to=reminder.email)
