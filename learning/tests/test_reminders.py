"""The reminder sweep over the learning loop: frozen time, a real outbox, run twice."""

import datetime
import io
import threading

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import connection

from learning import services
from learning.tests.factories import ActionFactory, EvidenceFactory, OutcomeFactory
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory

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


@pytest.fixture
def people(make_user, agency_user, bu_user):
    chair = make_user(username="chair", role="subgroup_member")
    group = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, chair=chair)
    return {"chair": chair, "lead": agency_user, "bu": bu_user, "group": group}


def recipients(message):
    return set(message.to)


def test_due_soon_and_overdue_actions_reach_their_owners_in_one_digest(frozen, people):
    lead = people["lead"]
    ActionFactory(
        owner_agency=lead.agency, subgroup=people["group"], due_on=days(5), title="Due soon"
    )
    ActionFactory(owner_agency=lead.agency, subgroup=people["group"], due_on=days(-2), title="Late")
    ActionFactory(
        owner_agency=lead.agency, subgroup=people["group"], due_on=days(40), title="Later"
    )

    result = reminders_sweep(today=TODAY)

    assert result["emails"] == 1
    [email] = mail.outbox
    assert recipients(email) == {lead.email}
    assert "3 items need your attention" in email.subject
    assert "Due soon" in email.body and "Late" in email.body
    assert "Action due soon" in email.body and "Action overdue" in email.body
    # Not yet due soon: only told as newly given (today), once.
    assert email.body.count("Later") == 1 and "Action: Later, due 12 July 2025" in email.body
    html = email.alternatives[0][0]
    assert 'href="http://127.0.0.1:8000/learning/actions/' in html


def test_running_the_sweep_again_sends_nothing_new(frozen, people):
    ActionFactory(owner_agency=people["lead"].agency, due_on=days(-1))
    EvidenceFactory(agency=people["lead"].agency, due_on=days(3))
    reminders_sweep(today=TODAY)
    sent = len(mail.outbox)
    assert sent == 1
    again = reminders_sweep(today=TODAY)
    assert again["planned"] == 0 and again["emails"] == 0
    assert len(mail.outbox) == sent
    call_command("send_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == sent


def test_a_missed_day_loses_nothing(people):
    with time_machine.travel(datetime.datetime(2025, 5, 1, 9, 0), tick=False):
        ActionFactory(owner_agency=people["lead"].agency, due_on=days(-3), title="Went overdue")
    with time_machine.travel(datetime.datetime(2025, 5, 29, 7, 0), tick=False):
        reminders_sweep(today=days(-4))  # the day before it falls due: "due soon"
    assert ["Action due soon" in m.body for m in mail.outbox] == [True]
    # No sweep ran on the due date or the two days after, when it went overdue; the next one
    # (which reads only what fell due since the last sweep) still catches it.
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False):
        result = reminders_sweep(today=days(0))
    assert result["planned"] == 1
    assert len(mail.outbox) == 2
    assert "Went overdue" in mail.outbox[1].body and "Action overdue" in mail.outbox[1].body


def test_overdue_items_escalate_to_the_chair_then_the_business_unit(people, settings):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 21
    due = days(0)
    ActionFactory(owner_agency=people["lead"].agency, subgroup=people["group"], due_on=due)

    reminders_sweep(today=due + datetime.timedelta(days=1))
    assert [recipients(m) for m in mail.outbox] == [{people["lead"].email}]

    reminders_sweep(today=due + datetime.timedelta(days=7))
    assert recipients(mail.outbox[-1]) == {people["chair"].email}
    assert "escalated to you" in mail.outbox[-1].body
    assert len(mail.outbox) == 2

    reminders_sweep(today=due + datetime.timedelta(days=21))
    assert recipients(mail.outbox[-1]) == {people["bu"].email}
    assert len(mail.outbox) == 3
    levels = sorted(Reminder.objects.values_list("level", flat=True))
    assert levels == [0, 1, 2]


