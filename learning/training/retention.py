"""What the retention schedule may dispose of in training (sscb.retention): a delivered session's
register, which names practitioners and their managers and holds their work email addresses."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from sscb.models import Reminder
from sscb.retention import Disposable, disposable, empty_rows

from .models import Attendee, Questionnaire, QuestionnaireLink, Session

# An address that can never be delivered to (RFC 2606 reserves ".invalid").
DISPOSED_ADDRESS = "disposed@disposed.invalid"


@disposable("training_session")
class SessionDisposal(Disposable):
    """A delivered session: its attendees' names and addresses, its trainer and venue, and the
    free text of their answers go; the course, date, places, each attendee's agency and
    attendance, and the answers' scores stay (attendance by agency, reach and the evaluation
    figures are counted from them)."""

    label = "Training registers (sessions delivered)"
    events = {"session_delivered": "the session was delivered"}

    def due(self, event, cutoff, today):
        return (
            Session.objects.filter(delivered_on__isnull=False)
            .annotate(event_on=F("delivered_on"))
            .filter(event_on__lte=cutoff)
        )

    def reference(self, session):
        return f"Training session {session.pk}"

    def url(self, session):
        return reverse("training:session", args=[session.uuid])

    def dispose(self, session, *, marker):
        attendees = Attendee.objects.filter(session=session)
        pks = empty_rows(attendees, marker, keep=("email", "manager_email"))
        # Each address must stay unique on the register, and none may ever be written to.
        Attendee.objects.filter(pk__in=pks).update(
            email=Concat(Value("disposed-"), Cast("pk", CharField()), Value("@disposed.invalid")),
            manager_email=DISPOSED_ADDRESS,
        )
        Reminder.objects.filter(
            subject_type=ContentType.objects.get_for_model(Attendee), subject_id__in=pks
        ).update(email=DISPOSED_ADDRESS)
        answers = Questionnaire.objects.filter(attendee__in=pks)
        QuestionnaireLink.objects.filter(questionnaire__in=answers).delete()
        empty_rows(answers, marker)
        empty_rows(Session.objects.filter(pk=session.pk), marker)
        # A booking taken off the register is gone but for its history, which names them too.
        Attendee.history.filter(session_id=session.pk).delete()
