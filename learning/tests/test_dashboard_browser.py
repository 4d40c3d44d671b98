"""The Executive reads the dashboard, changes the year, follows a figure to its records and
opens the annual report, in a real browser."""

import pytest
from playwright.sync_api import expect

from learning.tests.dashboard_data import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_executive_reads_the_dashboard_and_annual_report(
    page, live_server, browser_login, executive_user
):
    # The records sit in 2024/25 and 2025/26; the year counts do not depend on today.
    build()
    page.set_default_timeout(10_000)
    browser_login(page, "executive")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Board dashboard")
    expect(page.locator("canvas[data-chart='themes']")).to_have_attribute("data-drawn", "true")

    page.get_by_label("Financial year").select_option("2025")  # submits on change
    expect(page.get_by_test_id("dashboard-year")).to_have_text("2025/26")
    expect(page.get_by_test_id("reviews-started")).to_have_text("2")
    page.get_by_label("Financial year").select_option("2024")
    expect(page.get_by_test_id("dashboard-year")).to_have_text("2024/25")
    expect(page.get_by_test_id("actions-due")).to_have_text("2")

    page.get_by_test_id("actions-due").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action tracker")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_label("Due in financial year")).to_have_value("2024")

    page.go_back()
    page.get_by_role("link", name="Annual report section").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("annual report section, 2024/25")
    expect(page.get_by_test_id("annual-started")).to_have_text("2")