def test_changing_the_due_date_or_owner_replans(frozen, people, make_user):
    action = ActionFactory(owner_agency=people["lead"].agency, due_on=days(3))
    reminders_sweep(today=TODAY)
    assert len(mail.outbox) == 1
    # A pending reminder is cancelled at once when the date changes; the next sweep plans anew.
    services.action_update(action=action, due_on=days(10))
    reminders_sweep(today=TODAY)
    assert len(mail.outbox) == 2
    assert "12 June 2025" in mail.outbox[-1].body
    new_owner = make_user(username="newowner", agency=people["lead"].agency)
    services.action_update(action=action, owner=new_owner)
    reminders_sweep(today=TODAY)
    assert recipients(mail.outbox[-1]) == {new_owner.email}


def _leave_pending(action):
    """Run a sweep while the mail server refuses: its reminders wait for the next sweep."""

    def refuse(self, *args, **kwargs):
        raise ConnectionError("mail server down")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EmailMultiAlternatives, "send", refuse)
        with pytest.raises(ConnectionError):  # raised, for the Celery task to retry
            reminders_sweep(today=TODAY)
    return Reminder.objects.get(subject_id=action.pk)


def test_changing_the_owner_cancels_what_was_waiting_for_the_old_one(frozen, people, make_user):
    action = ActionFactory(owner_agency=people["lead"].agency, due_on=days(3))
    pending = _leave_pending(action)
    assert pending.status == Reminder.Status.PENDING
    new_owner = make_user(username="other", agency=action.owner_agency)
    services.action_update(action=action, owner=new_owner)
    pending.refresh_from_db()
    assert pending.status == Reminder.Status.CANCELLED
    reminders_sweep(today=TODAY)
    assert [m.to for m in mail.outbox] == [[new_owner.email]]


def test_completing_an_item_cancels_its_reminders(frozen, people):
    action = ActionFactory(owner_agency=people["lead"].agency, due_on=days(3))
    pending = _leave_pending(action)
    services.action_report_progress(
        action=action, progress="Done", at_risk=False, completed_on=TODAY, completion_evidence="x"
    )
    pending.refresh_from_db()
    assert pending.status == Reminder.Status.CANCELLED
    reminders_sweep(today=TODAY)
    assert mail.outbox == []


def test_a_sweep_cancels_what_went_stale_while_it_waited(frozen, people):
    action = ActionFactory(owner_agency=people["lead"].agency, due_on=days(3))
    pending = _leave_pending(action)
    # Changed behind the services' back (e.g. in bulk): the next sweep notices.
    type(action).objects.filter(pk=action.pk).update(due_on=days(60))
    result = reminders_sweep(today=TODAY)
    pending.refresh_from_db()
    assert pending.status == Reminder.Status.CANCELLED and result["cancelled"] == 1
    # Due in 60 days, it is no longer due soon: only told as newly given (today).
    [email] = mail.outbox
    assert "Action due soon" not in email.body and "Newly asked of you" in email.body


def test_follow_ups_come_to_the_chair_when_their_date_has_come(frozen, people, bu_user):
    action = ActionFactory(
        subgroup=people["group"],
        status="signed_off",
        recorded_on=days(-60),
        due_on=days(-40),
        completed_on=days(-30),
        signed_off_by=bu_user,
        signed_off_on=days(-20),
        follow_up_on=days(-1),
        title="Template in use",
    )
    OutcomeFactory(theme__subgroup=people["group"], follow_up_on=TODAY, title="Outcome lasting?")
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert recipients(email) == {people["chair"].email}
    assert "Action follow-up due" in email.body and "Template in use" in email.body
    assert "Learning outcome follow-up due" in email.body
    services.action_record_follow_up(action=action, lasted=True, result="Still in use")
    reminders_sweep(today=on(frozen, days(1)))
    assert len(mail.outbox) == 1


