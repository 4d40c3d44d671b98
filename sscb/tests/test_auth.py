"""Signing in: second factor, passwords and their resets, lockouts that cannot be turned against
the partnership, and mail that does not cross the network in clear."""

import base64
import hashlib
import hmac
import os
import re
import struct
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axes.models import AccessFailureLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth.password_validation import validate_password
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sscb import checks, signin
from sscb.client_ip import client_ip
from sscb.tests.factories import SubGroupMembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "safeguarding-demo"
LOGIN = "/accounts/login/"


def totp_code(secret: str, *, offset: int = 0) -> str:
    """RFC 6238 with SHA-1, 30-second steps and six digits: what an authenticator app shows."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int(time.time()) // 30 + offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(client, username, password=PASSWORD, address="10.0.0.1", **extra):
    return client.post(
        LOGIN, {"login": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# Second factor ------------------------------------------------------------------------------


def test_mfa_is_required_of_every_role_in_production_and_none_in_development():
    assert _settings_value("MFA_REQUIRED_ROLES", DEBUG="0") == "['all']"
    assert _settings_value("MFA_REQUIRED_ROLES", DEBUG="1") == "[]"
    assert (
        _settings_value("MFA_REQUIRED_ROLES", DEBUG="0", MFA_REQUIRED_ROLES="business_unit")
        == "['business_unit']"
    )
    assert (
        _settings_value("MFA_REQUIRED_ROLES", DEBUG="1", MFA_REQUIRED_ROLES="agency_lead")
        == "['agency_lead']"
    )


def test_a_role_that_needs_mfa_is_sent_to_set_it_up_before_anything_else(
    client, settings, member_user
):
    settings.MFA_REQUIRED_ROLES = ["subgroup_member"]
    client.force_login(member_user)
    for path in ["/", "/reviews/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == reverse("mfa_activate_totp"), path


def test_the_set_up_page_neither_says_signed_in_nor_shows_a_menu_that_leads_nowhere(
    client, settings, member_user
):
    settings.MFA_REQUIRED_ROLES = ["all"]
    response = sign_in(client, "member", follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")
    page = response.content.decode()
    assert "Successfully signed in" not in page
    assert 'href="/reviews/"' not in page and "My reminders" not in page
    assert "Sign out" in page


def test_a_role_that_does_not_need_mfa_goes_straight_in(client, settings, member_user):
    settings.MFA_REQUIRED_ROLES = ["business_unit"]
    client.force_login(member_user)
    assert client.get("/").status_code == 200


def test_a_person_with_an_authenticator_app_goes_straight_in(client, settings, member_user):
    settings.MFA_REQUIRED_ROLES = ["all"]
    TOTP.activate(member_user, generate_totp_secret())
    client.force_login(member_user)
    assert client.get("/").status_code == 200


def test_the_second_factor_is_read_with_the_person_and_its_reset_shows_on_the_next_page(
    client, settings, member_user
):
    settings.MFA_REQUIRED_ROLES = ["all"]
    TOTP.activate(member_user, generate_totp_secret())
    client.force_login(member_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    asked = [q["sql"] for q in queries.captured_queries if "mfa_authenticator" in q["sql"]]
    assert len(asked) == 1  # one query, the one that reads the person
    assert 'FROM "sscb_user"' in asked[0]
    Authenticator.objects.filter(user=member_user).delete()
    assert client.get("/")["Location"] == reverse("mfa_activate_totp")


def test_a_kept_page_reads_the_person_their_agency_and_sub_groups_in_one_query(
    client, member_user, agency
):
    member_user.agency = agency
    member_user.save()
    membership = SubGroupMembershipFactory(user=member_user)
    client.force_login(member_user)
    dashboard = reverse("dashboard:index")
    client.get(reverse("reviews:list"))  # made and kept for this person
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("reviews:list")).content.decode()
    # Besides the session (read from the cache where there is one), only the person.
    asked = [q["sql"] for q in queries.captured_queries if "django_session" not in q["sql"]]
    assert len(asked) == 1, asked
    assert 'FROM "sscb_user"' in asked[0]
    assert agency.label in page  # the header names the person's agency
    new_review = reverse("reviews:create")
    assert f'href="{dashboard}"' in page and f'href="{new_review}"' in page
    # Off their only sub-group, the next page offers neither the dashboard nor a new review.
    membership.delete()
    page = client.get(reverse("reviews:list")).content.decode()
    assert f'href="{dashboard}"' not in page and f'href="{new_review}"' not in page
    assert client.get(dashboard).status_code == 403


def test_the_security_pages_recovery_code_button_opens_a_page_with_or_without_codes(
    client, member_user
):
    TOTP.activate(member_user, generate_totp_secret())
    client.force_login(member_user)
    for has_codes, label, name in [
        (False, "Make recovery codes", "mfa_generate_recovery_codes"),
        (True, "See or renew", "mfa_view_recovery_codes"),
    ]:
        if has_codes:
            RecoveryCodes.activate(member_user)
        page = client.get(reverse("mfa_index")).content.decode()
        assert label in page and reverse(name) in page
        assert client.get(reverse(name)).status_code in (200, 302)  # not "Page not found"


def test_recovery_codes_alone_are_not_a_second_factor(client, settings, member_user):
    settings.MFA_REQUIRED_ROLES = ["all"]
    RecoveryCodes.activate(member_user)
    client.force_login(member_user)
    assert client.get("/")["Location"] == reverse("mfa_activate_totp")


def test_signing_out_and_the_enrolment_page_stay_reachable(client, settings, member_user):
    settings.MFA_REQUIRED_ROLES = ["all"]
    sign_in(client, "member")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "Set up your second factor" in page.content.decode()
    client.post(reverse("logout"))
    assert not signed_in_as(client)


def test_before_enrolling_only_the_second_factor_pages_and_signing_out_open(
    client, settings, member_user
):
    settings.MFA_REQUIRED_ROLES = ["all"]
    client.force_login(member_user)
    for name in ["account_change_password", "account_email"]:
        assert client.get(reverse(name))["Location"] == reverse("mfa_activate_totp"), name
    for name in ["mfa_index", "mfa_add_webauthn", "account_reauthenticate"]:
        assert client.get(reverse(name)).get("Location") != reverse("mfa_activate_totp"), name


def test_people_do_not_manage_their_own_email_addresses(client, member_user):
    client.force_login(member_user)
    assert client.get("/accounts/email/")["Location"] == reverse("mfa_index")


def test_password_then_authenticator_code_signs_in(client, settings, member_user):
    settings.MFA_REQUIRED_ROLES = ["all"]
    secret = generate_totp_secret()
    TOTP.activate(member_user, secret)
    response = sign_in(client, "member")
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in_as(client)  # the password alone is not enough
    assert signin.DEVICE_COOKIE not in client.cookies  # nor does it make a device trusted

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and not signed_in_as(client)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("home")
    assert signed_in_as(client) == str(member_user.pk)
    cookie = client.cookies[signin.DEVICE_COOKIE].value
    assert signing.loads(cookie, salt=signin.DEVICE_COOKIE_SALT) == ["member"]


def test_wrong_authenticator_codes_are_limited_per_account_from_any_address(
    client, settings, member_user
):
    """Whoever has the password gets 5 wrong codes in 5 minutes, however many addresses they
    use: then even the right code waits. A right code starts the count again."""
    settings.MFA_REQUIRED_ROLES = ["all"]
    secret = generate_totp_secret()
    TOTP.activate(member_user, secret)
    sign_in(client, "member")
    url = reverse("mfa_authenticate")
    for n in range(5):
        wrong = client.post(url, {"code": "000000"}, REMOTE_ADDR=f"10.0.3.{n}")
        assert "Incorrect code" in wrong.content.decode()
    refused = client.post(url, {"code": totp_code(secret)}, REMOTE_ADDR="10.0.4.1")
    assert signin.TOO_MANY_CODES in refused.content.decode()
    assert not signed_in_as(client)


def test_a_right_code_clears_the_count_of_wrong_ones(client, settings, member_user):
    settings.MFA_REQUIRED_ROLES = ["all"]
    secret = generate_totp_secret()
    TOTP.activate(member_user, secret)
    url = reverse("mfa_authenticate")
    sign_in(client, "member")
    for _ in range(4):
        client.post(url, {"code": "000000"})
    assert client.post(url, {"code": totp_code(secret)}).status_code == 302
    client.logout()
    sign_in(client, "member")
    for _ in range(4):
        assert "Incorrect code" in client.post(url, {"code": "000000"}).content.decode()


def test_the_admin_signs_in_through_the_same_page(client, member_user):
    response = client.get("/admin/login/?next=/admin/sscb/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fadmin%2Fsscb%2F"


def test_the_admin_login_refuses_someone_signed_in_without_staff_rights(client, member_user):
    client.force_login(member_user)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_every_active_business_unit_officer_opens_the_admin_without_a_staff_tick(client, make_user):
    officer = make_user(role="business_unit", is_staff=False, username="newbu")
    client.force_login(officer)
    assert client.get("/admin/").status_code == 200
    assert 'href="/admin/"' in client.get("/").content.decode()
    officer.is_active = False
    officer.save()
    client.force_login(officer)
    assert client.get("/admin/").status_code != 200


def test_there_is_no_public_sign_up(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert "Sign Up Closed" in response.content.decode()
    client.post(
        "/accounts/signup/",
        {
            "username": "stranger",
            "email": "s@example.org",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )
    from sscb.models import User

    assert not User.objects.filter(username="stranger").exists()


def test_the_business_unit_resets_a_second_factor_and_it_shows_in_history(
    client, settings, bu_user, member_user
):
    TOTP.activate(member_user, generate_totp_secret())
    RecoveryCodes.activate(member_user)
    TOTP.activate(bu_user, generate_totp_secret())  # the officer's own is untouched
    client.force_login(bu_user)

    response = client.post(
        reverse("admin:sscb_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [member_user.pk]},
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=member_user).exists()
    assert Authenticator.objects.filter(user=bu_user).exists()

    history = client.get(reverse("admin:sscb_user_history", args=[member_user.pk]))
    assert "Second factor reset by bu" in history.content.decode()
    assert LogEntry.objects.filter(
        object_id=str(member_user.pk), change_message="Second factor reset by bu"
    ).exists()

    # At their next sign-in they are asked to set one up again.
    settings.MFA_REQUIRED_ROLES = ["all"]
    other = type(client)()
    sign_in(other, "member")
    assert other.get("/")["Location"] == reverse("mfa_activate_totp")


# Passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["short-pass1", "password1234", "384729104857392", "member@example.org1"],
    ids=["under 12 characters", "common", "all digits", "like the username"],
)
def test_weak_passwords_are_refused(member_user, password):
    with pytest.raises(ValidationError):
        validate_password(password, member_user)


def test_a_long_uncommon_password_is_accepted(member_user):
    validate_password("kettle orbit lantern 42", member_user)


def test_password_reset_says_the_same_whether_or_not_the_account_exists(client, member_user):
    known = client.post(reverse("account_reset_password"), {"email": member_user.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("account_reset_password_done")
    assert [message.to for message in mail.outbox] == [[member_user.email]]


def _reset_link(message):
    return re.search(r"https?://\S+/accounts/password/reset/key/\S+/", message.body).group(0)


def test_a_reset_link_sets_a_new_password_once(client, member_user):
    client.post(reverse("account_reset_password"), {"email": member_user.email})
    link = _reset_link(mail.outbox[0]).split("testserver", 1)[-1]
    form_url = client.get(link)["Location"]  # allauth moves the key into the session
    new = "kettle orbit lantern 42"
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    member_user.refresh_from_db()
    assert member_user.check_password(new)
    assert "Bad Token" in client.get(link, follow=True).content.decode()


def test_a_reset_link_expires(client, settings, member_user):
    client.post(reverse("account_reset_password"), {"email": member_user.email})
    link = _reset_link(mail.outbox[0]).split("testserver", 1)[-1]
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(later):
        page = client.get(link, follow=True)
    assert "Bad Token" in page.content.decode()


def test_the_business_unit_forces_a_password_reset(client, bu_user, member_user):
    member_session = type(client)()
    member_session.force_login(member_user)
    assert member_session.get("/").status_code == 200
    client.force_login(bu_user)

    client.post(
        reverse("admin:sscb_user_changelist"),
        {"action": "force_password_reset", "_selected_action": [member_user.pk]},
    )

    member_user.refresh_from_db()
    assert not member_user.has_usable_password()
    assert member_session.get("/")["Location"].startswith(LOGIN)  # signed out everywhere
    assert sign_in(type(client)(), "member").status_code == 200  # old password refused
    [message] = mail.outbox
    assert message.to == [member_user.email]
    assert "The Business Unit has reset your password" in message.body
    history = client.get(reverse("admin:sscb_user_history", args=[member_user.pk]))
    assert "Password reset forced by bu" in history.content.decode()

    # The link in the email lets them choose a new password.
    link = _reset_link(message).split("://", 1)[1].split("/", 1)[1]
    stranger = type(client)()
    form_url = stranger.get(f"/{link}")["Location"]
    new = "kettle orbit lantern 42"
    stranger.post(form_url, {"password1": new, "password2": new})
    member_user.refresh_from_db()
    assert member_user.check_password(new)


def test_a_forced_reset_needs_an_email_address(client, bu_user, member_user):
    member_user.email = ""
    member_user.save()
    client.force_login(bu_user)
    client.post(
        reverse("admin:sscb_user_changelist"),
        {"action": "force_password_reset", "_selected_action": [member_user.pk]},
    )
    member_user.refresh_from_db()
    assert member_user.has_usable_password()
    assert not mail.outbox


# Lockout ------------------------------------------------------------------------------------


def test_failures_with_many_usernames_from_one_address_do_not_stop_another_user(
    client, member_user
):
    for n in range(5):
        sign_in(client, f"guess-{n}-{os.urandom(4).hex()}", "wrong", address="10.0.0.9")
    assert sign_in(client, "member", address="10.0.0.9").status_code == 302


def test_five_failures_lock_the_pair_but_not_the_same_person_elsewhere(client, member_user):
    for _ in range(5):
        sign_in(client, "member", "wrong", address="10.0.0.1")
    locked = sign_in(client, "member", address="10.0.0.1")
    assert locked.status_code == 429
    assert "locked for now from this address" in locked.content.decode()
    assert not signed_in_as(client)
    assert sign_in(type(client)(), "member", address="10.0.0.2").status_code == 302


def test_the_lockout_counts_a_username_whatever_its_case(client, member_user):
    for name in ["member", "Member", "MEMBER", " member", "mEmber"]:
        sign_in(client, name, "wrong")
    assert sign_in(client, "member").status_code == 429


def test_allauth_does_not_lock_a_named_person_out_from_many_addresses(client, member_user):
    for n in range(8):
        sign_in(client, "member", "wrong", address=f"10.0.1.{n}")
    assert sign_in(client, "member", address="10.0.2.1").status_code == 302


def test_a_client_supplied_x_forwarded_for_is_ignored_without_trusted_proxies(client, member_user):
    for n in range(5):
        sign_in(client, "member", "wrong", address="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")
    response = sign_in(client, "member", address="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.99")
    assert response.status_code == 429


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(client, settings, member_user):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.254"
    for _ in range(5):
        sign_in(client, "member", "wrong", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert (
        sign_in(client, "member", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code
        == 429
    )
    other = sign_in(type(client)(), "member", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 302


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "203.0.113.5", "10.0.0.1"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own entry is not believed
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.7", "203.0.113.5"),
        (1, "", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def _spray(username, count):
    """Failures for one username from many addresses, as a password-spraying botnet leaves."""
    for n in range(count):
        AccessFailureLog.objects.create(
            username=username,
            ip_address=f"198.51.100.{n}",
            user_agent="spray",
            http_accept="*/*",
            path_info=LOGIN,
        )


def test_the_account_throttle_stops_unrecognised_devices_but_not_a_known_one(
    client, settings, member_user
):
    settings.LOGIN_ACCOUNT_THROTTLE = 20
    # The member's own laptop: a complete sign-in leaves the device cookie.
    laptop = type(client)()
    assert sign_in(laptop, "member", address="10.0.0.5").status_code == 302
    assert signin.DEVICE_COOKIE in laptop.cookies
    laptop.post(reverse("logout"))

    _spray("member", 20)

    stranger = sign_in(client, "member", address="10.0.0.6")
    assert stranger.status_code == 200
    assert signin.ACCOUNT_THROTTLED in stranger.content.decode()
    assert not signed_in_as(client)
    # Refused before the password is even checked: the refusal teaches nothing.
    assert AccessFailureLog.objects.filter(username="member").count() == 20

    assert sign_in(laptop, "member", address="10.0.0.5").status_code == 302
    assert signed_in_as(laptop) == str(member_user.pk)


def test_the_account_throttle_applies_only_above_its_threshold(client, settings, member_user):
    settings.LOGIN_ACCOUNT_THROTTLE = 20
    _spray("member", 19)
    assert sign_in(client, "member").status_code == 302


def test_the_account_throttle_forgets_failures_older_than_the_cool_off(
    client, settings, member_user
):
    settings.LOGIN_ACCOUNT_THROTTLE = 20
    with time_machine.travel(timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)):
        _spray("member", 25)
    assert sign_in(client, "member").status_code == 302


@pytest.mark.parametrize("cookie", ["forged", "someone-else"])
def test_only_a_genuine_device_cookie_for_that_person_passes_the_throttle(
    client, settings, member_user, cookie
):
    settings.LOGIN_ACCOUNT_THROTTLE = 20
    _spray("member", 20)
    if cookie == "forged":
        client.cookies[signin.DEVICE_COOKIE] = signing.dumps(["member"], salt="guessed")
    else:
        client.cookies[signin.DEVICE_COOKIE] = signing.dumps(
            ["executive"], salt=signin.DEVICE_COOKIE_SALT
        )
    response = sign_in(client, "member")
    assert signin.ACCOUNT_THROTTLED in response.content.decode()


def test_the_lockout_page_explains_itself(client, member_user):
    for _ in range(5):
        sign_in(client, "member", "wrong")
    text = sign_in(client, "member").content.decode()
    assert "Other people, and this account from elsewhere, are not affected" in text


# Email --------------------------------------------------------------------------------------

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    "tls, ssl, warned",
    [(False, False, True), (True, False, False), (False, True, False)],
)
def test_clear_text_smtp_in_production_is_warned_about(tls, ssl, warned):
    with override_settings(DEBUG=False, EMAIL_BACKEND=SMTP, EMAIL_USE_TLS=tls, EMAIL_USE_SSL=ssl):
        ids = [message.id for message in checks.email_is_encrypted(None)]
    assert ids == (["sscb.W001"] if warned else [])


def test_clear_text_smtp_in_development_is_not_warned_about():
    with override_settings(DEBUG=True, EMAIL_BACKEND=SMTP, EMAIL_USE_TLS=False):
        assert checks.email_is_encrypted(None) == []


def test_tls_is_on_by_default_in_production_unless_configured_off():
    assert _settings_value("EMAIL_USE_TLS", DEBUG="0") == "True"
    assert _settings_value("EMAIL_USE_TLS", DEBUG="0", EMAIL_USE_TLS="0") == "False"
    assert _settings_value("EMAIL_USE_TLS", DEBUG="0", EMAIL_USE_SSL="1") == "False"
    assert _settings_value("EMAIL_USE_TLS", DEBUG="1") == "False"


def test_both_kinds_of_email_encryption_at_once_is_an_error(settings):
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = True, True
    assert [m.id for m in checks.email_uses_one_kind_of_encryption(None)] == ["sscb.E002"]
    settings.EMAIL_USE_TLS = False
    assert checks.email_uses_one_kind_of_encryption(None) == []


@pytest.mark.parametrize(
    "site_url, sender, warned",
    [
        ("http://127.0.0.1:8000", "Business Unit <noreply@localhost>", ["sscb.W003", "sscb.W004"]),
        ("http://localhost", "bu@partnership.example.org", ["sscb.W003"]),
        ("https://learning.example.org", "noreply@localhost", ["sscb.W004"]),
        ("https://learning.example.org", "Business Unit <bu@partnership.example.org>", []),
    ],
)
def test_emails_left_pointing_at_this_machine_in_production_are_warned_about(
    settings, site_url, sender, warned
):
    settings.DEBUG, settings.SITE_URL, settings.DEFAULT_FROM_EMAIL = False, site_url, sender
    assert [message.id for message in checks.emails_name_this_site(None)] == warned
    settings.DEBUG = True
    assert checks.emails_name_this_site(None) == []


def test_a_cache_each_worker_keeps_to_itself_in_production_is_warned_about(settings):
    settings.DEBUG, settings.SHARED_CACHE = False, False
    assert [message.id for message in checks.cache_is_shared(None)] == ["sscb.W005"]
    settings.SHARED_CACHE = True
    assert checks.cache_is_shared(None) == []


def test_an_unknown_role_in_mfa_required_roles_is_an_error(settings):
    settings.MFA_REQUIRED_ROLES = ["business_unit", "chair"]
    assert [message.id for message in checks.second_factor_roles_exist(None)] == ["sscb.E001"]
    settings.MFA_REQUIRED_ROLES = ["all"]
    assert checks.second_factor_roles_exist(None) == []


def _settings_value(name, **env):
    """A setting as the settings module computes it from these environment variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "DEBUG", "MFA_REQUIRED_ROLES"} and not k.startswith("EMAIL")
    }
    clean.setdefault("SECRET_KEY", "x" * 60)
    result = subprocess.run(
        [sys.executable, "-c", f"import sscb.settings as s; print(s.{name})"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_turning_the_second_factor_off_later_asks_for_the_password_again(
    client, settings, member_user
):
    settings.MFA_REQUIRED_ROLES = ["all"]
    secret = generate_totp_secret()
    TOTP.activate(member_user, secret)
    sign_in(client, "member")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert signed_in_as(client)
    response = client.get(reverse("mfa_deactivate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
