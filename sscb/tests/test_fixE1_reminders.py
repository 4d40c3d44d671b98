"""The reminder sweep, mended: a catch-up for an earlier day loses nothing a failed sweep left
waiting, nor sends minutes circulated after its day; the Business Unit's line keeps the chair's
reason; the Celery task retries every network error; a "Forgotten your password?" link is at the
site's own address. The mail server is the only stand-in (sscb.tests.mail_server and below)."""

import datetime
import re
import smtplib
import socket

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from learning.meetings import services as meeting_services
from learning.meetings.models import Meeting
from learning.meetings.tests.factories import ItemFactory, MeetingFactory
from learning.tests.factories import ActionFactory
from sscb.models import Reminder, ReminderSweep, SubGroup
from sscb.reminders import CHAIR_OWNS, Reach, escalate, reminders_sweep
from sscb.signin import user_force_password_reset
from sscb.tasks import send_reminders
from sscb.tests import mail_server
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 7)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
Level = Reminder.Level


def days(n):
    return TODAY + datetime.timedelta(days=n)


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 0)), tick=False)


# 1. A catch-up sweep for an earlier day loses nothing a failed sweep left waiting ---------------


def test_a_catch_up_for_yesterday_leaves_todays_waiting_reminder_to_be_sent(settings, agency_user):
    action = ActionFactory(owner_agency=agency_user.agency, due_on=days(-1), title="Catch-up")
    settings.EMAIL_BACKEND = mail_server.DOWN
    with at(TODAY), pytest.raises(ConnectionRefusedError):
        reminders_sweep(today=TODAY)  # the mail server is down: the overdue reminder waits
    waiting = Reminder.objects.get(subject_id=action.pk, kind=Reminder.Kind.ACTION_OVERDUE)
    assert waiting.status == Reminder.Status.PENDING

    settings.EMAIL_BACKEND = LOCMEM
    with at(TODAY):
        caught_up = reminders_sweep(today=days(-1))  # the day before: it was due that day
    waiting.refresh_from_db()
    # Not cancelled, nor sent by a sweep for a day before it fell due: left for today's sweep.
    assert waiting.status == Reminder.Status.PENDING
    assert caught_up["cancelled"] == 0 and caught_up["left_pending"] == 1
    [due_that_day] = mail.outbox
    assert "Action due soon" in due_that_day.body and "Action overdue" not in due_that_day.body

    with at(TODAY):
        again = reminders_sweep(today=TODAY)
    waiting.refresh_from_db()
    assert waiting.status == Reminder.Status.SENT and again["sent"] == 1
    assert "Action overdue" in mail.outbox[-1].body
    assert mail.outbox[-1].to == [agency_user.email]


def test_a_sweep_for_the_latest_day_still_cancels_what_went_stale(settings, agency_user):
    action = ActionFactory(owner_agency=agency_user.agency, due_on=days(-1))
    settings.EMAIL_BACKEND = mail_server.DOWN
    with at(TODAY), pytest.raises(ConnectionRefusedError):
        reminders_sweep(today=TODAY)
    # Done behind the services' back: no longer due, so the waiting reminder went stale.
    type(action).objects.filter(pk=action.pk).update(due_on=days(60))
    settings.EMAIL_BACKEND = LOCMEM
    with at(TODAY):
        result = reminders_sweep(today=TODAY)
    assert result["cancelled"] == 1
    overdue = Reminder.objects.get(kind=Reminder.Kind.ACTION_OVERDUE)
    assert overdue.status == Reminder.Status.CANCELLED
    assert all("Action overdue" not in email.body for email in mail.outbox)


def test_a_day_with_no_sweep_still_loses_nothing(agency_user):
    ActionFactory(owner_agency=agency_user.agency, due_on=days(-3), title="Missed days")
    with at(days(-5)):
        reminders_sweep(today=days(-5))  # nothing due yet but the due-soon reminder
    with at(TODAY):
        reminders_sweep(today=TODAY)  # four days unswept
    assert "Action overdue" in mail.outbox[-1].body
    assert ReminderSweep.objects.filter(finished_at__isnull=False).count() == 2


# 10. A catch-up sends no minutes circulated after its day -------------------------------------


def test_a_catch_up_sends_no_minutes_circulated_after_its_day(make_user):
    chair = make_user(username="crpchair")
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL, name="Case Review Panel")
    crp.chair = chair
    crp.save()
    with at(days(-3)):
        meeting = MeetingFactory(body=crp, held_on=days(-10))
        ItemFactory(meeting=meeting, notes="Notifications discussed.")
        meeting_services.meeting_move(meeting=meeting, to=Meeting.Status.HELD)
        meeting_services.meeting_move(meeting=meeting, to=Meeting.Status.MINUTES_CIRCULATED)
    with at(TODAY):
        reminders_sweep(today=days(-5))  # a catch-up for a day before they were circulated
    assert not Reminder.objects.filter(kind=Reminder.Kind.MINUTES_TO_APPROVE).exists()
    assert mail.outbox == []
    with at(TODAY):
        reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert email.to == [chair.email] and "to approve" in email.body


