"""The Business Unit prepares a Case Review Panel meeting from what is due, holds it, minutes the
Panel's decision on a referral, and the review shows the decision with its date and a link back
to the minutes."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_panel_meeting_decides_a_referral_and_the_review_links_to_the_minutes(
    page, live_server, browser_login, bu_user, crp, referral
):
    today = timezone.localdate()
    page.set_default_timeout(10_000)
    browser_login(page, bu_user.username)

    page.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("link", name="Schedule a meeting").click()
    page.get_by_label("Body").select_option(label="Case Review Panel")
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Place").fill("Shirehall, Shrewsbury")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case Review Panel")

    page.get_by_role("link", name="Build the agenda from what is due").click()
    proposal = page.get_by_test_id("proposal").filter(has_text=referral.reference)
    expect(proposal).to_contain_text("Referral awaiting a decision")
    proposal.get_by_role("checkbox").check()
    page.get_by_role("button", name="Add the ticked items").click()
    expect(page.get_by_test_id("agenda-item")).to_have_count(1)
    expect(page.get_by_test_id("agenda-item")).to_contain_text(referral.title)

    page.get_by_role("button", name="Mark “Held: minutes being drafted”").click()
    expect(page.get_by_test_id("meeting-status")).to_contain_text("Held")
    minutes_url = page.url

    page.get_by_role("link", name="Record the Case Review Panel's decision").click()
    page.get_by_label("Initiate the review").check()
    page.get_by_label("Reasons for the decision").fill(
        "Serious harm and concern about how agencies worked together."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The decision is recorded on the review.")).to_be_visible()
    expect(page.get_by_test_id("item-decision")).to_contain_text("Initiate the review")

    page.get_by_test_id("agenda-item").get_by_role("link", name=referral.reference).click()
    decided_at = page.get_by_test_id("decided-at")
    expect(decided_at).to_have_text(
        f"decided at the Case Review Panel, {today.day} {today:%B %Y}, item 1"
    )
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text(f"{today.day} {today:%b %Y}")
    expect(timeline).to_contain_text("decision recorded: Initiate the review")
    decided_at.click()
    expect(page).to_have_url(f"{minutes_url}#item-1")
    referral.refresh_from_db()
    assert referral.decision == Review.Decision.INITIATE
