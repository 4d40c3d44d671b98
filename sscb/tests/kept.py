"""For tests of parts kept for their reader (sscb/figures_cache.py)."""

from html import unescape

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sscb import figures_cache


def main_of(browser, url) -> tuple[str, int]:
    """The page's ``<main>``, entities decoded, and how many queries it ran."""
    with CaptureQueriesContext(connection) as sql:
        text = unescape(browser.get(url).content.decode())
    return text[text.index("<main") : text.index("</main>")], len(sql.captured_queries)


def made_then_kept(browser, url) -> tuple[str, int, int]:
    """The page made afresh, then asked again: its ``<main>`` (the same both times), the
    queries it ran made afresh and those it ran kept. ``browser`` is signed in."""
    main_of(browser, url)  # the first request after signing in saves the session
    figures_cache.bump()
    made, afresh = main_of(browser, url)
    kept, fewer = main_of(browser, url)
    assert kept == made
    return made, afresh, fewer
