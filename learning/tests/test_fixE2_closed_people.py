"""A reminder goes only to someone who may open its item: an action's owner who may no longer
open it, or a chair who may not open an action, evidence or outcome, is passed over for the
chair, then the Business Unit, the reminder saying why. And an outcome the Executive did not
agree has no follow-up to chase."""

import datetime

import pytest
import time_machine
from django.core import mail

from learning.models import LearningOutcome
from learning.tests.factories import ActionFactory, EvidenceFactory, OutcomeFactory
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory, SubGroupFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)  # a Monday


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def frozen(settings):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 28
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(make_user, agency_user, bu_user):
    chair = make_user(username="chair", role="subgroup_member")
    group = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, chair=chair)
    return {"chair": chair, "lead": agency_user, "bu": bu_user, "group": group}


@pytest.fixture
def probation():
    return AgencyFactory(name="Probation Service (West Mercia)", short_name="Probation")


def _bodies():
    return {message.to[0]: message.body for message in mail.outbox}


def _moved(user, agency):
    """``user`` moved to ``agency`` in the admin: they may no longer open their old agency's."""
    user.agency = agency
    user.save()


def test_an_owner_who_may_no_longer_open_the_action_is_passed_over(people, make_user, probation):
    police = people["lead"].agency
    owner = make_user(username="plead", role="agency_lead", agency=police)
    action = ActionFactory(
        owner_agency=police,
        owner=owner,
        subgroup=people["group"],
        due_on=days(-30),
        title="Share notifications with schools",
    )
    _moved(owner, probation)
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.filter(recipient=owner).exists()
    bodies = _bodies()
    assert owner.email not in bodies
    assert (
        "Share notifications with schools (its owner may not open it: sent to the chair instead)"
    ) in bodies[people["chair"].email]
    to_bu = Reminder.objects.get(subject_id=action.pk, recipient=people["bu"])
    assert to_bu.level == Reminder.Level.BUSINESS_UNIT
    assert "its owner may not open it" in to_bu.title
    # Its owner's agency lead is not its owner: the owner's step went on, not to them.
    assert not Reminder.objects.filter(recipient=people["lead"]).exists()


def test_an_action_given_to_an_owner_who_may_not_open_it_is_told_to_the_chair(
    people, make_user, probation
):
    police = people["lead"].agency
    owner = make_user(username="plead", role="agency_lead", agency=police)
    ActionFactory(
        owner_agency=police, owner=owner, subgroup=people["group"], due_on=days(60), title="Audit"
    )
    _moved(owner, probation)
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.filter(recipient=owner).exists()
    told = Reminder.objects.get(kind=Reminder.Kind.ACTION_ASKED)
    assert told.recipient == people["chair"] and told.level == Reminder.Level.CHAIR
    assert "(its owner may not open it: sent to the chair instead)" in told.title
    assert "Newly asked, passed on to you" in _bodies()[people["chair"].email]


def test_an_owner_who_may_still_open_the_action_is_reminded_as_before(people):
    lead = people["lead"]
    ActionFactory(owner_agency=lead.agency, owner=lead, subgroup=people["group"], due_on=days(-1))
    reminders_sweep(today=TODAY)
    assert set(_bodies()) == {lead.email}


@pytest.fixture
def lead_as_chair(people, make_user):
    """The sub-group's chair is an agency's lead (made so in the admin): they open only what
    concerns their own agency."""
    health = AgencyFactory(name="Shrewsbury and Telford Hospital NHS Trust", short_name="SaTH")
    chair = make_user(username="sathlead", role="agency_lead", agency=health)
    people["group"].chair = chair
    people["group"].save()
    return chair


def test_overdue_evidence_is_not_escalated_to_a_chair_who_may_not_open_it(people, lead_as_chair):
    EvidenceFactory(
        agency=people["lead"].agency,
        outcome__theme__subgroup=people["group"],
        due_on=days(-10),
        title="Section 47 audit",
    )
    reminders_sweep(today=TODAY)
    bodies = _bodies()
    assert lead_as_chair.email not in bodies
    assert not Reminder.objects.filter(recipient=lead_as_chair).exists()
    assert (
        "Section 47 audit (its chair may not open it: sent to the Business Unit instead)"
    ) in bodies[people["bu"].email]
    assert "Section 47 audit" in bodies[people["lead"].email]  # its agency's own lead


def test_evidence_asked_of_a_leadless_agency_skips_a_chair_who_may_not_open_it(
    people, lead_as_chair
):
    leadless = AgencyFactory(name="Shropshire Domestic Abuse Service")
    EvidenceFactory(
        agency=leadless,
        outcome__theme__subgroup=people["group"],
        due_on=days(60),
        title="Refuge audit",
    )
    reminders_sweep(today=TODAY)
    told = Reminder.objects.get(kind=Reminder.Kind.EVIDENCE_ASKED)
    assert told.recipient == people["bu"]
    assert (
        "its agency has no lead, and its chair may not open it: sent to the Business Unit instead"
    ) in told.title


def test_an_outcome_follow_up_skips_a_chair_who_may_not_open_it(people, lead_as_chair):
    OutcomeFactory(
        theme__subgroup=people["group"],
        decision=LearningOutcome.Decision.AGREED,
        decided_on=days(-90),
        follow_up_on=days(-1),
        title="Neglect toolkit in use",
    )
    reminders_sweep(today=TODAY)
    assert not Reminder.objects.filter(recipient=lead_as_chair).exists()
    assert (
        "Neglect toolkit in use (its chair may not open it: sent to the Business Unit instead)"
    ) in _bodies()[people["bu"].email]


def test_an_outcome_the_executive_did_not_agree_has_no_follow_up(people):
    OutcomeFactory(
        theme__subgroup=people["group"],
        decision=LearningOutcome.Decision.NOT_AGREED,
        decided_on=days(-90),
        follow_up_on=days(-1),
        title="Not taken forward",
    )
    agreed = OutcomeFactory(
        theme__subgroup=people["group"],
        decision=LearningOutcome.Decision.AGREED,
        decided_on=days(-90),
        follow_up_on=days(-1),
        title="Taken forward",
    )
    reminders_sweep(today=TODAY)
    [follow_up] = Reminder.objects.filter(kind=Reminder.Kind.OUTCOME_FOLLOW_UP)
    assert follow_up.subject_id == agreed.pk
    assert "Not taken forward" not in _bodies()[people["chair"].email]
