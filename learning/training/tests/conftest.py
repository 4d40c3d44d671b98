import datetime

import pytest
from django.utils import timezone

from learning.tests.factories import OutcomeFactory
from sscb.models import SubGroup
from sscb.tests.factories import AgencyFactory, SubGroupFactory, SubGroupMembershipFactory

from .. import services
from ..models import Attendee


@pytest.fixture
def training_group(db):
    return SubGroupFactory(code=SubGroup.Code.TRAINING, name="Training")


@pytest.fixture
def trainer(member_user, training_group):
    """A sub-group member who sits on the Training sub-group, which runs the courses."""
    SubGroupMembershipFactory(subgroup=training_group, user=member_user)
    return member_user


@pytest.fixture
def outcome(db):
    # Agreed by the Executive: a delivered session is its delivery (learning.models).
    return OutcomeFactory(
        title="Practitioners record the child's own words",
        decision="agreed",
        decided_on=datetime.date(2024, 4, 1),
    )


@pytest.fixture
def course(training_group, outcome):
    return services.course_save(
        title="Hearing the child: core module",
        kind="core_training",
        subgroup=training_group,
        learning_points="Recording the child's own words\nAsking about daily life",
        outcomes=[outcome],
    )


@pytest.fixture
def csc(db):
    return AgencyFactory(name="Children's Social Care", short_name="CSC", kind="csc")


def make_session(course, days=-1, places=30):
    return services.session_save(
        course=course,
        held_on=timezone.localdate() + datetime.timedelta(days=days),
        trainer="Dana Reid",
        venue="Shirehall",
        places=places,
    )


def book(session, agency, name, status=Attendee.Status.ATTENDED):
    first = name.split()[0].lower()
    return services.attendee_add(
        session=session,
        agency=agency,
        name=name,
        email=f"{first}@{agency.short_name.lower()}.example",
        manager_email=f"manager.{first}@{agency.short_name.lower()}.example",
        status=status,
    )


@pytest.fixture
def delivered(course, agency, csc):
    """Yesterday's session: two police officers and one social worker attended, one police
    officer did not."""
    session = make_session(course)
    book(session, agency, "Sam Patel")
    book(session, agency, "Jo Khan")
    book(session, agency, "Lee Wong", Attendee.Status.DID_NOT_ATTEND)
    book(session, csc, "Alex Morgan")
    return services.session_deliver(session=session)
