"""An evidence's page: adding to evidence already sent (a document on its own, the summary kept
unless changed), each addition in its history, and the golden thread back to findings that says
how many are not open to the reader rather than "None"."""

import datetime
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from learning.models import Attachment, Finding
from sscb.tests.reading import history_entries

from .factories import EvidenceFactory, FindingFactory, OutcomeFactory, ThemeFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
SENT = "Audit of 30 strategy discussions: 27 recorded the child's view."


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def text(response):
    return " ".join(strip_tags(unescape(response.content.decode())).split())


@pytest.fixture
def received(agency_user):
    """Evidence the agency sent three days ago, not yet judged."""
    return EvidenceFactory(
        agency=agency_user.agency,
        requested_on=days(-30),
        received_on=days(-3),
        summary=SENT,
    )


def test_a_document_is_added_on_its_own_and_the_summary_sent_is_kept(
    client, agency_user, received, settings, tmp_path
):
    """fagency #5: a document alone was refused ("Say what the evidence shows") and the summary
    had to be typed again, replacing the one sent."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(agency_user)
    page = client.get(received.get_absolute_url())
    assert page.context["provide_form"]["summary"].value() == SENT  # filled in, to keep
    url = reverse("learning:evidence_provide", args=[received.uuid])
    # As a browser sends the form: the summary as it was filled in, and the file.
    response = client.post(
        url, {"summary": SENT, "file": SimpleUploadedFile("audit.pdf", PDF)}, follow=True
    )
    assert "Added to the evidence: the document “audit.pdf”." in text(response)
    # The summary left empty keeps the one sent, too.
    response = client.post(
        url, {"summary": "", "file": SimpleUploadedFile("register.pdf", PDF)}, follow=True
    )
    assert "Added to the evidence: the document “register.pdf”." in text(response)
    received.refresh_from_db()
    assert (received.summary, received.received_on) == (SENT, days(-3))
    assert Attachment.objects.filter(evidence=received).count() == 2
    entries = history_entries(response, "evidence-history")
    assert [entry.split(": ", 1)[1] for entry in entries[:2]] == ["document: recorded it"] * 2
    assert not any("changed the summary" in entry for entry in entries)


def test_a_new_summary_replaces_the_one_sent_and_nothing_new_is_refused(
    client, agency_user, received
):
    client.force_login(agency_user)
    url = reverse("learning:evidence_provide", args=[received.uuid])
    refused = client.post(url, {"summary": SENT})
    assert refused.status_code == 200
    assert refused.context["provide_form"].non_field_errors() == [
        "Nothing was added: attach a document, or change what the evidence shows."
    ]
    response = client.post(url, {"summary": "Re-audited: 29 of 30."}, follow=True)
    assert "Added to the evidence: a new summary of what it shows." in text(response)
    received.refresh_from_db()
    assert (received.summary, received.received_on) == ("Re-audited: 29 of 30.", days(-3))
    entries = history_entries(response, "evidence-history")
    assert entries[0].endswith(f"{agency_user}: changed the summary")


def test_evidence_sent_the_first_time_still_needs_its_summary(client, agency_user):
    evidence = EvidenceFactory(agency=agency_user.agency, requested_on=days(-30))
    client.force_login(agency_user)
    url = reverse("learning:evidence_provide", args=[evidence.uuid])
    refused = client.post(url, {"summary": ""})
    assert refused.context["provide_form"].errors["summary"] == ["Say what the evidence shows."]
    response = client.post(url, {"summary": SENT}, follow=True)
    assert "Evidence sent." in text(response)
    evidence.refresh_from_db()
    assert (evidence.summary, evidence.received_on) == (SENT, timezone.localdate())


def test_the_thread_back_says_how_many_findings_are_not_open_rather_than_none(
    client, agency_user, agency, bu_user
):
    """fagency #10: "Findings: None" and "Findings from feedback, inspections or briefings" for
    a theme of four findings, none of them about the reader's agency."""
    theme = ThemeFactory(title="Seeing cumulative harm in chronic neglect")
    for n in range(4):
        FindingFactory(theme=theme, title=f"Other agencies' finding {n}")
    evidence = EvidenceFactory(outcome=OutcomeFactory(theme=theme), agency=agency)
    client.force_login(agency_user)
    page = client.get(evidence.get_absolute_url())
    said = text(page)
    assert "4 findings in this theme are not open to you" in said
    assert '<li class="text-muted">None</li>' not in page.content.decode()
    assert "Findings from feedback" not in said
    assert 'data-testid="sources"' not in page.content.decode()  # none open: none named

    # One open to the reader, from practitioner feedback: named, with its kind of source.
    FindingFactory(
        theme=theme,
        title="Officers missed the home's conditions",
        review=None,
        source=Finding.Source.PRACTITIONER_FEEDBACK,
        agencies=[agency],
    )
    said = text(client.get(evidence.get_absolute_url()))
    assert "Officers missed the home's conditions" in said
    assert "4 more findings in this theme are not open to you" in said
    assert Finding.Source.PRACTITIONER_FEEDBACK.label in said.split("Sources", 1)[1]

    client.force_login(bu_user)  # the Business Unit opens all five
    said = text(client.get(evidence.get_absolute_url()))
    assert "not open to you" not in said
