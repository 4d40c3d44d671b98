"""The annual-report section describes what the framework says an annual report must (fixD1 #3):
the impact of reviews on the incidence of deaths and serious harm to children, year on year
(child deaths suppressed as the CDOP report suppresses them), and whether improvement lasted
(the follow-up checks of signed-off actions). It is exportable as CSV and XLSX from the same
figures, logged as every export is (fixD1 #4), and says the dates its year spans (fixD1 #5)."""

import csv
import datetime
import io
import re
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from learning import services
from learning.dashboard.annual_report import annual_report, follow_ups, scope_report
from learning.dashboard.cdop import FEWER_THAN_FIVE, cdop_annual_figures
from learning.dashboard.scope import Period, make_scope
from learning.models import Action
from learning.tests.factories import ActionFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory
from sscb.models import AccessLogEntry, SubGroup
from sscb.tests.factories import SubGroupFactory

D = datetime.date
TODAY = D(2026, 2, 15)  # in 2025/26, as the dashboard tests' today


def _text(response) -> str:
    """The page's words, a space where a tag was (so that a table's cells read apart)."""
    assert response.status_code == 200
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def _table(rows, title):
    start = rows.index([title])
    end = next((i for i in range(start, len(rows)) if rows[i] == []), len(rows))
    return rows[start + 1 : end]


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def incidents(db, today):
    """2025/26: 3 serious incidents notified, 2 rapid reviews started; 2024/25: 1 notified, 1
    rapid review. Child deaths: 3 notified in 2025/26 (shown "<5"), 6 in 2024/25."""
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)
    cdop = SubGroupFactory(code=SubGroup.Code.CDOP)
    for notified, kind in (
        (D(2025, 5, 2), Review.Kind.RAPID_REVIEW),
        (D(2025, 9, 2), Review.Kind.RAPID_REVIEW),
        (D(2025, 11, 2), Review.Kind.LCSPR),
        (D(2024, 10, 2), Review.Kind.RAPID_REVIEW),
    ):
        ReviewFactory(kind=kind, subgroup=crp, notified_on=notified, referred_on=notified)
    for day in (D(2025, 6, 1), D(2025, 7, 1), D(2025, 8, 1)):
        ReviewFactory(kind=Review.Kind.CHILD_DEATH, subgroup=cdop, referred_on=day)
    for i in range(6):
        ReviewFactory(kind=Review.Kind.CHILD_DEATH, subgroup=cdop, referred_on=D(2024, 6, 1 + i))
    return {"crp": crp, "cdop": cdop}


def test_the_incidence_of_deaths_and_serious_harm_year_on_year(
    client, executive_user, bu_user, incidents
):
    report = annual_report(executive_user, year=2025)
    incidence = report["incidence"]
    assert (incidence["this_label"], incidence["before_label"]) == ("2025/26", "2024/25")
    notified = incidence["notifications"]
    assert (notified["this"], notified["before"], notified["change"]) == (3, 1, 2)
    rapid = incidence["rapid_reviews"]
    assert (rapid["this"].value, rapid["before"].value, rapid["change"]) == (2, 1, 1)
    # Each rapid review figure opens exactly the reviews it counts.
    client.force_login(bu_user)
    for figure in (rapid["this"], rapid["before"]):
        listed = client.get(figure.url).context["page_obj"].paginator.count
        assert listed == figure.value, figure.url
    # The deaths as the CDOP annual report shows them: never a cell it does not show.
    cdop = cdop_annual_figures(Period(2025))["headline"]
    rows = incidence["deaths"]["rows"]
    assert [(r["label"], r["this"], r["before"]) for r in rows] == [
        (r["label"], r["this"], r["before"]) for r in cdop[:2]
    ]
    assert rows[0]["this"].shown == FEWER_THAN_FIVE and rows[0]["before"].shown == "6"
    assert rows[0]["change"] == "–"

    client.force_login(executive_user)
    page = _text(client.get(reverse("dashboard:annual-report"), {"year": 2025}))
    assert "Deaths and serious harm to children, year on year" in page
    assert "improving services to children and families" in page
    assert "reducing the incidence of deaths or serious harm to children" in page
    assert "Serious incidents notified to Ofsted, the national Panel and the Board 3 1 2" in page
    assert "Rapid reviews started 2 1 1" in page
    assert "Child deaths notified in the year <5 6 –" in page


