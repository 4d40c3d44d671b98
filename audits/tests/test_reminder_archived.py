"""An archived agency's audit return is not chased, nor escalated: the agency no longer exists."""

import datetime

import pytest
from django.core import mail

from audits.tests.factories import AuditCycleFactory, SelfAssessmentFactory
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db
DEADLINE = datetime.date(2025, 7, 31)


def test_an_archived_agencys_return_is_not_chased(agency_user, make_user, bu_user):
    SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, chair=make_user(username="qapchair"))
    cycle = AuditCycleFactory(deadline=DEADLINE)
    SelfAssessmentFactory(cycle=cycle, agency=agency_user.agency, status="draft")
    leadless = AgencyFactory(name="Shropshire Domestic Abuse Service")
    SelfAssessmentFactory(cycle=cycle, agency=leadless, status="draft")
    for agency in (agency_user.agency, leadless):
        agency.is_active = False
        agency.save()
    reminders_sweep(today=DEADLINE + datetime.timedelta(days=40))
    assert not Reminder.objects.exists()
    assert mail.outbox == []
