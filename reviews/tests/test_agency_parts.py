"""What a review asks of an agency (its chronology and its agency report): the agency's lead
marks each complete, which the review's history records with who and when; and what is asked
is shown as asked (home, My agency, the review page) only while the review still uses it: not
once received, nor past the Board's sign-off, nor (a chronology) once closed."""

import datetime
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reviews import casefile
from reviews.models import Review, ReviewAgency
from reviews.tests.factories import ReviewAgencyFactory, open_review

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 6, 10)


@pytest.fixture
def review(bu_user, crp, agency, reviewer_user):
    made = open_review(
        by=bu_user,
        kind=Review.Kind.LEARNING_REVIEW,
        subgroup=crp,
        title="Neglect of a toddler",
        referred_on=DAY,
        lead_reviewer=reviewer_user,
    )
    ReviewAgencyFactory(
        review=made, agency=agency, chronology_requested_on=DAY, report_requested_on=DAY
    )
    return made


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def text(client, url) -> str:
    return unescape(client.get(url).content.decode())


def complete_url(review, part):
    return reverse("reviews:agency-part-complete", args=[review.uuid, part])


def test_the_lead_marks_the_chronology_complete_and_the_history_says_who_and_when(
    client, review, agency_user, reviewer_user
):
    client.force_login(agency_user)
    home = text(client, reverse("home"))
    assert f"{review.reference}: your agency's chronology is asked for" in home
    page = text(client, reverse("reviews:chronology", args=[review.uuid]))
    assert "Mark our chronology as complete" in page
    response = client.post(complete_url(review, "chronology"), follow=True)
    assert "Your agency's chronology is marked complete" in unescape(response.content.decode())
    today = timezone.localdate()
    row = ReviewAgency.objects.get(review=review)
    assert row.chronology_received_on == today and row.report_received_on is None
    version = row.history.order_by("-history_id").first()
    assert version.history_user == agency_user
    # The review's history, on its page: who, and the date it came.
    detail = text(client, reverse("reviews:detail", args=[review.uuid]))
    assert (
        f"{agency_user}: agency taking part (West Mercia Police): chronology received on none "
        f"→ {today.day} {today:%b %Y}" in detail
    )
    # Nothing more asked of the agency's chronology; its report still is.
    home = text(client, reverse("home"))
    assert "your agency's chronology is asked for" not in home
    assert f"{review.reference}: your agency's report is asked for" in home
    page = text(client, reverse("reviews:chronology", args=[review.uuid]))
    assert "Mark our chronology as complete" not in page and "received on" in page
    # The lead reviewer no longer waits for it.
    client.force_login(reviewer_user)
    assert "agency chronology is awaited" not in text(client, reverse("home"))


def test_marking_is_refused_in_words_when_nothing_is_awaited(review, agency_user, bu_user):
    casefile.agency_part_complete(review=review, by=agency_user, part="chronology")
    with pytest.raises(ValidationError, match="chronology was received on"):
        casefile.agency_part_complete(review=review, by=agency_user, part="chronology")
    row = ReviewAgency.objects.get(review=review)
    row.chronology_received_on = None
    row.save()
    casefile.chronology_close(review=review, by=bu_user)
    review.refresh_from_db()
    with pytest.raises(ValidationError, match="ask the Business Unit or the Case Review Panel"):
        casefile.agency_part_complete(review=review, by=agency_user, part="chronology")
    # The review's editors record a received date themselves; only an agency's lead marks it.
    with pytest.raises(PermissionDenied):
        casefile.agency_part_complete(review=review, by=bu_user, part="report")


