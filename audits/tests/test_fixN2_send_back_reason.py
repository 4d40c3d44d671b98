"""A return sent back says why (fixer N2): QAP or the Business Unit says what the agency should
change, the agency's lead reads it on the return, on their home page and in the email that
tells them, it is in the return's history, and it goes when the return is submitted again."""

import datetime
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import SelfAssessment
from audits.tests.conftest import full_answers
from audits.tests.factories import section_11
from sscb.reminders import reminders_sweep
from sscb.tests.reading import history_entries

pytestmark = pytest.mark.django_db

REASON = "Standard 2: say which training the evidence counts.\nStandard 5: attach the audit."
IDENTIFIER = "Child seen; NHS 943 476 5919"


def body(response):
    return unescape(response.content.decode())


def _send_back_url(self_assessment):
    return reverse("audits:return-send-back", args=[self_assessment.uuid])


def _page(self_assessment):
    return reverse("audits:return", args=[self_assessment.uuid])


def _unchanged(self_assessment, versions):
    self_assessment.refresh_from_db()
    assert self_assessment.status == SelfAssessment.Status.SUBMITTED
    assert self_assessment.sent_back_reason == "" and self_assessment.sent_back_on is None
    assert self_assessment.history.count() == versions


# --- the page asks why, and refuses without ---------------------------------------------------


def test_sending_back_asks_what_to_change_and_refuses_without_changing_anything(
    client, police_return, agency_user, qap_user, submit
):
    submit(police_return, by=agency_user)
    versions = police_return.history.count()
    client.force_login(qap_user)
    page = body(client.get(_page(police_return)))
    assert 'data-testid="send-back-card"' in page and "What should the agency change?" in page

    refused = client.post(_send_back_url(police_return), {"sent_back_reason": "   "})
    assert refused.status_code == 400
    assert refused.context["send_back_form"].errors["sent_back_reason"] == [
        "Say what the agency should change."
    ]
    assert "Say what the agency should change." in body(refused)
    _unchanged(police_return, versions)

    # An identifier is refused as in all free text, and what was typed is kept to correct.
    refused = client.post(_send_back_url(police_return), {"sent_back_reason": IDENTIFIER})
    assert refused.status_code == 400
    [message] = refused.context["send_back_form"].errors["sent_back_reason"]
    assert "NHS number" in message
    assert IDENTIFIER in body(refused) and "What should the agency change?" in body(refused)
    _unchanged(police_return, versions)


def test_the_agency_lead_may_not_send_a_return_back(client, police_return, agency_user, submit):
    submit(police_return, by=agency_user)
    anonymous = client.post(_send_back_url(police_return), {"sent_back_reason": REASON})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(agency_user)
    response = client.post(_send_back_url(police_return), {"sent_back_reason": REASON})
    assert response.status_code == 403
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.SUBMITTED
    assert "What should the agency change?" not in body(client.get(_page(police_return)))


def test_a_return_moved_on_since_is_refused_in_words(
    client, police_return, bu_user, qap_user, submit
):
    submit(police_return)
    client.force_login(qap_user)
    sent = client.post(_send_back_url(police_return), {"sent_back_reason": REASON})
    assert sent.status_code == 302
    # The same page sent again, with a reason or none: the return is a draft now, and its
    # page says so.
    for reason in ("Something else.", ""):
        again = client.post(
            _send_back_url(police_return), {"sent_back_reason": reason}, follow=True
        )
        assert again.redirect_chain == [(_page(police_return), 302)]
        page = body(again)
        assert "Only a submitted return that is not yet moderated can go back." in page
        assert 'data-testid="send-back-card"' not in page
    police_return.refresh_from_db()
    assert police_return.sent_back_reason == REASON


# --- the service holds the rule too -------------------------------------------------------------


def test_the_service_refuses_no_reason_or_an_identifier(police_return, qap_user, submit):
    submit(police_return)
    versions = police_return.history.count()
    with pytest.raises(ValidationError) as refused:
        services.self_assessment_return_to_agency(
            self_assessment=police_return, by=qap_user, reason=" "
        )
    assert refused.value.message_dict == {
        "sent_back_reason": ["Say what the agency should change."]
    }
    with pytest.raises(ValidationError) as refused:
        services.self_assessment_return_to_agency(
            self_assessment=police_return, by=qap_user, reason=IDENTIFIER
        )
    assert "NHS number" in " ".join(refused.value.message_dict["sent_back_reason"])
    _unchanged(police_return, versions)


# --- who reads it, where, and until when -------------------------------------------------------


