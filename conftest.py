"""Fixtures shared by every app's tests: people in each role, services, and the browser."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; ORM calls beside it are safe
# here (tests only), as Django would otherwise refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def service_missing(service, why):
    """In CI a missing service fails the test; on a developer's machine it skips it."""
    if IN_CI:
        pytest.fail(f"{service} is required in CI but is not available: {why}")
    pytest.skip(f"{service} is not available here: {why}")


def pytest_collection_modifyitems(config, items):
    """Only browser tests may take Playwright's fixtures. A test with a parameter named like one
    (``page``, ``context``) is given Playwright's session-wide browser parameter, and pytest then
    moves it beside the browser tests: the transactional ones among them come forward and flush
    the migrations' rows (the audit frameworks) before tests that read them."""
    stray = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(item, "fixturenames", ())
        and item.get_closest_marker("browser") is None
    ]
    if stray:
        raise pytest.UsageError(
            "Not browser tests, yet given Playwright's browser (rename the parameter that shares "
            "a Playwright fixture's name, e.g. page): " + ", ".join(stray)
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        service_missing("Chromium", f"no executable at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def fresh_cache():
    """allauth keeps its rate limits and used one-time codes in the cache, which outlives a test:
    without this, enough sign-ins across the suite would be refused as too many."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_user(db):
    from sscb.tests.factories import UserFactory

    return UserFactory


@pytest.fixture
def agency(db):
    from sscb.tests.factories import AgencyFactory

    return AgencyFactory(name="West Mercia Police", short_name="Police", kind="police")


@pytest.fixture
def bu_user(make_user):
    return make_user(role="business_unit", is_staff=True, username="bu")


@pytest.fixture
def member_user(make_user):
    return make_user(role="subgroup_member", username="member")


@pytest.fixture
def executive_user(make_user):
    return make_user(role="executive", username="executive")


@pytest.fixture
def agency_user(make_user, agency):
    return make_user(role="agency_lead", agency=agency, username="agencylead")


@pytest.fixture
def reviewer_user(make_user):
    return make_user(role="independent_reviewer", username="reviewer")


@pytest.fixture
def users_by_role(bu_user, member_user, executive_user, agency_user, reviewer_user):
    return {
        "business_unit": bu_user,
        "subgroup_member": member_user,
        "executive": executive_user,
        "agency_lead": agency_user,
        "independent_reviewer": reviewer_user,
    }


@pytest.fixture
def browser_login(live_server):
    """Sign in through the real login form, as a person would."""

    def login(page, username, password="safeguarding-demo"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return login


@pytest.fixture
def count_queries(client):
    """How many SQL queries one GET of ``url`` runs (it must answer 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            response.getvalue()  # a download sent as it is written reads as it is sent
        assert response.status_code == 200, response.status_code
        return len(queries.captured_queries)

    return count
