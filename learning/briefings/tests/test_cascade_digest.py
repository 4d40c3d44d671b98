"""A briefing's cascade reminders: one line per agency, each naming it, never the same twice."""

import datetime

import pytest
import time_machine
from django.core import mail

from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory

from .factories import published

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)
BRIEFING = "Hearing Child A"


def _lines(body: str) -> list[str]:
    return [line.strip() for line in body.splitlines() if BRIEFING in line]


@pytest.fixture
def leadless(agencies):
    """Agencies with no lead on the system: the Business Unit cascades for them."""
    return [*agencies, AgencyFactory(name="Shropshire Community Health", kind="health")]


def test_the_business_unit_gets_one_line_naming_each_agency_it_cascades_for(
    writer, chair, li, outcome, agencies, leadless, bu_user, settings
):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 21
    names = sorted(agency.name for agency in leadless)
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False) as traveller:
        published(by=writer, approver=chair, subgroup=li, outcome=outcome, on=TODAY)
        reminders_sweep(today=TODAY)
        [email] = [m for m in mail.outbox if m.to == [bu_user.email]]
        lines = _lines(email.body)
        assert len(lines) == len(set(lines)) == len(names)
        assert sorted(name for name in names for line in lines if name in line) == names

        # Long overdue on the first sweep after: owner and escalation reach the Business Unit
        # at once, and it still reads one line per agency.
        mail.outbox.clear()
        traveller.move_to(datetime.datetime(2025, 7, 30, 7, 0))
        reminders_sweep(today=datetime.date(2025, 7, 30))
        [email] = [m for m in mail.outbox if m.to == [bu_user.email]]
        lines = _lines(email.body)
        assert len(lines) == len(set(lines)) == len(names)
        assert sorted(name for name in names for line in lines if name in line) == names
        [chase] = [m for m in mail.outbox if m.to == [chair.email]]
        chased = _lines(chase.body)
        assert len(chased) == len(set(chased)) == len(names)
