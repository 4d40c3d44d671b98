import pytest

from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory


@pytest.fixture
def crp(db):
    return SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)


@pytest.fixture
def crp_member(member_user, crp):
    """A sub-group member who sits on the Case Review Panel."""
    SubGroupMembershipFactory(subgroup=crp, user=member_user)
    return member_user
