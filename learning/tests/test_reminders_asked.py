"""What is newly asked of someone is told in their next digest, once, before anything is due:
an action given to its owner (or its agency's lead), evidence requested of an agency, a paper
asked of a presenter, a Section 11 / 175 return opened for an agency."""

import datetime

import pytest
import time_machine
from django.core import mail

from audits import services as audit_services
from audits.tests.factories import section_11
from learning import services
from learning.meetings import services as meeting_services
from learning.meetings.tests.factories import MeetingFactory
from learning.models import Action
from learning.tests.factories import EvidenceFactory, OutcomeFactory
from reviews.tests.factories import ReviewFactory
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory, SubGroupFactory, SubGroupMembershipFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)  # a Monday


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False) as traveller:
        yield traveller


def on(frozen, day, hour=7):
    frozen.move_to(datetime.datetime.combine(day, datetime.time(hour, 0)))
    return day


@pytest.fixture
def people(make_user, agency_user, bu_user):
    chair = make_user(username="chair", role="subgroup_member")
    group = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, chair=chair)
    return {"chair": chair, "lead": agency_user, "bu": bu_user, "group": group}


def give(people, due_on, **fields):
    """An action given to the lead's agency (to the lead by default), as the services add one."""
    return services.action_create(
        review=ReviewFactory(),
        title=fields.pop("title", "Share notifications with schools"),
        owner_agency=fields.pop("owner_agency", people["lead"].agency),
        owner=fields.pop("owner", people["lead"]),
        subgroup=people["group"],
        due_on=due_on,
        **fields,
    )


def test_an_action_given_to_someone_is_told_in_their_next_digest_once(frozen, people):
    give(people, days(60))
    lead = people["lead"]

    reminders_sweep(today=on(frozen, days(1)))
    [email] = mail.outbox
    assert email.to == [lead.email]
    assert email.subject.endswith(": 1 new item asked of you")
    assert "One new item has been asked of you" in email.body
    assert "Newly asked of you" in email.body
    assert "Action: Share notifications with schools, due 1 August 2025 (asked 2 June 2025)" in (
        email.body
    )

    # Once: not again the same day, the next days, nor when it comes due soon (a reminder).
    for day in (days(1), days(2), days(6), days(46)):
        reminders_sweep(today=on(frozen, day))
    assert len(mail.outbox) == 2
    assert "Newly asked" not in mail.outbox[1].body and "Action due soon" in mail.outbox[1].body


def test_an_action_already_due_soon_is_told_once_as_due_soon(frozen, people):
    give(people, days(10))
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert "Action due soon" in email.body and "Newly asked" not in email.body
    assert email.body.count("Share notifications with schools") == 1


def test_a_new_owner_is_told_and_so_is_an_owner_given_it_back(frozen, people, make_user):
    lead = people["lead"]
    action = give(people, days(60))
    reminders_sweep(today=TODAY)
    assert [m.to for m in mail.outbox] == [[lead.email]]

    colleague = make_user(username="colleague", agency=lead.agency, role="agency_lead")
    services.action_update(action=action, owner=colleague)
    services.action_update(action=Action.objects.get(pk=action.pk), title="Share them weekly")
    reminders_sweep(today=on(frozen, days(1)))
    assert [m.to for m in mail.outbox[1:]] == [[colleague.email]]
    assert "Action: Share them weekly" in mail.outbox[1].body

    on(frozen, days(3), hour=10)
    services.action_update(action=Action.objects.get(pk=action.pk), owner=lead)
    reminders_sweep(today=on(frozen, days(4)))
    assert [m.to for m in mail.outbox[2:]] == [[lead.email]]
    assert "(asked 5 June 2025)" in mail.outbox[2].body
    reminders_sweep(today=on(frozen, days(5)))
    assert len(mail.outbox) == 3


def test_whoever_gives_an_action_to_themself_is_not_told(frozen, people):
    lead = people["lead"]
    action = give(people, days(60), owner=None)
    reminders_sweep(today=TODAY)
    assert [m.to for m in mail.outbox] == [[lead.email]]  # asked of the agency: its lead

    action = Action.objects.get(pk=action.pk)
    action._history_user = lead  # the lead takes it, signed in
    services.action_update(action=action, owner=lead)
    reminders_sweep(today=on(frozen, days(1)))
    assert len(mail.outbox) == 1


def test_whoever_gives_an_action_to_someone_who_cannot_be_told_is_told_that(
    frozen, people, make_user
):
    chair = people["chair"]
    gone = make_user(username="gone", agency=people["lead"].agency, email="")
    action = give(people, days(60))
    reminders_sweep(today=TODAY)
    action = Action.objects.get(pk=action.pk)
    action._history_user = chair  # the chair gives it to someone with no email address
    services.action_update(action=action, owner=gone)
    reminders_sweep(today=on(frozen, days(1)))
    assert [m.to for m in mail.outbox[1:]] == [[chair.email]]
    assert "(its owner has no email address: sent to the chair instead)" in mail.outbox[1].body


def test_an_owner_who_cannot_be_emailed_is_passed_over_for_the_chair_saying_why(
    frozen, people, make_user
):
    gone = make_user(username="gone", agency=people["lead"].agency, email="")
    give(people, days(60), owner=gone, title="Audit strategy meeting minutes")
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert email.to == [people["chair"].email]
    assert "Newly asked, passed on to you" in email.body and "Newly asked of you" not in email.body
    assert (
        "Action: Audit strategy meeting minutes, due 1 August 2025 (its owner has no email "
        "address: sent to the chair instead)"
    ) in email.body
    assert "It has been escalated to you" in email.body
    assert "need" in email.subject and "asked of you" not in email.subject