def test_evidence_requested_and_not_received_is_chased(frozen, people):
    evidence = EvidenceFactory(agency=people["lead"].agency, due_on=days(-1), title="Police report")
    EvidenceFactory(agency=people["lead"].agency, due_on=None, title="No date")
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert "Evidence overdue" in email.body and "Police report" in email.body
    services.evidence_provide(evidence=evidence, summary="Attached")
    reminders_sweep(today=on(frozen, days(30)))
    assert len(mail.outbox) == 1


def test_a_person_can_turn_their_own_emails_off_but_escalations_still_go(people, settings):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    chair = people["chair"]
    chair.email_reminders = False
    chair.save()
    lead = people["lead"]
    lead.email_reminders = False
    lead.save()
    ActionFactory(owner_agency=lead.agency, subgroup=people["group"], due_on=days(-10))
    reminders_sweep(today=TODAY)
    assert [recipients(m) for m in mail.outbox] == [{chair.email}]
    quiet = Reminder.objects.get(recipient=lead)
    assert quiet.status == Reminder.Status.NOT_EMAILED


def test_a_failed_send_is_retried_by_the_next_sweep(frozen, people):
    action = ActionFactory(owner_agency=people["lead"].agency, due_on=days(1))
    assert _leave_pending(action).status == Reminder.Status.PENDING
    assert reminders_sweep(today=TODAY)["emails"] == 1
    assert len(mail.outbox) == 1


def test_each_item_and_each_person_shows_their_reminders(frozen, client, people):
    action = ActionFactory(owner_agency=people["lead"].agency, due_on=days(2), title="Visible")
    reminders_sweep(today=TODAY)
    client.force_login(people["lead"])
    page = client.get(f"/learning/actions/{action.uuid}/").content.decode()
    assert "Reminders sent about this" in page and "Action due soon" in page
    mine = client.get("/reminders/").content.decode()
    assert "Visible" in mine and "Sent" in mine
    response = client.post("/reminders/", {})  # unticked: email off
    assert response.status_code == 302
    people["lead"].refresh_from_db()
    assert people["lead"].email_reminders is False


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_never_send_twice(people):
    if connection.vendor != "postgresql":
        from conftest import service_missing

        service_missing("PostgreSQL", "concurrent sweeps need real row locking")
    for n in range(30):
        ActionFactory(owner_agency=people["lead"].agency, due_on=days(-(n % 5)))
    barrier = threading.Barrier(2)
    results = []

    def sweep():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(reminders_sweep(today=TODAY))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert Reminder.objects.count() == 30
    assert Reminder.objects.filter(status="sent").count() == 30
    assert sum(r["sent"] for r in results) == 30
    assert sum(r["emails"] for r in results) == len(mail.outbox) == 1


def test_each_sweep_reads_what_fell_due_since_the_last_one_and_misses_nothing(people):
    from sscb.models import ReminderSweep

    with time_machine.travel(datetime.datetime(2025, 4, 1, 9, 0), tick=False):
        ActionFactory(owner_agency=people["lead"].agency, due_on=days(3), title="Due 5 June")
        ActionFactory(owner_agency=people["lead"].agency, due_on=days(-20), title="Due 13 May")
    with time_machine.travel(datetime.datetime(2025, 4, 20, 7, 0), tick=False):
        reminders_sweep(today=datetime.date(2025, 4, 20))
    assert mail.outbox == []  # nothing was due yet
    # No sweep ran for six weeks; the next one still finds both items.
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False):
        result = reminders_sweep(today=TODAY)
    assert result["planned"] == 3  # due soon, overdue, and overdue escalated to the chair
    [email] = [m for m in mail.outbox if m.to == [people["lead"].email]]
    assert "Due 5 June" in email.body and "Due 13 May" in email.body
    assert ReminderSweep.objects.filter(finished_at__isnull=False).count() == 2
