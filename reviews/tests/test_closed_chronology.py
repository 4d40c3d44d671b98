"""A closed chronology's add, upload and change pages say it is closed, since when and whom to
ask to reopen it, never "ask the Business Unit to change your access" (a 403): a page asked for
goes back to the chronology saying so, and a form sent is shown again with what was typed."""

import datetime
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews import casefile
from reviews.models import ChronologyEntry, Review
from reviews.tests.factories import ReviewAgencyFactory, open_review
from sscb.tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 6, 10)
WRONG_FIX = "change your access"


@pytest.fixture
def review(bu_user, crp, agency):
    made = open_review(
        by=bu_user, kind=Review.Kind.LEARNING_REVIEW, subgroup=crp, title="Neglect", referred_on=DAY
    )
    ReviewAgencyFactory(review=made, agency=agency, chronology_requested_on=DAY)
    return made


@pytest.fixture
def closed(review, bu_user, agency_user):
    made = casefile.chronology_entry_save(
        review=review,
        by=agency_user,
        agency=agency_user.agency,
        happened_on=DAY,
        what_happened="Officers attended.",
        source="Incident log",
    )
    casefile.chronology_close(review=review, by=bu_user)
    review.refresh_from_db()
    return made


def said_closed(review) -> str:
    return f"The chronology was closed on {review.chronology_closed_on.day} "


def test_the_pages_send_the_lead_back_to_the_chronology_saying_whom_to_ask(
    client, review, closed, agency_user
):
    client.force_login(agency_user)
    chronology = reverse("reviews:chronology", args=[review.uuid])
    for url in (
        reverse("reviews:chronology-add", args=[review.uuid]),
        reverse("reviews:chronology-upload", args=[review.uuid]),
        reverse("reviews:chronology-edit", args=[review.uuid, closed.uuid]),
    ):
        response = client.get(url, follow=True)
        assert response.redirect_chain == [(chronology, 302)], url
        page = unescape(response.content.decode())
        assert said_closed(review) in page
        assert "ask the Business Unit or the Case Review Panel to reopen it" in page
        assert WRONG_FIX not in page


def test_an_entry_sent_to_a_closed_chronology_is_kept_on_the_form(
    client, review, closed, agency_user
):
    client.force_login(agency_user)
    typed = "Officers attended again; Child A present."
    data = {
        "agency": agency_user.agency.pk,
        "happened_on": "2025-06-11",
        "what_happened": typed,
        "source": "Incident log",
    }
    for url in (
        reverse("reviews:chronology-add", args=[review.uuid]),
        reverse("reviews:chronology-edit", args=[review.uuid, closed.uuid]),
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        page = unescape(response.content.decode())
        assert said_closed(review) in page and WRONG_FIX not in page
        assert typed in page  # what was typed, to keep until it is reopened
    assert list(ChronologyEntry.objects.values_list("what_happened", flat=True)) == [
        "Officers attended."
    ]


def test_an_upload_to_a_closed_chronology_adds_nothing_and_says_why(
    client, review, closed, agency_user
):
    client.force_login(agency_user)
    upload = SimpleUploadedFile(
        "chronology.csv",
        b"date,what happened,source,key episode\r\n2025-06-11,Strategy discussion,Minutes,no\r\n",
    )
    response = client.post(
        reverse("reviews:chronology-upload", args=[review.uuid]),
        {"agency": agency_user.agency.pk, "file": upload},
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert said_closed(review) in page and "to reopen it" in page
    assert ChronologyEntry.objects.count() == 1


def test_the_chronology_page_says_whom_to_ask_and_an_editor_that_they_may_reopen_it(
    client, review, closed, agency_user, bu_user
):
    url = reverse("reviews:chronology", args=[review.uuid])
    client.force_login(agency_user)
    page = unescape(client.get(url).content.decode())
    assert "ask the Business Unit or the Case Review Panel to reopen it" in page
    client.force_login(bu_user)
    response = client.get(reverse("reviews:chronology-add", args=[review.uuid]), follow=True)
    page = unescape(response.content.decode())
    assert "You may reopen it on the chronology page, saying why." in page
    assert "Reopen the chronology" in page


def test_who_may_never_enter_is_still_refused(client, review, closed, executive_user):
    """Closed or open, an agency not involved and a reader who does not enter get no form."""
    other = AgencyFactory(name="Shropshire Council")
    outsider = UserFactory(role="agency_lead", agency=other, username="outsider")
    ReviewAgencyFactory(review=review, agency=other)
    client.force_login(outsider)
    assert (
        client.get(reverse("reviews:chronology-edit", args=[review.uuid, closed.uuid])).status_code
        == 404
    )
    client.force_login(executive_user)
    assert client.get(reverse("reviews:chronology-add", args=[review.uuid])).status_code == 403
