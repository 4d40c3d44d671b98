"""Printed on A4 in Chromium, the dashboard's chart names every bar and the annual report's
tables keep each figure and each heading's words whole."""

import datetime

import pytest

from learning.models import LearningOutcome
from learning.tests.dashboard_data import build
from learning.tests.factories import ActivityFactory, OutcomeFactory, ThemeFactory
from reviews.models import Review
from reviews.tests.factories import ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# An A4 page at 96 dpi less Chromium's default print margins (as the accessibility test prints).
PRINTED = {"width": 718, "height": 1040}
YEAR = datetime.date.today().year - (datetime.date.today().month < 4)  # this financial year
IN_YEAR = datetime.date(YEAR, 4, 10)

# How many lines a node's text is set on.
LINES = """(el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
}"""
TICKS = """() => {
    const chart = Chart.getChart(document.querySelector("canvas[data-chart=reviews]"));
    return [chart.data.labels, chart.scales.y.ticks.map((tick) => tick.label)];
}"""


def _printed(page):
    page.emulate_media(media="print")
    page.set_viewport_size(PRINTED)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_the_printed_dashboards_chart_names_every_stage(
    page, live_server, browser_login, executive_user
):
    build()
    for stage in Review.Stage:  # a review at every stage: more labels than a short chart holds
        ReviewFactory(referred_on=IN_YEAR, stage=stage)
    browser_login(page, "executive")
    page.goto(f"{live_server.url}/dashboard/?year={YEAR}")
    for print_it in (False, True):
        if print_it:
            _printed(page)
        labels, ticks = page.evaluate(TICKS)
        assert len(labels) >= 10
        assert ticks == labels, "printed" if print_it else "on screen"


def test_the_printed_annual_report_keeps_figures_and_headings_whole(
    page, live_server, browser_login, executive_user
):
    build()
    outcome = OutcomeFactory(
        theme=ThemeFactory(title="Seeing cumulative harm in chronic neglect"),
        title="Practitioners read the history and name cumulative harm in every neglect case",
        decision=LearningOutcome.Decision.AGREED,
        decided_on=IN_YEAR,
    )
    ActivityFactory(outcome=outcome, planned_on=IN_YEAR, delivered_on=IN_YEAR, reach=768)
    browser_login(page, "executive")
    page.goto(f"{live_server.url}/dashboard/annual-report/?year={YEAR}")
    _printed(page)
    table = page.get_by_test_id("impact-by-outcome")
    reach = table.get_by_test_id("impact-reach")
    assert reach.inner_text() == "768"
    assert reach.evaluate(LINES) == 1  # not "76" above "8"
    delivered = table.locator("thead th", has_text="Delivered").first
    assert delivered.evaluate(LINES) == 1  # not "Deli/ver/ed"
    sideways = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(sideways) <= 0  # and still within the paper
