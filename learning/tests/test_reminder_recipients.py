"""Who an action's or evidence's reminder goes to when its owner cannot be emailed, has none,
or may not open it: on to the chair, then the Business Unit, each saying why; and nothing for
an archived agency."""

import datetime

import pytest
from django.core import mail

from learning.tests.factories import ActionFactory, EvidenceFactory, ReviewFactory
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def people(make_user, agency_user, bu_user):
    chair = make_user(username="chair", role="subgroup_member")
    group = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, chair=chair)
    return {"chair": chair, "lead": agency_user, "bu": bu_user, "group": group}


def _body_to(user) -> str:
    [email] = [m for m in mail.outbox if m.to == [user.email]]
    return email.body


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"is_active": False}, "its owner has an inactive account"),
        ({"email": ""}, "its owner has no email address"),
    ],
)
def test_an_action_whose_owner_cannot_be_emailed_goes_to_the_chair_saying_why(
    people, make_user, change, why
):
    owner = make_user(username="owner", role="agency_lead", agency=people["lead"].agency)
    for field, value in change.items():
        setattr(owner, field, value)
    owner.save()
    ActionFactory(owner_agency=owner.agency, owner=owner, subgroup=people["group"], due_on=days(3))
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.filter(recipient=owner).exists()
    reminder = Reminder.objects.get(recipient=people["chair"])
    assert reminder.level == Reminder.Level.CHAIR  # an escalation: always sent
    assert f"({why}: sent to the chair instead)" in _body_to(people["chair"])


def test_an_action_with_no_owner_at_an_agency_with_no_lead_goes_to_the_chair(people):
    leadless = AgencyFactory(name="Probation Service (West Mercia)")
    ActionFactory(
        owner_agency=leadless, subgroup=people["group"], due_on=days(3), title="Meet standard 8"
    )
    reminders_sweep(today=TODAY)
    body = _body_to(people["chair"])
    assert "Action due soon" in body
    assert (
        "Meet standard 8 (no owner named, and its agency has no lead: sent to the chair instead)"
    ) in body


def test_with_no_chair_either_the_business_unit_is_told_both_reasons(people):
    people["group"].chair = None
    people["group"].save()
    leadless = AgencyFactory(name="Shropshire Council CSC")
    ActionFactory(owner_agency=leadless, subgroup=people["group"], due_on=days(-1), title="A")
    ActionFactory(owner_agency=leadless, subgroup=people["group"], due_on=days(-35), title="B")
    reminders_sweep(today=TODAY)
    body = _body_to(people["bu"])
    assert (
        "A (no owner named, and its agency has no lead, and no chair: sent to the Business Unit "
        "instead)"
    ) in body
    # Escalated to the Business Unit in its own right (35 days overdue): still says why.
    assert "B (no owner named, and its agency has no lead, and no chair) (due" in body


def test_evidence_from_an_agency_with_no_lead_goes_to_the_chair_saying_why(people):
    leadless = AgencyFactory(name="Shropshire Domestic Abuse Service")
    EvidenceFactory(
        agency=leadless, outcome__theme__subgroup=people["group"], due_on=days(3), title="Audit"
    )
    reminders_sweep(today=TODAY)
    assert "Audit (its agency has no lead: sent to the chair instead)" in _body_to(people["chair"])


def test_a_chair_with_no_email_address_is_treated_like_an_inactive_one(people):
    people["chair"].email = ""
    people["chair"].save()
    ActionFactory(owner_agency=people["lead"].agency, subgroup=people["group"], due_on=days(-7))
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.filter(recipient=people["chair"]).exists()
    escalation = Reminder.objects.get(recipient=people["bu"], level=Reminder.Level.CHAIR)
    assert "(its chair has no email address: sent to the Business Unit instead)" in (
        escalation.title
    )
    assert escalation.status == Reminder.Status.SENT


def test_a_follow_up_whose_chair_has_left_goes_to_the_business_unit(people, bu_user):
    people["chair"].is_active = False
    people["chair"].save()
    ActionFactory(
        subgroup=people["group"],
        owner_agency=people["lead"].agency,
        status="signed_off",
        due_on=days(-40),
        completed_on=days(-30),
        signed_off_by=bu_user,
        signed_off_on=days(-20),
        follow_up_on=days(-1),
        title="Template in use",
    )
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.filter(recipient=people["chair"]).exists()
    assert (
        "Template in use (its chair has an inactive account: sent to the Business Unit instead)"
    ) in _body_to(people["bu"])


def test_a_restricted_reviews_action_is_not_escalated_to_a_chair_who_may_not_open_it(people):
    review = ReviewFactory(is_restricted=True, reference="LCSPR-2025-009")
    ActionFactory(
        review=review,
        owner_agency=people["lead"].agency,
        subgroup=people["group"],
        due_on=days(-7),
        title="Publish the LCSPR",
    )
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.filter(recipient=people["chair"]).exists()
    assert Reminder.objects.filter(recipient=people["lead"]).exists()  # their agency's action
    assert "(its chair may not open it: sent to the Business Unit instead)" in _body_to(
        people["bu"]
    )


def test_an_archived_agencys_actions_and_evidence_are_not_chased(people):
    agency = people["lead"].agency
    ActionFactory(owner_agency=agency, subgroup=people["group"], due_on=days(-40))
    EvidenceFactory(agency=agency, outcome__theme__subgroup=people["group"], due_on=days(-40))
    leadless = AgencyFactory(name="Shropshire Domestic Abuse Service")
    ActionFactory(owner_agency=leadless, subgroup=people["group"], due_on=days(3))
    agency.is_active = False
    agency.save()
    leadless.is_active = False
    leadless.save()
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.exists()
    assert mail.outbox == []
