"""Quarterly values not returned are chased as the return deadline nears and after it passes."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory

from .. import services
from ..models import Indicator
from .factories import IndicatorFactory, IndicatorSetFactory

pytestmark = pytest.mark.django_db
# Q1 of 2025/26 ends on 30 June 2025; its values are due 30 days later. The indicator is added
# on 1 July, so Q1 is the first quarter it asks for.
DUE = datetime.date(2025, 7, 30)


@pytest.fixture
def indicator(agency):
    made = IndicatorFactory(
        indicator_set=IndicatorSetFactory(return_days=30),
        agency=agency,
        name="Strategy discussions within 1 working day",
    )
    Indicator.objects.filter(pk=made.pk).update(
        created_at=datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC)
    )
    made.refresh_from_db()
    return made


def day(offset):
    return DUE + datetime.timedelta(days=offset)


def test_a_missing_return_is_chased_once_then_escalated(
    indicator, agency_user, make_user, bu_user, settings
):
    settings.REMINDER_DUE_SOON_DAYS = 14
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 21
    chair = make_user(username="qapchair")
    SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, chair=chair)

    reminders_sweep(today=day(-20))
    assert mail.outbox == []
    reminders_sweep(today=day(-10))
    assert [m.to for m in mail.outbox] == [[agency_user.email]]
    assert "Quarterly performance values due soon" in mail.outbox[0].body
    assert "Strategy discussions within 1 working day (Police): Q1 2025/26" in mail.outbox[0].body
    # A re-run (or retried) sweep plans and sends nothing new.
    reminders_sweep(today=day(-10))
    reminders_sweep(today=day(-9))
    assert len(mail.outbox) == 1
    assert Reminder.objects.filter(kind=Reminder.Kind.PERFORMANCE_DUE_SOON).count() == 1
    reminders_sweep(today=day(1))
    assert mail.outbox[-1].to == [agency_user.email]
    assert "Quarterly performance values overdue" in mail.outbox[-1].body
    reminders_sweep(today=day(7))
    assert mail.outbox[-1].to == [chair.email]
    reminders_sweep(today=day(21))
    assert mail.outbox[-1].to == [bu_user.email]
    assert len(mail.outbox) == 4
    assert Reminder.objects.count() == 4


def test_a_returned_value_is_not_chased(indicator, agency_user):
    with time_machine.travel(datetime.date(2025, 7, 5)):
        services.indicator_value_submit(
            indicator=indicator, by=agency_user, year=2025, quarter=1, value=Decimal(91)
        )
    reminders_sweep(today=day(3))
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_an_indicator_without_an_agency_lead_is_chased_through_the_business_unit(
    indicator, bu_user
):
    reminders_sweep(today=day(1))
    assert [m.to for m in mail.outbox] == [[bu_user.email]]


def test_an_archived_indicator_is_not_chased(indicator, agency_user):
    Indicator.objects.filter(pk=indicator.pk).update(is_active=False)
    reminders_sweep(today=day(3))
    assert mail.outbox == []
