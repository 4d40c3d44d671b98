"""An archived agency's quarterly values are not chased: the agency no longer exists."""

import datetime

import pytest
from django.core import mail

from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory

from ..models import Indicator
from .factories import IndicatorFactory, IndicatorSetFactory

pytestmark = pytest.mark.django_db
DUE = datetime.date(2025, 7, 30)  # Q1 2025/26's values, due 30 days after it ends


def test_an_archived_agencys_indicator_is_not_chased(agency, agency_user, make_user, bu_user):
    SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, chair=make_user(username="qapchair"))
    made = IndicatorFactory(indicator_set=IndicatorSetFactory(return_days=30), agency=agency)
    Indicator.objects.filter(pk=made.pk).update(
        created_at=datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC)
    )
    agency.is_active = False
    agency.save()
    reminders_sweep(today=DUE + datetime.timedelta(days=40))
    assert not Reminder.objects.exists()
    assert mail.outbox == []
