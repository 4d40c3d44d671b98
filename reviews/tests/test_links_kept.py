"""Editing a review, its agencies or CDOP's record never drops a link its editor did not mean
to drop (``sscb.forms.keep_links``): a person no longer active, an agency archived or a category
retired stays offered, marked, and is kept by a save that leaves it; nothing archived or
inactive is added by sending its key. Each page is saved as a browser sends it, from what it
shows."""

import datetime
from html import unescape

import pytest
from django.urls import reverse

from reviews.child_death_data import install
from reviews.models import AgeBand, ChildDeathDetails, DeathCategory, Review, ReviewAgency
from reviews.tests.factories import ReviewAgencyFactory, open_review
from sscb.models import Agency, SubGroup
from sscb.tests.factories import (
    AgencyFactory,
    SubGroupFactory,
    SubGroupMembershipFactory,
    UserFactory,
)
from sscb.tests.posting import from_page

pytestmark = pytest.mark.django_db


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_register_keeps_a_panel_member_no_longer_active(client, bu_user, crp):
    """On a restricted review the panel says who may open it: a member whose account was
    closed stays on it until the Business Unit takes them off."""
    left = UserFactory(username="left", first_name="Sam", last_name="Lee")
    stays = UserFactory(username="stays", first_name="Jo", last_name="Khan")
    review = open_review(by=bu_user, kind=Review.Kind.LEARNING_REVIEW, subgroup=crp)
    review.is_restricted = True
    review.save()
    review.panel_members.set([left, stays])
    left.is_active = False
    left.save()
    gone = UserFactory(username="gone", first_name="Al", last_name="Gone", is_active=False)
    client.force_login(bu_user)
    url = reverse("reviews:section", args=[review.uuid, "register"])
    html = page(client, url)
    assert "Sam Lee (no longer offered)" in unescape(html) and "Al Gone" not in html
    assert client.post(url, from_page(html, title="Neglect of two brothers")).status_code == 302
    review.refresh_from_db()
    assert review.title == "Neglect of two brothers"
    assert set(review.panel_members.all()) == {left, stays}
    refused = client.post(url, from_page(html, panel_members=[str(stays.pk), str(gone.pk)]))
    assert "panel_members" in refused.context["form"].errors
    assert set(review.panel_members.all()) == {left, stays}


def test_a_panel_member_from_another_sub_group_saves_the_register_as_it_is(client, crp):
    """A panel member may edit a review their own sub-group does not own: its sub-group is
    kept, not refused as a choice they cannot make."""
    li = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)
    member = UserFactory(username="panellist")
    SubGroupMembershipFactory(subgroup=li, user=member)
    review = open_review(kind=Review.Kind.LEARNING_REVIEW, subgroup=crp)
    review.panel_members.add(member)
    client.force_login(member)
    url = reverse("reviews:section", args=[review.uuid, "register"])
    assert client.post(url, from_page(page(client, url), title="Renamed")).status_code == 302
    review.refresh_from_db()
    assert (review.title, review.subgroup) == ("Renamed", crp)


def test_the_reviewer_section_keeps_a_lead_reviewer_no_longer_active(client, bu_user, crp):
    reviewer = UserFactory(
        username="rev", first_name="Pat", last_name="Dee", role="independent_reviewer"
    )
    review = open_review(by=bu_user, kind=Review.Kind.LEARNING_REVIEW, subgroup=crp)
    Review.objects.filter(pk=review.pk).update(lead_reviewer=reviewer)
    reviewer.is_active = False
    reviewer.save()
    client.force_login(bu_user)
    url = reverse("reviews:section", args=[review.uuid, "reviewer"])
    html = page(client, url)
    assert "Pat Dee (no longer offered)" in unescape(html)
    assert client.post(url, from_page(html)).status_code == 302
    review.refresh_from_db()
    assert review.lead_reviewer == reviewer


def test_the_agencies_of_a_review_save_with_one_archived_since(client, bu_user, crp):
    """An archived agency's row was refused ("not one of the choices"), so no row could be
    saved; it stays, marked, and no archived agency is added."""
    review = open_review(
        by=bu_user,
        kind=Review.Kind.LEARNING_REVIEW,
        subgroup=crp,
        referred_on=datetime.date(2025, 10, 1),  # its agencies are asked after it
    )
    police = ReviewAgencyFactory(review=review, agency=AgencyFactory(name="West Mercia Police"))
    archived = ReviewAgencyFactory(review=review, agency=AgencyFactory(name="Education Access"))
    Agency.objects.filter(pk=archived.agency_id).update(is_active=False)  # archived since
    closed = AgencyFactory(name="Closed Trust", is_active=False)
    client.force_login(bu_user)
    url = reverse("reviews:formset", args=[review.uuid, "agencies"])
    html = page(client, url)
    assert "Education Access (archived)" in unescape(html) and "Closed Trust" not in html
    data = from_page(html)
    row = next(key for key, value in data.items() if value == str(police.pk) and "-id" in key)
    data[row.replace("-id", "-chronology_requested_on")] = "2025-10-21"
    assert client.post(url, data).status_code == 302
    police.refresh_from_db()
    assert police.chronology_requested_on == datetime.date(2025, 10, 21)
    assert set(review.agencies.values_list("agency__name", flat=True)) == {
        "West Mercia Police",
        "Education Access",
    }
    added = from_page(html) | {"agencies-2-agency": str(closed.pk)}
    assert client.post(url, added).status_code == 200
    assert not ReviewAgency.objects.filter(agency=closed).exists()


def test_cdops_record_keeps_a_category_and_age_band_retired_since(client, bu_user):
    install(DeathCategory, AgeBand)
    cdop = SubGroupFactory(code=SubGroup.Code.CDOP)
    death = open_review(
        by=bu_user,
        kind=Review.Kind.CHILD_DEATH,
        subgroup=cdop,
        title="Infant",
        referred_on=datetime.date(2025, 4, 2),
    )
    category = DeathCategory.objects.get(number=8)
    band = AgeBand.objects.get(position=1)
    panel = ChildDeathDetails._meta.get_field("meeting").related_model.objects.create(
        body=cdop, held_on=datetime.date(2025, 5, 2)
    )
    details = ChildDeathDetails.objects.create(
        review=death,
        meeting=panel,
        category=category,
        age_band=band,
        notified_on=datetime.date(2025, 4, 2),
    )
    DeathCategory.objects.filter(pk=category.pk).update(is_active=False)
    AgeBand.objects.filter(pk=band.pk).update(is_active=False)
    client.force_login(bu_user)
    url = reverse("reviews:child-death", args=[death.uuid])
    html = page(client, url)
    assert f"{category} (archived)" in unescape(html)
    assert client.post(url, from_page(html, ncmd_reference="NCMD-123")).status_code == 302
    details.refresh_from_db()
    assert (details.ncmd_reference, details.category, details.age_band) == (
        "NCMD-123",
        category,
        band,
    )
