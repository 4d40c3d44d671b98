"""A finding walks from a review to assured evidence, as sub-group members and the Executive would
do it, and the theme reports the right loop stage at each step."""

import datetime

import pytest
from playwright.sync_api import expect

from learning.tests.factories import ReviewFactory
from sscb.tests.factories import StrategicPriorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_finding_goes_round_the_loop_to_assured_evidence(
    page, live_server, browser_login, li_member, li, executive_user, agency
):
    review = ReviewFactory(subgroup=li, title="Chronic neglect across three siblings")
    StrategicPriorityFactory(title="Neglect")
    today = datetime.date.today()
    url = live_server.url

    def stage_is(label):
        expect(page.get_by_test_id("loop-stage").first).to_have_attribute("data-stage", label)

    page.set_default_timeout(10_000)
    browser_login(page, "member")
    page.get_by_role("link", name="Learning", exact=True).click()
    page.get_by_role("link", name="Findings", exact=True).click()
    page.get_by_role("link", name="Record a finding").click()
    page.get_by_label("Title").fill("Cumulative harm missed")
    page.get_by_label("Detail").fill("Eleven referrals about Child A were assessed one by one.")
    page.get_by_label("Source").select_option("learning_review")
    page.get_by_label("Review").select_option(str(review.pk))
    page.get_by_label(agency.name).check()
    page.get_by_label("Sub-group").select_option(str(li.pk))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cumulative harm missed")
    stage_is("Identified")

    page.goto(f"{url}/learning/themes/new/")
    page.get_by_label("Title").fill("Seeing cumulative harm")
    page.get_by_label("Neglect").check()
    page.get_by_label("Sub-group").select_option(str(li.pk))
    page.get_by_role("button", name="Save").click()
    stage_is("Themed")  # a theme starts at themed

    page.get_by_role("link", name="Learning", exact=True).click()
    page.get_by_role("link", name="Collate into themes").click()
    page.get_by_label("Choose Cumulative harm missed").check()
    page.get_by_label("Put the ticked findings into").select_option(label="Seeing cumulative harm")
    page.get_by_role("button", name="Add to theme").click()
    expect(page.get_by_text("1 finding added")).to_be_visible()
    stage_is("Themed")
    page.get_by_role("button", name="Mark agreed").click()
    expect(page.get_by_test_id("theme-status")).to_contain_text("Agreed")

    page.get_by_role("link", name="Add a learning outcome").click()
    page.get_by_label("Title").fill("Practitioners read the whole history")
    page.get_by_label("Schedule").fill("Module update; briefing; event.")
    page.get_by_label("Impact measure").fill("Re-audit in six months.")
    page.get_by_role("button", name="Save").click()
    outcome_url = page.url
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, executive_user.username)
    page.goto(outcome_url)
    page.get_by_label("Agreed", exact=True).check()
    page.get_by_label("The Executive's discussion").fill("Agreed; release managers for the event.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("decision").first).to_have_text("Agreed")
    page.get_by_role("link", name="Seeing cumulative harm").first.click()
    stage_is("Outcome agreed")
    page.get_by_role("button", name="Sign out").click()

    browser_login(page, "member")
    page.goto(outcome_url)
    page.get_by_role("link", name="Add a delivery activity").click()
    page.get_by_label("Way").select_option("briefing")
    page.get_by_label("Title").fill("7-minute briefing")
    page.get_by_label("Planned on").fill((today - datetime.timedelta(days=10)).isoformat())
    # Delivered the day the Executive agreed it: never before (learning.models.DeliveryActivity).
    page.get_by_label("Delivered on").fill(today.isoformat())
    page.get_by_label("Reach").fill("240")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Seeing cumulative harm").first.click()
    stage_is("Delivered")

    page.goto(outcome_url)
    page.get_by_role("link", name="Add a practice check").click()
    page.get_by_label("Way").select_option("single_agency_audit")
    page.get_by_label("Agency").select_option(str(agency.pk))
    page.get_by_label("Checked on").fill(today.isoformat())
    page.get_by_label("Result").select_option("improved")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Seeing cumulative harm").first.click()
    stage_is("Practice checked")

    page.goto(outcome_url)
    page.get_by_role("link", name="Add or request evidence").click()
    page.get_by_label("Way").select_option("agency_report")
    page.get_by_label("Agency").select_option(str(agency.pk))
    page.get_by_label("Title").fill("Police assurance report")
    page.get_by_role("button", name="Save").click()
    page.get_by_label("What the evidence shows").fill("History read in 15 of 18 cases.")
    page.get_by_role("button", name="Send the evidence").click()
    page.get_by_label("Assured", exact=True).check()
    page.get_by_label("Reason").fill("Sustained improvement.")
    page.get_by_role("button", name="Record the judgement").click()
    expect(page.get_by_test_id("judgement")).to_contain_text("Assured")
    stage_is("Assured")
    expect(page.get_by_test_id("sources")).to_contain_text(review.reference)

    page.get_by_role("link", name=review.reference).click()
    expect(page.get_by_test_id("thread-stage")).to_have_text("Assured")
