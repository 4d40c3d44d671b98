"""Each demo role signs in through the real login form in Chromium and sees its own home page."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [
    ("admin", "Business Unit officer", "You run the partnership's learning"),
    ("member", "Sub-group member", "You record and move forward the work"),
    ("executive", "Board executive member", "You hold the partnership to account"),
    ("agency", "Partner agency lead", "You answer for your agency"),
    ("reviewer", "Independent reviewer", "You lead an independent review"),
]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False


def test_each_demo_user_signs_in_to_their_home_page_and_a_wrong_password_is_explained(
    demo, page, live_server, browser_login
):
    """One after another on the same demo data (loading it takes longer than signing in)."""
    for username, role, purpose in ROLES:
        browser_login(page, username)
        expect(page.get_by_test_id("role"), username).to_have_text(role)
        expect(page.get_by_test_id("role-purpose"), username).to_contain_text(purpose)
        expect(page.get_by_role("link", name="Partnership", exact=True)).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page, f"{username} signed out").to_have_url(f"{live_server.url}/accounts/login/")

    browser_login(page, "member", password="not-it")
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()


def test_a_form_that_posts_is_sent_once_however_often_it_is_clicked(page, live_server):
    """static/js/submit_once.js, on every page of the layout (here, the sign-in page)."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("load")
    ignored = page.evaluate(
        """() => {
            const form = document.querySelector("form[method=post]");
            const send = () => {
                const event = new SubmitEvent("submit", {bubbles: true, cancelable: true});
                form.dispatchEvent(event);
                return event.defaultPrevented;
            };
            return [send(), send(), form.getAttribute("aria-busy")];
        }"""
    )
    assert ignored == [False, True, "true"]
