"""The dashboard's tables and the action tracker as CSV and XLSX, with the same filters."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audits.tests.factories import AuditFactory
from learning import exports
from learning.models import Action
from learning.tests.factories import ActionFactory, OutcomeFactory, ReviewFactory
from sscb.models import AccessLogEntry
from sscb.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def _table(rows, title):
    start = rows.index([title])
    end = next((i for i in range(start, len(rows)) if rows[i] == []), len(rows))
    return rows[start + 1 : end]


def test_dashboard_csv_holds_the_figures_for_the_chosen_year(client, executive_user, data):
    client.force_login(executive_user)
    rows = _csv(client.get(reverse("dashboard:export-csv"), {"year": 2025}))
    assert _table(rows, "Scope")[1][:2] == ["2025/26", "All sub-groups"]
    reviews = dict(_table(rows, "Reviews")[1:])
    assert reviews["Started (referred) in the year"] == "2"
    assert reviews["Reviews with a statutory clock past due (today)"] == "1"
    agencies = {row[0]: row[1:] for row in _table(rows, "Actions by agency and RAG")[1:]}
    assert agencies["West Mercia Police"] == ["1", "0", "2", "3"]
    due = dict(_table(rows, "Actions due in the year")[1:])
    # What the share is of, beside it (fr #5).
    assert (due["Due date passed, or done"], due["Completed on time (% of those)"]) == ("3", "33")
    assert dict(_table(rows, "Themes by loop stage")[1:])["Assured"] == "1"
    assert ["T5 assured", "1", "0", "0", "1"] in _table(rows, "Assurance judgements by theme")
    returns = _table(rows, "Section 11 / 175 returns")[1]
    assert returns[2:] == ["2", "1", "0", "1"]
    reminders = dict(_table(rows, "Reminders and escalations outstanding")[1:])
    assert reminders["  escalated to the Business Unit"] == "2"  # both overdue 28+ days


def test_dashboard_csv_follows_the_filters(client, executive_user, data):
    client.force_login(executive_user)
    rows = _csv(client.get(reverse("dashboard:export-csv"), {"year": 2024}))
    assert dict(_table(rows, "Actions due in the year")[1:])["Due in the year"] == "2"
    rows = _csv(
        client.get(reverse("dashboard:export-csv"), {"year": 2025, "subgroup": data["crp"].pk})
    )
    assert _table(rows, "Scope")[1][1] == "Case Review Panel"
    assert dict(_table(rows, "Reviews")[1:])["Open during the year"] == "2"


def test_dashboard_xlsx_has_a_sheet_per_table(client, executive_user, data):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:export-xlsx"), {"year": 2025})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    assert 'filename="board-dashboard-2025.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert "Actions by agency and RAG" in book.sheetnames
    sheet = book["Actions due in the year"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["Due in the year"] == 7
    assert values["Completed on time (% of those)"] == 33


def test_action_tracker_exports_keep_the_list_filters(client, bu_user, data):
    client.force_login(bu_user)
    page = client.get(reverse("learning:actions"), {"rag": "amber"}).content.decode()
    assert "/learning/actions/export.csv?rag=amber" in page
    assert "Excel (XLSX)</a>, up to 50,000 actions" in page
    rows = _csv(client.get(reverse("learning:actions_csv"), {"rag": "amber"}))
    assert rows[1][0] == "Reference"
    rag, agency = rows[1].index("RAG"), rows[1].index("Owner agency")
    assert len(rows) - 2 == 2  # a4 and a7
    assert {row[rag] for row in rows[2:]} == {"Amber"}
    response = client.get(reverse("learning:actions_xlsx"), {"owner_agency": data["police"].pk})
    sheet = load_workbook(io.BytesIO(response.content))["Actions"]
    agencies = {row[agency] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert agencies == {"West Mercia Police"}
    assert sheet.max_row - 1 == 4  # a1, a2, a3 and b1


def test_every_filter_of_the_action_list_works_in_its_exports(client, bu_user, data):
    """The export reads the list's filters with the person who asks (``mine`` needs them)."""
    from learning.filters import ActionFilter

    client.force_login(bu_user)
    for name in ActionFilter.base_filters:
        value = {"due_before": "2030-01-01", "financial_year": "2025", "q": "a"}.get(name, "true")
        for url in ("learning:actions_csv", "learning:actions_xlsx"):
            assert client.get(reverse(url), {name: value}).status_code == 200, (name, url)


