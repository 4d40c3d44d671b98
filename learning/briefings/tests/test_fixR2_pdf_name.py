"""A briefing's PDF is named by its title and version, as a reader would look for it."""

import pytest
from django.urls import reverse

from .factories import draft, published

pytestmark = pytest.mark.django_db


def test_the_pdf_is_named_by_the_briefings_title_and_version(
    client, writer, chair, li, outcome, agency_user
):
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    client.force_login(agency_user)
    response = client.get(reverse("briefings:pdf", args=[briefing.uuid]))
    assert response["Content-Disposition"] == 'inline; filename="hearing-child-a-v1.pdf"'
    assert str(briefing.uuid) not in response["Content-Disposition"]


def test_a_drafts_pdf_says_it_is_a_draft(client, writer, li, outcome):
    briefing = draft(by=writer, subgroup=li, outcome=outcome, title="Seeing: the whole history!")
    client.force_login(writer)
    response = client.get(reverse("briefings:pdf", args=[briefing.uuid]))
    assert response["Content-Disposition"] == (
        'inline; filename="seeing-the-whole-history-v1-draft.pdf"'
    )
