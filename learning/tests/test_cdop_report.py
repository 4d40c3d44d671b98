"""The CDOP annual report (issue 20): small numbers suppressed so that no child can be identified,
complementary cells suppressed so a total cannot give one back, the year before beside it, and
the same tables in the exports."""

import csv
import datetime
import io
import itertools

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from learning.dashboard.cdop import FEWER_THAN_FIVE, WITHHELD, suppress
from learning.tests.factories import FindingFactory, ThemeFactory
from reviews.child_death_data import install
from reviews.models import AgeBand, ChildDeathDetails, DeathCategory, Review
from reviews.tests.factories import ReviewFactory
from sscb.models import SubGroup
from sscb.tests.factories import SubGroupFactory

D = datetime.date


def possible_values(shown: list[str], total_shown: str, total: int) -> list[set[int]]:
    """What a reader can work out of each cell: every value it can take in some table that
    agrees with what is shown ("<5": 0 to 4; "*": 5 or more; the total, where shown)."""
    domains = []
    for text in shown:
        if text == FEWER_THAN_FIVE:
            domains.append(range(0, 5))
        elif text == WITHHELD:
            domains.append(range(5, total + 1))
        else:
            domains.append([int(text)])
    known_total = int(total_shown) if total_shown.isdigit() else None
    seen = [set() for _ in shown]
    for values in itertools.product(*domains):
        if known_total is not None and sum(values) != known_total:
            continue
        for i, value in enumerate(values):
            seen[i].add(value)
    return seen


def assert_no_small_count_recoverable(counts):
    total = sum(counts)
    shown, total_shown, _ = suppress(counts, total)
    for count, text in zip(counts, shown, strict=True):
        if 1 <= count <= 4:
            assert text == FEWER_THAN_FIVE
    for i, values in enumerate(possible_values(shown, total_shown, total)):
        if not shown[i].isdigit():
            assert len(values) > 1, (counts, shown, total_shown, i, values)
    return shown, total_shown


def test_counts_of_one_to_four_are_shown_as_fewer_than_five():
    shown, total, _ = suppress([0, 1, 4, 5, 12], 22)
    assert shown[1] == shown[2] == FEWER_THAN_FIVE
    assert shown[3] == "5" and shown[4] == "12"
    assert total == "22"


def test_one_small_count_beside_a_total_has_a_complementary_cell_suppressed():
    # 3 shown as "<5" beside 10 and a total of 13 would be 13 - 10 = 3: something else goes.
    shown, total = assert_no_small_count_recoverable([3, 10, 0])
    assert shown.count(FEWER_THAN_FIVE) >= 2 and total == "13"


def test_with_no_zero_to_suppress_the_smallest_count_is_withheld():
    shown, total = assert_no_small_count_recoverable([2, 9, 7])
    assert shown == [FEWER_THAN_FIVE, "9", WITHHELD] and total == "18"


@pytest.mark.parametrize(
    "counts",
    [
        [1, 1, 0, 9],  # two "<5" adding up to 2 would each be 1
        [4, 4, 6],  # two "<5" adding up to 8 would each be 4
        [1, 5],
        [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8],
        [2, 2, 2, 2],
        [5, 6, 7],
    ],
)
def test_no_suppressed_count_can_be_worked_out_from_the_total(counts):
    assert_no_small_count_recoverable(counts)


def test_the_total_is_withheld_when_nothing_else_would_protect_a_small_count():
    shown, total, withhold = suppress([4, 4], 8)
    assert shown == [FEWER_THAN_FIVE, FEWER_THAN_FIVE]
    assert total == WITHHELD and withhold


def test_a_total_of_one_to_four_is_suppressed_too():
    assert suppress([3, 0], 3)[:2] == ([FEWER_THAN_FIVE, "0"], FEWER_THAN_FIVE)


@pytest.fixture(autouse=True)
def reference_data(request):
    """The migration's categories and age bands (put back where a browser test emptied them)."""
    if "db" in request.fixturenames:
        request.getfixturevalue("db")
        install(DeathCategory, AgeBand)


