"""The reminder machinery at its edges: the reminders page read through today's access rules, a
sweep date after today refused, a mail outage retried (and nothing lost to it), and the words a
digest and a status use."""

import datetime
import io

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning.models import Action
from learning.tests.factories import ActionFactory
from reviews.models import Review, ReviewClock
from reviews.tests.factories import open_review
from sscb.models import Reminder, ReminderSweep, SubGroup
from sscb.reminders import reminders_send, reminders_sweep
from sscb.tasks import send_reminders
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)


def days(n):
    return TODAY + datetime.timedelta(days=n)


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(7, 0)), tick=False)


class DownOnce(BaseEmailBackend):
    """A mail server that refuses the first connection of a test, then delivers to the outbox."""

    down = 0

    def send_messages(self, messages):
        if DownOnce.down:
            DownOnce.down -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def mail_server(settings):
    settings.EMAIL_BACKEND = f"{__name__}.DownOnce"
    DownOnce.down = 0
    return DownOnce


# 1. "My reminders" names only what its reader may open now ------------------------------------


def test_my_reminders_stops_naming_an_action_moved_to_another_agency_and_names_it_again(
    client, agency_user
):
    action = ActionFactory(
        owner_agency=agency_user.agency, due_on=days(3), title="Share notifications with schools"
    )
    reminders_sweep(today=TODAY)
    client.force_login(agency_user)
    link = f'href="/learning/actions/{action.uuid}/"'
    page = client.get("/reminders/").content.decode()
    assert "Share notifications with schools" in page and link in page

    other = AgencyFactory(name="Probation Service (West Mercia)")
    Action.objects.filter(pk=action.pk).update(owner_agency=other)
    assert client.get(f"/learning/actions/{action.uuid}/").status_code == 404
    page = client.get("/reminders/").content.decode()
    assert "Share notifications with schools" not in page
    assert link not in page  # no link to a page that would refuse them
    assert "An action you may not open" in page

    # Masked as shown, never in the row: given back to the agency, it is named again.
    Action.objects.filter(pk=action.pk).update(owner_agency=agency_user.agency)
    assert "Share notifications with schools" in client.get("/reminders/").content.decode()


def test_my_reminders_stops_naming_a_restricted_review_once_off_its_panel(
    client, member_user, bu_user
):
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    review = open_review(
        by=bu_user,
        kind=Review.Kind.RAPID_REVIEW,
        subgroup=crp,
        notified_on=TODAY,
        incident_known_on=TODAY,
    )
    Review.objects.filter(pk=review.pk).update(is_restricted=True)
    review.panel_members.add(member_user)
    clock = review.clocks.get(kind=ReviewClock.Kind.RAPID_REVIEW)
    reminders_sweep(today=clock.amber_on)
    client.force_login(member_user)
    assert review.reference in client.get("/reminders/").content.decode()

    review.panel_members.remove(member_user)
    page = client.get("/reminders/").content.decode()
    assert review.reference not in page
    assert "A restricted review: Send the rapid review" in page


def _reminders(user, actions, count):
    for n in range(count):
        action = actions[n % len(actions)]
        Reminder.objects.create(
            key=f"edge:{user.pk}:{n}",
            kind=Reminder.Kind.ACTION_DUE_SOON,
            recipient=user,
            subject_type=ContentType.objects.get_for_model(Action),
            subject_id=action.pk,
            title=action.title,
            url=f"/learning/actions/{action.uuid}/",
            due_on=days(n),
            status=Reminder.Status.SENT,
        )


