"""The admin holds the Business Unit to the rules the tracker's own pages and services hold
everyone to: what a service refuses, the admin refuses (or does not offer); what only a service
makes (a numbered action, an audit's reference), the admin does not add; and Django's own
flags (superuser, staff) give nobody more than their role."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, CaseAuditEntry
from learning.meetings.models import AgendaItem, Attendance, Meeting
from learning.models import Action, Finding, PriorityTheme
from learning.scrutiny.models import Inspection, Recommendation
from learning.tests.factories import ActionFactory
from reviews import services as review_services
from reviews.models import ChildDeathDetails, ChronologyEntry, Review, ReviewTeamMember
from sscb.models import Agency, StrategicPriority, SubGroup, User
from sscb.tests.factories import AgencyFactory, UserFactory
from sscb.tests.posting import as_posted
from sscb.tests.world import world_with_admin_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_with_admin_rows(django_db_blocker, str(tmp_path_factory.mktemp("media"))) as built:
        yield built


@pytest.fixture
def bu(client, world):
    client.force_login(world.users["business_unit"])
    return client


def url(obj, page="change", *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk, *args])


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def shown_as_posted(client, obj):
    """What the admin's change form of ``obj`` posts unchanged."""
    shown = client.get(url(obj))
    assert shown.status_code == 200
    formsets = [inline.formset for inline in shown.context["inline_admin_formsets"]]
    data = as_posted(shown.context["adminform"].form, formsets=formsets)
    if isinstance(obj, User):  # the admin shows the day joined as a date and a time
        joined = timezone.localtime(obj.date_joined)
        data |= {"date_joined_0": f"{joined:%d/%m/%Y}", "date_joined_1": f"{joined:%H:%M:%S}"}
    return data


def post_changed(client, obj, **changes):
    return client.post(url(obj), {**shown_as_posted(client, obj), **changes})


def refusals(response) -> str:
    """The form's errors as the page says them (200: nothing saved)."""
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def row(model, pk):
    return model._default_manager.filter(pk=pk).values().get()


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def account_page(client, person):
    return client.get(url(person)).context["adminform"].form.fields


# 1, 12. The role decides: no superuser or staff flag widens it ------------------------------


def test_a_member_made_superuser_sees_what_a_member_sees(client, world):
    member = UserFactory(username="supmember", role=User.Role.SUBGROUP_MEMBER)
    User.objects.filter(pk=member.pk).update(is_superuser=True, is_staff=True)
    member.refresh_from_db()
    assert not member.is_business_unit and not member.has_perm("reviews.change_review")
    client.force_login(member)
    restricted = world.reviews["restricted"]
    assert client.get(reverse("reviews:detail", args=[restricted.uuid])).status_code == 404
    admin_home = client.get(reverse("admin:index"))
    assert admin_home.status_code == 302 and "/login/" in admin_home["Location"]


def test_staff_status_opens_no_admin_to_another_role(client, world):
    executive = world.users["executive"]
    User.objects.filter(pk=executive.pk).update(is_staff=True)
    client.force_login(executive)
    assert client.get(reverse("admin:index")).status_code == 302


def test_neither_flag_is_offered_and_a_posted_one_is_ignored(world, bu):
    member = world.users["outside_member"]
    fields = account_page(bu, member)
    assert "is_superuser" not in fields and "is_staff" not in fields and "role" in fields
    assert post_changed(bu, member, is_superuser="on", is_staff="on").status_code == 302
    member.refresh_from_db()
    assert not (member.is_superuser or member.is_staff)
    page = bu.get(url(member)).content.decode()
    assert "only a Business Unit officer opens this admin" in page


def test_createsuperuser_makes_a_business_unit_officer(client, monkeypatch, world):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password-123")
    call_command(
        "createsuperuser",
        "--noinput",
        username="first-officer",
        email="first-officer@example.org",
        first_name="Jo",
        last_name="Officer",
    )
    officer = User.objects.get(username="first-officer")
    assert officer.role == User.Role.BUSINESS_UNIT and officer.is_business_unit
    assert officer.get_full_name() == "Jo Officer"
    client.force_login(officer)
    assert client.get(reverse("admin:index")).status_code == 200


