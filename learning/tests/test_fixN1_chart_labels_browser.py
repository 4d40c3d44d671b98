"""On a phone, a horizontal chart's long names are wrapped onto lines inside the chart, never
cut off at its left edge ("ard sign-off and written response"); the table beside keeps them
whole."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from learning.tests.factories import EvidenceFactory, OutcomeFactory, ReviewFactory, ThemeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THEME = "Cumulative harm in chronic neglect and the child's lived experience"
PHONE = {"width": 390, "height": 844}

# For each horizontal chart drawn: how far its widest name reaches past the canvas's left edge
# (0 where none does), and its names as drawn (a wrapped one as a list of lines).
LABELS = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const chart = Chart.getChart(canvas);
  if (!chart || chart.options.indexAxis !== "y") { return null; }
  const scale = chart.scales.y;
  let past = 0;
  const drawn = scale.getLabelItems().map((item) => {
    chart.ctx.font = item.font.string;
    const lines = [].concat(item.label);
    const width = Math.max(...lines.map((line) => chart.ctx.measureText(line).width));
    past = Math.max(past, width - item.options.translation[0]);
    return item.label;
  });
  return { name: canvas.dataset.chart, past: Math.ceil(past), drawn: drawn };
}).filter(Boolean)"""


def test_long_chart_names_fit_on_a_phone(
    page, live_server, browser_login, executive_user, bu_user, agency
):
    today = timezone.localdate()
    for stage in ("referral", "board_signoff"):
        ReviewFactory(referred_on=today - datetime.timedelta(days=10), stage=stage)
    EvidenceFactory(
        outcome=OutcomeFactory(theme=ThemeFactory(title=THEME)),
        agency=agency,
        judgement="assured",
        received_on=today,
        judged_on=today,
        judged_by=bu_user,
    )
    page.set_default_timeout(10_000)
    page.set_viewport_size(PHONE)
    browser_login(page, "executive")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("canvas[data-chart='reviews']")).to_have_attribute("data-drawn", "true")
    page.wait_for_timeout(300)  # a frame or two for the charts to lay out at this width
    charts = page.evaluate(LABELS)
    assert "reviews" in {chart["name"] for chart in charts}
    for chart in charts:
        assert chart["past"] <= 1, chart
    drawn = {chart["name"]: chart["drawn"] for chart in charts}
    # Wrapped, not cut: every word is drawn, on two lines or more.
    assert [" ".join(label) for label in drawn["reviews"] if isinstance(label, list)] == [
        "Board sign-off and written response"
    ]
    [theme] = drawn["assurance"]
    assert isinstance(theme, list) and " ".join(theme) == THEME
    # The tables beside the charts keep the whole names.
    for name in ("Board sign-off and written response", THEME):
        expect(page.locator("table").get_by_text(name, exact=True).first).to_be_attached()