def test_action_export_shows_an_agency_lead_only_their_agency(client, agency_user):
    ActionFactory(owner_agency=agency_user.agency, title="=HYPERLINK(evil)")
    ActionFactory(title="Another agency's action")
    client.force_login(agency_user)
    rows = _csv(client.get(reverse("learning:actions_csv")))
    assert [row[1] for row in rows[2:3]] == ["'=HYPERLINK(evil)"]  # never run as a formula


def test_the_export_names_each_action_as_its_page_does(client, bu_user, agency):
    owner = UserFactory(first_name="Sam", last_name="Patel", agency=agency)
    done = datetime.date.today() - datetime.timedelta(days=1)
    actions = [
        ActionFactory(owner_agency=agency, owner=owner, title="From a review"),
        ActionFactory(
            review=None, audit=AuditFactory(), plan="audit:1", owner_agency=agency, title="Audit"
        ),
        ActionFactory(
            review=None,
            outcome=OutcomeFactory(),
            plan="outcome:1",
            owner_agency=agency,
            title="Outcome",
            status=Action.Status.COMPLETE,
            completed_on=done,
        ),
    ]
    client.force_login(bu_user)
    rows = _csv(client.get(reverse("learning:actions_csv")))
    header = rows[1]
    exported = {row[1]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    for action in actions:  # as the action's own page and the list name it
        row = exported[action.title]
        assert row["Reference"] == action.reference
        assert row["Status"] == action.get_status_display()
        assert row["RAG"] == action.rag(datetime.date.today()).capitalize()
    assert exported["From a review"]["Owner"] == "Sam Patel"
    assert exported["Audit"]["Owner"] == ""
    assert exported["Outcome"]["Completed on time"] == "Yes"
    assert exported["Audit"]["Completed on time"] == ""


def test_an_agency_leads_export_never_names_a_review_they_may_not_open(client, agency_user):
    restricted = ReviewFactory(is_restricted=True, reference="SCR-2025-010")
    ActionFactory(review=restricted, owner_agency=agency_user.agency, number=4, title="Ours")
    client.force_login(agency_user)
    response = client.get(reverse("learning:actions_csv"))
    assert response.streaming  # sent as it is written, never whole in memory
    text = response.getvalue().decode("utf-8-sig")
    assert "Review not open to you/4" in text and "SCR-2025-010" not in text


def test_a_csv_file_sent_in_pieces_is_the_file_sent_whole(client, bu_user, agency, monkeypatch):
    from sscb import exports as writers

    ActionFactory.create_batch(5, owner_agency=agency)
    client.force_login(bu_user)
    whole = client.get(reverse("learning:actions_csv")).getvalue()
    monkeypatch.setattr(writers, "CSV_CHUNK", 1)  # a piece after every row
    pieces = list(client.get(reverse("learning:actions_csv")).streaming_content)
    assert len(pieces) > 5 and b"".join(pieces) == whole


def test_an_excel_download_too_large_for_one_is_refused_with_a_way_forward(
    client, bu_user, agency, monkeypatch
):
    monkeypatch.setattr(exports, "SPREADSHEET_ACTIONS_UP_TO", 2)
    ActionFactory.create_batch(2, owner_agency=agency)
    ActionFactory(owner_agency=agency, status=Action.Status.CANCELLED)
    client.force_login(bu_user)
    url = reverse("learning:actions_xlsx")
    response = client.get(url, {"owner_agency": agency.pk})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('learning:actions')}?owner_agency={agency.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "An Excel download holds at most 2 actions, and this list has more." in page
    assert "download it as CSV, which holds every action" in page
    assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).exists()
    # CSV holds them all; a list narrowed to two is given as a spreadsheet.
    assert len(_csv(client.get(reverse("learning:actions_csv")))) - 2 == 3
    sheet = client.get(url, {"owner_agency": agency.pk, "status": "open"})
    assert sheet.status_code == 200
    assert load_workbook(io.BytesIO(sheet.content))["Actions"].max_row - 1 == 2


