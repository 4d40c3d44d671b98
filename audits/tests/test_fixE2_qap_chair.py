"""A return's escalation goes to the QAP chair only if they may open it: a chair who is an
agency's lead opens only their own agency's return, so another agency's goes to the Business
Unit instead, saying why, and the chair is sent no line they cannot open."""

import datetime

import pytest
import time_machine
from django.core import mail

from audits import services
from audits.tests.factories import AuditCycleFactory, SelfAssessmentFactory, section_11
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db
DEADLINE = datetime.date(2025, 7, 31)


@pytest.fixture
def lead_as_chair(make_user, settings):
    """The QAP chair is the hospital trust's lead (made so in the admin)."""
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 28
    health = AgencyFactory(name="Shrewsbury and Telford Hospital NHS Trust", short_name="SaTH")
    chair = make_user(username="sathlead", role="agency_lead", agency=health)
    SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, chair=chair)
    return chair


def _bodies():
    return {message.to[0]: message.body for message in mail.outbox}


def test_an_overdue_return_goes_to_the_business_unit_not_to_a_chair_who_may_not_open_it(
    lead_as_chair, agency_user, bu_user
):
    cycle = AuditCycleFactory(deadline=DEADLINE, title="Section 11 audit 2025/26")
    police = SelfAssessmentFactory(cycle=cycle, agency=agency_user.agency)
    own = SelfAssessmentFactory(cycle=cycle, agency=lead_as_chair.agency)
    reminders_sweep(today=DEADLINE + datetime.timedelta(days=7))
    bodies = _bodies()
    # Police's return: its lead, then the Business Unit, saying why; not the chair.
    escalated = Reminder.objects.get(subject_id=police.pk, level=Reminder.Level.CHAIR)
    assert escalated.recipient == bu_user
    assert (
        "Section 11 audit 2025/26: West Mercia Police (its chair may not open it: sent to the "
        "Business Unit instead)"
    ) in bodies[bu_user.email]
    assert not Reminder.objects.filter(subject_id=police.pk, recipient=lead_as_chair).exists()
    assert "A return you may not open" not in bodies[lead_as_chair.email]
    # The chair's own agency's return they may open: theirs as its lead.
    assert Reminder.objects.filter(subject_id=own.pk, recipient=lead_as_chair).exists()


def test_a_new_return_whose_lead_has_no_address_skips_a_chair_who_may_not_open_it(
    lead_as_chair, agency_user, bu_user
):
    agency_user.email = ""
    agency_user.save()
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False):
        services.audit_cycle_open(
            framework=section_11(),
            title="Section 11 audit 2025/26",
            financial_year=2025,
            deadline=datetime.date(2025, 9, 30),
            agencies=[agency_user.agency],
            by=bu_user,
        )
        reminders_sweep(today=datetime.date(2025, 6, 2))
    told = Reminder.objects.get(kind=Reminder.Kind.RETURN_ASKED)
    assert told.recipient == bu_user
    assert (
        "its agency's lead has no email address, and its chair may not open it: sent to the "
        "Business Unit instead"
    ) in told.title
    assert lead_as_chair.email not in _bodies()
