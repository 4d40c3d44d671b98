"""An agency lead completes and submits a Section 11 return; a QAP member moderates a standard;
the heat map shows both scores."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits import services
from audits.tests.factories import section_11
from sscb.models import SubGroup
from sscb.tests.factories import (
    AgencyFactory,
    SubGroupFactory,
    SubGroupMembershipFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def section_11_cycle():
    police = AgencyFactory(name="West Mercia Police", short_name="Police", kind="police")
    AgencyFactory(name="Children's Social Care", short_name="CSC", kind="csc")
    UserFactory(username="policelead", role="agency_lead", agency=police)
    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE)
    SubGroupMembershipFactory(subgroup=qap, user=UserFactory(username="qapmember"))
    bu = UserFactory(username="bu", role="business_unit")
    today = timezone.localdate()
    return services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit this year",
        financial_year=today.year,
        opened_on=today,
        deadline=today + datetime.timedelta(days=30),
        by=bu,
    )


def test_lead_submits_qap_moderates_heat_map_shows_both(
    section_11_cycle, page, live_server, browser_login
):
    # The police lead fills in the return from their home page.
    browser_login(page, "policelead")
    page.get_by_role(
        "link", name=re.compile("Section 11 audit this year: your return is due")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("West Mercia Police")
    for number in range(1, 9):
        score = "Not met" if number == 6 else "Met"
        page.locator(f"#id_standard-{number}-self_score").select_option(label=score)
        page.locator(f"#id_standard-{number}-narrative").fill(f"How we meet standard {number}.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("button", name="Submit return").click()
    expect(page.get_by_text("Return submitted to the partnership.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    expect(page.get_by_text("Not met: action needed")).to_be_visible()
    expect(page.get_by_role("link", name="Continue the return")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    # A QAP member moderates standard 6 up to partly met after the challenge event.
    browser_login(page, "qapmember")
    page.get_by_role("link", name="Audits", exact=True).click()
    page.get_by_role("link", name="Section 11 audit this year").click()
    expect(page.get_by_test_id("returned")).to_have_text("1")
    page.get_by_role("link", name="West Mercia Police").click()
    page.get_by_role("link", name="Moderate standard 6").click()
    page.get_by_label("Moderated score").select_option(label="Partly met")
    page.get_by_label("Moderation comment").fill("DBS renewals are now tracked monthly.")
    page.get_by_label("Challenge event notes").fill("Lead showed the new tracker.")
    page.get_by_role("button", name="Save moderation").click()
    expect(page.get_by_text("Standard 6 moderated.")).to_be_visible()

    # The heat map shows the self-assessed and moderated scores side by side.
    page.goto(f"{live_server.url}/audits/cycles/{section_11_cycle.uuid}/heat-map/")
    cell = page.get_by_test_id("cell-police-6")
    expect(cell.get_by_test_id("self")).to_have_text("1")
    expect(cell.get_by_test_id("moderated")).to_have_text("2")
    expect(page.get_by_test_id("cell-police-5").get_by_test_id("self")).to_have_text("3")
    expect(page.get_by_test_id("cell-csc-1")).to_have_text("not returned")
