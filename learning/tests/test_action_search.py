"""The action tracker finds an action by the reference printed on its row, whatever its plan,
and lists an inspection's actions under Plan (found by a finder following an inspection's
actions to the tracker)."""

import pytest
from django.urls import reverse

from learning.scrutiny.tests.factories import RecommendationFactory
from learning.tests.factories import ActionFactory, OutcomeFactory
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def _listed(client, **query):
    page = client.get(reverse("learning:actions"), query).content.decode()
    return {
        title for title in ("On the review", "On the inspection", "On the outcome") if title in page
    }


@pytest.fixture
def actions(agency):
    review = ReviewFactory(reference="SCR-2016-001")
    recommendation = RecommendationFactory(inspection__reference="JTAI-2026-2")
    ActionFactory(review=review, number=1, title="On the review", owner_agency=agency)
    ActionFactory(
        review=None,
        recommendation=recommendation,
        plan=f"inspection:{recommendation.inspection.pk}",
        number=1,
        title="On the inspection",
        owner_agency=agency,
    )
    outcome = OutcomeFactory()
    ActionFactory(
        review=None,
        outcome=outcome,
        plan=f"outcome:{outcome.pk}",
        plan_label="LO-2026-3",
        number=2,
        title="On the outcome",
        owner_agency=agency,
    )
    return review


def test_an_action_is_found_by_its_reference(client, bu_user, actions):
    client.force_login(bu_user)
    assert _listed(client, q="JTAI-2026-2/1") == {"On the inspection"}
    assert _listed(client, q="JTAI-2026-2") == {"On the inspection"}
    assert _listed(client, q="SCR-2016-001/1") == {"On the review"}
    assert _listed(client, q="LO-2026-3/2") == {"On the outcome"}
    assert _listed(client, q="LO-2026-3/1") == set()
    assert _listed(client, q="the outcome") == {"On the outcome"}  # words still
    assert _listed(client, source="inspection") == {"On the inspection"}


def test_a_review_the_reader_may_not_open_is_not_found_by_its_reference(
    client, agency_user, actions
):
    """The agency's action on a review their agency is not part of reads "Review not open to
    you/1": its review's reference must not find it either."""
    client.force_login(agency_user)
    assert "On the review" in _listed(client)
    assert _listed(client, q="SCR-2016-001") == set()
    assert _listed(client, q="JTAI-2026-2/1") == {"On the inspection"}