def test_the_reason_is_read_by_the_lead_and_moderators_kept_in_history_and_goes_on_resubmission(
    client, police_return, agency_user, qap_user, bu_user, submit
):
    submit(police_return, by=agency_user)
    client.force_login(qap_user)
    response = client.post(_send_back_url(police_return), {"sent_back_reason": REASON})
    assert response.status_code == 302
    police_return.refresh_from_db()
    assert police_return.status == SelfAssessment.Status.DRAFT
    stored = police_return.sent_back_reason
    assert "Standard 5: attach the audit." in stored
    said = " ".join(stored.split())  # as a history's line reads it

    # On the return's page, for the lead and for those who moderate it.
    for reader in (agency_user, qap_user, bu_user):
        client.force_login(reader)
        page = client.get(_page(police_return))
        text = body(page)
        assert 'data-testid="sent-back-reason"' in text, reader
        assert "What the agency should change" in text and stored in text, reader
        # In its history, with the reason, by who sent it back.
        entries = history_entries(page, "return-history")
        assert f"{qap_user}: status Submitted → Draft" in entries[0]
        assert f"asked the agency to change: {said} (sent back to the agency)" in entries[0]
    # On the form the lead fills in, and on their home page.
    client.force_login(agency_user)
    form = body(client.get(reverse("audits:return-edit", args=[police_return.uuid])))
    assert 'data-testid="sent-back-reason"' in form and stored in form
    home = body(client.get(reverse("home")))
    assert "Section 11 audit 2025/26: your return was sent back to change and submit" in home
    assert (
        f"Sent back on {timezone.localdate():%-d %b %Y}. What to change: Standard 2: say which "
        "training the evidence counts. Standard 5: attach the audit. Deadline 31 Jul 2025. "
        "Status: draft."
    ) in home

    # Submitted again, the reason has been answered: it goes, and the history keeps it.
    services.self_assessment_submit(
        self_assessment=police_return, answers=full_answers(police_return), by=agency_user
    )
    police_return.refresh_from_db()
    assert police_return.sent_back_reason == ""
    client.force_login(qap_user)
    page = client.get(_page(police_return))
    assert 'data-testid="sent-back-reason"' not in body(page)
    entries = history_entries(page, "return-history")
    assert "answered the reason it was sent back" in entries[0]
    assert any(f"asked the agency to change: {said}" in entry for entry in entries)
    client.force_login(agency_user)
    assert "your return was sent back" not in body(client.get(reverse("home")))


def _at(day, hour=9):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, 0)), tick=False)


def test_the_email_that_tells_the_lead_says_what_to_change(
    agency, agency_user, qap_user, bu_user, submit
):
    with _at(datetime.date(2025, 5, 1)):
        cycle = services.audit_cycle_open(
            framework=section_11(),
            title="Section 11 audit 2025/26",
            financial_year=2025,
            opened_on=datetime.date(2025, 5, 1),
            deadline=datetime.date(2025, 7, 31),
            agencies=[agency],
            by=bu_user,
        )
    police_return = cycle.returns.get()
    with _at(datetime.date(2025, 7, 20)):
        submit(police_return, by=agency_user)
    with _at(datetime.date(2025, 7, 21)):
        services.self_assessment_return_to_agency(
            self_assessment=police_return, by=qap_user, reason=REASON
        )
    mail.outbox.clear()
    with _at(datetime.date(2025, 7, 22), 7):
        reminders_sweep(today=datetime.date(2025, 7, 22))
    [told] = mail.outbox
    assert told.to == [agency_user.email] and "Newly asked of you" in told.body
    text = " ".join(told.body.split())
    assert (
        "sent back to the agency on 21 July 2025 to change and submit again (deadline 31 July "
        "2025). What to change: Standard 2: say which training the evidence counts. Standard 5: "
        "attach the audit."
    ) in text
    # A long reason is cut in the email (the return says it in full).
    long = "Say more. " * 40
    with _at(datetime.date(2025, 7, 22)):
        services.self_assessment_submit(self_assessment=police_return, by=agency_user)
    with _at(datetime.date(2025, 7, 23)):
        services.self_assessment_return_to_agency(
            self_assessment=police_return, by=qap_user, reason=long
        )
    mail.outbox.clear()
    with _at(datetime.date(2025, 7, 24), 7):
        reminders_sweep(today=datetime.date(2025, 7, 24))
    [told] = mail.outbox
    assert "What to change: Say more." in told.body and long.strip() not in told.body


# --- the page's queries stay fixed --------------------------------------------------------------


def test_the_returns_page_and_a_refused_send_back_run_fixed_queries(
    client, police_return, agency_user, qap_user, submit, count_queries, django_assert_num_queries
):
    submit(police_return, by=agency_user)
    url = _page(police_return)
    client.force_login(qap_user)
    client.get(url)  # the session's first save, not counted

    def rounds(n):
        for i in range(n):
            services.self_assessment_return_to_agency(
                self_assessment=police_return, by=qap_user, reason=f"Round {i}: {REASON}"
            )
            services.self_assessment_submit(self_assessment=police_return, by=agency_user)

    def refused_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.post(_send_back_url(police_return), {"sent_back_reason": ""})
        assert response.status_code == 400
        return len(queries.captured_queries)

    rounds(1)
    few, few_refused = count_queries(url), refused_queries()
    rounds(8)
    with django_assert_num_queries(few):
        page = client.get(url)
    assert refused_queries() == few_refused
    entries = history_entries(page, "return-history")
    assert sum("asked the agency to change: Round" in entry for entry in entries) >= 8
