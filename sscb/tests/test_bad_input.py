"""Input a careless or hostile client sends: it gets a page saying what is wrong, never a
server error, and nothing changes (found by sending every form garbage)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.models import Finding
from learning.tests.factories import EvidenceFactory, FindingFactory
from sscb.dates import say
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
TOO_BIG = 99999999999999999999  # more than any integer column holds


def test_a_key_too_big_for_the_database_matches_no_record():
    """On SQLite ``pk__in`` with such a number raised OverflowError (every form's choice of
    records, and a choice of several such as a finding's agencies, reads through it)."""
    finding = FindingFactory()
    assert list(Finding.objects.filter(pk__in=[TOO_BIG, finding.pk])) == [finding]
    assert list(Finding.objects.filter(pk__in=[TOO_BIG])) == []


def test_a_choice_of_records_given_a_key_too_big_is_refused_in_words(client, bu_user):
    client.force_login(bu_user)
    agency = AgencyFactory()
    response = client.post(
        reverse("learning:finding_new"),
        {
            "title": "Chronologies were not shared",
            "detail": "Seen in two reviews.",
            "review": TOO_BIG,
            "agencies": [agency.pk, TOO_BIG],
        },
    )
    assert response.status_code == 400
    assert "Choose one of the options shown." in response.content.decode()
    assert not Finding.objects.filter(title="Chronologies were not shared").exists()


def test_evidence_whose_requested_date_moves_past_its_receipt_is_refused_above_the_form(
    client, bu_user
):
    """The rule speaks of the received date, which the edit form does not show: it was a
    ValueError (a server error) and is now said above the form."""
    today = timezone.localdate()
    received = today - datetime.timedelta(days=10)
    evidence = EvidenceFactory(
        requested_on=today - datetime.timedelta(days=30), received_on=received, summary="Audit"
    )
    client.force_login(bu_user)
    later = today - datetime.timedelta(days=5)
    response = client.post(
        reverse("learning:evidence_edit", args=[evidence.uuid]),
        {
            "way": evidence.way,
            "agency": evidence.agency_id,
            "title": evidence.title,
            "requested_on": later.isoformat(),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert say(received) in page and say(later) in page
    evidence.refresh_from_db()
    assert evidence.requested_on == today - datetime.timedelta(days=30)


def test_an_exports_titles_and_headings_are_data_never_a_formula():
    """A scorecard named "=HYPERLINK(...)" titles its CSV table: the title row was written raw."""
    import io

    from openpyxl import load_workbook

    from sscb.exports import csv_response, xlsx_response

    tables = [('=HYPERLINK("http://evil","Card") Q2', ["@SUM(1)", "value"], [["=1+1", 2]])]
    text = b"".join(csv_response(tables, "card").streaming_content).decode("utf-8-sig")
    assert text.splitlines()[:3] == [
        '"\'=HYPERLINK(""http://evil"",""Card"") Q2"',
        "'@SUM(1),value",
        "'=1+1,2",
    ]
    sheet = load_workbook(io.BytesIO(xlsx_response(tables, "card").content)).active
    assert [cell.value for cell in sheet[1]] == ["@SUM(1)", "value"]
    assert [cell.data_type for cell in sheet[1]] == ["s", "s"]


@pytest.mark.parametrize("method", ["put", "delete", "patch", "trace", "options"])
def test_a_method_no_page_takes_is_refused_not_answered_with_the_page(client, bu_user, method):
    finding = FindingFactory()
    client.force_login(bu_user)
    url = reverse("learning:finding_edit", args=[finding.uuid])
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert client.get(url).status_code == 200 and client.head(url).status_code == 200


@pytest.mark.parametrize("tail", ["history/", "history/1/"])
def test_an_admin_history_page_at_an_address_no_record_has_is_not_found(client, bu_user, tail):
    client.force_login(bu_user)
    response = client.get(f"/admin/learning/finding/abc/{tail}")
    assert response.status_code == 404
    finding = FindingFactory()
    assert client.get(f"/admin/learning/finding/{finding.pk}/history/").status_code == 200
