"""The Business Unit's pages for people, agencies, sub-groups and priorities: an address is one
person's and only their address now gets their reset link; the last officer keeps the admin
open; what someone or an agency leaves behind is said before and after; an inactive person is
neither shown nor appointed as current; an ended priority is no longer offered."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audits.tests.factories import SelfAssessmentFactory
from learning.meetings.tests.factories import ItemFactory, MeetingFactory
from learning.tests.factories import ActionFactory, EvidenceFactory
from reviews.tests.factories import ReviewAgencyFactory, ReviewFactory
from sscb.models import StrategicPriority, SubGroup, User
from sscb.tests.factories import (
    StrategicPriorityFactory,
    SubGroupFactory,
    SubGroupMembershipFactory,
    UserFactory,
)
from sscb.tests.posting import as_posted

pytestmark = pytest.mark.django_db


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def post_changed(client, obj, **changes):
    """The admin's change form of ``obj`` posted with ``changes``."""
    shown = client.get(change_url(obj))
    assert shown.status_code == 200
    formsets = [inline.formset for inline in shown.context["inline_admin_formsets"]]
    data = as_posted(shown.context["adminform"].form, formsets=formsets)
    if isinstance(obj, User):
        joined = timezone.localtime(obj.date_joined)
        data |= {"date_joined_0": f"{joined:%d/%m/%Y}", "date_joined_1": f"{joined:%H:%M:%S}"}
    return client.post(change_url(obj), {**data, **changes})


def refusals(response) -> str:
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def said(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.fixture
def bu(client, bu_user):
    client.force_login(bu_user)
    return client


# 1. Only the person's address now receives their reset link --------------------------------


def ask_reset(client, address):
    mail.outbox.clear()
    client.post(reverse("account_reset_password"), {"email": address})
    return [message for message in mail.outbox if "/password/reset/key/" in message.body]


def test_a_replaced_address_no_longer_gets_the_reset_link(bu, client, bu_user):
    jo = UserFactory(username="bu2", email="jo.baker@example.org", first_name="Jo")
    bu.post(
        reverse("admin:sscb_user_changelist"),
        {"action": "force_password_reset", "_selected_action": [jo.pk]},
    )
    assert EmailAddress.objects.filter(user=jo, email="jo.baker@example.org").exists()
    mail.outbox.clear()

    response = post_changed(bu, jo, email="jo.baker@newcouncil.example")

    assert response.status_code == 302
    told = sorted(message.to[0] for message in mail.outbox if "has changed" in message.subject)
    assert told == ["jo.baker@example.org", "jo.baker@newcouncil.example"]
    assert list(EmailAddress.objects.filter(user=jo).values_list("email", flat=True)) == []
    client.logout()
    assert ask_reset(client, "jo.baker@example.org") == []
    links = ask_reset(client, "JO.BAKER@newcouncil.example")
    assert [message.to for message in links] == [["jo.baker@newcouncil.example"]]


def test_an_address_kept_by_allauth_but_changed_elsewhere_gets_no_link(client, member_user):
    EmailAddress.objects.create(user=member_user, email=member_user.email)
    member_user.email = "member@elsewhere.example"
    member_user.save()  # not through the admin: a script, another page

    assert ask_reset(client, "member@example.org") == []
    assert len(ask_reset(client, "member@elsewhere.example")) == 1


# 2. The last Business Unit officer keeps the admin open ----------------------------------


@pytest.mark.parametrize(
    ("change", "field"), [({"role": "subgroup_member"}, "role"), ({"is_active": ""}, "is_active")]
)
def test_the_only_officer_cannot_demote_or_close_their_own_account(bu, bu_user, change, field):
    response = post_changed(bu, bu_user, **change)

    assert "ask another Business Unit officer" in refusals(response)
    assert field in response.context["adminform"].form.errors
    bu_user.refresh_from_db()
    assert bu_user.is_active and bu_user.is_business_unit


def test_the_last_active_officer_is_refused_on_any_path_and_another_may_be_demoted(bu, bu_user):
    bu_user.role = User.Role.EXECUTIVE
    with pytest.raises(Exception, match="only active Business Unit officer"):
        bu_user.full_clean()
    bu_user.refresh_from_db()
    other = UserFactory(username="bu-two", role=User.Role.BUSINESS_UNIT)
    assert post_changed(bu, other, is_active="").status_code == 302
    other.refresh_from_db()
    assert not other.is_active


# 3. An address is one person's -------------------------------------------------------------


def test_an_address_another_account_has_is_refused_naming_them(bu, agency_user):
    add = {
        "username": "dup1",
        "usable_password": "false",
        "first_name": "Kim",
        "last_name": "Jones",
        "email": agency_user.email.upper(),
        "role": "subgroup_member",
    }
    response = bu.post(reverse("admin:sscb_user_add"), add)
    words = refusals(response)
    assert f"{agency_user} (username agencylead) already has this email address" in words
    assert not User.objects.filter(username="dup1").exists()
    assert mail.outbox == []

    member = UserFactory(username="kim")
    words = refusals(post_changed(bu, member, email=f" {agency_user.email.title()}"))
    assert "already has this email address" in words


def test_the_database_refuses_a_shared_address_whatever_its_capitals(agency_user):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="dup2", email=agency_user.email.upper())
    UserFactory(username="none1", email="")
    UserFactory(username="none2", email="")  # people with no address are not one address


