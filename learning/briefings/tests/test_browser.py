"""Issue 19's browser test: a member writes a 7-minute briefing from a theme, the sub-group's
chair approves and publishes it, an agency lead confirms its cascade in "My agency", and the
dashboard's reach changes from nothing to what the agency confirmed."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learning.models import DeliveryActivity

from ..models import Briefing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_a_briefing_from_a_theme_is_published_cascaded_and_reaches_the_dashboard(
    page, live_server, browser_login, writer, chair, theme, outcome, agencies, agency_user
):
    page.set_default_timeout(10_000)

    # The member writes it from the theme: its title and findings are there to start from.
    browser_login(page, writer.username)
    page.goto(f"{live_server.url}{theme.get_absolute_url()}")
    page.get_by_role("link", name="Write a briefing").click()
    expect(page.get_by_label("Title")).to_have_value("Hearing the voice of the child")
    expect(page.get_by_label("What happened")).to_contain_text("Child A's words were not recorded")
    page.get_by_label("Learning outcome").select_option(label=outcome.title)
    page.get_by_label("Why it matters").fill("A child's own words are evidence of their life.")
    page.get_by_label("What to do differently").fill("Write down what the child said.")
    page.get_by_label("Questions for team discussion").fill("When did you last do so?")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("briefing-status")).to_have_text("Draft")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_test_id("briefing-status")).to_contain_text("Awaiting the chair")
    expect(page.get_by_role("button", name="Approve version 1")).to_have_count(0)
    sign_out(page)

    # The chair approves and publishes it; nothing has reached anyone yet.
    browser_login(page, chair.username)
    page.goto(f"{live_server.url}{Briefing.objects.get().get_absolute_url()}")
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.get_by_test_id("approved")).to_contain_text("(chair)")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_test_id("briefing-status")).to_contain_text("Published")
    expect(page.get_by_test_id("reach")).to_contain_text("Reach: 0 staff, confirmed by 0 of 2")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    reach = page.get_by_test_id("reach-row").filter(has_text="Hearing the voice of the child")
    expect(reach.get_by_test_id("reach")).to_have_text("0")
    sign_out(page)

    # The police's lead confirms the cascade from "My agency".
    browser_login(page, agency_user.username)
    page.get_by_role("link", name="My agency", exact=True).click()
    page.get_by_role("link", name="Briefings to cascade to your staff").click()
    page.get_by_role("link", name="Confirm the cascade").click()
    page.get_by_label("Cascaded on").fill(timezone.localdate().isoformat())
    page.get_by_label("Team meeting").check()
    page.get_by_label("Staff reached").fill("35")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Thank you: the cascade is recorded.")).to_be_visible()
    expect(page.get_by_test_id("cascade-row")).to_contain_text("Team meeting")
    sign_out(page)

    # The dashboard's reach is now what the agency confirmed, and opens the confirmations.
    browser_login(page, chair.username)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    reach = page.get_by_test_id("reach-row").filter(has_text="Hearing the voice of the child")
    expect(reach.get_by_test_id("reach")).to_have_text("35")
    reach.get_by_test_id("reach").click()
    expect(page.get_by_test_id("reach")).to_contain_text("Reach: 35 staff, confirmed by 1 of 2")
    expect(page.get_by_test_id("cascade-row").filter(has_text=agencies[0].name)).to_contain_text(
        "35"
    )
    assert DeliveryActivity.objects.get().reach == 35
