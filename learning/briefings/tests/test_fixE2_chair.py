"""A cascade not confirmed is escalated to the owning sub-group's chair only if they may open
it: a chair who is an agency's lead sees only their own agency's cascade, so another agency's
goes to the Business Unit instead, saying why."""

import datetime

import pytest
import time_machine
from django.core import mail

from sscb.models import Reminder
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory

from .factories import published

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)


def test_an_unconfirmed_cascade_skips_a_chair_who_may_not_open_it(
    writer, chair, li, outcome, agencies, agency_user, make_user, bu_user, settings
):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 28
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False):
        published(by=writer, approver=chair, subgroup=li, outcome=outcome, on=TODAY)
    # Then the Business Unit makes a hospital trust's lead the sub-group's chair.
    health = AgencyFactory(name="Shrewsbury and Telford Hospital NHS Trust", short_name="SaTH")
    lead_chair = make_user(username="sathlead", role="agency_lead", agency=health)
    li.chair = lead_chair
    li.save()
    with time_machine.travel(datetime.datetime(2025, 7, 7, 7, 0), tick=False):
        reminders_sweep(today=datetime.date(2025, 7, 7))  # a week after its 28 days
    assert not Reminder.objects.filter(recipient=lead_chair).exists()
    assert lead_chair.email not in {m.to[0] for m in mail.outbox}
    escalated = Reminder.objects.filter(
        kind=Reminder.Kind.CASCADE_NOT_CONFIRMED, level=Reminder.Level.CHAIR
    )
    assert {r.recipient for r in escalated} == {bu_user}
    police = escalated.get(title__contains=agency_user.agency.name)
    assert "(its chair may not open it: sent to the Business Unit instead)" in police.title