def test_a_report_is_marked_complete_once_it_is_uploaded(client, media, review, agency_user):
    client.force_login(agency_user)
    documents = reverse("reviews:documents", args=[review.uuid])
    assert "Mark our agency report as complete" in text(client, documents)
    refused = client.post(complete_url(review, "report"), follow=True)
    assert "Upload West Mercia Police's agency report" in unescape(refused.content.decode())
    assert ReviewAgency.objects.get(review=review).report_received_on is None
    casefile.document_add(
        review=review,
        by=agency_user,
        kind="agency_report",
        title="Police IMR",
        agency=agency_user.agency,
        file=SimpleUploadedFile("imr.txt", b"Our report"),
    )
    assert client.post(complete_url(review, "report")).status_code == 302
    assert ReviewAgency.objects.get(review=review).report_received_on == timezone.localdate()
    assert "report is asked for" not in text(client, reverse("home"))


@pytest.mark.parametrize("role", ["business_unit", "subgroup_member", "executive"])
def test_only_an_agency_lead_marks_their_part(client, users_by_role, review, role, crp_member):
    client.force_login(users_by_role[role])
    assert client.post(complete_url(review, "chronology")).status_code in (403, 404)
    assert client.get(complete_url(review, "chronology")).status_code == 405
    assert ReviewAgency.objects.get(review=review).chronology_received_on is None


def test_no_such_part_is_404(client, review, agency_user):
    client.force_login(agency_user)
    assert client.post(complete_url(review, "terms")).status_code == 404


def test_my_agency_lists_what_the_reviews_ask_with_the_next_step(client, review, agency_user):
    client.force_login(agency_user)
    page = text(client, reverse("learning:my_agency"))
    assert "Chronologies and agency reports for case reviews" in page
    assert "Add your entries, then mark your chronology as complete" in page
    assert "Upload your agency report, then mark it as complete" in page
    assert reverse("reviews:chronology", args=[review.uuid]) in page


@pytest.mark.parametrize(
    "stage, shown",
    [
        (Review.Stage.ANALYSIS, True),
        (Review.Stage.BOARD_SIGNOFF, False),
        (Review.Stage.ACTION_PLAN, False),
        (Review.Stage.CLOSED, False),
    ],
)
def test_what_is_asked_is_shown_only_while_the_review_uses_it(
    client, review, agency_user, reviewer_user, stage, shown
):
    """An SCR asking since 2016 while at action plan monitoring is no longer waiting."""
    review.stage = stage
    review.save()
    client.force_login(agency_user)
    assert ("is asked for" in text(client, reverse("home"))) is shown
    my_agency = text(client, reverse("learning:my_agency"))
    assert ("mark your chronology as complete" in my_agency) is shown
    detail = text(client, reverse("reviews:detail", args=[review.uuid]))
    assert ("awaited" in detail) is shown
    assert ("not received" in detail) is not shown
    if not shown:
        refused = client.post(complete_url(review, "chronology"), follow=True)
        assert "no longer waits for West Mercia Police's chronology" in unescape(
            refused.content.decode()
        )
        assert ReviewAgency.objects.get(review=review).chronology_received_on is None
    client.force_login(reviewer_user)
    assert ("agency chronology is awaited" in text(client, reverse("home"))) is shown


def test_the_service_says_why_a_review_past_its_sign_off_no_longer_waits(review, agency_user):
    review.stage = Review.Stage.ACTION_PLAN
    review.save()
    with pytest.raises(
        ValidationError, match="it no longer waits for West Mercia Police's agency report"
    ):
        casefile.agency_part_complete(review=review, by=agency_user, part="report")


def test_my_agency_runs_the_same_queries_for_2_or_20_requests(
    client, bu_user, crp, agency, agency_user, count_queries, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            made = open_review(by=bu_user, kind=Review.Kind.LEARNING_REVIEW, subgroup=crp)
            ReviewAgencyFactory(
                review=made, agency=agency, chronology_requested_on=DAY, report_requested_on=DAY
            )

    add(2)
    client.force_login(agency_user)
    url = reverse("learning:my_agency")
    small = count_queries(url)
    add(18)
    with django_assert_max_num_queries(small):
        page = client.get(url).content.decode()
    assert page.count("then mark your chronology as complete") == 20