def test_a_sub_group_without_cdops_work_is_told_where_the_deaths_are(client, li_member, incidents):
    report = annual_report(li_member, year=2025)
    assert report["incidence"]["deaths"] is None
    client.force_login(li_member)
    page = _text(client.get(reverse("dashboard:annual-report"), {"year": 2025}))
    assert "Child deaths are the Child Death Overview Panel's work" in page
    assert "Child deaths notified" not in page


def _signed_off(subgroup, *, on, follow_up_on, by):
    with time_machine.travel(on, tick=False):
        action = ActionFactory(
            subgroup=subgroup,
            review=ReviewFactory(referred_on=D(2025, 4, 2)),
            due_on=on,
            status=Action.Status.COMPLETE,
            completed_on=on,
        )
        return services.action_sign_off(action=action, signed_off_by=by, follow_up_on=follow_up_on)


def _checked(action, on, *, lasted, due_on=None):
    with time_machine.travel(on, tick=False):
        action.refresh_from_db()
        return services.action_record_follow_up(
            action=action, lasted=lasted, result="Audited again.", due_on=due_on
        )


@pytest.fixture
def checks(db, li, bu_user):
    """2025/26, seen on 15 February 2026: a1's check (1 August) found its change lasted; a2's (1
    September) found it had not, so a2 was reopened, done again, signed off and checked again on
    1 February (lasted); a3's check, due on 1 January, is still to be made; a4's is due on
    1 March, not yet. a5's was due in 2024/25 and made then (not lasted)."""
    may = D(2025, 5, 1)
    a1 = _signed_off(li, on=may, follow_up_on=D(2025, 8, 1), by=bu_user)
    a2 = _signed_off(li, on=may, follow_up_on=D(2025, 9, 1), by=bu_user)
    _signed_off(li, on=may, follow_up_on=D(2026, 1, 1), by=bu_user)
    _signed_off(li, on=may, follow_up_on=D(2026, 3, 1), by=bu_user)
    _checked(a1, D(2025, 8, 1), lasted=True)
    _checked(a2, D(2025, 9, 1), lasted=False, due_on=D(2025, 11, 1))
    with time_machine.travel(D(2025, 11, 1), tick=False):
        a2.refresh_from_db()
        services.action_report_progress(
            action=a2,
            progress="Done again.",
            at_risk=False,
            completed_on=D(2025, 11, 1),
            completion_evidence="Re-audit.",
        )
        a2.refresh_from_db()
        services.action_sign_off(action=a2, signed_off_by=bu_user, follow_up_on=D(2026, 2, 1))
    _checked(a2, D(2026, 2, 1), lasted=True)
    with time_machine.travel(D(2025, 1, 10), tick=False):
        a5 = ActionFactory(
            subgroup=li,
            review=ReviewFactory(referred_on=D(2024, 10, 2)),
            due_on=D(2025, 1, 10),
            status=Action.Status.COMPLETE,
            completed_on=D(2025, 1, 10),
        )
        services.action_sign_off(action=a5, signed_off_by=bu_user, follow_up_on=D(2025, 3, 1))
    _checked(a5, D(2025, 3, 1), lasted=False)
    return li


def test_whether_improvement_lasted(client, executive_user, checks, django_assert_num_queries):
    with time_machine.travel(TODAY, tick=False):
        scope = make_scope(executive_user, year=2025)
        with django_assert_num_queries(2):
            figures = follow_ups(scope)
        assert figures == {"due": 4, "made": 3, "lasted": 2, "not_lasted": 1, "waiting": 1}
        before = follow_ups(make_scope(executive_user, year=2024))
        assert before == {"due": 1, "made": 1, "lasted": 0, "not_lasted": 1, "waiting": 0}
        client.force_login(executive_user)
        page = _text(client.get(reverse("dashboard:annual-report"), {"year": 2025}))
    assert "Has the improvement lasted?" in page
    assert "In 2025/26 so far, 4 such checks fell due ( 1 still to be made)." in page
    assert (
        "3 checks were made in the year: 2 found that the change had lasted, and 1 that it had "
        "not, so its action was reopened and went back to its owner."
    ) in page
    assert "sustained through regular monitoring and follow up" in page


