"""A briefing's page gives the partnership's reach, as its list does, to every reader; an
agency lead reads their own agency's figure beside it, and only their own agency's row."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from sscb.tests.factories import AgencyFactory

from .. import services
from .factories import published

pytestmark = pytest.mark.django_db


def text_of(response, testid: str) -> str:
    page = unescape(response.content.decode())
    start = page.index(f'data-testid="{testid}"')
    return " ".join(
        strip_tags(page[page.index(">", start) + 1 : page.index("</p>", start)]).split()
    )


@pytest.fixture
def briefing(writer, chair, li, outcome, agencies, make_user, agency_user):
    """Published to three agencies: the lead's confirmed 60 staff, another 158, one none."""
    AgencyFactory(name="Probation", short_name="Probation", kind="probation")
    briefing = published(by=writer, approver=chair, subgroup=li, outcome=outcome)
    today = timezone.localdate()
    police, csc = (briefing.cascades.get(agency=a) for a in agencies)
    services.cascade_confirm(
        cascade=police, by=agency_user, cascaded_on=today, method="team_meeting", staff_reached=60
    )
    csc_lead = make_user(role="agency_lead", agency=agencies[1], username="csclead")
    services.cascade_confirm(
        cascade=csc, by=csc_lead, cascaded_on=today, method="email", staff_reached=158
    )
    return briefing


def test_the_briefing_page_gives_the_partnerships_reach_as_the_list_does(
    client, briefing, agency_user, bu_user
):
    client.force_login(agency_user)
    listed = client.get(reverse("briefings:list")).context["page_obj"][0]
    assert (listed.reach, listed.confirmed, listed.sent) == (218, 2, 3)
    page = client.get(briefing.get_absolute_url())
    assert text_of(page, "reach") == "Reach: 218 staff, confirmed by 2 of 3 agencies."
    assert text_of(page, "own-reach") == "Your agency, West Mercia Police: 60 staff."
    # The rows stay the lead's own agency's, and the page says the others are not shown.
    rows = page.content.decode().count('data-testid="cascade-row"')
    assert rows == 1 and "Children's Social Care" not in page.content.decode()
    assert text_of(page, "cascades-not-shown").startswith(
        "2 other agencies' confirmations are not shown to you"
    )
    # The Business Unit reads the same headline, every row, and no "your agency".
    client.force_login(bu_user)
    page = client.get(briefing.get_absolute_url())
    assert text_of(page, "reach") == "Reach: 218 staff, confirmed by 2 of 3 agencies."
    assert page.content.decode().count('data-testid="cascade-row"') == 3
    assert 'data-testid="own-reach"' not in page.content.decode()
    assert 'data-testid="cascades-not-shown"' not in page.content.decode()


def test_a_lead_whose_agency_has_not_confirmed_is_told_so_beside_the_partnerships_reach(
    client, briefing, make_user
):
    probation = briefing.cascades.get(agency__name="Probation").agency
    lead = make_user(role="agency_lead", agency=probation, username="probationlead")
    client.force_login(lead)
    page = client.get(briefing.get_absolute_url())
    assert text_of(page, "reach") == "Reach: 218 staff, confirmed by 2 of 3 agencies."
    assert text_of(page, "own-reach") == "Your agency, Probation: not confirmed yet."
