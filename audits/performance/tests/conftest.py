import pytest

from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, SubGroupMembershipFactory


@pytest.fixture
def qap_user(make_user):
    """A member of the Quality Assurance and Performance sub-group."""
    user = make_user(role="subgroup_member", username="qapmember")
    SubGroupMembershipFactory(
        subgroup=SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE), user=user
    )
    return user


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Children's Social Care", short_name="CSC", kind="csc")