def test_categories_of_death_and_age_bands_are_data_loaded_from_the_guidance(db):
    categories = list(DeathCategory.objects.values_list("number", "name"))
    assert len(categories) == 10
    assert categories[0] == (1, "Deliberately inflicted injury, abuse or neglect")
    assert categories[-1] == (10, "Sudden unexpected, unexplained death")
    assert AgeBand.objects.first().label.startswith("0–27 days")
    assert DeathCategory.history.model._meta.db_table  # kept with history, edited in the admin


@pytest.fixture
def cdop(db):
    return SubGroupFactory(code=SubGroup.Code.CDOP)


def death(cdop, *, closed_on, category, factors="no", expected="expected", band=1, **fields):
    review = ReviewFactory(
        kind=Review.Kind.CHILD_DEATH,
        subgroup=cdop,
        referred_on=closed_on - datetime.timedelta(days=120),
        completed_on=closed_on,
        closed_on=closed_on,
        stage=Review.Stage.CLOSED,
        **fields,
    )
    ChildDeathDetails.objects.create(
        review=review,
        category=DeathCategory.objects.get(number=category),
        modifiable_factors=factors,
        expectedness=expected,
        age_band=AgeBand.objects.get(position=band),
    )
    return review


@pytest.fixture
def deaths(cdop):
    """2025/26: 3 deaths in category 8, 9 in category 7 (one of them restricted); 2024/25: 6 in
    category 8. Modifiable factors in 2 of 2025/26's."""
    reviews = []
    for i in range(3):
        reviews.append(
            death(cdop, closed_on=D(2025, 6, 1 + i), category=8, factors="yes" if i < 2 else "no")
        )
    for i in range(9):
        reviews.append(
            death(cdop, closed_on=D(2025, 9, 1 + i), category=7, band=2, is_restricted=i == 0)
        )
    for i in range(6):
        death(cdop, closed_on=D(2024, 10, 1 + i), category=8, expected="unexpected")
    theme = ThemeFactory(title="Safer sleep")
    FindingFactory(review=reviews[0], theme=theme, subgroup=cdop)
    FindingFactory(review=reviews[5], theme=theme, subgroup=cdop)
    return reviews


def report_tables(response):
    annual = response.context["report"]["annual"]
    return annual, {table["title"]: table for table in annual["tables"]}


def test_the_annual_report_suppresses_small_numbers_and_compares_the_year_before(
    client, bu_user, deaths
):
    client.force_login(bu_user)
    response = client.get(reverse("dashboard:report", args=["cdop"]), {"year": 2025})
    annual, tables = report_tables(response)
    assert annual["this_label"] == "2025/26" and annual["before_label"] == "2024/25"
    by_category = {
        row["label"]: row for row in tables["Deaths reviewed by category of death"]["rows"]
    }
    perinatal = by_category["8. Perinatal/neonatal event"]
    assert perinatal["this"].shown == FEWER_THAN_FIVE and perinatal["before"].shown == "6"
    assert perinatal["change"] == "–"  # no change shown beside a suppressed count
    congenital = by_category["7. Chromosomal, genetic and congenital anomalies"]
    assert congenital["this"].shown == "9" and congenital["change"] == 9
    total = tables["Deaths reviewed by category of death"]["total"]
    assert total["this"].shown == "12" and total["before"].shown == "6"
    # 12 reviewed, 9 shown: the "<5" in category 8 has a complementary "<5" beside it.
    column = [row["this"].shown for row in tables["Deaths reviewed by category of death"]["rows"]]
    assert column.count(FEWER_THAN_FIVE) >= 2
    factors = {row["label"]: row for row in tables["Modifiable factors"]["rows"]}
    assert factors["Modifiable factors identified"]["this"].shown == FEWER_THAN_FIVE
    # The learning's theme: 2 deaths, shown as "<5"; the page never prints the small counts.
    themes = {
        row["label"]: row
        for row in tables[next(t for t in tables if t.startswith("Themes"))]["rows"]
    }
    assert themes["Safer sleep"]["this"].shown == FEWER_THAN_FIVE
    page = response.content.decode()
    assert "&lt;5" in page and "Safer sleep" in page
    for table in tables.values():
        for row in table["rows"]:
            for year in ("this", "before"):
                if 1 <= row[year].value <= 4:
                    assert row[year].shown == FEWER_THAN_FIVE


