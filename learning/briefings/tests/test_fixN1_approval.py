"""Who approves a briefing, said as it is: a chair's own briefing awaits the Business Unit; and
a briefing sent back with words refused keeps them in the form."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from ..models import Briefing
from .factories import draft

pytestmark = pytest.mark.django_db

NOTE = "Ring the designated officer on 01743 123456 before you change the questions."


def words(response):
    return " ".join(strip_tags(unescape(response.content.decode())).split())


def test_a_chairs_own_briefing_awaits_the_business_unit(client, chair, li, outcome, bu_user):
    briefing = draft(by=chair, subgroup=li, outcome=outcome)
    client.force_login(chair)
    submitted = client.post(reverse("briefings:submit", args=[briefing.uuid]), follow=True)
    text = words(submitted)
    assert "Submitted to the Business Unit for approval: the sub-group's chair wrote it." in text
    assert f"Awaiting the approval of the Business Unit: {chair}, the sub-group's chair, wrote" in (
        text
    )
    assert f"Awaiting the approval of {chair}" not in text
    assert "Approve version" not in text
    client.force_login(bu_user)
    assert "Approve version 1" in words(client.get(briefing.get_absolute_url()))


def test_a_members_briefing_awaits_the_chair(client, writer, chair, li, outcome):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    client.force_login(writer)
    text = words(client.post(reverse("briefings:submit", args=[briefing.uuid]), follow=True))
    assert "Submitted to the sub-group's chair for approval." in text
    assert f"Awaiting the approval of {chair} (or the Business Unit on the chair's behalf)" in text


def test_sending_back_refused_keeps_what_the_chair_typed(client, writer, chair, li, outcome):
    briefing = draft(by=writer, subgroup=li, outcome=outcome)
    client.force_login(writer)
    client.post(reverse("briefings:submit", args=[briefing.uuid]))
    client.force_login(chair)
    url = reverse("briefings:return", args=[briefing.uuid])
    refused = client.post(url, {"returned_note": NOTE})
    assert refused.status_code == 200
    assert "This looks like a phone number" in " ".join(
        refused.context["return_form"].errors["returned_note"]
    )
    kept = re.search(
        r'<textarea name="returned_note"[^>]*>(.*?)</textarea>',
        unescape(refused.content.decode()),
        re.S,
    )
    assert kept.group(1).strip() == NOTE
    briefing.refresh_from_db()
    assert (briefing.status, briefing.returned_note) == (Briefing.Status.SUBMITTED, "")
    blank = client.post(url, {"returned_note": "  "})
    assert "Say what should change before sending it back." in words(blank)
    sent_back = client.post(url, {"returned_note": "Shorter questions, please."})
    assert sent_back.status_code == 302
    briefing.refresh_from_db()
    assert briefing.status == Briefing.Status.DRAFT
    # Sent again from a page since overtaken: said, though the form is no longer shown.
    stale = client.post(url, {"returned_note": "Shorter still."})
    refusal = "Only a briefing awaiting approval or approved can be sent back."
    assert f"Nothing was changed: {refusal}" in words(stale)
