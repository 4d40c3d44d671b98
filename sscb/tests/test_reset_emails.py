"""The password reset emails: the Business Unit's forced reset says truthfully whether its link
went when the mail server fails, and "Forgotten your password?" speaks in the partnership's own
words (the mail server is the only stand-in: sscb.tests.mail_server)."""

import re

from django.core import mail
from django.urls import reverse

from sscb.tests import mail_server

PASSWORD = "safeguarding-demo"
FORCE = {"action": "force_password_reset"}


def test_a_forced_reset_whose_email_fails_says_so_and_the_others_go_on(
    client, settings, bu_user, member_user, reviewer_user
):
    reviewer_user.email = f"reviewer@{mail_server.REFUSED_DOMAIN}"
    reviewer_user.save()
    settings.EMAIL_BACKEND = mail_server.REFUSES
    client.force_login(bu_user)

    response = client.post(
        reverse("admin:sscb_user_changelist"),
        {**FORCE, "_selected_action": [reviewer_user.pk, member_user.pk]},
        follow=True,
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Password reset and link emailed: member." in page
    assert (
        "Password reset, but the email with the link could not be sent just now: reviewer. "
        "They are signed out and their password no longer works; their history says no link "
        "was sent." in page
    )
    assert [message.to for message in mail.outbox] == [[member_user.email]]
    not_sent = "Password reset forced by bu; the email with the reset link could not be sent"
    for user, said in (
        (reviewer_user, not_sent),
        (member_user, "Password reset forced by bu; reset link emailed"),
    ):
        user.refresh_from_db()
        assert not user.has_usable_password()  # signed out, the password stopped either way
        assert user.history.first().history_change_reason == said
        log = client.get(reverse("admin:sscb_user_history", args=[user.pk])).content.decode()
        assert said in log
    reviewer_log = client.get(reverse("admin:sscb_user_history", args=[reviewer_user.pk]))
    assert "reset link emailed" not in reviewer_log.content.decode()

    # Run again once the address is put right, the link goes, and the history says so.
    reviewer_user.email = "reviewer@example.org"
    reviewer_user.save()
    client.post(
        reverse("admin:sscb_user_changelist"), {**FORCE, "_selected_action": [reviewer_user.pk]}
    )
    assert mail.outbox[-1].to == ["reviewer@example.org"]
    reviewer_user.refresh_from_db()
    assert reviewer_user.history.first().history_change_reason == (
        "Password reset forced by bu; reset link emailed"
    )


def test_a_forced_reset_with_the_mail_server_down_is_no_server_error(
    client, settings, bu_user, member_user
):
    settings.EMAIL_BACKEND = mail_server.DOWN
    client.force_login(bu_user)
    response = client.post(
        reverse("admin:sscb_user_changelist"),
        {**FORCE, "_selected_action": [member_user.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "could not be sent just now: member." in response.content.decode()
    member_user.refresh_from_db()
    assert member_user.history.first().history_change_reason.endswith(
        "the email with the reset link could not be sent"
    )


def test_forgotten_password_email_says_who_sends_it_how_long_it_lasts_and_what_if_not_asked(
    client, settings, member_user
):
    settings.BOARD_NAME = "Shropshire Safeguarding Community Partnership"
    settings.PASSWORD_RESET_TIMEOUT = 2 * 60 * 60
    client.post(reverse("account_reset_password"), {"email": member_user.email})

    [message] = mail.outbox
    assert message.subject == "Shropshire Safeguarding Community Partnership: reset your password"
    body = message.body
    assert "Shropshire Safeguarding Community Partnership's learning and improvement tracker" in (
        " ".join(body.split())
    )
    assert "the link works once, for 2 hours" in body
    assert f"Your username is {member_user.get_username()}." in body
    assert "If you did not ask for this, you can ignore this email" in body
    assert body.rstrip().endswith("Shropshire Safeguarding Community Partnership Business Unit")
    assert "Hello from" not in body and "Thank you for using" not in body
    assert not message.alternatives  # plain text, as the forced reset's email

    # The link in it still sets a new password.
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", body).group(0)
    form_url = client.get(link.split("testserver", 1)[-1])["Location"]
    new = "kettle orbit lantern 42"
    client.post(form_url, {"password1": new, "password2": new})
    member_user.refresh_from_db()
    assert member_user.check_password(new)


def test_a_one_hour_link_is_said_in_the_singular(client, settings, bu_user, member_user):
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60
    client.force_login(bu_user)
    client.post(
        reverse("admin:sscb_user_changelist"), {**FORCE, "_selected_action": [member_user.pk]}
    )
    client.logout()
    client.post(reverse("account_reset_password"), {"email": member_user.email})
    assert [("for 1 hour)" in message.body) for message in mail.outbox] == [True, True]


def test_forgotten_password_with_the_mail_server_down_answers_as_for_any_address(
    client, settings, member_user
):
    """No server error, and the same page as for an address with no account (which must not be
    told apart); nothing is recorded, so asking again once mail works sends the link."""
    settings.EMAIL_BACKEND = mail_server.DOWN
    url = reverse("account_reset_password")
    known = client.post(url, {"email": member_user.email})
    unknown = client.post(url, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    member_user.refresh_from_db()
    assert member_user.has_usable_password()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post(url, {"email": member_user.email})
    assert [message.to for message in mail.outbox] == [[member_user.email]]
