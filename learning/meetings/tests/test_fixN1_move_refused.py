"""A move the meeting cannot make is said on its page, beside the moves it can make now."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from ..models import Meeting

pytestmark = pytest.mark.django_db


def words(response):
    return " ".join(strip_tags(response.content.decode()).split())


def test_a_refused_move_is_said_beside_the_moves(client, bu_user, panel_meeting):
    client.force_login(bu_user)
    move = reverse("meetings:move", args=[panel_meeting.uuid])
    refused = client.post(move, {"to": "agenda_published"})  # no item yet
    assert refused.status_code == 200
    assert "Nothing was changed: Add at least one item before publishing the agenda." in (
        words(refused)
    )
    assert 'data-testid="move-refused"' in refused.content.decode()
    panel_meeting.refresh_from_db()
    assert panel_meeting.status == Meeting.Status.PLANNED
    nonsense = client.post(move, {"to": "nonsense"})
    assert "Nothing was changed: Choose what happens to the meeting next." in words(nonsense)
