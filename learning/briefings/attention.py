"""Home-page items for briefings: what an agency lead has still to cascade to their staff."""

from sscb.attention import Attention, attention_provider
from sscb.dates import say
from sscb.lists import plural
from sscb.record_urls import url_for

from . import selectors


@attention_provider
def briefings_to_cascade(user):
    """For a partner agency lead: published briefings sent to their agency, not yet confirmed as
    cascaded; those past the date asked first."""
    counts = selectors.cascades_to_confirm(user)
    if not counts["waiting"]:
        return []
    url = url_for("briefings:cascades")
    items = []
    if counts["late"]:
        items.append(
            Attention(
                f"{plural(counts['late'], 'briefing')} to cascade, past the date asked",
                "Pass each to your staff, then confirm when, how and to how many.",
                url,
                "danger",
            )
        )
    due = counts["waiting"] - counts["late"]
    if due:
        first_due = say(counts["first_due"])
        items.append(
            Attention(
                f"{plural(due, 'briefing')} to cascade to your staff",
                f"Confirm by {first_due} when, how and to how many staff it was cascaded."
                if due == 1
                else f"Confirm for each when, how and to how many staff it was cascaded; the "
                f"first by {first_due}.",
                url,
                "warning",
            )
        )
    return items