# 4. What a person leaves behind, before and after ------------------------------------------


@pytest.fixture
def holder(agency):
    """A person who chairs, sits on a panel, presents, owns an action and leads an agency."""
    person = UserFactory(
        username="holder", first_name="Sam", last_name="Patel", role="agency_lead", agency=agency
    )
    group = SubGroupFactory(code=SubGroup.Code.TRAINING, chair=person)
    review = ReviewFactory()
    review.panel_members.add(person)
    ItemFactory(meeting=MeetingFactory(body=group), presenter=person)
    ActionFactory(owner_agency=agency, owner=person, review=review)
    EvidenceFactory(agency=agency)
    ReviewAgencyFactory(
        review=review, agency=agency, chronology_requested_on=datetime.date(2025, 6, 1)
    )
    SelfAssessmentFactory(agency=agency)
    return person


HELD = [
    "Sam Patel {still}chairs Training",
    "sits on the panel of 1 review not yet closed",
    "presents 1 agenda item at meetings not yet held",
    "owns 1 open action",
    "the only active lead of West Mercia Police, which has 1 open action, 1 evidence request "
    "not yet answered, 1 chronology awaited and 1 audit return not yet submitted",
]


def test_the_change_form_says_what_someone_holds_before_they_are_made_inactive(bu, holder):
    page = bu.get(change_url(holder))
    words = said(page)
    assert "If Sam Patel leaves (Active unticked), these need someone else first" in words
    for held in HELD:
        assert held.format(still="") in words


def test_making_someone_inactive_says_what_they_left_behind(bu, holder):
    response = post_changed(bu, holder, is_active="")
    assert response.status_code == 302
    words = said(response)
    for held in HELD:
        assert held.format(still="still ") in words
    assert "West Mercia Police, which has" in words and "was the only active lead" in words


# 5. An inactive person is not shown or appointed as current -------------------------------


def test_an_inactive_chair_and_member_are_marked_and_may_not_be_appointed(bu, client, member_user):
    group = SubGroupFactory(chair=member_user)
    SubGroupMembershipFactory(subgroup=group, user=member_user)
    member_user.is_active = False
    member_user.save()
    page = bu.get(reverse("partnership")).content.decode()
    assert f"{member_user} (account inactive)" in page
    assert page.count("(account inactive)") == 2

    other = SubGroupFactory(code=SubGroup.Code.TRAINING)
    words = refusals(post_changed(bu, other, chair=member_user.pk))
    assert "account is inactive" in words
    other.refresh_from_db()
    assert other.chair is None
    found = bu.get(
        reverse("admin:autocomplete"),
        {"app_label": "sscb", "model_name": "subgroup", "field_name": "chair", "term": ""},
    ).json()
    assert str(member_user.pk) not in [row["id"] for row in found["results"]]
    # Saving the sub-group for another reason keeps the chair it has.
    assert post_changed(bu, group, purpose="Learning").status_code == 302


def test_home_marks_an_inactive_chair(client, member_user, executive_user):
    group = SubGroupFactory(chair=executive_user)
    SubGroupMembershipFactory(subgroup=group, user=member_user)
    User.objects.filter(pk=executive_user.pk).update(is_active=False)
    client.force_login(member_user)
    page = client.get(reverse("home")).content.decode()
    assert re.search(r"Chair: .*\(account inactive\)", page)


# 6. Archiving an agency says what is waiting on it ----------------------------------------


def test_archiving_an_agency_says_what_nobody_will_be_reminded_of(bu, agency):
    ActionFactory(owner_agency=agency)
    SelfAssessmentFactory(agency=agency)
    words = said(bu.get(change_url(agency)))
    assert "West Mercia Police has 1 open action and 1 audit return not yet submitted" in words
    assert "nobody is reminded of these any more" in words

    response = post_changed(bu, agency, is_active="")
    assert response.status_code == 302
    assert "is archived, and still has 1 open action and 1 audit return" in said(response)


# 7. An ended priority is no longer offered ------------------------------------------------


def test_a_priority_whose_end_year_has_passed_is_not_offered():
    ended = StrategicPriorityFactory(start_year=2023, end_year=2025)
    running = StrategicPriorityFactory(start_year=2023, end_year=2026)
    open_ended = StrategicPriorityFactory(start_year=2023)
    StrategicPriorityFactory(start_year=2023, is_active=False)
    in_2026 = datetime.date(2026, 5, 1)
    assert set(StrategicPriority.objects.offered(in_2026)) == {running, open_ended}
    assert ended in StrategicPriority.objects.offered(datetime.date(2026, 3, 31))


# 8. Deleting a person with records says why not -------------------------------------------


def test_the_deletion_page_of_a_person_with_records_says_to_untick_active(bu, member_user):
    User.objects.filter(pk=member_user.pk).update(last_login=timezone.now())
    page = bu.get(reverse("admin:sscb_user_delete", args=[member_user.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "users with records (untick Active instead)" in text
    assert "Your role does not allow" not in text
    assert bu.post(reverse("admin:sscb_user_delete", args=[member_user.pk]), {"post": "yes"})
    assert User.objects.filter(pk=member_user.pk).exists()
    assert 'class="deletelink"' not in bu.get(change_url(member_user)).content.decode()
