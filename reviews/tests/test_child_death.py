"""CDOP's record of a death on its child death review (issue 20): data, not a child's identity."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reviews.child_death_data import install
from reviews.models import AgeBand, ChildDeathDetails, DeathCategory, Review
from reviews.tests.factories import open_review
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference_data(db):
    install(DeathCategory, AgeBand)  # as the migration does, should a test have emptied them


@pytest.fixture
def cdop(db):
    return SubGroupFactory(code=SubGroup.Code.CDOP)


@pytest.fixture
def death(bu_user, cdop):
    # Referred the day the death was notified: the panel's meeting comes after.
    return open_review(
        by=bu_user,
        kind=Review.Kind.CHILD_DEATH,
        subgroup=cdop,
        title="Infant",
        referred_on=datetime.date(2025, 4, 2),
    )


@pytest.fixture
def panel(cdop):
    """The panel's meeting that reviews the death."""
    from learning.meetings.models import Meeting

    return Meeting.objects.create(body=cdop, held_on=datetime.date(2025, 5, 2))


def form(**changes):
    return {
        "notified_on": "2025-04-02",
        "meeting": "",
        "category": DeathCategory.objects.get(number=8).pk,
        "modifiable_factors": "insufficient",
        "expectedness": "expected",
        "age_band": AgeBand.objects.get(position=1).pk,
        "ncmd_reference": "NCMD-123",
    } | changes


def test_the_panel_records_the_death_from_the_categories_held_as_data(
    client, bu_user, death, panel
):
    client.force_login(bu_user)
    url = reverse("reviews:child-death", args=[death.uuid])
    # The guidance's ten categories, from the data, not the code; a retired one is not offered.
    DeathCategory.objects.filter(number=3).update(is_active=False)
    page = client.get(url).content.decode()
    assert "Perinatal/neonatal event" in page
    assert "Trauma and other external factors" not in page
    response = client.post(url, form(meeting=panel.pk))
    assert response.status_code == 302
    details = ChildDeathDetails.objects.get(review=death)
    assert details.category.number == 8 and details.modifiable_factors == "insufficient"
    assert details.history.count() == 1
    detail = client.get(reverse("reviews:detail", args=[death.uuid])).content.decode()
    assert "8. Perinatal/neonatal event" in detail and "NCMD-123" in detail
    client.post(url, form(meeting=panel.pk, modifiable_factors="yes"))
    details.refresh_from_db()
    assert details.modifiable_factors == "yes" and details.history.count() == 2


def test_a_date_in_the_future_or_a_childs_identifier_is_refused(client, bu_user, death):
    client.force_login(bu_user)
    url = reverse("reviews:child-death", args=[death.uuid])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(url, form(notified_on=tomorrow, ncmd_reference="943 476 5919"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be in the future" in page
    assert "NHS number" in page
    assert not ChildDeathDetails.objects.exists()


def test_the_meeting_is_one_of_cdops(client, bu_user, death, panel):
    from learning.meetings.models import Meeting

    other = Meeting.objects.create(
        body=SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL),
        held_on=datetime.date(2025, 5, 1),
    )
    client.force_login(bu_user)
    url = reverse("reviews:child-death", args=[death.uuid])
    assert client.post(url, form(meeting=other.pk)).status_code == 400
    assert client.post(url, form(meeting=panel.pk)).status_code == 302
    assert ChildDeathDetails.objects.get().meeting == panel


def test_only_those_who_may_change_the_review_record_it(client, member_user, death, cdop, panel):
    client.force_login(member_user)
    url = reverse("reviews:child-death", args=[death.uuid])
    assert client.get(url).status_code == 403
    assert client.post(url, form(meeting=panel.pk)).status_code == 403
    SubGroupMembershipFactory(subgroup=cdop, user=member_user)
    assert client.post(url, form(meeting=panel.pk)).status_code == 302


def test_what_the_panel_decides_waits_for_its_meeting_and_the_review_closes_after(
    client, bu_user, death, panel
):
    from reviews import services

    client.force_login(bu_user)
    url = reverse("reviews:child-death", args=[death.uuid])
    Review.objects.filter(pk=death.pk).update(referred_on=datetime.date(2025, 3, 1))
    death.refresh_from_db()
    later = "2025-04-02"  # a month after the review was opened
    refused = client.post(url, form(notified_on=later)).context["form"].errors
    assert {"category", "modifiable_factors", "notified_on"} <= set(refused)
    assert "choose the panel meeting that reviewed it first" in refused["category"][0]
    assert "cannot be before the date the death was notified" in refused["notified_on"][0]
    assert not ChildDeathDetails.objects.exists()
    services.review_move(review=death, to_stage=Review.Stage.ANALYSIS, by=bu_user)
    death.refresh_from_db()
    with pytest.raises(ValidationError, match="record the panel meeting and the category"):
        services.review_move(review=death, to_stage=Review.Stage.CLOSED, by=bu_user)
    assert client.post(url, form(meeting=panel.pk, notified_on="2025-02-20")).status_code == 302
    death.refresh_from_db()
    services.review_move(review=death, to_stage=Review.Stage.CLOSED, by=bu_user)
    assert Review.objects.get(pk=death.pk).stage == Review.Stage.CLOSED


def test_a_restricted_death_is_not_found_by_those_who_may_not_open_it(
    client, executive_user, bu_user, cdop
):
    restricted = open_review(
        by=bu_user, kind=Review.Kind.CHILD_DEATH, subgroup=cdop, is_restricted=True
    )
    client.force_login(executive_user)
    assert client.get(reverse("reviews:child-death", args=[restricted.uuid])).status_code == 404


def test_a_review_of_another_kind_has_no_record_of_a_death(client, bu_user):
    review = open_review(by=bu_user, kind=Review.Kind.RAPID_REVIEW)
    client.force_login(bu_user)
    assert client.get(reverse("reviews:child-death", args=[review.uuid])).status_code == 404


def test_the_panel_meeting_is_named_only_to_those_who_may_see_it(
    client, bu_user, executive_user, death, panel
):
    """The executive reads the review, not the panel's meetings: told that a panel meeting
    reviewed the death, not which one or when."""
    from reviews import services

    services.child_death_record(review=death, by=bu_user, meeting=panel, notified_on=None)
    url = reverse("reviews:detail", args=[death.uuid])
    client.force_login(bu_user)
    page = client.get(url).content.decode()
    assert f'href="{panel.get_absolute_url()}">{panel}</a>' in page
    client.force_login(executive_user)
    section = client.get(url).content.decode().split('data-testid="child-death"')[1]
    assert "Reviewed at a panel meeting" in section
    assert panel.date_label not in section and str(panel.uuid) not in section
