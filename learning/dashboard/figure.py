"""A figure: a count, shown as the link to the list page that holds the records behind it.

Each link uses that page's own filters. Counts may include restricted reviews (DESIGN.md:
everyone else sees that a restricted review exists only in aggregates); the linked lists show only
what the reader may open.
"""

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from urllib.parse import quote_plus

from django.urls import reverse
from django.utils.safestring import SafeString

# Every page's percentages, half up: imported from here by the dashboard's modules.
from sscb.rounding import percent as percent


@dataclass(frozen=True)
class Figure:
    value: int
    url: str

    def __html__(self):
        """In a template, a figure is the link to the records behind it."""
        # Not format_html: a dashboard shows about a thousand figures, and its lazy-aware
        # escaping was a third of their rendering (7.6 against 2.7 µs each).
        return SafeString(f'<a href="{escape(self.url)}">{escape(str(self.value))}</a>')

    # ``{{ figure }}`` turns a value into a string before it looks for ``__html__``: the string
    # is the link too (exports write ``figure.value``).
    __str__ = __html__


@lru_cache(maxsize=256)
def _path(url_name, args):
    # A dashboard has hundreds of figure links to a handful of pages: resolve each page once.
    return reverse(url_name, args=args)


@lru_cache(maxsize=4096, typed=True)
def _param(key, value) -> str:
    # The same few filters (a year, a sub-group, a RAG, a judgement, an outcome) recur across a
    # dashboard's thousand links: quote each once. Typed, so that True is never taken for 1.
    return f"{key}={value if isinstance(value, int) else quote_plus(str(value))}"


def link(url_name, *args, **params) -> str:
    """The list page behind a figure, filtered; a dashboard makes about a thousand of these."""
    query = "&".join(
        [_param(key, value) for key, value in params.items() if value is not None and value != ""]
    )
    url = _path(url_name, args)
    return f"{url}?{query}" if query else url
