import pytest
import time_machine

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


@pytest.fixture
def dashboard_day():
    """The dashboard tests' today, in the 2025/26 financial year (see dashboard_data)."""
    from learning.tests.dashboard_data import TODAY

    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def data(db):
    """Records in two financial years with known figures (learning/tests/dashboard_data.py)."""
    from learning.tests.dashboard_data import build

    return build()
