"""A partner agency's lead on a restricted review's panel (README, "Roles and access": "a
restricted one only on its panel"): the Business Unit may name the lead of an agency involved
in the review, and no one else from an agency; the lead then opens the review and their own
agency's part of its case file, nothing more; and the Business Unit is told of a restricted
review asking an agency that none of its leads can see."""

import datetime
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews import casefile
from reviews.models import Review, ReviewAgency
from reviews.tests.factories import ReviewAgencyFactory, open_review
from sscb.tests.factories import AgencyFactory, UserFactory
from sscb.tests.posting import from_page

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 6, 10)


@pytest.fixture
def health(db):
    agency = AgencyFactory(name="Herefordshire Health", short_name="Health", kind="health")
    return agency, UserFactory(
        role="agency_lead", agency=agency, username="healthlead", first_name="Hana"
    )


@pytest.fixture
def restricted(bu_user, crp, agency, health):
    """A restricted review involving West Mercia Police and Herefordshire Health."""
    review = open_review(
        by=bu_user,
        kind=Review.Kind.LEARNING_REVIEW,
        subgroup=crp,
        title="Injury to an infant",
        referred_on=DAY,
        is_restricted=True,
    )
    ReviewAgencyFactory(review=review, agency=agency, chronology_requested_on=DAY)
    ReviewAgencyFactory(review=review, agency=health[0])
    return review


def register_url(review):
    return reverse("reviews:section", args=[review.uuid, "register"])


def test_the_business_unit_may_put_an_involved_agencys_lead_on_the_panel(
    client, bu_user, restricted, agency_user, crp_member
):
    stranger_agency = AgencyFactory(name="Shropshire Council")
    stranger = UserFactory(role="agency_lead", agency=stranger_agency, username="stranger")
    client.force_login(bu_user)
    html = client.get(register_url(restricted)).content.decode()
    assert f"{agency_user} (lead, West Mercia Police)" in unescape(html)
    assert "(lead, Herefordshire Health)" in html
    assert str(stranger) not in unescape(html)  # their agency takes no part in the review
    # An uninvolved agency's lead is not accepted, whatever is sent.
    refused = client.post(register_url(restricted), from_page(html, panel_members=[stranger.pk]))
    assert "panel_members" in refused.context["form"].errors
    assert not restricted.panel_members.exists()
    saved = client.post(
        register_url(restricted), from_page(html, panel_members=[agency_user.pk, crp_member.pk])
    )
    assert saved.status_code == 302
    assert set(restricted.panel_members.all()) == {agency_user, crp_member}


def test_a_new_review_offers_no_agency_lead(client, bu_user, agency_user):
    client.force_login(bu_user)
    html = unescape(client.get(reverse("reviews:create")).content.decode())
    assert 'name="panel_members"' in html and str(agency_user) not in html


def test_a_lead_whose_agency_left_the_review_is_kept_until_taken_off(
    client, bu_user, restricted, agency_user
):
    """``keep_links``: a save that leaves them keeps them; they may be taken off."""
    restricted.panel_members.add(agency_user)
    ReviewAgency.objects.filter(review=restricted, agency=agency_user.agency).delete()
    client.force_login(bu_user)
    html = client.get(register_url(restricted)).content.decode()
    assert f"{agency_user} (lead, West Mercia Police) (no longer offered)" in unescape(html)
    assert client.post(register_url(restricted), from_page(html)).status_code == 302
    assert list(restricted.panel_members.all()) == [agency_user]
    taken_off = client.post(register_url(restricted), from_page(html, panel_members=[]))
    assert taken_off.status_code == 302
    assert not restricted.panel_members.exists()