# 11. The Business Unit's line keeps the chair's reason ---------------------------------------


def test_the_business_units_line_still_says_there_is_no_chair(bu_user):
    lost = AgencyFactory(name="An agency with no lead")
    group = SubGroupFactory(code=SubGroup.Code.BOARD, name="Board", chair=None)
    ActionFactory(owner_agency=lost, subgroup=group, due_on=days(-30), title="Nobody's action")
    with at(TODAY):
        reminders_sweep(today=TODAY)
    [line] = Reminder.objects.filter(recipient=bu_user)
    assert line.level == Level.BUSINESS_UNIT
    assert line.title == (
        "Nobody's action (no owner named, and its agency has no lead, and no chair)"
    )


def test_the_business_units_line_still_says_the_chair_may_not_open_it(make_user, bu_user):
    owner, chair = make_user(username="owner"), make_user(username="chair")
    reach = Reach(business_unit=(bu_user.pk,), unreachable={})
    lines = escalate(
        owners=[owner.pk],
        chair_id=chair.pk,
        levels=[Level.OWNER, Level.CHAIR, Level.BUSINESS_UNIT],
        reach=reach,
        closed={chair.pk},  # a restricted review, its chair off the panel
    )
    assert sorted(lines) == [
        (Level.OWNER, owner.pk, ""),
        (Level.BUSINESS_UNIT, bu_user.pk, " (its chair may not open it)"),
    ]
    # A clock its chair owns, on a review with no chair: the Business Unit's line says so.
    lines = escalate(
        owners=[],
        chair_id=None,
        levels=[Level.OWNER, Level.CHAIR, Level.BUSINESS_UNIT],
        reach=reach,
        unowned=CHAIR_OWNS,
    )
    assert list(lines) == [(Level.BUSINESS_UNIT, bu_user.pk, " (no chair)")]
    # A chair who is reached: the Business Unit's own line needs no reason.
    lines = escalate(
        owners=[owner.pk],
        chair_id=chair.pk,
        levels=[Level.OWNER, Level.CHAIR, Level.BUSINESS_UNIT],
        reach=reach,
    )
    assert (Level.BUSINESS_UNIT, bu_user.pk, "") in list(lines)


# 6. The Celery task retries whatever a mail server that is down or slow raises ----------------


class FailsOnce(BaseEmailBackend):
    """A mail server that fails the first send of a test with ``error``, then delivers."""

    error = None

    def send_messages(self, messages):
        if FailsOnce.error is not None:
            error, FailsOnce.error = FailsOnce.error, None
            raise error
        mail.outbox.extend(messages)
        return len(messages)


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError("timed out"),  # what EMAIL_TIMEOUT raises
        socket.gaierror(-2, "Name or service not known"),  # a mail host that does not resolve
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
    ],
    ids=["timeout", "unknown-host", "disconnected"],
)
def test_the_celery_task_retries_a_mail_server_that_is_slow_or_unknown(
    settings, agency_user, error
):
    settings.EMAIL_BACKEND = f"{__name__}.FailsOnce"
    FailsOnce.error = error
    ActionFactory(owner_agency=agency_user.agency, due_on=days(3), title="Statutory notice")
    with at(TODAY):
        result = send_reminders.apply()
    assert result.state == "SUCCESS"
    [email] = mail.outbox  # sent by the retry
    assert "Statutory notice" in email.body
    assert Reminder.objects.get().status == Reminder.Status.SENT


# 8. "Forgotten your password?" links to the site's own address -------------------------------


def _reset_link(message) -> str:
    return re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)


def test_a_reset_link_is_at_the_sites_address_whatever_host_the_request_named(
    client, settings, agency_user, bu_user
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    client.post(
        reverse("account_reset_password"), {"email": agency_user.email}, HTTP_HOST="localhost"
    )
    [message] = mail.outbox
    link = _reset_link(message)
    assert link.startswith("http://127.0.0.1:8000/accounts/password/reset/key/")
    assert "localhost" not in message.body
    # The link works, and the Business Unit's forced reset makes its link the same way.
    form_url = client.get(link.removeprefix(settings.SITE_URL))["Location"]
    new = "kettle orbit lantern 42"
    assert client.post(form_url, {"password1": new, "password2": new}).status_code == 302
    agency_user.refresh_from_db()
    assert agency_user.check_password(new)
    user_force_password_reset(user=agency_user, reason="Left the partnership")
    assert _reset_link(mail.outbox[-1]).startswith(
        "http://127.0.0.1:8000/accounts/password/reset/key/"
    )