def test_someone_who_turned_their_emails_off_is_not_emailed(frozen, people):
    lead = people["lead"]
    lead.email_reminders = False
    lead.save()
    give(people, days(60))
    reminders_sweep(today=TODAY)
    assert mail.outbox == []
    assert Reminder.objects.get().status == Reminder.Status.NOT_EMAILED


def test_evidence_requested_of_an_agency_is_told_to_its_lead(frozen, people):
    lead = people["lead"]
    outcome = OutcomeFactory(theme__subgroup=people["group"])
    services.evidence_save(
        outcome=outcome,
        way="agency_report",
        agency=lead.agency,
        title="Police report on missing episodes",
        requested_on=TODAY,
        due_on=datetime.date(2025, 7, 15),
    )
    services.evidence_save(
        outcome=outcome,
        way="agency_report",
        agency=lead.agency,
        title="Training figures",
        requested_on=TODAY,
    )
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert email.to == [lead.email]
    assert email.subject.endswith(": 2 new items asked of you")
    assert "2 new items have been asked of you" in email.body
    assert "Evidence: Police report on missing episodes, due 15 July 2025" in email.body
    assert "Evidence: Training figures (asked 2 June 2025)" in email.body
    reminders_sweep(today=on(frozen, days(1)))
    assert len(mail.outbox) == 1


def test_evidence_recorded_without_a_request_is_not_told(frozen, people):
    EvidenceFactory(agency=people["lead"].agency, requested_on=None, due_on=None)
    reminders_sweep(today=TODAY)
    assert mail.outbox == []


@pytest.fixture
def crp(db):
    return SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL, name="Case Review Panel")


def test_a_paper_asked_of_a_presenter_is_told_to_them(frozen, crp, make_user):
    presenter = make_user(username="presenter")
    SubGroupMembershipFactory(subgroup=crp, user=presenter)
    meeting = MeetingFactory(body=crp, held_on=days(30), papers_due_on=days(23))
    meeting_services.item_add(meeting=meeting, title="Neglect audit findings", presenter=presenter)
    undated = MeetingFactory(body=crp, held_on=days(40), papers_due_on=None)
    meeting_services.item_add(meeting=undated, title="Annual report", presenter=presenter)
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert email.to == [presenter.email]
    assert "Papers for item 1: Neglect audit findings, due 25 June 2025" in email.body
    assert "Papers for item 1: Annual report, for the meeting on 12 July 2025" in email.body
    assert f"/meetings/{meeting.uuid}/#item-1" in email.body


def test_a_restricted_reviews_paper_reads_restricted_item_once_its_reader_may_not_open_it(
    frozen, crp, make_user, client
):
    presenter = make_user(username="onpanel")
    SubGroupMembershipFactory(subgroup=crp, user=presenter)
    review = ReviewFactory(
        reference="LCSPR-2025-001",
        title="Child exploitation and going missing from care",
        subgroup=crp,
        is_restricted=True,
    )
    review.panel_members.add(presenter)
    meeting = MeetingFactory(body=crp, held_on=days(30), papers_due_on=days(23))
    meeting_services.item_add(
        meeting=meeting, title="The review's report", review=review, presenter=presenter
    )
    reminders_sweep(today=TODAY)
    [email] = mail.outbox
    assert "Papers for item 1: LCSPR-2025-001, due 25 June 2025" in email.body
    assert "going missing" not in email.body

    review.panel_members.remove(presenter)
    client.force_login(presenter)
    page = client.get("/reminders/").content.decode()
    assert "Papers for item 1: Restricted item" in page
    assert "LCSPR-2025-001" not in page and f"/meetings/{meeting.uuid}/" not in page


def test_a_return_opened_for_an_agency_is_told_to_its_lead(frozen, people, make_user):
    lead, bu = people["lead"], people["bu"]
    make_user(username="bu2", role="business_unit")
    school = AgencyFactory(name="Oswestry Primary School", kind="school")
    audit_services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit 2025/26",
        financial_year=2025,
        deadline=datetime.date(2025, 9, 30),
        agencies=[lead.agency, school],
        by=bu,
    )
    reminders_sweep(today=TODAY)
    # The lead; not the Business Unit, which opened the cycle and completes the school's return.
    [email] = mail.outbox
    assert email.to == [lead.email]
    assert f"Section 11 audit 2025/26: {lead.agency.name}, due 30 September 2025" in email.body
    assert "Oswestry" not in email.body
    reminders_sweep(today=on(frozen, days(1)))
    assert len(mail.outbox) == 1


def test_my_reminders_stops_naming_an_action_once_its_reader_may_not_open_it(
    frozen, people, client
):
    lead = people["lead"]
    action = give(people, days(60))
    reminders_sweep(today=TODAY)
    client.force_login(lead)
    page = client.get("/reminders/").content.decode()
    assert "Action: Share notifications with schools" in page and "Newly asked of you" in page
    Action.objects.filter(pk=action.pk).update(owner_agency=AgencyFactory(name="Probation"))
    page = client.get("/reminders/").content.decode()
    assert "Share notifications" not in page and "An action you may not open" in page
