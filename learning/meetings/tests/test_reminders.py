"""Meetings through the daily reminder sweep: papers due from presenters, minutes to approve,
and actions arising (ordinary actions), each once, in the person's one digest."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from learning.tests.factories import ActionFactory
from sscb.models import Reminder
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupMembershipFactory

from .. import services
from ..models import Meeting
from .factories import ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)  # a Monday


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False) as traveller:
        yield traveller


def on(frozen, day):
    """Move the frozen clock to 07:00 on ``day``: a sweep is never for a day after today."""
    frozen.move_to(datetime.datetime.combine(day, datetime.time(7, 0)))
    return day


def test_a_presenter_is_reminded_once_that_papers_are_due(frozen, crp, make_user):
    presenter = make_user(username="presenter", email="presenter@example.org")
    SubGroupMembershipFactory(subgroup=crp, user=presenter)  # sees the meeting: named to them
    meeting = MeetingFactory(body=crp, held_on=days(10), papers_due_on=days(3))
    item = ItemFactory(meeting=meeting, presenter=presenter, title="Rapid review of Child K")
    later = MeetingFactory(body=crp, held_on=days(40), papers_due_on=days(30))
    not_yet = ItemFactory(meeting=later, presenter=presenter, title="Not yet")
    ItemFactory(meeting=meeting, title="Nobody presents")

    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert email.to == ["presenter@example.org"]
    assert f"Papers for item {item.position}: Rapid review of Child K" in email.body
    reminders_sweep(today=TODAY)
    reminders_sweep(today=on(frozen, days(1)))
    assert len(mail.outbox) == 1  # never twice
    # The later meeting's paper is told as newly asked (today), not yet as due.
    kinds = dict(Reminder.objects.values_list("subject_id", "kind"))
    assert kinds == {item.pk: Reminder.Kind.PAPERS_DUE, not_yet.pk: Reminder.Kind.PAPERS_ASKED}


def test_no_reminder_once_the_papers_are_in(frozen, crp, make_user, bu_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    presenter = make_user(username="presenter", email="presenter@example.org")
    meeting = MeetingFactory(body=crp, held_on=days(10), papers_due_on=days(3))
    item = ItemFactory(meeting=meeting, presenter=presenter)
    services.paper_add(
        item=item, upload=SimpleUploadedFile("paper.txt", b"The paper."), uploaded_by=presenter
    )
    reminders_sweep(today=TODAY)
    assert mail.outbox == []


def test_the_chair_is_reminded_of_minutes_to_approve(frozen, crp, make_user):
    chair = make_user(username="chair", email="chair@example.org")
    crp.chair = chair
    crp.save()
    meeting = MeetingFactory(body=crp, held_on=days(-7))
    ItemFactory(meeting=meeting, notes="Notifications discussed.")
    services.meeting_move(meeting=meeting, to=Meeting.Status.HELD)
    services.meeting_move(meeting=meeting, to=Meeting.Status.MINUTES_CIRCULATED)
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert email.to == ["chair@example.org"]
    assert "to approve" in email.body
    reminders_sweep(today=on(frozen, days(1)))
    assert len(mail.outbox) == 1


def test_papers_and_an_action_arising_come_in_one_digest(frozen, crp, agency_user):
    SubGroupMembershipFactory(subgroup=crp, user=agency_user)  # sees the meeting: presents
    meeting = MeetingFactory(body=crp, held_on=days(10), papers_due_on=days(3))
    ItemFactory(meeting=meeting, presenter=agency_user, title="Police chronology")
    item = ItemFactory(meeting=meeting)
    item.actions_arising.add(
        ActionFactory(owner_agency=agency_user.agency, due_on=days(5), title="Send it")
    )
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert "2 items need your attention" in email.subject


def test_the_meetings_page_lists_the_reminders_sent_about_it_and_its_items(
    frozen, client, bu_user, crp, make_user
):
    presenter = make_user(username="presenter", email="presenter@example.org")
    SubGroupMembershipFactory(subgroup=crp, user=presenter)
    meeting = MeetingFactory(body=crp, held_on=days(10), papers_due_on=days(3))
    ItemFactory(meeting=meeting, presenter=presenter, title="Rapid review of Child K")
    other = MeetingFactory(body=crp, held_on=days(12), papers_due_on=days(4))
    ItemFactory(meeting=other, presenter=bu_user, title="Another meeting's paper")
    reminders_sweep(today=TODAY)

    client.force_login(bu_user)
    page = client.get(meeting.get_absolute_url()).content.decode()
    table = page.split("Reminders sent about this meeting")[1]
    assert presenter.get_full_name() in table and "Meeting papers due" in table
    assert bu_user.get_full_name() not in table  # the other meeting's reminder is not this one's
