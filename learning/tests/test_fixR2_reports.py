"""What the reports by reporting line, the annual-report section and the exports say of the
period they show, of records a reader may not open, and of figures while the year runs."""

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from learning.tests.factories import ActionFactory, FindingFactory, ReviewFactory
from reviews.models import Review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]


def _text(response) -> str:
    """The page as a reader reads it: tags dropped, spaces run together."""
    assert response.status_code == 200
    body = re.sub(r"<[^>]+>", "", response.content.decode())
    return re.sub(r"\s+", " ", unescape(body))


def _csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


# 1. A report made for a whole year offers no quarter, and says one asked was not applied ------


@pytest.mark.parametrize("line", ["cdop", "education"])
def test_a_year_only_report_is_labelled_and_named_by_the_year_it_shows(
    client, executive_user, data, line
):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:report", args=[line]), {"year": 2025, "quarter": 2})
    assert response.context["period"].label == "2025/26"
    page = _text(response)
    assert ": 2025/26 " in page and "Quarter 2" not in page
    assert "Period: 1 April 2025 to 31 March 2026." in page
    assert 'name="quarter"' not in response.content.decode()  # no quarter offered
    assert "Not applied: the quarter “2”, as this report is made for a whole financial year" in page
    # Asked for nothing not offered, it says nothing of the kind.
    plain = client.get(reverse("dashboard:report", args=[line]), {"year": 2025})
    assert 'data-testid="choice-ignored"' not in plain.content.decode()


def test_a_year_only_reports_download_is_named_by_its_year(client, executive_user, data):
    client.force_login(executive_user)
    response = client.get(
        reverse("dashboard:report-export-csv", args=["cdop"]), {"year": 2025, "quarter": 2}
    )
    assert response["Content-Disposition"] == 'attachment; filename="cdop-report-2025.csv"'


def test_a_report_read_by_quarter_still_offers_and_shows_one(client, executive_user, data):
    client.force_login(executive_user)
    for line in ("qap", "li"):
        response = client.get(
            reverse("dashboard:report", args=[line]), {"year": 2025, "quarter": 2}
        )
        assert response.context["period"].label == "Quarter 2 of 2025/26", line
        assert 'name="quarter"' in response.content.decode()


# 2. QAP's audit stages and returns say when they are counted ------------------------------------


def test_the_qap_report_for_a_past_quarter_says_stages_and_returns_are_todays(
    client, executive_user, data
):
    from audits.tests.factories import AuditFactory
    from sscb.models import SubGroup
    from sscb.tests.factories import SubGroupFactory

    AuditFactory(
        lead_subgroup=SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE),
        period_start=datetime.date(2025, 7, 1),
        period_end=datetime.date(2025, 9, 30),
    )
    client.force_login(executive_user)
    url = reverse("dashboard:report", args=["qap"])
    past = _text(client.get(url, {"year": 2025, "quarter": 2}))
    said = "today (15 February 2026), not at the quarter's end (30 September 2025)"
    assert f"each at its stage {said}" in past  # the audits' stages
    assert f"1 of 2 returns submitted (0 moderated, 1 late), as they stand {said};" in past
    running = _text(client.get(url, {"year": 2025, "quarter": 4}))
    assert "as they stand today;" in running and "quarter's end" not in running


# 3. Print: figures and headings kept whole (the browser test prints them) ----------------------


def test_tables_of_figures_are_marked_so_that_print_keeps_their_figures_whole(
    client, executive_user, data
):
    client.force_login(executive_user)
    page = client.get(reverse("dashboard:annual-report"), {"year": 2025}).content.decode()
    table = "table table-sm table-bordered table-figures table-widest"
    assert f'class="{table}" data-testid="impact-by-outcome"' in page


# 4. When the figures were counted, and that a running year's are so far -------------------------


def test_the_annual_report_says_the_day_counted_and_so_far_while_the_year_runs(
    client, executive_user, data
):
    client.force_login(executive_user)
    running = _text(client.get(reverse("dashboard:annual-report"), {"year": 2025}))
    assert re.search(r"Figures counted at \d\d:\d\d:\d\d on 15 February 2026", running)
    assert "2025/26 has not ended: these are the figures so far, to 15 February 2026." in running
    assert "In 2025/26 so far (to 15 February 2026), the Board started 2 reviews" in running
    assert "and published 1." in running  # no stray space before the full stop
    # One action overdue: it remains.
    assert "completed on time (33% of the 3 whose due date has passed or that are done)" in running
    assert "and 1 remains overdue." in running
    ended = _text(client.get(reverse("dashboard:annual-report"), {"year": 2024}))
    assert "so far" not in ended and "has not ended" not in ended
    assert "In 2024/25 the Board started 2 reviews" in ended


