"""The "newly asked of you" notice in the reminder machinery: told once, only what was asked in
the last week (no flood on the first sweep), never what a sweep for an earlier day could not
have seen yet, and counted and listed first in the digest."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from learning import services
from learning.models import Action
from learning.tests.factories import ActionFactory
from reviews.tests.factories import ReviewFactory
from sscb.models import Reminder, SubGroup
from sscb.reminders import ASKED_WITHIN, reminders_sweep
from sscb.tests.factories import SubGroupFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)


def days(n):
    return TODAY + datetime.timedelta(days=n)


def at(day, hour=7):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour)), tick=False)


@pytest.fixture
def group(db):
    return SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)


def give(lead, group, title, due_on):
    return services.action_create(
        review=ReviewFactory(),
        title=title,
        owner_agency=lead.agency,
        owner=lead,
        subgroup=group,
        due_on=due_on,
    )


def test_the_first_sweep_tells_only_what_was_asked_in_the_last_week(agency_user, group):
    assert datetime.timedelta(days=7) == ASKED_WITHIN
    with at(days(-8), hour=18):
        give(agency_user, group, "Asked eight days before", days(60))
    with at(days(-7), hour=9):
        give(agency_user, group, "Asked a week before", days(60))
    with at(TODAY):
        reminders_sweep(today=TODAY)  # the first sweep ever: no earlier one to read from
    [email] = mail.outbox
    assert "Asked a week before" in email.body and "eight days" not in email.body


def test_a_sweep_for_an_earlier_day_leaves_what_was_asked_after_it_for_the_next(agency_user, group):
    with at(days(-1), hour=15):
        give(agency_user, group, "Asked yesterday afternoon", days(60))
    with at(TODAY):
        reminders_sweep(today=days(-2))  # catching up a missed day
        assert mail.outbox == []
        reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert "Asked yesterday afternoon" in email.body and "(asked 1 June 2025)" in email.body


class RefusingOnce(BaseEmailBackend):
    """A mail server that refuses the first connection of a test, then delivers."""

    down = 0

    def send_messages(self, messages):
        if RefusingOnce.down:
            RefusingOnce.down -= 1
            raise ConnectionRefusedError(111, "Connection refused")
        mail.outbox.extend(messages)
        return len(messages)


def test_a_notice_the_mail_server_refused_goes_with_the_next_sweep_once(
    agency_user, group, settings
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingOnce"
    RefusingOnce.down = 1
    with at(TODAY):
        give(agency_user, group, "Share notifications with schools", days(60))
        with pytest.raises(ConnectionRefusedError):
            reminders_sweep(today=TODAY)
    assert mail.outbox == []
    for day in (days(1), days(2)):
        with at(day):
            reminders_sweep(today=day)
    [email] = mail.outbox
    assert "Share notifications with schools" in email.body
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_an_item_loaded_in_bulk_is_not_told(agency_user, group):
    """With no history, nobody asked it of anyone through the tracker, and when is not known."""
    with at(TODAY):
        review = ReviewFactory()
        Action.objects.bulk_create(
            [
                Action(
                    review=review,
                    plan=f"review:{review.pk}",
                    number=1,
                    title="Loaded",
                    owner_agency=agency_user.agency,
                    owner=agency_user,
                    subgroup=group,
                    due_on=days(60),
                )
            ]
        )
        reminders_sweep(today=TODAY)
    assert mail.outbox == [] and not Reminder.objects.exists()


def test_the_digest_lists_what_is_newly_asked_first_and_counts_it(agency_user, group):
    with at(days(-20)):
        ActionFactory(owner_agency=agency_user.agency, subgroup=group, due_on=days(5), title="Z")
        ActionFactory(owner_agency=agency_user.agency, subgroup=group, due_on=days(-2), title="Y")
    with at(TODAY):
        give(agency_user, group, "Zebra crossing audit", days(60))
        reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert email.subject.endswith(": 3 items need your attention")
    assert "3 items in the" in email.body and "One of them is newly asked of you." in email.body
    for body in (email.body, email.alternatives[0][0]):
        order = [body.index(h) for h in ("Newly asked of you", "Action due soon", "Action overdue")]
        assert order == sorted(order)


def test_the_items_page_names_the_notice_by_its_kind(agency_user, group, bu_user, client):
    with at(TODAY):
        action = give(agency_user, group, "Share notifications with schools", days(60))
        reminders_sweep(today=TODAY)
    client.force_login(bu_user)
    page = client.get(f"/learning/actions/{action.uuid}/").content.decode()
    assert "Action newly given" in page and "asked 2 Jun 2025" in page
    assert "Newly asked of you" not in page  # the Business Unit reads it, not its owner
