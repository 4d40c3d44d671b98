"""Cascade reminders and the agencies behind them: an agency archived after a briefing went out
is chased no more, and the Business Unit, cascading for an agency with no lead, is not told
the staff are its own."""

import datetime

import pytest
import time_machine
from django.core import mail

from sscb.models import Reminder
from sscb.reminders import reminders_sweep

from .factories import published

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)


def test_an_archived_agency_is_not_chased_to_confirm_its_cascade(
    writer, chair, li, outcome, agencies, agency_user, bu_user, settings
):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 21
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False):
        published(by=writer, approver=chair, subgroup=li, outcome=outcome, on=TODAY)
    for agency in agencies:  # both wound up after the briefing was sent to them
        agency.is_active = False
        agency.save()
    with time_machine.travel(datetime.datetime(2025, 7, 30, 7, 0), tick=False):
        reminders_sweep(today=datetime.date(2025, 7, 30))
    assert not Reminder.objects.exists()
    assert mail.outbox == []


def test_the_business_unit_is_not_told_an_agency_without_a_lead_is_its_staff(
    writer, chair, li, outcome, agencies, agency_user, bu_user
):
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False):
        published(by=writer, approver=chair, subgroup=li, outcome=outcome, on=TODAY)
        reminders_sweep(today=TODAY)
    [to_lead] = [m for m in mail.outbox if m.to == [agency_user.email]]
    assert "Briefing to cascade to your staff" in to_lead.body
    [to_bu] = [m for m in mail.outbox if m.to == [bu_user.email]]
    assert "cascade to Children's Social Care" in to_bu.body
    for text in (to_bu.body, to_bu.alternatives[0][0]):
        assert "your staff" not in text
        assert "Briefing to cascade on an agency's behalf" in text.replace("&#x27;", "'")
