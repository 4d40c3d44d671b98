"""What the performance framework puts on an agency lead's home page: their agency's quarterly
values not yet returned, once due soon or overdue (what the reminder sweep chases them for)."""

import datetime

from django.conf import settings
from django.utils import timezone

from sscb.attention import SHOWN_OF_EACH_KIND, Attention, attention_provider, the_rest
from sscb.record_urls import url_for

from .selectors import returns_due


@attention_provider
def values_to_return(user):
    """The lead's agency's values due within the reminders' notice or overdue, most overdue
    first: two queries (``returns_due``)."""
    if not (user.is_agency_lead and user.agency_id):
        return []
    today = timezone.localdate()
    notice = datetime.timedelta(days=settings.REMINDER_DUE_SOON_DAYS)
    due = [row for row in returns_due(user, today) if row["due_on"] - notice <= today]
    items = [
        Attention(
            title=f"{row['indicator'].name}: {row['label']} value "
            + ("overdue" if row["overdue"] else "due"),
            detail=f"Due by {row['due_on']:%-d %b %Y}. Submit it on the indicator's page.",
            url=url_for("performance:submit", args=[row["indicator"].uuid]),
            level="danger" if row["overdue"] else "warning",
        )
        for row in due[:SHOWN_OF_EACH_KIND]
    ]
    return items + the_rest(
        len(items),
        len(due),
        one="indicator value to return",
        many="indicator values to return",
        detail="Every value your agency has still to return is on My agency.",
        url=url_for("learning:my_agency"),
        level="danger" if any(row["overdue"] for row in due) else "warning",
    )
