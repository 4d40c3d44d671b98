"""The dashboard's longer lists (learning delivered and its reach, open themes) show their first
rows and say how many more there are; an outcome's "reach in all" counts all its deliveries, as
the impact table and the annual report do; the exports hold every row (fixD1 #2). And the
reminders sheet names what it counts in the page's words (fixD1 #6)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from learning.dashboard.loop import DELIVERIES_SHOWN, THEMES_SHOWN
from learning.dashboard.overview import scope_figures
from learning.dashboard.scope import make_scope
from learning.models import DeliveryActivity, LearningOutcome
from learning.tests.factories import ActivityFactory, OutcomeFactory, ThemeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]

D = datetime.date
IN_YEAR = D(2025, 11, 20)  # 2025/26, the dashboard tests' year


def _csv(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))


def _table(rows, title):
    start = rows.index([title])
    end = next((i for i in range(start, len(rows)) if rows[i] == []), len(rows))
    return rows[start + 1 : end]


@pytest.fixture
def outcome(db):
    return OutcomeFactory(
        title="Practitioners hear the child",
        decision=LearningOutcome.Decision.AGREED,
        decided_on=D(2025, 4, 10),
    )


def deliver(outcome, n, reach, *, title="Practitioner event"):
    DeliveryActivity.objects.bulk_create(
        DeliveryActivity(
            outcome=outcome,
            title=f"{title} {i}",
            way=DeliveryActivity.Way.THEMED_EVENT,
            planned_on=D(2025, 11, 1),
            delivered_on=IN_YEAR,
            reach=reach,
        )
        for i in range(n)
    )


def test_an_outcomes_reach_in_all_counts_every_delivery_not_only_those_shown(
    client, executive_user, outcome
):
    """The tester's 4 deliveries and 60 more of reach 10: the table shows 50 and says 14 more;
    the outcome's reach in all is the impact table's, 64 deliveries."""
    for i, reach in enumerate((300, 250, 118, 100)):
        ActivityFactory(outcome=outcome, planned_on=IN_YEAR, delivered_on=IN_YEAR, reach=reach)
    deliver(outcome, 60, 10)
    figures = scope_figures(make_scope(executive_user, year=2025))
    [row] = figures["reach"]
    [impact] = figures["impact"]["rows"]
    assert len(row["deliveries"]) == DELIVERIES_SHOWN == 50
    assert figures["reach"].not_shown == 14 and row["not_shown"] == 14
    assert (row["delivered"], row["reach"]) == (64, 768 + 600)
    assert (impact["delivered"].value, impact["reach"].value) == (64, 1368)

    client.force_login(executive_user)
    page = client.get(reverse("dashboard:index"), {"year": 2025}).content.decode()
    assert "reach in all: 1368" in page
    assert page.count('data-testid="reach-row"') == 50
    assert 'data-testid="reach-not-shown">14 more deliveries are not listed here' in page
    assert "reach in all: 1368 (64 deliveries, 14 not listed here)" in page
    annual = client.get(reverse("dashboard:annual-report"), {"year": 2025}).content.decode()
    assert 'data-testid="annual-reach">1368<' in annual

    rows = _csv(client.get(reverse("dashboard:export-csv"), {"year": 2025}))
    delivered = _table(rows, "Learning delivered and its reach")[1:]
    assert len(delivered) == 64  # every delivery, not the page's first 50
    assert sum(int(r[-1]) for r in delivered) == 1368


def test_two_outcomes_each_count_their_own_deliveries(executive_user, outcome):
    other = OutcomeFactory(
        title="A second outcome",
        decision=LearningOutcome.Decision.AGREED,
        decided_on=D(2025, 4, 10),
    )
    deliver(outcome, 3, 7)
    deliver(other, 2, 5)
    reach = scope_figures(make_scope(executive_user, year=2025))["reach"]
    by_title = {row["outcome"].title: row for row in reach}
    assert (by_title["A second outcome"]["delivered"], by_title["A second outcome"]["reach"]) == (
        2,
        10,
    )
    assert (by_title[outcome.title]["delivered"], by_title[outcome.title]["reach"]) == (3, 21)
    assert reach.not_shown == 0 and all(row["not_shown"] == 0 for row in reach)


def test_open_themes_say_how_many_more_there_are_and_the_export_holds_them_all(
    client, executive_user
):
    for i in range(THEMES_SHOWN + 5):
        ThemeFactory(title=f"Theme {i:03d}")
    figures = scope_figures(make_scope(executive_user, year=2025))
    assert len(figures["themes"]) == THEMES_SHOWN and figures["themes"].not_shown == 5
    client.force_login(executive_user)
    rows = _csv(client.get(reverse("dashboard:export-csv"), {"year": 2025}))
    assert len(_table(rows, "Themes")[1:]) == THEMES_SHOWN + 5


def test_the_dashboard_runs_the_same_queries_for_a_few_or_many_deliveries_and_themes(
    client, executive_user, outcome, count_queries, django_assert_max_num_queries
):
    client.force_login(executive_user)
    deliver(outcome, 2, 3)
    ThemeFactory()
    url = reverse("dashboard:index") + "?year=2025"
    small = count_queries(url)
    deliver(outcome, 70, 3, title="More")
    for _ in range(60):
        ThemeFactory()
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200
    export = reverse("dashboard:export-csv") + "?year=2025"
    assert count_queries(export) <= small


def test_the_reminders_sheet_says_reviews_with_a_clock_past_due(client, executive_user, data):
    client.force_login(executive_user)
    rows = _csv(client.get(reverse("dashboard:export-csv"), {"year": 2025}))
    reminders = dict(_table(rows, "Reminders and escalations outstanding")[1:])
    assert reminders["Reviews with a statutory clock past due"] == "1"
    assert "Statutory clocks past due" not in reminders
    reviews = dict(_table(rows, "Reviews")[1:])
    assert reviews["Reviews with a statutory clock past due (today)"] == "1"
