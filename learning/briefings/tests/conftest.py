import datetime

import pytest

from learning.models import LearningOutcome
from learning.tests.factories import FindingFactory, OutcomeFactory, ThemeFactory
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, SubGroupMembershipFactory


@pytest.fixture
def li(db, make_user):
    chair = make_user(role="subgroup_member", username="chair", email="chair@example.org")
    group = SubGroupFactory(
        code=SubGroup.Code.LEARNING_IMPROVEMENT, name="Learning and Improvement", chair=chair
    )
    SubGroupMembershipFactory(subgroup=group, user=chair)
    return group


@pytest.fixture
def chair(li):
    return li.chair


@pytest.fixture
def writer(member_user, li):
    SubGroupMembershipFactory(subgroup=li, user=member_user)
    return member_user


@pytest.fixture
def theme(li):
    theme = ThemeFactory(
        subgroup=li,
        title="Hearing the voice of the child",
        description="Across three reviews, what the children said was not recorded.",
    )
    FindingFactory(
        theme=theme,
        subgroup=li,
        title="Child A's words were not recorded",
        detail="At four visits nobody wrote down what Child A said about home.",
    )
    return theme


@pytest.fixture
def outcome(theme):
    """Agreed by the Executive: a briefing is published as the delivery of an agreed outcome."""
    return OutcomeFactory(
        theme=theme,
        title="Practitioners record the child's own words",
        decision=LearningOutcome.Decision.AGREED,
        # Before every day a test publishes on (learning is not delivered before it is agreed).
        decided_on=datetime.date(2025, 1, 6),
    )


@pytest.fixture
def agencies(agency):
    """Agency A (the agency lead's, West Mercia Police) and agency B, both active; and an
    archived agency that is sent nothing."""
    other = AgencyFactory(name="Children's Social Care", short_name="CSC", kind="csc")
    AgencyFactory(name="Closed Trust", kind="health", is_active=False)
    return [agency, other]
