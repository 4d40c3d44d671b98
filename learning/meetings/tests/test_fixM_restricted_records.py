"""An item naming a record hidden from its reader (an action on a restricted review's plan) is a
restricted item everywhere: its meeting's page, the pack, the history, its presenters and the
reminders about its papers."""

import pytest
from django.urls import reverse

from learning.tests.factories import ActionFactory, ReviewFactory
from sscb.tests.factories import SubGroupMembershipFactory

from .. import reminders, selectors, services
from .factories import MeetingFactory

pytestmark = pytest.mark.django_db
TITLE = "Police to audit missing-episode return interviews"


@pytest.fixture
def hidden_action_item(executive_body, member_user):
    SubGroupMembershipFactory(subgroup=executive_body, user=member_user)
    action = ActionFactory(review=ReviewFactory(is_restricted=True), title=TITLE)
    meeting = MeetingFactory(body=executive_body)
    item = services.item_add(
        meeting=meeting, subject="action", title=f"{action.reference}: {TITLE}", action=action
    )
    return item


def test_an_action_on_a_restricted_review_is_a_restricted_item_to_a_member(
    client, hidden_action_item, member_user, bu_user
):
    item, meeting = hidden_action_item, hidden_action_item.meeting
    reference = item.action.reference
    client.force_login(member_user)
    for url in (meeting.get_absolute_url(), reverse("meetings:pack", args=[meeting.uuid])):
        page = client.get(url).content.decode()
        assert "Restricted item" in page
        assert TITLE not in page and reference not in page
    item_page = reverse("meetings:item-minute", args=[meeting.uuid, item.uuid])
    meeting.body.chair = member_user
    meeting.body.save()
    assert client.get(item_page).status_code == 404
    client.force_login(bu_user)
    assert TITLE in client.get(meeting.get_absolute_url()).content.decode()


def test_who_may_not_open_the_action_may_not_present_it_nor_be_told_of_it(
    hidden_action_item, member_user, bu_user
):
    item = hidden_action_item
    assert not selectors.may_present(member_user, item)
    assert selectors.may_present(bu_user, item)
    item.presenter = member_user
    with pytest.raises(Exception, match="may not open"):
        services.item_update(item=item, presenter=member_user)
    masks = reminders.papers_masks(member_user, [item.pk])
    assert masks == {item.pk: f"Papers for item {item.position}: Restricted item"}
    assert reminders.papers_masks(bu_user, [item.pk]) == {}
