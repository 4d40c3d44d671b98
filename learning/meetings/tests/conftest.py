import pytest

from reviews.models import Review
from reviews.tests.factories import open_review
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory

from .factories import MeetingFactory


@pytest.fixture
def crp(db):
    return SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL, name="Case Review Panel")


@pytest.fixture
def executive_body(db):
    return SubGroupFactory(code=SubGroup.Code.EXECUTIVE, name="Executive")


@pytest.fixture
def crp_member(member_user, crp):
    SubGroupMembershipFactory(subgroup=crp, user=member_user)
    return member_user


@pytest.fixture
def referral(bu_user, crp):
    """A learning review referred to the Case Review Panel, waiting for its decision."""
    return open_review(
        by=bu_user,
        kind=Review.Kind.LEARNING_REVIEW,
        subgroup=crp,
        title="Neglect of two brothers",
        pseudonym="Child K",
    )


@pytest.fixture
def panel_meeting(crp):
    return MeetingFactory(body=crp)