def test_no_suppressed_cell_of_the_report_can_be_worked_out(client, bu_user, deaths):
    client.force_login(bu_user)
    annual, tables = report_tables(
        client.get(reverse("dashboard:report", args=["cdop"]), {"year": 2025})
    )
    for table in tables.values():
        if table["total"] is None:
            continue
        for year in ("this", "before"):
            shown = [row[year].shown for row in table["rows"]]
            total = table["total"][year]
            for i, values in enumerate(possible_values(shown, total.shown, total.value)):
                if not shown[i].isdigit():
                    assert len(values) > 1, (table["title"], year, shown)


def test_the_deaths_reviewed_cannot_be_worked_out_from_those_notified_and_still_open(
    client, bu_user, cdop
):
    """Open at the end of a year = open at its start + notified - closed. 2024/25: none open
    at its start, 6 notified, 1 reviewed and closed, 5 still open: showing 6 and 5 would give
    the "<5" back as 1, in this report and in the next year's, which shows 2024/25 beside it."""
    death(cdop, closed_on=D(2025, 3, 2), category=5)
    for i in range(5):
        ReviewFactory(kind=Review.Kind.CHILD_DEATH, subgroup=cdop, referred_on=D(2024, 12, 1 + i))
    client.force_login(bu_user)

    def values(cell):
        if cell.is_shown:
            return [cell.value]
        return range(0, 5) if cell.shown == FEWER_THAN_FIVE else range(5, 50)

    for year, column in ((2024, "this"), (2025, "before")):
        annual, _ = report_tables(
            client.get(reverse("dashboard:report", args=["cdop"]), {"year": year})
        )
        notified, reviewed, still_open = (row[column] for row in annual["headline"])
        assert reviewed.shown == FEWER_THAN_FIVE
        could_be = {
            r
            for r in range(1, 5)
            for n in values(notified)
            for o in values(still_open)
            if o == 0 + n - r  # nothing was open at the start of 2024/25
        }
        assert len(could_be) > 1, (year, notified.shown, still_open.shown, could_be)


def test_the_exports_hold_the_suppressed_tables(client, executive_user, deaths):
    client.force_login(executive_user)
    response = client.get(reverse("dashboard:report-export-csv", args=["cdop"]), {"year": 2025})
    assert response["Content-Disposition"].endswith('cdop-report-2025.csv"')
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    category_8 = next(row for row in rows if row and row[0] == "8. Perinatal/neonatal event")
    assert category_8[1:] == [FEWER_THAN_FIVE, "6", "–"]
    assert ["Modifiable factors identified", FEWER_THAN_FIVE, "0", "–"] in rows
    response = client.get(reverse("dashboard:report-export-xlsx", args=["cdop"]), {"year": 2025})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[next(name for name in book.sheetnames if name.startswith("Deaths reviewed"))]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert ["7. Chromosomal, genetic and congenital anomalies", 9, 0, 9] in values


def test_only_readers_of_the_report_may_export_it(client, member_user, deaths):
    client.force_login(member_user)  # on no sub-group, let alone CDOP
    assert client.get(reverse("dashboard:report-export-csv", args=["cdop"])).status_code == 403
    assert client.get(reverse("dashboard:report-export-csv", args=["li"])).status_code == 404


def test_the_report_runs_the_same_queries_for_a_few_or_many_deaths(
    client, executive_user, cdop, count_queries, django_assert_max_num_queries
):
    client.force_login(executive_user)
    url = reverse("dashboard:report", args=["cdop"]) + "?year=2025"
    for i in range(2):
        death(cdop, closed_on=D(2025, 6, 1 + i), category=1 + i)
    small = count_queries(url)
    for i in range(48):
        death(cdop, closed_on=D(2025, 7, 1 + i % 28), category=1 + i % 10, band=1 + i % 6)
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200
