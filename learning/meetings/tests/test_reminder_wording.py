"""What meeting reminders say and whom they reach: a review by its reference only, minutes
dated as circulated (their approval is due at the next meeting), and a presenter who has left
passed over for the chair."""

import datetime

import pytest
import time_machine
from django.core import mail

from reviews.tests.factories import ReviewFactory
from sscb.models import Reminder
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupMembershipFactory

from .. import services
from ..models import Meeting
from .factories import ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)
TITLE = "Serious injury to a baby, 7 weeks old"


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False):
        yield


@pytest.fixture
def chair(crp, make_user):
    crp.chair = make_user(username="crpchair", email="crpchair@example.org")
    crp.save()
    return crp.chair


@pytest.fixture
def presenter(crp, make_user):
    person = make_user(username="presenter", email="presenter@example.org")
    SubGroupMembershipFactory(subgroup=crp, user=person)
    return person


def test_a_papers_reminder_names_a_review_by_its_reference_only(frozen, crp, presenter):
    review = ReviewFactory(reference="RR-2025-001", title=TITLE, subgroup=crp)
    meeting = MeetingFactory(body=crp, held_on=days(10), papers_due_on=days(3))
    item = ItemFactory(
        meeting=meeting, review=review, presenter=presenter, title=f"RR-2025-001: {TITLE}"
    )
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    for text in (email.subject, email.body, email.alternatives[0][0]):
        assert TITLE not in text
    assert f"Papers for item {item.position}: RR-2025-001 (due 5 June 2025)" in email.body
    assert TITLE not in Reminder.objects.get().title  # nor kept, for the reminders page


def test_a_presenter_who_has_left_is_passed_over_for_the_chair(frozen, crp, chair, presenter):
    meeting = MeetingFactory(body=crp, held_on=days(10), papers_due_on=days(3))
    ItemFactory(meeting=meeting, presenter=presenter, title="Police chronology")
    presenter.is_active = False
    presenter.save()
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert email.to == [chair.email]
    assert "Police chronology (its presenter has an inactive account: sent to the chair" in (
        email.body
    )
    assert not Reminder.objects.filter(recipient=presenter).exists()


def _circulated(crp):
    meeting = MeetingFactory(body=crp, held_on=days(-7))
    ItemFactory(meeting=meeting, notes="Notifications discussed.")
    services.meeting_move(meeting=meeting, to=Meeting.Status.HELD)
    services.meeting_move(meeting=meeting, to=Meeting.Status.MINUTES_CIRCULATED)
    return meeting


def test_minutes_are_dated_as_circulated_and_due_at_the_next_meeting(frozen, crp, chair):
    _circulated(crp)
    MeetingFactory(body=crp, held_on=days(15))
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert (
        "Minutes of the Case Review Panel, 26 May 2025, to approve at its next meeting, "
        "17 Jun 2025 (circulated 2 June 2025)"
    ) in email.body
    assert "due 2 June 2025" not in email.body
    assert "circulated 2 June 2025" in email.alternatives[0][0]


def test_minutes_with_no_next_meeting_yet_say_only_when_they_were_circulated(frozen, crp, chair):
    _circulated(crp)
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert "to approve at its next meeting (circulated 2 June 2025)" in email.body
    assert "due 2 June 2025" not in email.body
