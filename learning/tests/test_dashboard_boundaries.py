"""Each shared definition (DESIGN.md) on its boundary days: the dashboard's figure counts exactly
the records on the list page it links to, and puts the record on the right side of the line.

Today is 15 February 2026 (financial year 2025/26). Each test builds one record either side of a
boundary, reads the figure, then opens its link and counts the rows there.
"""

import datetime

import pytest
from django.conf import settings

from learning.dashboard.overview import dashboard_figures
from learning.models import Action, AssuranceEvidence, LearningOutcome, LoopStage
from learning.tests.dashboard_data import TODAY, clock
from learning.tests.factories import (
    ActionFactory,
    ActivityFactory,
    EvidenceFactory,
    OutcomeFactory,
    ReviewFactory,
    ThemeFactory,
)
from reviews.models import ReviewClock
from sscb.tests.factories import AgencyFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("dashboard_day")]

YEAR = 2025


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


def _listed(client, figure) -> int:
    response = client.get(figure.url)
    assert response.status_code == 200, figure.url
    return response.context["page_obj"].paginator.count


def _agrees(client, figure, expected: int):
    """The figure is ``expected``, and its list holds exactly that many records."""
    assert (figure.value, _listed(client, figure)) == (expected, expected), figure.url


def _agency_row(figures, agency):
    (row,) = [row for row in figures["actions_by_agency"] if row["agency_name"] == agency.name]
    return row


def test_action_rag_on_the_amber_boundary(client, bu_user):
    """Amber: due within 14 days (or at risk); due in 15 days is green; due yesterday is red."""
    client.force_login(bu_user)
    agency = AgencyFactory(name="Boundary agency")
    for offset, at_risk in [(14, False), (0, False), (15, False), (30, True), (-1, False)]:
        ActionFactory(owner_agency=agency, due_on=day(offset), at_risk=at_risk)
    row = _agency_row(dashboard_figures(bu_user, YEAR), agency)
    _agrees(client, row["amber"], 3)  # due in 14 days, due today, at risk in 30 days
    _agrees(client, row["green"], 1)  # due in 15 days
    _agrees(client, row["red"], 1)  # due yesterday
    _agrees(client, row["total"], 5)


def test_action_rag_a_done_or_cancelled_action_is_green_even_overdue(client, bu_user):
    client.force_login(bu_user)
    agency = AgencyFactory(name="Boundary agency")
    ActionFactory(owner_agency=agency, due_on=day(-5), status="complete", completed_on=day(-1))
    ActionFactory(owner_agency=agency, due_on=day(-5), status=Action.Status.CANCELLED)
    ActionFactory(owner_agency=agency, due_on=day(-5), status=Action.Status.IN_PROGRESS)
    row = _agency_row(dashboard_figures(bu_user, YEAR), agency)
    _agrees(client, row["green"], 2)
    _agrees(client, row["red"], 1)


@pytest.mark.parametrize("offset", [-1, 0, 14, 15])
def test_action_rag_the_row_and_the_count_agree(bu_user, offset):
    """``Action.rag`` (one row, the action's page) and the SQL rule (lists, dashboard) agree."""
    action = ActionFactory(due_on=day(offset))
    listed = Action.objects.with_rag(TODAY).get(pk=action.pk).rag_state
    assert action.rag(TODAY) == listed
    assert listed == {-1: "red", 0: "amber", 14: "amber", 15: "green"}[offset]


def test_completed_on_time_is_on_or_before_the_due_date(client, bu_user):
    client.force_login(bu_user)
    due = day(-20)
    ActionFactory(due_on=due, status="complete", completed_on=due)  # on the day: on time
    ActionFactory(due_on=due, status="complete", completed_on=due + datetime.timedelta(days=1))
    actions = dashboard_figures(bu_user, YEAR)["actions"]
    _agrees(client, actions["on_time"], 1)
    _agrees(client, actions["late"], 1)
    _agrees(client, actions["due"], 2)


