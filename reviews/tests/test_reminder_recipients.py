"""A statutory clock's reminder is never lost with a panel member who left: it goes on to the
chair, or, for a restricted review the chair may not open, to the Business Unit, saying why."""

import datetime

import pytest
from django.core import mail

from reviews.models import Review, ReviewClock
from reviews.tests.factories import open_review
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(make_user):
    return make_user(username="crpchair", role="subgroup_member")


@pytest.fixture
def left(make_user):
    """The only panel member, who has left (their account made inactive)."""
    return make_user(username="leaver", role="subgroup_member", is_active=False)


@pytest.fixture
def clock(chair, bu_user, left):
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL, chair=chair)
    review = open_review(
        by=bu_user,
        kind=Review.Kind.RAPID_REVIEW,
        subgroup=crp,
        notified_on=datetime.date(2025, 6, 2),
        incident_known_on=datetime.date(2025, 6, 1),
    )
    review.panel_members.add(left)
    return review.clocks.get(kind=ReviewClock.Kind.RAPID_REVIEW)


def _to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_a_panel_that_has_left_passes_the_clock_to_the_chair(clock, chair, left):
    reminders_sweep(today=clock.amber_on)
    assert not Reminder.objects.filter(recipient=left).exists()
    [email] = _to(chair)
    assert "Statutory deadline near" in email.body
    assert "(its panel member has an inactive account: sent to the chair instead)" in email.body


def test_a_restricted_reviews_clock_goes_to_the_business_unit_not_a_chair_off_its_panel(
    clock, chair, left, bu_user
):
    Review.objects.filter(pk=clock.review_id).update(is_restricted=True)
    reminders_sweep(today=clock.amber_on)
    assert _to(chair) == []
    [email] = _to(bu_user)
    assert clock.review.reference in email.body
    assert (
        "(its panel member has an inactive account, and its chair may not open it: sent to the "
        "Business Unit instead)"
    ) in email.body
    reminders_sweep(today=clock.due_on + datetime.timedelta(days=7))
    assert _to(chair) == []  # nor its escalation: the chair would be refused its link