def test_createsuperuser_refuses_an_address_another_account_holds(monkeypatch, world):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-password-123")
    taken = world.users["business_unit"].email.upper()
    with pytest.raises(CommandError, match="Another account has this email address already"):
        call_command(
            "createsuperuser",
            "--noinput",
            username="second-officer",
            email=taken,
            first_name="Jo",
            last_name="Officer",
        )
    assert not User.objects.filter(username="second-officer").exists()


def test_a_reviewer_made_executive_is_told_of_the_reviews_they_lead(world, bu):
    reviewer = world.users["independent_reviewer"]
    led = reviewer.led_reviews.exclude(stage=Review.Stage.CLOSED).count()
    assert led
    response = post_changed(bu, reviewer, role=User.Role.EXECUTIVE)
    assert response.status_code == 302
    words = " ".join(said(response))
    plural = "1 review" if led == 1 else f"{led} reviews"
    assert f"still leads {plural} not yet closed" in words
    assert "choose another lead reviewer on each review's page" in words


def test_closing_an_owners_account_says_their_open_actions_need_another_owner(world, bu):
    lead = world.users["agency_lead"]
    ActionFactory(
        review=world.reviews["open_A"],
        owner_agency=world.agency_a,
        owner=lead,
        subgroup=world.subgroups["li"],
    )
    response = post_changed(bu, lead, is_active="")
    assert response.status_code == 302
    assert "still owns 1 open action that they may no longer own" in " ".join(said(response))


def test_a_change_that_leaves_nothing_behind_says_nothing_more(world, bu):
    member = world.users["outside_member"]
    response = post_changed(bu, member, role=User.Role.EXECUTIVE)
    assert response.status_code == 302
    assert not [words for words in said(response) if "still" in words]


# 10. A person's names and job title hold a name, never a child's identifier -----------------


@pytest.mark.parametrize("field", ["first_name", "last_name", "job_title"])
def test_a_persons_names_refuse_an_nhs_number(world, bu, field):
    person = world.users["outside_member"]
    before = row(User, person.pk)
    response = post_changed(bu, person, **{field: "Child seen; NHS 943 476 5919"})
    assert "This looks like an NHS number (943 476 5919)" in refusals(response)
    assert row(User, person.pk) == before


def test_a_persons_names_may_be_a_name(world, bu):
    person = world.users["outside_member"]
    changes = {"first_name": "Jayden", "last_name": "Smith", "job_title": "Head of Year 7"}
    assert post_changed(bu, person, **changes).status_code == 302
    assert User.objects.filter(pk=person.pk, first_name="Jayden", last_name="Smith").exists()


NEW_PERSON = {
    "username": "dana.lead",
    "first_name": "Dana",
    "last_name": "Reid",
    "role": User.Role.SUBGROUP_MEMBER,
}


def test_a_new_person_is_emailed_a_link_to_choose_their_password(world, bu, mailoutbox):
    """The usual way in: no password the Business Unit knows, and a welcome email (not "your
    password was reset") with a link, kept in their history."""
    shown = bu.get(add_url(User)).content.decode()
    assert "Password-based authentication" not in shown and "LDAP" not in shown
    refused = bu.post(add_url(User), {**NEW_PERSON, "usable_password": "false"})
    assert "Give their email address to send the link to" in refusals(refused)
    assert not User.objects.filter(username="dana.lead").exists()

    data = {**NEW_PERSON, "usable_password": "false", "email": "dana@example.org"}
    response = bu.post(add_url(User), data, follow=True)
    assert "Link to choose a password emailed: dana.lead." in response.content.decode()
    dana = User.objects.get(username="dana.lead")
    assert not dana.has_usable_password()
    [email] = mailoutbox
    assert email.to == ["dana@example.org"] and "your new account" in email.subject
    assert "made you an account" in email.body and "reset your password" not in email.body
    assert dana.history.first().history_change_reason == (
        "Link to choose a password sent by bu; reset link emailed"
    )