def test_escalation_on_the_days_the_sweep_escalates(client, bu_user):
    """Overdue for exactly the chair's days is escalated to the chair, a day less is not; the
    same for the Business Unit."""
    client.force_login(bu_user)
    chair = settings.REMINDER_ESCALATE_TO_CHAIR_DAYS
    business_unit = settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS
    for days in (chair - 1, chair, business_unit - 1, business_unit):
        ActionFactory(due_on=day(-days))
    actions = dashboard_figures(bu_user, YEAR)["actions"]
    _agrees(client, actions["overdue_now"], 4)
    _agrees(client, actions["escalated_chair"], 3)
    _agrees(client, actions["escalated_bu"], 1)


@pytest.mark.parametrize(
    "year, expected", [(2024, {"due": 1, "started": 1}), (2025, {"due": 2, "started": 2})]
)
def test_financial_year_runs_from_1_april_to_31_march(client, bu_user, year, expected):
    client.force_login(bu_user)
    plan = ReviewFactory(referred_on=datetime.date(2020, 5, 1))  # the actions' review
    for when in (datetime.date(2025, 3, 31), datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)):
        ActionFactory(review=plan, due_on=when)
        ReviewFactory(referred_on=when)
    ActionFactory(review=plan, due_on=datetime.date(2026, 4, 1))  # the next year
    figures = dashboard_figures(bu_user, year)
    _agrees(client, figures["actions"]["due"], expected["due"])
    _agrees(client, figures["reviews"]["started"], expected["started"])


def test_loop_stage_is_the_furthest_stage_reached_in_order(client, bu_user):
    """An outcome awaiting decision leaves a theme themed; an agreed one moves it on; a planned
    activity does not deliver it; assurance without an agreed outcome does not assure it."""
    client.force_login(bu_user)
    OutcomeFactory(theme=ThemeFactory())  # pending: themed
    agreed = {"decision": LearningOutcome.Decision.AGREED, "decided_on": day(-60)}
    OutcomeFactory(theme=ThemeFactory(), **agreed)  # outcome agreed
    ActivityFactory(outcome=OutcomeFactory(theme=ThemeFactory(), **agreed))  # planned only
    ActivityFactory(
        outcome=OutcomeFactory(theme=ThemeFactory(), **agreed), delivered_on=day(-10), reach=12
    )  # delivered
    EvidenceFactory(
        outcome=OutcomeFactory(theme=ThemeFactory()),  # never agreed
        judgement=AssuranceEvidence.Judgement.ASSURED,
        received_on=day(-5),
        judged_on=day(-5),
        judged_by=bu_user,
    )
    stages = {
        row["value"]: row["count"] for row in dashboard_figures(bu_user, YEAR)["themes_by_stage"]
    }
    _agrees(client, stages[LoopStage.THEMED], 2)
    _agrees(client, stages[LoopStage.OUTCOME_AGREED], 2)
    _agrees(client, stages[LoopStage.DELIVERED], 1)
    _agrees(client, stages[LoopStage.ASSURED], 0)


def test_clock_state_on_its_amber_and_due_days(client, bu_user):
    """Amber from the amber day (20% of the time left) to the due day; red the day after."""
    client.force_login(bu_user)
    kind = ReviewClock.Kind.NOTIFICATION
    start = day(-30)
    clock(ReviewFactory(), kind, started=start, amber=day(1), due=day(10))  # green
    clock(ReviewFactory(), kind, started=start, amber=day(0), due=day(10))  # amber from today
    clock(ReviewFactory(), kind, started=start, amber=day(-5), due=day(0))  # due today: amber
    clock(ReviewFactory(), kind, started=start, amber=day(-5), due=day(-1))  # red
    reviews = dashboard_figures(bu_user, YEAR)["reviews"]
    _agrees(client, reviews["clock_amber"], 2)
    _agrees(client, reviews["clock_red"], 1)


def test_the_dashboard_states_the_amber_threshold_it_counts_by(client, bu_user):
    client.force_login(bu_user)
    ActionFactory(due_on=day(3))  # the table of actions by agency shows when there are some
    page = client.get("/dashboard/").content.decode()
    assert f"amber due within {Action.AMBER_WITHIN.days} days or at risk" in page
