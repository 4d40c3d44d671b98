"""An item about a closed review offers no "Add an action arising": its plan takes no new
actions (learning.models.plan_closed_to_actions), and the page says so instead of a link the
service would refuse."""

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.meetings.tests.factories import ItemFactory, MeetingFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


def test_an_item_about_a_closed_review_offers_no_action_arising(client, crp, bu_user):
    open_review = ReviewFactory(subgroup=crp)
    closed = ReviewFactory(subgroup=crp, stage=Review.Stage.CLOSED)
    meeting = MeetingFactory(body=crp, held_on=timezone.localdate())
    open_item = ItemFactory(meeting=meeting, review=open_review, title="Open one")
    closed_item = ItemFactory(meeting=meeting, review=closed, title="Closed one")
    client.force_login(bu_user)
    client.post(reverse("meetings:move", args=[meeting.uuid]), {"to": "held"})
    page = client.get(meeting.get_absolute_url()).content.decode()
    arising = "meetings:action-arising"
    assert reverse(arising, args=[meeting.uuid, open_item.uuid]) in page
    assert reverse(arising, args=[meeting.uuid, closed_item.uuid]) not in page
    assert "The review is closed: its action plan takes no new actions." in page