def test_the_dashboard_says_the_day_its_figures_were_counted(client, executive_user, data):
    client.force_login(executive_user)
    page = _text(client.get(reverse("dashboard:index"), {"year": 2025}))
    assert re.search(r"Figures counted at \d\d:\d\d:\d\d on 15 February 2026", page)


# 5. Records counted but not open to the reader are said, as a number -----------------------------


@pytest.fixture
def restricted_published(data):
    """A restricted review published in 2025/26 whose learning is in T5, assured in the year."""
    review = ReviewFactory(
        reference="SCR-2025-099",
        subgroup=data["li"],
        referred_on=datetime.date(2025, 4, 10),
        completed_on=datetime.date(2025, 11, 1),
        published_on=datetime.date(2026, 1, 20),
        stage=Review.Stage.PUBLISHED,
        is_restricted=True,
    )
    t5 = data["reviews"][1].findings.get().theme
    FindingFactory(review=review, theme=t5, subgroup=data["li"], title="Restricted learning")
    return review


def test_the_annual_reports_lists_say_how_many_reviews_they_do_not_name(
    client, executive_user, bu_user, restricted_published
):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:annual-report"), {"year": 2025})
    page = _text(response)
    assert "published 2." in page  # counted in the figures ...
    assert "SCR-2025-099" not in page  # ... never named
    assert (
        "1 more review published in the year is counted in the figures above, but is not open "
        "to you" in page
    )
    assert (
        "1 more review whose learning has evidence judged assured this year is counted, but is "
        "not open to you" in page
    )
    client.force_login(bu_user)
    page = _text(client.get(reverse("dashboard:annual-report"), {"year": 2025}))
    assert "SCR-2025-099" in page and "not open to you" not in page


def test_a_list_with_nothing_the_reader_may_open_still_says_what_it_counts(
    client, executive_user, data, restricted_published
):
    Review.objects.filter(pk=data["reviews"][1].pk).update(published_on=None)
    client.force_login(executive_user)
    page = _text(client.get(reverse("dashboard:annual-report"), {"year": 2025}))
    assert "Reports published in the year" not in page
    assert "1 review published in the year is counted in the figures above" in page


def test_the_action_export_closes_with_how_many_actions_it_withholds(client, agency_user, bu_user):
    ActionFactory(owner_agency=agency_user.agency, title="Ours")
    ActionFactory(title="Another agency's action")
    ActionFactory(title="And another")
    said = "2 more actions match these filters and are counted in the Board's figures"
    client.force_login(agency_user)
    rows = _csv(client.get(reverse("learning:actions_csv")))
    assert [row[1] for row in rows[2:3]] == ["Ours"]
    assert rows[3] == [] and rows[4][0].startswith(said)
    assert "Another agency" not in str(rows)
    sheet = load_workbook(io.BytesIO(client.get(reverse("learning:actions_xlsx")).content))
    last = [cell.value for cell in list(sheet["Actions"].iter_rows())[-1]]
    assert last[0].startswith(said)
    # The page says the same number.
    page = _text(client.get(reverse("learning:actions")))
    assert "2 more actions match these filters" in page
    # A search of words tells nothing of what it did not find; the Business Unit misses nothing.
    rows = _csv(client.get(reverse("learning:actions_csv"), {"q": "Ours"}))
    assert "counted in the Board's figures" not in str(rows)
    client.force_login(bu_user)
    rows = _csv(client.get(reverse("learning:actions_csv")))
    assert len(rows) - 2 == 3 and "counted in the Board's figures" not in str(rows)


def test_one_withheld_action_is_said_in_the_singular(client, agency_user):
    ActionFactory(owner_agency=agency_user.agency, title="Ours")
    ActionFactory(title="Another agency's action")
    client.force_login(agency_user)
    rows = _csv(client.get(reverse("learning:actions_csv")))
    assert rows[-1][0].startswith(
        "1 more action matches these filters and is counted in the Board's figures, but is not "
        "open to you"
    )


