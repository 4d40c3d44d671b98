"""Who may open and change which review (DESIGN.md "Who uses it", restricted reviews)."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reviews.selectors import get_review_for_user, reviews_visible_to
from reviews.tests.factories import ReviewAgencyFactory, ReviewFactory
from sscb.tests.factories import SubGroupMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviews(crp, reviewer_user):
    panel = UserFactory(username="panellist")
    restricted = ReviewFactory(is_restricted=True, subgroup=crp, lead_reviewer=reviewer_user)
    restricted.panel_members.add(panel)
    return {
        "open": ReviewFactory(subgroup=crp),
        "restricted": restricted,
        "panel": panel,
    }


@pytest.mark.parametrize(
    "role, sees_open, sees_restricted",
    [
        ("business_unit", True, True),
        ("subgroup_member", True, False),
        ("executive", True, False),
        ("agency_lead", False, False),
        ("independent_reviewer", False, True),
    ],
)
def test_restricted_reviews_per_role(users_by_role, reviews, role, sees_open, sees_restricted):
    user = users_by_role[role]
    visible = set(reviews_visible_to(user))
    assert (reviews["open"] in visible) is sees_open
    assert (reviews["restricted"] in visible) is sees_restricted
    if not sees_restricted:
        with pytest.raises(Http404):
            get_review_for_user(user, reviews["restricted"].uuid)


def test_an_agency_lead_sees_only_reviews_their_agency_is_involved_in(agency_user, reviews):
    assert reviews["open"] not in reviews_visible_to(agency_user)
    ReviewAgencyFactory(review=reviews["open"], agency=agency_user.agency)
    ReviewAgencyFactory(review=reviews["restricted"], agency=agency_user.agency)
    assert list(reviews_visible_to(agency_user)) == [reviews["open"]]
    # A restricted review only once they sit on its panel.
    reviews["restricted"].panel_members.add(agency_user)
    assert set(reviews_visible_to(agency_user)) == {reviews["open"], reviews["restricted"]}


def test_the_panel_sees_its_restricted_review(reviews):
    assert reviews["restricted"] in reviews_visible_to(reviews["panel"])
    assert get_review_for_user(reviews["panel"], reviews["restricted"].uuid)


def test_a_member_of_the_responsible_sub_group_off_the_panel_gets_404(crp_member, reviews):
    with pytest.raises(Http404):
        get_review_for_user(crp_member, reviews["restricted"].uuid)


def test_another_reviewer_sees_nothing(make_user, reviews):
    other = make_user(role="independent_reviewer", username="other-reviewer")
    assert list(reviews_visible_to(other)) == []


def test_writes_are_for_the_business_unit_and_the_responsible_sub_group(
    users_by_role, crp_member, reviews, make_user, crp
):
    review = reviews["open"]
    ReviewAgencyFactory(review=review, agency=users_by_role["agency_lead"].agency)
    assert get_review_for_user(users_by_role["business_unit"], review.uuid, write=True)
    assert get_review_for_user(crp_member, review.uuid, write=True)
    for role in ("executive", "agency_lead"):
        with pytest.raises(PermissionDenied):
            get_review_for_user(users_by_role[role], review.uuid, write=True)
    outsider = make_user(username="cdop-only")
    with pytest.raises(PermissionDenied):
        get_review_for_user(outsider, review.uuid, write=True)
    # A sub-group member on the panel may write even from another sub-group.
    review.panel_members.add(outsider)
    outsider._subgroup_ids = None
    assert get_review_for_user(outsider, review.uuid, write=True)


def test_the_lead_reviewer_reads_but_does_not_write(reviewer_user, reviews):
    with pytest.raises(PermissionDenied):
        get_review_for_user(reviewer_user, reviews["restricted"].uuid, write=True)


def test_a_review_is_named_by_its_uuid_only(bu_user, reviews):
    review = reviews["open"]
    assert get_review_for_user(bu_user, review.uuid) == review
    unknown = uuid.UUID("7d3f7a14-8c07-4b38-9d0f-4b5f6c1d2e3f")
    for value in (review.pk, str(review.pk), str(review.uuid), "not-a-uuid", unknown):
        with pytest.raises(Http404):
            get_review_for_user(bu_user, value)


def test_sub_group_membership_grants_writes(member_user, crp):
    review = ReviewFactory(subgroup=crp)
    with pytest.raises(PermissionDenied):
        get_review_for_user(member_user, review.uuid, write=True)
    SubGroupMembershipFactory(subgroup=crp, user=member_user)
    member_user._subgroup_ids = None
    assert get_review_for_user(member_user, review.uuid, write=True) == review


@pytest.mark.parametrize(
    "role",
    ["business_unit", "subgroup_member", "executive", "agency_lead", "independent_reviewer"],
)
def test_records_through_a_review_follow_the_reviews_visibility(
    users_by_role, reviews, reviewer_user, role
):
    """``review_visible_at`` (asked the other way round for most readers, as NOT EXISTS a review
    closed to them) lets through the records of the reviews ``reviews_visible_to`` opens, and
    those with no review, whoever leads the review or sits on its panel."""
    from learning.models import Finding
    from learning.tests.factories import FindingFactory
    from reviews.selectors import review_hidden_annotation, review_visible_at

    user = users_by_role[role]
    unled = ReviewFactory(is_restricted=True, lead_reviewer=None)
    on_panel = ReviewFactory(is_restricted=True, lead_reviewer=reviewer_user)
    on_panel.panel_members.add(user)
    led = ReviewFactory(is_restricted=True, lead_reviewer=user)
    ReviewAgencyFactory(review=reviews["open"], agency=users_by_role["agency_lead"].agency)
    ReviewAgencyFactory(review=on_panel, agency=users_by_role["agency_lead"].agency)
    sources = [reviews["open"], reviews["restricted"], unled, on_panel, led, None]
    findings = {FindingFactory(review=review).pk: review for review in sources}
    opened = set(reviews_visible_to(user)) | {None}

    seen = Finding.objects.filter(pk__in=findings).filter(review_visible_at(user, "review"))
    assert {findings[pk] for pk in seen.values_list("pk", flat=True)} == opened & set(sources)
    hidden = Finding.objects.filter(pk__in=findings).annotate(hidden=review_hidden_annotation(user))
    assert {findings[f.pk] for f in hidden if f.hidden} == set(sources) - opened
