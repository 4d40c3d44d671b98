"""Every page each role can open, in Chromium: no critical or serious axe-core violation of WCAG
2.2 A/AA, no sideways page scroll at 1366 px or on a 390 px phone, and reports that fit the
printed page (issue 16, items 1 and 2).

"Every page" is the access matrix's (``test_access_matrix.py``): each named URL whose GET answers
a role with a 200 HTML page in the matrix's world, the first variant of each (one detail page per
URL name). The Business Unit also opens the Django admin's index, app pages, lists and change forms.
"""

import dataclasses
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sscb.tests.factories import PASSWORD
from sscb.tests.test_access_matrix import (
    OK,
    ROLES,
    URL_NAMES,
    _admin_model,
    admin_request,
    checks_for,
    url_for,
)
from sscb.tests.world import add_admin_rows, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = "vendor/axe-core/axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"critical", "serious"}
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# An A4 page at 96 dpi less Chromium's default print margins (about 1 cm each side).
PRINTED = {"width": 718, "height": 1040}
# The admin pages checked: its index, each app's page, and each model's list and change form
# (an add form is the same form, empty).
ADMIN_PAGES = ("changelist", "change")
# Pages printed as reports (the dashboard's, the Section 11 cycle's, a meeting's agenda pack and
# the leaflets for families and practitioners).
REPORTS = {
    "meetings:pack",
    "process:kind",
    "dashboard:index",
    "dashboard:annual-report",
    "dashboard:reports",
    "dashboard:report",
    "audits:cycle",
    "audits:heat-map",
    "audits:agency-history",
    "performance:scorecard",
}

RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.length,
        targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
}"""

# How far the page scrolls sideways, what sticks out, and which boxes hide content when printed.
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
SETTLED = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
STICKING_OUT = """() => [...document.querySelectorAll("main *")]
    .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(-1)
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))"""
CUT_OFF_IN_PRINT = """() => [...document.querySelectorAll("body *")]
    .filter((el) => el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1
        && ["auto", "scroll", "hidden"].includes(getComputedStyle(el).overflowX))
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))"""


@dataclasses.dataclass
class Problem:
    where: str
    what: str


def admin_page_wanted(name: str) -> bool:
    page_name = name.split(":", 1)[1]
    if page_name in ("index", "app_list"):
        return True
    model, action = _admin_model(page_name)
    return model is not None and action in ADMIN_PAGES


def first_html_page(world, client, name, short) -> str | None:
    """The URL of the first variant of ``name`` that answers ``short`` with a 200 HTML page."""
    if name.startswith("admin:"):
        if short != "bu" or not admin_page_wanted(name):
            return None
        if isinstance(admin_request(world, name)[0], str):
            return None  # the access matrix says why (no such row in the world)
        # Every admin page answers in HTML: no need to ask first (the admin is slow to draw).
        check = checks_for(name)[0]
        return url_for(world, name, check) if check.expect[short] == OK else None
    for check in checks_for(name) or []:
        if check.method != "GET" or check.expect[short] != OK:
            continue
        url = url_for(world, name, check)
        response = client.get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            return url
        return None
    return None


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    built = build_world()
    add_admin_rows(built)
    return built


def pages_of(world, short, part=0, parts=1) -> tuple[Client, list[tuple[str, str]]]:
    """The pages ``short`` can open, among the URL names from ``part`` on, ``parts`` apart."""
    client = Client()
    user = world.users[ROLES[short]]
    if user is not None:
        client.force_login(user)
        # As the access matrix does: the second-factor pages answer, rather than ask again.
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    names = URL_NAMES[part::parts]
    pages = [(name, first_html_page(world, client, name, short)) for name in names]
    return client, [(name, url) for name, url in pages if url]


def check_page(page, base, name, url) -> list[Problem]:
    found = []
    page.set_viewport_size(DESKTOP)
    response = page.goto(base + url)
    if response.status != 200:
        return [Problem(f"{name} {url}", f"answered {response.status}")]
    page.add_script_tag(url=f"{base}{settings.STATIC_URL}{AXE}")
    for violation in page.evaluate(RUN_AXE, WCAG_22_AA):
        if violation["impact"] in FAILING_IMPACTS:
            found.append(
                Problem(
                    f"{name} {url}",
                    f"{violation['impact']} {violation['id']} ({violation['help']}) "
                    f"on {violation['nodes']}: {', '.join(violation['targets'])}",
                )
            )
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        page.evaluate(SETTLED)  # charts redraw to the new width a frame later
        if (sideways := page.evaluate(SIDEWAYS)) > 0:
            out = page.evaluate(STICKING_OUT)
            what = f"scrolls {sideways}px sideways at {size['width']}px ({out})"
            found.append(Problem(f"{name} {url}", what))
    if name in REPORTS:
        page.emulate_media(media="print")
        page.set_viewport_size(PRINTED)
        page.evaluate(SETTLED)
        if (sideways := page.evaluate(SIDEWAYS)) > 0:
            found.append(Problem(f"{name} {url}", f"printed, {sideways}px wider than the page"))
        if cut := page.evaluate(CUT_OFF_IN_PRINT):
            found.append(Problem(f"{name} {url}", f"printed, content cut off in {cut}"))
        page.emulate_media(media="screen")
    return found


# Each role's pages in a few parts of about 15 seconds, so that the test workers share them out
# (the Business Unit alone opens some 200 pages, the admin's included).
PARTS = {"anon": 1, "bu": 6, "member": 2, "exec": 2, "lead": 1, "reviewer": 1}


@pytest.mark.parametrize(
    "short,part", [(short, part) for short, parts in PARTS.items() for part in range(parts)]
)
def test_every_page_of_each_role_is_accessible_and_fits(short, part, world, page, live_server):
    started = time.monotonic()
    client, pages = pages_of(world, short, part, PARTS[short])
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if session is not None:
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session.value, "url": live_server.url}]
        )
    found = []
    for name, url in pages:
        found += check_page(page, live_server.url, name, url)
    print(f"{short} part {part}: {len(pages)} pages in {time.monotonic() - started:.1f}s")
    assert pages
    assert not found, f"{len(found)} problems:\n" + "\n".join(f"{f.where}: {f.what}" for f in found)


def test_admin_pages_are_among_those_checked(world):
    _, pages = pages_of(world, "bu")
    names = {name for name, _ in pages}
    assert reverse("admin:index") in {url for _, url in pages}
    assert {"admin:learning_action_change", "admin:learning_action_changelist"} <= names
    assert not any(name.endswith("_add") for name in names if name.startswith("admin:"))
