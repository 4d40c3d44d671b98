import pytest

from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory


@pytest.fixture
def li(db):
    return SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT)


@pytest.fixture
def li_member(member_user, li):
    """A sub-group member who sits on Learning and Improvement."""
    SubGroupMembershipFactory(subgroup=li, user=member_user)
    return member_user
