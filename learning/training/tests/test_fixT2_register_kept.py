"""What a tester found in training, mended: a session whose attendance is recorded does not move
to a day that has not come; a delivered session's register stays its figures (marked, never
back to booked, nobody taken off, someone still attending); "Record as delivered" is offered
by the one rule its refusal follows, the agreed outcome included."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from learning.models import DeliveryActivity, LearningOutcome
from learning.tests.factories import OutcomeFactory
from sscb.dates import say

from .. import services
from ..models import Attendee, Session
from .conftest import book, make_session


def text(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def _edit(client, session, held_on):
    return client.post(
        reverse("training:session-edit", args=[session.uuid]),
        {
            "held_on": held_on.isoformat(),
            "trainer": "Dana Reid",
            "venue": "Shirehall",
            "places": 30,
        },
    )


# 1. Attendance recorded: the session does not move to a day that has not come -------------------


def test_a_session_with_attendance_recorded_is_not_moved_after_today(
    client, trainer, course, agency, outcome
):
    session = make_session(course, days=0)
    sam = book(session, agency, "Sam Patel")  # attended, today
    later = timezone.localdate() + datetime.timedelta(days=20)
    client.force_login(trainer)

    refused = _edit(client, session, later)

    assert refused.status_code == 400
    said = text(refused)
    assert f"Attendance is recorded on or after the day of the session ({say(later)})" in said
    assert "1 person on the register is already marked as attended or did not attend" in said
    assert "mark them as booked first" in said
    # Nothing saved: the date, the outcome's planned delivery, the attendance.
    session.refresh_from_db()
    sam.refresh_from_db()
    assert session.held_on == timezone.localdate()
    assert sam.status == Attendee.Status.ATTENDED
    activity = DeliveryActivity.objects.get(outcome=outcome, training_sessions=session)
    assert activity.planned_on == timezone.localdate()


def test_the_service_refuses_the_move_against_the_date(course, agency, csc):
    session = make_session(course, days=-2)
    book(session, agency, "Sam Patel")
    book(session, csc, "Alex Morgan", Attendee.Status.DID_NOT_ATTEND)
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        services.session_save(
            session=session, held_on=timezone.localdate() + datetime.timedelta(days=1)
        )
    assert "2 people on the register are already marked" in refused.value.message_dict["held_on"][0]
    assert Session.objects.get(pk=session.pk).held_on == session.held_on


def test_a_session_with_attendance_recorded_still_moves_to_a_day_that_has_come(
    client, trainer, course, agency
):
    session = make_session(course, days=0)
    book(session, agency, "Sam Patel")
    client.force_login(trainer)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert _edit(client, session, yesterday).status_code == 302
    session.refresh_from_db()
    assert session.held_on == yesterday


def test_a_session_whose_register_is_only_booked_moves_ahead(client, trainer, course, agency):
    session = make_session(course, days=0)
    book(session, agency, "Sam Patel", Attendee.Status.BOOKED)
    client.force_login(trainer)
    later = timezone.localdate() + datetime.timedelta(days=20)
    assert _edit(client, session, later).status_code == 302
    session.refresh_from_db()
    assert session.held_on == later


# 2. A delivered session's register is its figures ------------------------------------------------


@pytest.fixture
def delivered_alone(course, agency):
    """Delivered three days ago; Sam Patel the one person who attended."""
    session = make_session(course, days=-3)
    book(session, agency, "Sam Patel")
    return services.session_deliver(session=session)


def test_someone_who_attended_a_delivered_session_is_not_put_back_to_booked_nor_taken_off(
    client, trainer, delivered_alone, outcome
):
    sam = delivered_alone.attendees.get()
    client.force_login(trainer)

    marked = client.post(
        reverse("training:attendee-mark", args=[sam.uuid]), {"status": "booked"}, follow=True
    )
    assert "each person on its register is marked as attended or did not attend, not as " in (
        text(marked)
    )
    removed = client.post(reverse("training:attendee-remove", args=[sam.uuid]), follow=True)
    assert "attendance is recorded, so they stay on the register" in text(removed)

    sam.refresh_from_db()
    assert sam.status == Attendee.Status.ATTENDED
    activity = DeliveryActivity.objects.get(outcome=outcome, training_sessions=delivered_alone)
    assert (activity.delivered_on, activity.reach) == (delivered_alone.held_on, 1)


def test_the_only_person_who_attended_a_delivered_session_stays_attending(
    client, trainer, delivered_alone, agency, outcome
):
    sam = delivered_alone.attendees.get()
    client.force_login(trainer)
    refused = client.post(
        reverse("training:attendee-mark", args=[sam.uuid]),
        {"status": "did_not_attend"},
        follow=True,
    )
    assert "Sam Patel is the only person this delivered session records as attending" in (
        text(refused)
    )
    sam.refresh_from_db()
    assert sam.status == Attendee.Status.ATTENDED
    # With someone else attending, the correction is made, and the reach follows it.
    jo = book(delivered_alone, agency, "Jo Khan")
    services.attendee_mark(attendee=sam, status=Attendee.Status.DID_NOT_ATTEND)
    activity = DeliveryActivity.objects.get(outcome=outcome, training_sessions=delivered_alone)
    assert activity.reach == 1
    with pytest.raises(ValidationError, match="Jo Khan is the only person"):
        services.attendee_mark(attendee=jo, status=Attendee.Status.DID_NOT_ATTEND)


def test_a_booking_left_unmarked_stays_on_a_delivered_register(
    client, trainer, course, agency, csc
):
    session = make_session(course, days=-3)
    book(session, agency, "Sam Patel")
    unmarked = book(session, csc, "Alex Morgan", Attendee.Status.BOOKED)
    services.session_deliver(session=session)
    client.force_login(trainer)

    page = client.get(session.get_absolute_url())
    said = text(page)
    assert reverse("training:attendee-remove", args=[unmarked.uuid]) not in said
    assert "nobody is taken off it" in said  # the page says why
    # Only attended and did not attend are offered; the unmarked booking reads as such.
    assert page.context["statuses"] == [
        (Attendee.Status.ATTENDED, "Attended"),
        (Attendee.Status.DID_NOT_ATTEND, "Did not attend"),
    ]
    assert "Booked, not marked yet" in said

    refused = client.post(reverse("training:attendee-remove", args=[unmarked.uuid]), follow=True)
    assert "Alex Morgan stays on the register. This session is recorded as delivered" in (
        text(refused)
    )
    assert Attendee.objects.filter(pk=unmarked.pk).exists()
    # Saved as it is shown (the disabled "not marked yet" sends no status): asked to choose.
    unchosen = client.post(reverse("training:attendee-mark", args=[unmarked.uuid]), {}, follow=True)
    assert "Choose attended or did not attend." in text(unchosen)
    marked = client.post(
        reverse("training:attendee-mark", args=[unmarked.uuid]), {"status": "did_not_attend"}
    )
    assert marked.status_code == 302
    unmarked.refresh_from_db()
    assert unmarked.status == Attendee.Status.DID_NOT_ATTEND


def test_before_delivery_the_register_is_still_marked_back_and_taken_off(
    client, trainer, course, agency
):
    session = make_session(course, days=-1)
    sam = book(session, agency, "Sam Patel")
    client.force_login(trainer)
    page = client.get(session.get_absolute_url())
    assert [value for value, _ in page.context["statuses"]] == Attendee.Status.values
    assert page.context["register_fixed"] is None
    client.post(reverse("training:attendee-mark", args=[sam.uuid]), {"status": "booked"})
    sam.refresh_from_db()
    assert sam.status == Attendee.Status.BOOKED
    client.post(reverse("training:attendee-remove", args=[sam.uuid]))
    assert not session.attendees.exists()


def test_someone_added_to_a_delivered_register_is_added_as_attending_or_not(
    client, trainer, delivered_alone, agency
):
    client.force_login(trainer)
    fields = {
        "name": "Kim Ellis",
        "email": "kim@police.example",
        "agency": agency.pk,
        "manager_email": "boss@police.example",
    }
    add = reverse("training:attendee-add", args=[delivered_alone.uuid])
    refused = client.post(add, fields | {"status": "booked"})
    assert refused.status_code == 400
    assert "marked as attended or did not attend, not as booked" in text(refused)
    assert delivered_alone.attendees.count() == 1
    assert client.post(add, fields | {"status": "did_not_attend"}).status_code == 302
    assert delivered_alone.attendees.count() == 2


def test_an_uploaded_register_for_a_delivered_session_says_who_attended(delivered_alone, agency):
    rows = (
        "name,work email,agency,manager email,status\n"
        "Kim Ellis,kim@police.example,Police,boss@police.example,\n"
        "Lee Wong,lee@police.example,Police,boss@police.example,attended\n"
    )
    result = services.register_import(
        session=delivered_alone,
        upload=SimpleUploadedFile("register.csv", rows.encode(), content_type="text/csv"),
    )
    assert result.created == 0
    assert "the session is recorded as delivered: give the status attended or did not attend" in (
        " ".join(str(error) for error in result.errors)
    )
    assert delivered_alone.attendees.count() == 1


# 5. "Record as delivered": one rule, the agreed outcome included ---------------------------------


@pytest.mark.parametrize(
    "decision", [LearningOutcome.Decision.PENDING, LearningOutcome.Decision.NOT_AGREED]
)
def test_a_session_of_a_course_serving_an_outcome_not_agreed_is_not_offered_for_delivery(
    client, trainer, course, outcome, agency, decision
):
    pending = OutcomeFactory(
        title="Agencies escalate when a plan is not working",
        decision=decision,
        decided_on=timezone.localdate() if decision == "not_agreed" else None,
    )
    course.outcomes.add(pending)
    session = make_session(course, days=-1)
    book(session, agency, "Sam Patel")
    client.force_login(trainer)

    page = client.get(session.get_absolute_url())
    said = text(page)
    deliver = reverse("training:deliver", args=[session.uuid])
    assert deliver not in said
    why = (
        "The course serves the learning outcome “Agencies escalate when a plan is not working”, "
        "which the Executive has not agreed"
    )
    assert why in said
    assert services.delivery_refusal(session).startswith(why)

    refused = client.post(deliver, follow=True)
    assert why in text(refused)
    session.refresh_from_db()
    assert session.delivered_on is None
    assert not DeliveryActivity.objects.filter(delivered_on__isnull=False).exists()


def test_a_session_before_its_outcome_was_agreed_is_not_offered_for_delivery(
    trainer, course, outcome, agency
):
    late = OutcomeFactory(title="Agencies escalate when a plan is not working")
    late.decision = LearningOutcome.Decision.AGREED
    late.decided_on = timezone.localdate() - datetime.timedelta(days=1)
    late.save()  # agreed yesterday, after a pending decision
    course.outcomes.add(late)
    session = make_session(course, days=-3)
    book(session, agency, "Sam Patel")
    refusal = services.delivery_refusal(session)
    assert refusal and "before the Executive agreed the learning outcome" in refusal
    with pytest.raises(ValidationError, match="before the Executive agreed"):
        services.session_deliver(session=session)


def test_a_session_serving_only_agreed_outcomes_is_offered_and_delivered(
    client, trainer, course, agency
):
    session = make_session(course, days=-1)
    book(session, agency, "Sam Patel")
    assert services.delivery_refusal(session) is None
    client.force_login(trainer)
    deliver = reverse("training:deliver", args=[session.uuid])
    assert deliver in client.get(session.get_absolute_url()).content.decode()
    client.post(deliver)
    session.refresh_from_db()
    assert session.delivered_on == session.held_on
