"""A sub-group member walks an SCR from referral to publication in Chromium, reading the clocks."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False


def _move(page, stage, on=None):
    if on:
        page.get_by_label("Moved on").fill(on.isoformat())
    page.get_by_role("button", name=f"Move to “{stage}”").click()
    expect(page.get_by_test_id("stage")).to_have_text(stage)


def test_referral_to_publication_as_a_sub_group_member(demo, page, live_server, browser_login):
    today = timezone.localdate()
    referred = today - datetime.timedelta(days=20)
    page.set_default_timeout(10000)
    browser_login(page, "member")
    page.get_by_role("link", name="Reviews", exact=True).click()
    page.get_by_role("link", name="Open a review").click()
    page.get_by_label("Kind").select_option("scr")
    page.get_by_label("Title").fill("Baby with a head injury at home")
    page.get_by_label("Child or family pseudonym").fill("Baby Q")
    page.get_by_label("Responsible sub-group").select_option(label="Case Review Panel")
    page.get_by_label("Referred on").fill(referred.isoformat())
    page.get_by_label("Notified on").fill(referred.isoformat())
    # SCRs ended in September 2019: one opened now says why (a case begun under the old rules).
    page.get_by_label("Why it is recorded outside its regime").fill(
        "Began under the LSCB's transitional arrangements."
    )
    page.get_by_role("button", name="Open the review").click()

    expect(page.get_by_test_id("reference")).to_contain_text(f"SCR-{referred.year}-")
    expect(page.get_by_test_id("clock-row")).to_contain_text("Decide whether to initiate an SCR")
    expect(page.get_by_test_id("clock-state").first).to_be_visible()
    # Brought to the panel's decision on the day it was referred; decided ten days later.
    _move(page, "Decision", on=referred)

    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("abuse or neglect of the child is known or suspected").check()
    page.get_by_label("the child has been seriously harmed").check()
    page.get_by_label("there is cause for concern about how agencies worked together").check()
    page.locator("#id_decision").select_option("initiate")
    page.get_by_label("Decided on").fill((referred + datetime.timedelta(days=10)).isoformat())
    page.get_by_label("Reasons for the decision").fill("Serious harm and concerns about sharing.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("criteria")).to_contain_text(
        "Criteria met because abuse or neglect is known or suspected, the child was seriously "
        "harmed"
    )
    # The decision clock is met; the six-month completion clock is running and on track.
    completion = page.get_by_test_id("clock-row").filter(has_text="Complete the SCR")
    expect(completion.get_by_test_id("clock-state")).to_have_text("On track")
    expect(completion.get_by_test_id("clock-days")).to_contain_text("left")
    decision = page.get_by_test_id("clock-row").filter(has_text="Decide whether")
    expect(decision.get_by_test_id("clock-state")).to_contain_text("Met")

    page.get_by_role("link", name="Choose the method").click()
    page.get_by_label("Review method").select_option("systems")
    page.get_by_label("Why the method is proportionate").fill("Many agencies over two years.")
    page.get_by_role("button", name="Save the method").click()
    _move(page, "Scoping and terms of reference")

    # Scoping ends with terms of reference agreed.
    page.get_by_role("link", name="Terms of reference").first.click()
    page.get_by_label("Scope period from").fill(
        (referred - datetime.timedelta(days=365)).isoformat()
    )
    page.get_by_label("Scope period to").fill(referred.isoformat())
    page.get_by_label("Key lines of enquiry").fill("How did agencies share what they knew?")
    page.get_by_label("Agreed by").fill("Case Review Panel")
    page.get_by_label("Agreed on").fill(today.isoformat())
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_test_id("current-terms")).to_contain_text("by Case Review Panel")
    page.get_by_role("link", name="Overview").click()

    page.get_by_role("link", name="Lead reviewer").click()
    page.get_by_label("Independent lead reviewer").select_option(label="Morgan Clarke")
    page.get_by_role("button", name="Save the reviewer").click()
    _move(page, "Reviewer appointed")
    # Without the declaration the review cannot move on, and the page says why.
    page.get_by_role("button", name="Move to “Agency chronologies”").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "cannot move past 'reviewer appointed' until the lead reviewer has declared"
    )
    expect(page.get_by_test_id("stage")).to_have_text("Reviewer appointed")

    page.get_by_role("link", name="Lead reviewer").click()
    page.get_by_label("Independence declared on").fill(today.isoformat())
    page.get_by_label("Independence declaration").fill("No part in the case or the agencies.")
    page.get_by_role("button", name="Save the reviewer").click()
    expect(page.get_by_test_id("independence")).to_contain_text("Declared independent")
    for stage in (
        "Agency chronologies",
        "Practitioner event",
        "Family involvement",
        "Analysis and draft",
        "Board sign-off and written response",
    ):
        _move(page, stage)

    page.get_by_role("link", name="Record publication").click()
    page.get_by_label("Published on").fill(today.isoformat())
    page.get_by_label("Published where").fill("Partnership website")
    page.get_by_label("The Board's written response").fill("The Board accepts every finding.")
    page.get_by_role("button", name="Save publication").click()
    _move(page, "Published")
    expect(page.get_by_test_id("published")).to_contain_text("On the website until at least")
    completion = page.get_by_test_id("clock-row").filter(has_text="Complete the SCR")
    expect(completion.get_by_test_id("clock-state")).to_contain_text("Met")
    expect(page.get_by_test_id("timeline")).to_contain_text("to “Published” by Sam Patel")


LEAFLET_PAGES = 3  # an LCSPR's leaflet, its longest, prints on no more than three A4 sheets


def test_a_leaflet_prints_as_a_leaflet_without_signing_in(page, live_server):
    from django.urls import reverse

    page.set_default_timeout(10000)
    page.goto(live_server.url + reverse("process:kind", args=["lcspr"]))
    button = page.get_by_role("button", name="Print this leaflet")
    expect(button).to_be_visible()
    page.emulate_media(media="print")
    expect(button).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main navigation")).to_be_hidden()
    expect(page.get_by_role("contentinfo")).to_be_hidden()
    expect(page.get_by_test_id("step").first).to_be_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    sheets = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert 1 <= sheets <= LEAFLET_PAGES, sheets