def test_a_new_account_refuses_a_postcode_in_its_job_title(world, bu):
    data = {
        "username": "newperson",
        "password1": "a-long-password-123",
        "password2": "a-long-password-123",
        "usable_password": "true",
        "first_name": "Robin",
        "last_name": "Shaw",
        "role": User.Role.SUBGROUP_MEMBER,
        "job_title": "Visited SY1 1AA",
    }
    response = bu.post(add_url(User), data)
    assert "This looks like a postcode (SY1 1AA)" in refusals(response)
    assert not User.objects.filter(username="newperson").exists()


# 2. What a service numbers or gives a reference to is not added here ------------------------


@pytest.mark.parametrize(
    ("model", "where"),
    [
        (Action, "Add an action to its plan"),
        (Recommendation, "Add a recommendation"),
        (Audit, "Record an audit"),
        (Inspection, "Add to the register"),
    ],
)
def test_a_record_a_service_numbers_is_not_added_here(model, where, world, bu):
    count = model.objects.count()
    assert bu.get(add_url(model)).status_code == 403
    assert bu.post(add_url(model), {"title": "Added in the admin"}).status_code == 403
    assert model.objects.count() == count
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert f"({where}" in bu.get(changelist).content.decode()


def test_an_inspections_page_adds_no_recommendation(world, bu):
    inspection = world.inspection
    shown = bu.get(url(inspection))
    (rows,) = [
        each
        for each in shown.context["inline_admin_formsets"]
        if each.formset.model is Recommendation
    ]
    assert not rows.has_add_permission  # no empty row to fill in
    data = shown_as_posted(bu, inspection)
    prefix, shown_rows = rows.formset.prefix, len(rows.formset.forms)
    data |= {
        f"{prefix}-TOTAL_FORMS": str(shown_rows + 1),
        f"{prefix}-{shown_rows}-text": "Added in the admin",
    }
    before = inspection.recommendations.count()
    bu.post(url(inspection), data)
    assert inspection.recommendations.count() == before


# 3. CDOP's record: only a child death review's, and kept once the review is closed -----------


def _closed(review):
    Review.objects.filter(pk=review.pk).update(stage=Review.Stage.CLOSED)
    review.refresh_from_db()
    return review


def test_a_closed_child_death_reviews_cdop_record_is_not_emptied_in_the_admin(world, bu):
    details = _closed(world.child_death).child_death
    before = row(ChildDeathDetails, details.pk)
    response = post_changed(bu, details, meeting="", category="", modifiable_factors="")
    assert "The child death review is closed" in refusals(response)
    assert row(ChildDeathDetails, details.pk) == before


def test_a_closed_child_death_reviews_cdop_record_is_not_emptied_on_its_page(world):
    review = _closed(world.child_death)
    with pytest.raises(ValidationError, match="Correct it rather than remove it"):
        review_services.child_death_record(
            review=review,
            by=world.users["business_unit"],
            meeting=None,
            category=None,
            modifiable_factors="",
        )
    corrected = review_services.child_death_record(
        review=review, by=world.users["business_unit"], ncmd_reference="NCMD-0002"
    )
    assert corrected.ncmd_reference == "NCMD-0002"


def test_cdop_record_is_added_on_the_reviews_page_and_only_for_a_child_death(world, bu):
    open_b = world.reviews["open_B"]
    assert bu.post(add_url(ChildDeathDetails), {"review": open_b.pk}).status_code == 403
    assert not ChildDeathDetails.objects.filter(review=open_b).exists()
    with pytest.raises(ValidationError, match="Only a child death review"):
        ChildDeathDetails(review=open_b).full_clean()
    details = world.child_death.child_death
    assert "review" not in account_page(bu, details)


# 5. An action stays in its plan, under its number ---------------------------------------------