def test_my_reminders_runs_as_many_queries_for_fifty_rows_as_for_two(client, agency_user):
    own = ActionFactory(owner_agency=agency_user.agency, due_on=days(3))
    elsewhere = ActionFactory(due_on=days(3), title="Another agency's action")
    client.force_login(agency_user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            page = client.get("/reminders/").content.decode()
        return len(captured.captured_queries), page

    client.get("/reminders/")  # the session and what the layout keeps, read once
    _reminders(agency_user, [own, elsewhere], 2)
    small, page = queries()
    assert "An action you may not open" in page and "Another agency's action" not in page
    Reminder.objects.all().delete()
    _reminders(agency_user, [own, elsewhere], 50)
    large, page = queries()
    assert page.count("An action you may not open") == 25
    assert large == small


# 2. A status says why a reminder was not emailed -----------------------------------------------


def test_a_reminder_for_someone_who_left_is_not_recorded_as_their_choice(client, agency_user):
    action = ActionFactory(owner_agency=agency_user.agency, due_on=days(3))
    _reminders(agency_user, [action], 1)
    Reminder.objects.update(status=Reminder.Status.CLAIMED, claim_token="planned-before-leaving")
    agency_user.is_active = False
    agency_user.save()
    result = reminders_send(token="planned-before-leaving")
    assert result["not_emailed"] == 1 and mail.outbox == []
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.UNREACHABLE
    assert "email off" not in reminder.get_status_display()
    assert "inactive" in reminder.get_status_display()


# 4. A sweep is never for a day after today --------------------------------------------------


def test_the_command_refuses_a_date_after_today_and_records_nothing(agency_user):
    ActionFactory(owner_agency=agency_user.agency, due_on=days(3))
    with at(TODAY), pytest.raises(CommandError, match="3 June 2025 is after today"):
        call_command("send_reminders", "--date", "2025-06-03", stdout=io.StringIO())
    with at(TODAY), pytest.raises(ValueError, match="after today"):
        reminders_sweep(today=datetime.date(2030, 1, 1))
    assert mail.outbox == []
    assert not Reminder.objects.exists() and not ReminderSweep.objects.exists()
    with at(TODAY):  # today, or a day missed, is swept as ever
        call_command("send_reminders", "--date", "2025-06-02", stdout=io.StringIO())
    assert len(mail.outbox) == 1


# 5. A mail outage: the task retries, and nothing is lost -----------------------------------


def test_the_celery_task_retries_when_the_mail_server_is_down(mail_server, agency_user):
    ActionFactory(owner_agency=agency_user.agency, due_on=days(3), title="Statutory notice")
    mail_server.down = 1
    with at(TODAY):
        result = send_reminders.apply()
    assert result.state == "SUCCESS"
    [email] = mail.outbox  # sent by the retry, not a day later
    assert "Statutory notice" in email.body
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_a_day_whose_digests_failed_is_not_recorded_as_swept_and_loses_nothing(
    mail_server, agency_user
):
    ActionFactory(owner_agency=agency_user.agency, due_on=days(14), title="Due in a fortnight")
    mail_server.down = 99  # down all day, through every retry
    with at(TODAY), pytest.raises(ConnectionRefusedError):
        reminders_sweep(today=TODAY)
    sweep = ReminderSweep.objects.get()
    assert sweep.finished_at is None and sweep.sent == 0
    assert Reminder.objects.get().status == Reminder.Status.PENDING
    mail_server.down = 0
    with at(days(1)):
        reminders_sweep(today=days(1))
    [email] = mail.outbox
    assert "Due in a fortnight" in email.body
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_the_command_says_plainly_that_emails_could_not_be_sent(mail_server, agency_user):
    ActionFactory(owner_agency=agency_user.agency, due_on=days(3))
    mail_server.down = 1
    with at(TODAY), pytest.raises(CommandError, match="could not be sent .* are kept"):
        call_command("send_reminders", stdout=io.StringIO())
    with at(TODAY):
        call_command("send_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 1


# 10. A digest's words ---------------------------------------------------------------------


def test_one_escalated_item_reads_as_one(agency_user, make_user, settings):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    chair = make_user(username="chair")
    group = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, chair=chair)
    ActionFactory(owner_agency=agency_user.agency, subgroup=group, due_on=days(-7))
    reminders_sweep(today=TODAY)
    [email] = [m for m in mail.outbox if m.to == [chair.email]]
    assert "One item" in email.body and "It has been escalated to you." in email.body
    assert "Some have" not in email.body and "Some have" not in email.alternatives[0][0]