def test_the_annual_reports_queries_stay_fixed(
    client, executive_user, li, bu_user, count_queries, django_assert_max_num_queries, today
):
    client.force_login(executive_user)
    url = reverse("dashboard:annual-report") + "?year=2025"
    small = count_queries(url)
    cdop = SubGroupFactory(code=SubGroup.Code.CDOP)
    for i in range(12):
        ReviewFactory(
            kind=Review.Kind.RAPID_REVIEW if i % 2 else Review.Kind.CHILD_DEATH,
            subgroup=cdop,
            notified_on=D(2025, 5, 1 + i),
            referred_on=D(2025, 5, 1 + i),
        )
        action = ActionFactory(
            subgroup=li,
            review=ReviewFactory(referred_on=D(2025, 4, 2)),
            status=Action.Status.COMPLETE,
            completed_on=D(2025, 5, 1 + i),
        )
        services.action_sign_off(action=action, signed_off_by=bu_user, follow_up_on=D(2026, 6, 1))
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def test_the_annual_report_says_the_dates_its_year_spans(client, executive_user, db, today):
    client.force_login(executive_user)
    span = "for the financial year 2024/25, 1 April 2024 to 31 March 2025 (all sub-groups)"
    assert span in _text(client.get(reverse("dashboard:annual-report"), {"year": 2024}))
    assert span in _text(client.get(reverse("dashboard:index"), {"year": 2024}))


def test_the_annual_report_is_offered_as_csv_and_xlsx_and_the_export_is_logged(
    client, executive_user, incidents, checks
):
    client.force_login(executive_user)
    page = client.get(reverse("dashboard:annual-report"), {"year": 2025}).content.decode()
    csv_url = f"{reverse('dashboard:annual-report-export-csv')}?year=2025"
    xlsx_url = f"{reverse('dashboard:annual-report-export-xlsx')}?year=2025"
    assert f'href="{csv_url}"' in page and f'href="{xlsx_url}"' in page

    with time_machine.travel(TODAY, tick=False):
        report = scope_report(make_scope(executive_user, year=2025))
        response = client.get(csv_url)
    assert response["Content-Disposition"].endswith('annual-report-2025.csv"')
    rows = _csv(response)
    assert _table(rows, "Scope")[1][:4] == ["2025/26", "2025-04-01", "2026-03-31", "All sub-groups"]
    reviews = dict(_table(rows, "Case reviews")[1:])
    assert reviews["Started (referred) in the year"] == str(report["reviews"]["started"].value)
    incidents_rows = {row[0]: row[1:] for row in _table(rows, "Serious incidents, year on year")}
    assert incidents_rows["Rapid reviews started"] == ["2", "1", "1"]
    deaths = {row[0]: row[1:] for row in _table(rows, "Child deaths, year on year")}
    assert deaths["Child deaths notified in the year"] == [FEWER_THAN_FIVE, "6", "–"]
    lasted = dict(_table(rows, "Has the improvement lasted")[1:])
    assert lasted["Checks made in the year"] == "3"
    assert lasted["  found that it had not, so the action was reopened"] == "1"
    logged = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).get()
    assert logged.record == "Annual report section: annual-report-2025.csv"

    with time_machine.travel(TODAY, tick=False):
        response = client.get(xlsx_url)
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Child deaths, year on year"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["Child deaths notified in the year", FEWER_THAN_FIVE, 6, "–"] in values
    assert AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).count() == 2


def test_a_formula_in_an_outcomes_title_is_written_as_text(client, executive_user, today):
    from learning.models import LearningOutcome
    from learning.tests.factories import ActivityFactory, OutcomeFactory

    outcome = OutcomeFactory(
        title='=HYPERLINK("http://example.com","x")',
        decision=LearningOutcome.Decision.AGREED,
        decided_on=D(2025, 4, 10),
    )
    ActivityFactory(outcome=outcome, planned_on=D(2025, 5, 1), delivered_on=D(2025, 5, 1), reach=3)
    client.force_login(executive_user)
    rows = _csv(client.get(reverse("dashboard:annual-report-export-csv"), {"year": 2025}))
    impact = _table(rows, "Impact by learning outcome")
    assert impact[1][0] == '\'=HYPERLINK("http://example.com","x")'
    response = client.get(reverse("dashboard:annual-report-export-xlsx"), {"year": 2025})
    cell = load_workbook(io.BytesIO(response.content))["Impact by learning outcome"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_only_readers_of_the_dashboard_may_export_the_annual_report(client, member_user, db):
    client.force_login(member_user)  # on no sub-group
    assert client.get(reverse("dashboard:annual-report-export-csv")).status_code == 403
