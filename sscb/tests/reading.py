"""Reading a page as a person reads it, for tests."""

from html import unescape

from django.utils.html import strip_tags


def history_entries(response, testid: str) -> list[str]:
    """The entries of the page's history list marked ``testid`` (templates/sscb/_history.html),
    newest first, each as one line of text."""
    page = unescape(response.content.decode())
    start = page.index(f'data-testid="{testid}"')
    listed = page[start : page.index("</ul>", start)]
    return [" ".join(strip_tags(f"<li{item}").split()) for item in listed.split("<li")[1:]]


def said(entries: list[str], ending: str) -> bool:
    """Whether one of ``entries`` ends with ``ending``."""
    return any(entry.endswith(ending) for entry in entries)