def test_a_lead_on_the_panel_reads_only_their_own_agencys_part(
    client, media, bu_user, restricted, agency_user, health
):
    health_agency, health_lead = health
    police = agency_user.agency
    for agency, what in ((police, "Police attended the home"), (health_agency, "GP saw mother")):
        casefile.chronology_entry_save(
            review=restricted,
            by=bu_user,
            agency=agency,
            happened_on=DAY,
            what_happened=what,
            source="Record",
        )
    for kind, title, agency in (
        ("agency_report", "Police IMR", police),
        ("agency_report", "Health IMR", health_agency),
        ("draft_report", "Overview draft", None),
    ):
        casefile.document_add(
            review=restricted,
            by=bu_user,
            kind=kind,
            title=title,
            agency=agency,
            file=SimpleUploadedFile("report.txt", b"A report"),
        )
    detail = reverse("reviews:detail", args=[restricted.uuid])
    chronology = reverse("reviews:chronology", args=[restricted.uuid])
    documents = reverse("reviews:documents", args=[restricted.uuid])

    # Off the panel, neither lead can open it, though both agencies take part.
    for lead in (agency_user, health_lead):
        client.force_login(lead)
        assert client.get(detail).status_code == 404
        assert client.get(chronology).status_code == 404

    restricted.panel_members.add(agency_user)
    client.force_login(agency_user)
    assert client.get(detail).status_code == 200
    page = client.get(chronology).content.decode()
    assert "Police attended the home" in page and "GP saw mother" not in page
    page = client.get(documents).content.decode()
    assert "Police IMR" in page
    assert "Health IMR" not in page
    assert "Overview draft" not in page  # the panel's drafts are not an agency's part
    assert not casefile.sees_drafts(agency_user, restricted)
    # Nor do they change the review.
    assert client.get(register_url(restricted)).status_code == 403
    # The other agency's lead still cannot open it.
    client.force_login(health_lead)
    assert client.get(detail).status_code == 404


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def test_a_lead_on_the_panel_is_told_what_the_restricted_review_asks(
    client, restricted, agency_user
):
    client.force_login(agency_user)
    asked = f"{restricted.reference}: your agency&#x27;s chronology is asked for"
    assert asked not in client.get(reverse("home")).content.decode()
    assert restricted.reference not in client.get(reverse("learning:my_agency")).content.decode()
    restricted.panel_members.add(agency_user)
    assert asked in client.get(reverse("home")).content.decode()
    assert restricted.reference in client.get(reverse("learning:my_agency")).content.decode()


def test_the_business_unit_is_told_when_no_lead_of_an_asked_agency_can_see_the_request(
    client, bu_user, restricted, agency_user, health
):
    note = (
        f"{restricted.reference}: West Mercia Police is asked for its chronology but no lead "
        "of it is on the panel of this restricted review"
    )
    client.force_login(bu_user)

    def home():
        return unescape(client.get(reverse("home")).content.decode())

    assert note in home()
    assert "Herefordshire Health is asked" not in home()  # nothing asked of Health yet
    # Saved, not updated: the home page's list is kept until a record is saved.
    asked_of_health = ReviewAgency.objects.get(review=restricted, agency=health[0])
    asked_of_health.report_requested_on = DAY
    asked_of_health.save()
    assert "Herefordshire Health is asked for its agency report but no lead" in home()
    # A lead on the panel sees the request; one whose account is closed does not.
    restricted.panel_members.add(agency_user)
    assert note not in home()
    agency_user.is_active = False
    agency_user.save()
    assert note in home()
    # An unrestricted review: every lead of the agency sees it.
    restricted.is_restricted = False
    restricted.save()
    assert "no lead of it is on the panel" not in home()


def test_only_the_business_unit_is_told(client, restricted, crp_member, agency_user):
    restricted.panel_members.add(crp_member)
    client.force_login(crp_member)
    assert "no lead of it" not in client.get(reverse("home")).content.decode()


def test_the_business_units_home_runs_the_same_queries_for_2_or_20_such_reviews(
    client, bu_user, crp, agency, count_queries, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            made = open_review(
                by=bu_user, kind=Review.Kind.LEARNING_REVIEW, subgroup=crp, is_restricted=True
            )
            ReviewAgencyFactory(review=made, agency=agency, chronology_requested_on=DAY)

    add(2)
    client.force_login(bu_user)
    small = count_queries(reverse("home"))
    add(18)
    with django_assert_max_num_queries(small):
        page = client.get(reverse("home")).content.decode()
    assert page.count("no lead of it is on the panel") == 20
