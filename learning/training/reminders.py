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

from learning.services import FOLLOW_UP_FROM, FOLLOW_UP_TO
from sscb.models import Reminder
from sscb.record_urls import url_for
from sscb.reminders import Candidate, content_type_id, reminder_link, reminder_source

from . import services
from .models import Attendee, Questionnaire


@reminder_source
def follow_up_due(today, policy):
    """Attendees of a delivered session whose follow-up window (6 to 8 weeks after it) is open
    and who have not answered it yet: the attendee and their manager."""
    subject = content_type_id(Attendee)
    answered = Questionnaire.objects.filter(
        attendee=OuterRef("pk"),
        stage=Questionnaire.Stage.FOLLOW_UP,
        answered_at__isnull=False,
    )
    rows = (
        Attendee.objects.filter(
            status=Attendee.Status.ATTENDED,
            session__delivered_on__lte=today - FOLLOW_UP_FROM,
            session__delivered_on__gte=today - FOLLOW_UP_TO,
        )
        .exclude(Exists(answered))
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
        url = url_for("training:session", args=[session_uuid])
        for address, title in (
            (email, f"Your 6–8-week follow-up on {course}, to answer with your manager"),
            (manager, f"The 6–8-week follow-up on {course}, to answer with {name}"),
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
