"""A delivered session's register on the retention schedule (learning/training/retention.py):
names and addresses go, the figures counted from the register stay."""

import datetime
import re

from django.test import Client
from django.utils import timezone

from sscb import retention
from sscb.models import Reminder, RetentionRule
from sscb.reminders import reminders_sweep

from .. import services
from ..models import Attendee, Questionnaire, QuestionnaireLink, Session


def test_a_disposed_register_keeps_attendance_and_scores_and_nothing_that_names_anyone(
    delivered, bu_user, mailoutbox, time_machine
):
    RetentionRule.objects.update_or_create(
        kind="training_session", defaults={"years": 3, "counted_from": "session_delivered"}
    )
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    reminders_sweep()
    path = re.search(r"(/training/answer/[\w-]+/)", mailoutbox[0].body).group(1)
    answer = {"point_1": "4", "point_2": "5", "practice_changed": "yes", "practice_example": "x"}
    assert Client().post(path + "submit/", answer).status_code == 200
    services.attendee_add(
        session=delivered,
        agency=delivered.attendees.first().agency,
        name="Kim Ellis",
        email="kim@police.example",
        manager_email="boss@police.example",
        status=Attendee.Status.DID_NOT_ATTEND,
    )
    register = list(delivered.attendees.values_list("agency_id", "status").order_by("pk"))
    today = delivered.delivered_on + datetime.timedelta(days=3 * 366)
    retention.record_dispose(
        kind="training_session", object_id=delivered.pk, by=bu_user, today=today
    )

    marker = f"[disposed on {today.isoformat()}]"
    session = Session.objects.get(pk=delivered.pk)
    assert (session.trainer, session.venue) == (marker, marker)
    assert session.delivered_on and session.places == 30
    attendees = Attendee.objects.filter(session=session).order_by("pk")
    assert list(attendees.values_list("agency_id", "status")) == register
    assert {a.name for a in attendees} == {marker}
    assert all(a.email.endswith("@disposed.invalid") for a in attendees)
    assert len({a.email for a in attendees}) == len(register)  # still one row per person
    assert {a.manager_email for a in attendees} == {"disposed@disposed.invalid"}
    answered = Questionnaire.objects.get(answered_at__isnull=False)
    assert (answered.practice_changed, answered.practice_example) == ("yes", marker)
    assert sorted(answered.ratings.values_list("score", flat=True)) == [4, 5]
    assert not QuestionnaireLink.objects.exists()
    assert set(Reminder.objects.values_list("email", flat=True)) == {"disposed@disposed.invalid"}
    assert not Attendee.history.filter(session_id=session.pk).exists()
