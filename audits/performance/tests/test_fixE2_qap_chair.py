"""Quarterly values overdue are escalated to the QAP chair only if they may open the
indicator: a chair who is another agency's lead is passed over for the Business Unit."""

import datetime

import pytest
from django.core import mail

from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory, SubGroupFactory

from ..models import Indicator
from .factories import IndicatorFactory, IndicatorSetFactory

pytestmark = pytest.mark.django_db
# Q1 of 2025/26 ends on 30 June 2025; its values are due 30 days later.
DUE = datetime.date(2025, 7, 30)


def test_an_overdue_value_skips_a_qap_chair_who_may_not_open_the_indicator(
    agency, agency_user, make_user, bu_user, settings
):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 21
    health = AgencyFactory(name="Shrewsbury and Telford Hospital NHS Trust", short_name="SaTH")
    chair = make_user(username="sathlead", role="agency_lead", agency=health)
    SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, chair=chair)
    indicator = IndicatorFactory(
        indicator_set=IndicatorSetFactory(return_days=30),
        agency=agency,
        name="Strategy discussions within 1 working day",
    )
    Indicator.objects.filter(pk=indicator.pk).update(
        created_at=datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC)
    )
    reminders_sweep(today=DUE + datetime.timedelta(days=7))
    assert not Reminder.objects.filter(recipient=chair).exists()
    assert [m.to for m in mail.outbox if m.to == [chair.email]] == []
    escalated = Reminder.objects.get(level=Reminder.Level.CHAIR)
    assert escalated.recipient == bu_user
    assert "(its chair may not open it: sent to the Business Unit instead)" in escalated.title