def test_exports_are_for_signed_in_people_only(client):
    response = client.get(reverse("learning:actions_csv"))
    assert response.status_code == 302


def test_action_export_runs_the_same_queries_for_2_or_200_actions(
    client, bu_user, count_queries, django_assert_max_num_queries
):
    client.force_login(bu_user)
    ActionFactory.create_batch(2)
    small = count_queries(reverse("learning:actions_xlsx"))
    ActionFactory.create_batch(198)
    with django_assert_max_num_queries(small):
        client.get(reverse("learning:actions_xlsx"))


FORMULAE = [
    ('=HYPERLINK("http://x")', True),
    (" =1+1", True),
    ("   @SUM(A1)", True),
    ("+44", True),
    ("-2", True),
    ("\t=1", True),
    ("\r=1", True),
    ("\n=1", True),
    (" \t@x", True),
    ("Plain progress", False),
    ("Child A: 3 = 3", False),
    ("", False),
]


@pytest.mark.parametrize("value, escaped", FORMULAE)
def test_text_a_spreadsheet_would_run_is_quoted_in_csv_and_xlsx(
    value, escaped, client, bu_user, agency
):
    ActionFactory(title="Escaping check", owner_agency=agency, progress=value)
    client.force_login(bu_user)
    expected = "'" + value if escaped else value
    rows = _csv(client.get(reverse("learning:actions_csv")))
    header = rows[1]
    [row] = [row for row in rows[2:] if row and row[1] == "Escaping check"]
    assert row[header.index("Progress")] == expected
    sheet = load_workbook(io.BytesIO(client.get(reverse("learning:actions_xlsx")).content)).active
    cells = [list(line) for line in sheet.iter_rows()]
    [line] = [line for line in cells if line[1].value == "Escaping check"]
    progress = line[[cell.value for cell in cells[0]].index("Progress")]
    # In XLSX the text is kept as typed, in a text cell (never a formula: Excel's quote prefix
    # says so, unseen); XML keeps a carriage return as a line feed.
    assert (progress.value or "") == value.replace("\r", "\n")
    assert progress.data_type != "f" and (bool(progress.quotePrefix) or not escaped)


def test_dashboard_csv_holds_the_reach_and_impact_the_page_shows(client, executive_user, data):
    client.force_login(executive_user)
    rows = _csv(client.get(reverse("dashboard:export-csv"), {"year": 2025}))
    page = client.get(reverse("dashboard:index"), {"year": 2025}).content.decode()
    reach = _table(rows, "Learning delivered and its reach")
    [(outcome, briefing, *delivered)] = reach[1:]
    assert delivered == ["Learning and improvement briefing", "2025-06-01", "", "40"]
    assert outcome in page and briefing in page and 'data-testid="reach">40<' in page
    impact = _table(rows, "Impact by learning outcome")[1:]
    assert all(row[0] in page for row in impact)
    # By theme: delivered, reach, answers ... assured, partly assured, not assured.
    by_theme = {row[1]: row[2:] for row in impact}
    assert list(by_theme) == ["T3 delivered", "T4 practice checked", "T5 assured"]
    assert by_theme["T3 delivered"][:3] == ["1", "40", "0"]
    assert by_theme["T4 practice checked"][-3:] == ["0", "1", "0"]
    assert by_theme["T5 assured"][-3:] == ["1", "0", "0"]