def test_an_action_is_not_moved_to_another_plan_in_the_admin(world, bu):
    action = world.actions["own"]
    before = row(Action, action.pk)
    fields = account_page(bu, action)
    assert not {"review", "audit", "outcome", "recommendation", "standard_assessment"} & set(fields)
    changes = {"review": world.reviews["open_B"].pk, "audit": world.audits["other"].pk}
    response = post_changed(bu, action, title="Police to retrain all officers", **changes)
    assert response.status_code == 302
    after = row(Action, action.pk)
    assert after["title"] == "Police to retrain all officers"
    kept = ("review_id", "audit_id", "plan", "number")
    assert [after[name] for name in kept] == [before[name] for name in kept]


# 7. An agency or priority that a record links to is archived, not deleted ------------------


def test_an_agency_a_finding_links_to_is_not_deleted(world, bu):
    agency = AgencyFactory(name="Temporary Test Agency")
    finding = world.findings["own"]
    finding.agencies.add(agency)
    page = bu.get(url(agency, "delete")).content.decode()
    assert "Cannot delete agency" in page and "Finding: <a href=" in page
    bu.post(url(agency, "delete"), {"post": "yes"})
    assert Agency.objects.filter(pk=agency.pk).exists()
    assert finding.agencies.filter(pk=agency.pk).exists()


def test_an_agency_an_audit_links_to_is_not_deleted_from_the_list_either(world, bu):
    agency = AgencyFactory(name="Temporary Test Agency")
    world.audits["other"].agencies.add(agency)
    chosen = {"action": "delete_selected", "_selected_action": [agency.pk], "post": "yes"}
    bu.post(reverse("admin:sscb_agency_changelist"), chosen)
    assert world.audits["other"].agencies.filter(pk=agency.pk).exists()


def test_a_priority_a_theme_links_to_is_not_deleted(world, bu):
    priority = world.priority
    assert PriorityTheme.objects.filter(priorities=priority).exists()
    page = bu.get(url(priority, "delete")).content.decode()
    assert "Priority theme: <a href=" in page
    bu.post(url(priority, "delete"), {"post": "yes"})
    assert StrategicPriority.objects.filter(pk=priority.pk).exists()


# 8. A meeting's body, date and agenda go through the meeting's page -------------------------


def test_a_meetings_body_and_date_are_not_changed_in_the_admin(world, bu):
    meeting = world.meetings["held"]
    before = row(Meeting, meeting.pk)
    assert not {"body", "held_on", "papers_due_on"} & set(account_page(bu, meeting))
    later = timezone.localdate() + datetime.timedelta(days=60)
    changes = {"body": world.subgroups["qap"].pk, "held_on": later.isoformat(), "place": "Hub"}
    assert post_changed(bu, meeting, **changes).status_code == 302
    after = row(Meeting, meeting.pk)
    assert (after["body_id"], after["held_on"], after["place"]) == (
        before["body_id"],
        before["held_on"],
        "Hub",
    )


