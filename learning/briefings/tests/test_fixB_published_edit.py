"""A published briefing is not changed: its edit page says so, and why, and offers a new one."""

from html import unescape

import pytest
from django.urls import reverse

from .factories import published

pytestmark = pytest.mark.django_db


def test_a_published_briefings_edit_page_says_it_is_published_and_what_to_do(
    client, writer, chair, li, outcome, make_user
):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    url = reverse("briefings:edit", args=[briefing.uuid])
    client.force_login(writer)
    for response in (client.get(url), client.post(url, {"title": "Changed"})):
        said = unescape(response.content.decode())
        assert response.status_code == 403
        assert "This briefing is published" in said and "write a new briefing" in said
        assert "Your role does not allow this" not in said
    briefing.refresh_from_db()
    assert briefing.title == "Hearing Child A"
    page = client.get(briefing.get_absolute_url()).context
    assert page["write_again"] == reverse("briefings:write_from_outcome", args=[outcome.uuid])

    outsider = make_user(role="subgroup_member", username="outsider")
    client.force_login(outsider)
    said = unescape(client.get(url).content.decode())
    assert "Your role does not allow this" in said  # not theirs to write, published or not
    assert client.get(briefing.get_absolute_url()).context["write_again"] is None