# 6. A sub-group's report names the sub-group ---------------------------------------------------


def test_a_sub_groups_annual_report_names_the_sub_group_not_the_board(client, executive_user, data):
    client.force_login(executive_user)
    page = _text(
        client.get(reverse("dashboard:annual-report"), {"year": 2024, "subgroup": data["li"].pk})
    )
    assert f"In 2024/25 the {data['li'].name} started 1 review," in page
    assert "the Board started" not in page


# 7. The dashboard's spreadsheet: dates as dates, sheet names kept, one name per agency ---------


def test_the_dashboard_spreadsheet_writes_dates_and_names_as_they_read(
    client, executive_user, data
):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:export-xlsx"), {"year": 2025})
    book = load_workbook(io.BytesIO(response.content))
    assert "Section 11 - 175 returns" in book.sheetnames
    scope = dict(zip(*book["Scope"].iter_rows(values_only=True), strict=True))
    assert scope["Counted on"] == datetime.datetime(2026, 2, 15)  # a date, not text
    reach = book["Learning delivered and its reac"]  # a sheet's name holds 31 characters
    delivered = [row[3] for row in reach.iter_rows(min_row=2)]
    assert [cell.value for cell in delivered] == [datetime.datetime(2025, 6, 1)]
    assert delivered[0].is_date
    by_agency = [
        row[0] for row in book["Assurance judgements by agency"].iter_rows(values_only=True)
    ]
    rag = [row[0] for row in book["Actions by agency and RAG"].iter_rows(values_only=True)]
    # Each agency by its full name in both, not "Police" in one and in full in the other.
    assert "West Mercia Police" in by_agency and "West Mercia Police" in rag
    assert "Police" not in by_agency and "CSC" not in by_agency
    # CSV keeps the day as it reads.
    rows = _csv(client.get(reverse("dashboard:export-csv"), {"year": 2025}))
    assert rows[2] == ["2025/26", "All sub-groups", "2026-02-15"]


# 8. An archived agency's return is not counted late ---------------------------------------------


def test_an_archived_agencys_open_return_is_not_counted_late(client, executive_user, data):
    from audits.selectors import cycles_with_progress

    csc = data["csc"]  # its Section 11 return is not started, past the deadline: late
    assert cycles_with_progress().get(pk=data["cycle"].pk).late_count == 1
    csc.is_active = False
    csc.save()
    cycle = cycles_with_progress().get(pk=data["cycle"].pk)
    assert (cycle.late_count, cycle.total) == (0, 2)  # still the cycle's return
    client.force_login(executive_user)
    rows = _csv(client.get(reverse("dashboard:export-csv"), {"year": 2025}))
    reminders = dict(row for row in rows if len(row) == 2)
    assert reminders["Section 11 / 175 returns late"] == "0"
    page = _text(client.get(reverse("dashboard:report", args=["qap"]), {"year": 2025}))
    assert "(0 moderated, 0 late)" in page
    assert f"{csc.label} (archived)" in page  # the cycle still lists its return


# 10. The annual report prints the partnership's name --------------------------------------------


def test_the_annual_report_prints_the_partnerships_name(client, executive_user, data, settings):
    settings.BOARD_NAME = "Shropshire Safeguarding Community Partnership"
    client.force_login(executive_user)
    page = client.get(reverse("dashboard:annual-report"), {"year": 2025}).content.decode()
    assert (
        '<p class="d-none d-print-block small mb-1" data-testid="board-name">'
        "Shropshire Safeguarding Community Partnership</p>" in page
    )


# 11. Reach adds up attendances and cascades --------------------------------------------------


def test_the_annual_report_says_reach_may_count_a_person_more_than_once(
    client, executive_user, data
):
    client.force_login(executive_user)
    page = _text(client.get(reverse("dashboard:annual-report"), {"year": 2025}))
    assert (
        "with a reach of 40 among practitioners and managers (attendances and cascade reach "
        "added up: a person may be counted more than once)." in page
    )
    li = _text(client.get(reverse("dashboard:report", args=["li"]), {"year": 2025}))
    assert "a person may be counted more than once" in li