def test_a_meeting_is_still_scheduled_in_the_admin_with_its_body_and_date(world, bu):
    day = timezone.localdate() + datetime.timedelta(days=30)
    data = {
        "body": world.subgroups["crp"].pk,
        "held_on": day.isoformat(),
        "place": "Shirehall",
        **{
            f"{prefix}-{key}": "0"
            for prefix in ("items", "attendance")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    response = bu.post(add_url(Meeting), data)
    assert response.status_code == 302, refusals(response)
    assert Meeting.objects.filter(body=world.subgroups["crp"], held_on=day).exists()


def test_a_meeting_whose_minutes_are_approved_is_not_changed_in_the_admin(world, bu):
    meeting = world.meetings["earlier"]
    data = shown_as_posted(bu, meeting)
    Meeting.objects.filter(pk=meeting.pk).update(
        status=Meeting.Status.MINUTES_APPROVED, minutes_approved_at=world.meetings["held"]
    )
    assert bu.post(url(meeting), {**data, "place": "Elsewhere"}).status_code == 403
    item = world.items["open"]
    AgendaItem.objects.filter(pk=item.pk).update(meeting=meeting)
    assert bu.post(url(item), {"title": "Renamed"}).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).place == "Shirehall"


def test_an_agenda_item_is_added_on_the_meetings_page_not_here(world, bu):
    outcome = world.outcomes["other"]
    data = {
        "meeting": world.meetings["planned"].pk,
        "position": 9,
        "subject": "outcome",
        "title": "Admin outcome",
        "outcome": outcome.pk,
    }
    assert bu.post(add_url(AgendaItem), data).status_code == 403
    assert not AgendaItem.objects.filter(outcome=outcome).exists()
    item = world.items["held_outcome"]
    assert not {"meeting", "outcome", "position", "subject"} & set(account_page(bu, item))


def test_attendance_is_recorded_only_while_the_meeting_is_minuted(world, bu):
    assert bu.get(add_url(Attendance)).status_code == 403
    entry = Attendance.objects.filter(meeting=world.meetings["held"]).first()
    Meeting.objects.filter(pk=entry.meeting_id).update(status=Meeting.Status.PLANNED)
    assert bu.post(url(entry), {"status": Attendance.Status.ABSENT}).status_code == 403
    assert Attendance.objects.get(pk=entry.pk).status == entry.status


# 9. The case file, graded cases and themes: the services' rules ----------------------------


def _entry_data(review, agency):
    return {
        "review": review.pk,
        "agency": agency.pk,
        "happened_on": "2025-03-01",
        "what_happened": "Home visit by school nurse",
        "source": "School record",
    }


def test_a_chronology_entry_is_only_for_an_agency_taking_part(world, bu):
    review, outsider = world.reviews["open_A"], AgencyFactory(name="Ludlow CE School")
    response = bu.post(add_url(ChronologyEntry), _entry_data(review, outsider))
    assert "Choose one of the agencies you may enter for" in refusals(response)
    assert not ChronologyEntry.objects.filter(agency=outsider).exists()
    entry = world.chronology["own"]
    response = post_changed(bu, entry, agency=outsider.pk)
    assert "Choose one of the agencies you may enter for" in refusals(response)
    added = bu.post(add_url(ChronologyEntry), _entry_data(review, world.agency_b))
    assert added.status_code == 302
    assert "review" not in account_page(bu, entry)


def test_a_closed_chronology_takes_no_entry_in_the_admin(world, bu):
    review = world.reviews["open_A"]
    Review.objects.filter(pk=review.pk).update(chronology_closed_on=timezone.localdate())
    response = bu.post(add_url(ChronologyEntry), _entry_data(review, world.agency_a))
    assert "The chronology was closed on" in refusals(response)
    entry = world.chronology["own"]
    response = post_changed(bu, entry, what_happened="Changed after closing")
    assert "The chronology was closed on" in refusals(response)


def test_cases_are_graded_on_the_audits_page_not_here(world, bu):
    themed = world.audits["other"]
    data = {"audit": themed.pk, "agency": world.agency_b.pk, "pseudonym": "Child Z"}
    assert bu.post(add_url(CaseAuditEntry), {**data, "grade": "good"}).status_code == 403
    assert not themed.cases.exists()
    case = CaseAuditEntry.objects.filter(audit=world.audits["own"]).first()
    assert "audit" not in account_page(bu, case)


def test_a_complete_audits_cases_are_not_changed_in_the_admin(world, bu):
    audit = world.audits["own"]
    case = audit.cases.first()
    data = shown_as_posted(bu, case)
    Audit.objects.filter(pk=audit.pk).update(stage=Audit.Stage.COMPLETE)
    assert bu.post(url(case), {**data, "grade": "inadequate"}).status_code == 403
    assert CaseAuditEntry.objects.get(pk=case.pk).grade == case.grade
    shown = bu.get(url(audit))
    (rows,) = [
        each
        for each in shown.context["inline_admin_formsets"]
        if each.formset.model is CaseAuditEntry
    ]
    assert not rows.has_change_permission


def test_a_finding_is_not_put_into_a_theme_in_the_admin(world, bu):
    finding, theme = world.findings["unthemed_own"], world.themes["own"]
    PriorityTheme.objects.filter(pk=theme.pk).update(status=PriorityTheme.Status.CLOSED)
    assert "theme" not in account_page(bu, finding)
    assert post_changed(bu, finding, theme=theme.pk).status_code == 302
    assert Finding.objects.get(pk=finding.pk).theme_id is None
    page = bu.get(url(finding)).content.decode()
    assert "Collate findings" in page
    shown = bu.get(url(theme))
    (rows,) = [
        each for each in shown.context["inline_admin_formsets"] if each.formset.model is Finding
    ]
    assert not rows.has_add_permission


def _member_data(review, person, **fields):
    return {
        "review": review.pk,
        "person": person.pk,
        "role": ReviewTeamMember.Role.AGENCY_REPRESENTATIVE,
        "agency": person.agency_id,
        "joined_on": "01/06/2025",
        **fields,
    }


def test_nobody_leaves_a_review_team_before_joining_it(world, bu):
    review, lead = world.reviews["open_A"], world.users["agency_lead"]
    response = bu.post(add_url(ReviewTeamMember), _member_data(review, lead, left_on="01/05/2025"))
    assert "The day they left the team" in refusals(response)
    assert not review.team.filter(person=lead).exists()


def test_nobody_holds_the_same_role_twice_on_a_review_team(world, bu):
    review, lead = world.reviews["open_A"], world.users["agency_lead"]
    assert bu.post(add_url(ReviewTeamMember), _member_data(review, lead)).status_code == 302
    response = bu.post(add_url(ReviewTeamMember), _member_data(review, lead))
    assert "This person already has that role on the team" in refusals(response)
    assert review.team.filter(person=lead).count() == 1
    member = review.team.get(person=lead)
    assert "review" not in account_page(bu, member)


# 11. A standing body's code, which records depend on, stays ----------------------------------


def test_a_standing_bodys_code_is_not_cleared_while_records_depend_on_it(world, bu):
    cdop = world.subgroups["cdop"]
    assert cdop.meetings.exists()
    data = shown_as_posted(bu, cdop)
    response = bu.post(url(cdop), {**data, "code": ""})
    assert "depend on its being the Child Death Overview Panel" in refusals(response)
    assert SubGroup.objects.get(pk=cdop.pk).code == SubGroup.Code.CDOP


def test_a_body_nothing_depends_on_may_be_given_another_code(world, bu):
    body = SubGroup.objects.create(name="Board", code=SubGroup.Code.BOARD, purpose="The Board.")
    response = post_changed(bu, body, code="")
    assert response.status_code == 302
    assert SubGroup.objects.get(pk=body.pk).code is None


def test_an_action_whose_owner_may_no_longer_own_it_is_saved_once_another_is_chosen(world, bu):
    lead = world.users["agency_lead"]
    action = ActionFactory(
        review=world.reviews["open_A"],
        owner_agency=world.agency_a,
        owner=lead,
        subgroup=world.subgroups["li"],
    )
    data = shown_as_posted(bu, action)
    User.objects.filter(pk=lead.pk).update(is_active=False)
    response = bu.post(url(action), {**data, "title": "Renamed in the admin"})
    assert "may no longer own an action" in refusals(response)
    assert Action.objects.get(pk=action.pk).title == action.title
    response = bu.post(url(action), {**data, "title": "Renamed in the admin", "owner": ""})
    assert response.status_code == 302


def test_a_reviewer_made_executive_sees_what_an_executive_sees(client, world):
    reviewer = world.users["independent_reviewer"]
    User.objects.filter(pk=reviewer.pk).update(role=User.Role.EXECUTIVE)
    reviewer.refresh_from_db()
    client.force_login(reviewer)
    restricted = world.reviews["restricted"]
    assert restricted.lead_reviewer_id == reviewer.pk and restricted.is_restricted
    assert client.get(reverse("reviews:detail", args=[restricted.uuid])).status_code == 404


def test_a_strategic_priority_runs_in_a_plausible_year(world, bu):
    response = bu.post(add_url(StrategicPriority), {"title": "Far", "start_year": 1800, "order": 0})
    assert "Give a year from 1900 to 2100." in refusals(response)
    assert not StrategicPriority.objects.filter(title="Far").exists()
