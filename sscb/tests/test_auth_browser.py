"""A person sets up an authenticator app at first sign-in, then signs in with its code and with a
recovery code, in Chromium, under the site's Content Security Policy."""

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from sscb.tests.test_auth import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    seen = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code(
    settings, page, live_server, browser_login, member_user, csp_violations
):
    settings.MFA_REQUIRED_ROLES = ["all"]
    # The code used to enrol may not be used again; accept the next 30 seconds' code too, so
    # that the test need not wait for the app to show a new one.
    settings.MFA_TOTP_TOLERANCE = 1

    # First sign-in: the password, then straight to setting up the authenticator app.
    browser_login(page, "member")
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Set up your second factor")
    page.goto(f"{live_server.url}/reviews/")  # nothing else opens until it is done
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/totp/activate/")
    # A passkey instead is offered too; its page runs allauth's WebAuthn scripts.
    page.get_by_role("link", name="Add one instead").click()
    expect(page.get_by_role("button", name="Add")).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.go_back()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    # Recovery codes are shown once it is on.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_test_id("role")).to_have_text("Sub-group member")
    assert Authenticator.objects.filter(user=member_user, type="totp").exists()
    page.get_by_role("button", name="Sign out").click()

    # Next time: password, then the app's code.
    browser_login(page, "member")
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(totp_code(secret, offset=1))
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_test_id("role")).to_have_text("Sub-group member")
    page.get_by_role("link", name="Security: second factor and password").click()
    expect(page.get_by_text("On: you sign in with a six-digit code")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # Phone lost: a recovery code instead.
    browser_login(page, "member")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_test_id("role")).to_have_text("Sub-group member")

    assert csp_violations == []


def test_the_sign_in_page_offers_a_passkey_and_a_password_reset_within_the_policy(
    page, live_server, csp_violations
):
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="Use a passkey instead")).to_be_visible()
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/password/reset/")
    page.wait_for_load_state("networkidle")
    assert csp_violations == []
