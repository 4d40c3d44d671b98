"""Briefings through the daily reminder sweep: each agency's lead is sent a newly published
briefing, and chased (then the chair, then the Business Unit) until they confirm; each once."""

import datetime

import pytest
import time_machine
from django.core import mail

from sscb.models import Reminder
from sscb.reminders import reminders_sweep

from .. import services
from .factories import published

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False) as traveller:
        yield traveller


def test_agency_leads_are_sent_a_published_briefing_once_and_chased_until_they_confirm(
    frozen, writer, chair, li, outcome, agencies, agency_user, make_user, bu_user
):
    agency_user.email = "lead@example.org"
    agency_user.save()
    other_lead = make_user(
        role="agency_lead", agency=agencies[1], username="csclead", email="csc@example.org"
    )
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome, on=TODAY)

    reminders_sweep(today=TODAY)
    assert sorted(m.to[0] for m in mail.outbox) == ["csc@example.org", "lead@example.org"]
    assert all("Hearing Child A" in m.body for m in mail.outbox)
    assert all("Briefing to cascade" in m.body for m in mail.outbox)
    reminders_sweep(today=TODAY)
    frozen.move_to(datetime.datetime(2025, 6, 3, 7, 0))
    reminders_sweep(today=days(1))
    assert len(mail.outbox) == 2  # never twice

    # The police confirm; social care does not, and is chased from the day it was due.
    services.cascade_confirm(
        cascade=briefing.cascades.get(agency=agencies[0]),
        by=agency_user,
        cascaded_on=TODAY,
        method="email",
        staff_reached=20,
    )
    mail.outbox.clear()
    frozen.move_to(datetime.datetime(2025, 6, 30, 7, 0))
    reminders_sweep(today=days(28))
    [chase] = mail.outbox
    assert chase.to == [other_lead.email]
    assert "Briefing cascade not confirmed" in chase.body
    reminders_sweep(today=days(28))
    assert len(mail.outbox) == 1

    # A week late: the sub-group's chair hears of it too, with a link to the cascade table.
    frozen.move_to(datetime.datetime(2025, 7, 7, 7, 0))
    reminders_sweep(today=days(35))
    escalated = Reminder.objects.get(recipient=chair, kind=Reminder.Kind.CASCADE_NOT_CONFIRMED)
    assert escalated.url == f"{briefing.get_absolute_url()}#cascade"
    assert not Reminder.objects.filter(
        recipient=agency_user, kind=Reminder.Kind.CASCADE_NOT_CONFIRMED
    ).exists()


def test_a_draft_is_sent_to_nobody(frozen, writer, li, outcome, agencies, agency_user):
    from .factories import draft

    draft(by=writer, subgroup=li, outcome=outcome)
    reminders_sweep(today=TODAY)
    assert mail.outbox == []


def test_the_briefings_page_lists_the_reminders_about_the_cascades_its_reader_sees(
    frozen, client, writer, chair, li, outcome, agencies, agency_user, make_user, bu_user
):
    agency_user.email = "lead@example.org"
    agency_user.save()
    make_user(
        role="agency_lead",
        agency=agencies[1],
        username="csclead",
        email="csc@example.org",
        first_name="Casey",
        last_name="Social",
    )
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome, on=TODAY)
    reminders_sweep(today=TODAY)

    client.force_login(bu_user)
    page = client.get(briefing.get_absolute_url()).content.decode()
    table = page.split("Reminders sent about this briefing")[1]
    assert "Casey Social" in table and str(agency_user) in table
    assert "Briefing to cascade" in table
    # An agency lead sees their own agency's cascade, and the reminders about it alone.
    client.force_login(agency_user)
    page = client.get(briefing.get_absolute_url()).content.decode()
    table = page.split("Reminders sent about this briefing")[1]
    assert str(agency_user) in table and "Casey Social" not in table
