"""Audit returns not submitted are chased as the deadline nears and after it passes."""

import datetime

import pytest
import time_machine
from django.core import mail

from audits import services
from audits.models import SelfAssessment
from audits.tests.factories import AuditCycleFactory, SelfAssessmentFactory, section_11
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db
DEADLINE = datetime.date(2025, 7, 31)


@pytest.fixture
def cycle():
    return AuditCycleFactory(deadline=DEADLINE)


def test_an_agency_lead_is_reminded_then_the_qap_chair_then_the_business_unit(
    cycle, agency_user, make_user, bu_user, settings
):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 21
    chair = make_user(username="qapchair")
    SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, chair=chair)
    SelfAssessmentFactory(cycle=cycle, agency=agency_user.agency, status="draft")

    reminders_sweep(today=DEADLINE - datetime.timedelta(days=20))
    assert mail.outbox == []
    reminders_sweep(today=DEADLINE - datetime.timedelta(days=10))
    assert [m.to for m in mail.outbox] == [[agency_user.email]]
    assert "Audit return due soon" in mail.outbox[0].body
    reminders_sweep(today=DEADLINE + datetime.timedelta(days=1))
    assert "Audit return overdue" in mail.outbox[-1].body
    reminders_sweep(today=DEADLINE + datetime.timedelta(days=7))
    assert mail.outbox[-1].to == [chair.email]
    reminders_sweep(today=DEADLINE + datetime.timedelta(days=21))
    assert mail.outbox[-1].to == [bu_user.email]
    assert len(mail.outbox) == 4


def test_submitted_returns_are_not_chased(cycle, agency_user):
    SelfAssessmentFactory(
        cycle=cycle,
        agency=agency_user.agency,
        status=SelfAssessment.Status.SUBMITTED,
        submitted_at=datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC),
    )
    reminders_sweep(today=DEADLINE + datetime.timedelta(days=3))
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_a_school_without_a_lead_is_chased_through_the_business_unit(cycle, bu_user):
    school = AgencyFactory(name="Oswestry Primary School", kind="school")
    SelfAssessmentFactory(cycle=cycle, agency=school)
    reminders_sweep(today=DEADLINE + datetime.timedelta(days=2))
    [email] = mail.outbox
    assert email.to == [bu_user.email]
    assert "Oswestry Primary School" in email.body


def test_the_return_page_lists_the_reminders_sent(client, cycle, agency_user):
    sa = SelfAssessmentFactory(cycle=cycle, agency=agency_user.agency)
    reminders_sweep(today=DEADLINE)
    client.force_login(agency_user)
    page = client.get(f"/audits/returns/{sa.uuid}/").content.decode()
    assert "Reminders sent about this return" in page and "Audit return due soon" in page


def test_a_return_is_chased_against_its_cycles_new_deadline(agency_user, bu_user):
    """A deadline moved to a day already past is read at the next sweep, not only when the
    old deadline's reminders fall due."""
    with time_machine.travel(datetime.datetime(2025, 7, 19, 7, 0, tzinfo=datetime.UTC)):
        cycle = services.audit_cycle_open(
            framework=section_11(),
            title="Section 11 audit 2025/26",
            financial_year=2025,
            opened_on=datetime.date(2025, 5, 1),
            deadline=datetime.date(2025, 9, 30),
            agencies=[agency_user.agency],
            by=bu_user,
        )
        reminders_sweep(today=datetime.date(2025, 7, 19))
    [opened] = mail.outbox  # newly opened: told, though not yet due soon
    assert "Newly asked of you" in opened.body and "due 30 September 2025" in opened.body
    mail.outbox.clear()
    with time_machine.travel(datetime.datetime(2025, 7, 20, 7, 0, tzinfo=datetime.UTC)):
        services.audit_cycle_change_deadline(
            cycle=cycle, deadline=datetime.date(2025, 7, 15), by=bu_user
        )
    with time_machine.travel(datetime.datetime(2025, 7, 20, 8, 0, tzinfo=datetime.UTC)):
        reminders_sweep(today=datetime.date(2025, 7, 20))
    assert [m.to for m in mail.outbox] == [[agency_user.email]]
    assert "Audit return overdue" in mail.outbox[0].body
