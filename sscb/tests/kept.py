"""For tests of parts kept for their reader (sscb/figures_cache.py)."""

import re
from html import unescape

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sscb import figures_cache


def main_of(browser, url) -> tuple[str, int]:
    """The page's ``<main>``, entities decoded, and how many queries it ran. A form's token,
    which differs on every request, reads "TOKEN"."""
    with CaptureQueriesContext(connection) as sql:
        text = unescape(browser.get(url).content.decode())
    main = text[text.index("<main") : text.index("</main>")]
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1TOKEN", main), len(
        sql.captured_queries
    )


def made_then_kept(browser, url) -> tuple[str, int, int]:
    """The page made afresh, then asked again: its ``<main>`` (the same both times), the
    queries it ran made afresh and those it ran kept. ``browser`` is signed in."""
    main_of(browser, url)  # the first request after signing in saves the session
    figures_cache.bump()
    made, afresh = main_of(browser, url)
    kept, fewer = main_of(browser, url)
    assert kept == made
    return made, afresh, fewer


def kept_beside_another(browser, reader, other_reader, url) -> tuple[str, int, int, Client]:
    """``made_then_kept`` for ``reader`` in ``browser``, with ``other_reader`` signed in first
    in a browser of their own (returned), to show that what is kept for one reader is never
    given to another: a sign-in saves the person, a record, which would let the copy go."""
    other = Client()
    other.force_login(other_reader)
    main_of(other, url)
    browser.force_login(reader)
    made, afresh, kept = made_then_kept(browser, url)
    assert kept < afresh
    return made, afresh, kept, other
