"""The briefing pages, as each role that opens them sees them, pass axe-core (WCAG 2.2 A/AA) and
fit a phone (the site-wide crawl, sscb/tests/test_accessibility_browser.py, covers them too;
this runs the briefing pages alone, quickly)."""

import pytest
from django.test import Client

from sscb.tests.test_access_matrix import ROLES, URL_NAMES
from sscb.tests.test_accessibility_browser import check_page, first_html_page
from sscb.tests.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("short", ["member", "lead"])
def test_briefing_pages_are_accessible(short, page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    client = Client()
    client.force_login(world.users[ROLES[short]])
    urls = [
        (name, first_html_page(world, client, name, short))
        for name in URL_NAMES
        if name.startswith("briefings:")
    ]
    urls = [(name, url) for name, url in urls if url]
    assert len(urls) >= 3
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    found = []
    for name, url in urls:
        found += check_page(page, live_server.url, name, url)
    assert not found, "\n".join(f"{f.where}: {f.what}" for f in found)
