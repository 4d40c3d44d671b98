"""An escalation to a chair is always sent: with no chair, or an inactive one, the Business Unit
takes it, and the reminder says why."""

import datetime

import pytest
from django.core import mail

from learning.tests.factories import ActionFactory
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory

pytestmark = pytest.mark.django_db
DUE = datetime.date(2025, 6, 2)


@pytest.fixture
def overdue(make_user, agency_user, bu_user, settings):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 28
    chair = make_user(username="chair", email="chair@example.org")
    group = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, chair=chair)
    ActionFactory(owner_agency=agency_user.agency, subgroup=group, due_on=DUE, title="Audit it")
    return {"chair": chair, "group": group, "bu": bu_user}


def _escalation_to_bu(bu):
    reminder = Reminder.objects.get(recipient=bu, level=Reminder.Level.CHAIR)
    assert reminder.status == Reminder.Status.SENT
    [email] = [m for m in mail.outbox if m.to == [bu.email]]
    assert "Audit it" in email.body
    return reminder, email


def test_an_inactive_chairs_escalation_goes_to_the_business_unit(overdue):
    overdue["chair"].is_active = False
    overdue["chair"].save()
    reminders_sweep(today=DUE + datetime.timedelta(days=7))
    assert not Reminder.objects.filter(recipient=overdue["chair"]).exists()
    reminder, email = _escalation_to_bu(overdue["bu"])
    assert "inactive" in reminder.title
    assert "sent to the Business Unit instead" in email.body
    reminders_sweep(today=DUE + datetime.timedelta(days=8))
    assert Reminder.objects.filter(recipient=overdue["bu"]).count() == 1  # once


def test_a_sub_group_without_a_chair_escalates_to_the_business_unit(overdue):
    overdue["group"].chair = None
    overdue["group"].save()
    reminders_sweep(today=DUE + datetime.timedelta(days=7))
    reminder, email = _escalation_to_bu(overdue["bu"])
    assert "no chair" in reminder.title


def test_an_active_chair_still_gets_their_escalation(overdue):
    reminders_sweep(today=DUE + datetime.timedelta(days=7))
    assert Reminder.objects.get(level=Reminder.Level.CHAIR).recipient == overdue["chair"]
    assert not Reminder.objects.filter(recipient=overdue["bu"]).exists()
