"""What meetings ask the daily reminder sweep to chase (sscb.reminders: one digest per person,
each reminder planned once under a unique key): papers due from presenters, and minutes
circulated and waiting for approval. Actions arising are ordinary actions: the learning loop's
source already chases them."""

import datetime

from django.db.models import Exists, OuterRef

from sscb.models import Reminder
from sscb.record_urls import url_for
from sscb.reminders import (
    Candidate,
    active_chair_ids,
    business_unit_ids,
    chair_or_business_unit,
    content_type_id,
    reminder_mask,
    reminder_source,
)

from .models import AgendaItem, Meeting, Paper
from .selectors import items_closed_to, meetings_visible_to

# A presenter is reminded this many days before their papers are due (and, if the sweep did not
# run then, on any later day until the papers are in or the meeting is held).
PAPERS_NOTICE = datetime.timedelta(days=7)
# What an item its reader may not open is called, as on the meeting's page.
RESTRICTED_ITEM = "Restricted item"


@reminder_source
def papers_due(today, policy):
    """Items with a presenter and no paper yet, as the meeting's papers deadline nears."""
    subject = content_type_id(AgendaItem)
    rows = (
        AgendaItem.objects.filter(
            meeting__status__in=Meeting.PREPARING,
            meeting__papers_due_on__lte=today + PAPERS_NOTICE,
            meeting__held_on__gte=today,
            presenter__isnull=False,
        )
        .exclude(Exists(Paper.objects.filter(item=OuterRef("pk"))))
        .filter(
            policy.window(today, ("meeting__papers_due_on", [-PAPERS_NOTICE.days]))
            | policy.changed("meeting__updated_at")
        )
        .values_list(
            "pk", "title", "presenter_id", "meeting__papers_due_on", "meeting__uuid", "position"
        )
        .order_by("pk")
    )
    for pk, title, presenter, due_on, meeting_uuid, position in rows.iterator(chunk_size=2000):
        url = url_for("meetings:detail", args=[meeting_uuid]) + f"#item-{position}"
        yield Candidate(
            Reminder.Kind.PAPERS_DUE, subject, pk, presenter, due_on, f"Papers for: {title}", url
        )


@reminder_source
def minutes_to_approve(today, policy):
    """Minutes circulated to members: the body's chair (or the Business Unit) takes them to the
    next meeting for approval."""
    subject = content_type_id(Meeting)
    business_unit, active_chairs = business_unit_ids(), active_chair_ids()
    rows = (
        Meeting.objects.filter(status=Meeting.Status.MINUTES_CIRCULATED)
        .filter(policy.window(today, ("minutes_circulated_on", [0])))
        .values_list(
            "pk", "uuid", "held_on", "minutes_circulated_on", "body__name", "body__chair_id"
        )
        .order_by("pk")
    )
    for pk, uuid, held_on, circulated_on, body, chair_id in rows.iterator(chunk_size=2000):
        recipients, why = chair_or_business_unit(chair_id, active_chairs, business_unit)
        title = f"Minutes of the {body}, {held_on:%-d %b %Y}, to approve{why}"
        for recipient in recipients:
            yield Candidate(
                Reminder.Kind.MINUTES_TO_APPROVE,
                subject,
                pk,
                recipient,
                circulated_on,
                title,
                url_for("meetings:detail", args=[uuid]),
            )


@reminder_mask(Reminder.Kind.PAPERS_DUE)
def papers_masks(user, item_ids) -> dict[int, str]:
    """Items ``user`` may not open (a restricted review's, or another body's meeting) read as
    they do on the meeting's page: "Restricted item", with no reference or title."""
    closed = items_closed_to(user).filter(pk__in=item_ids).values_list("pk", flat=True)
    return dict.fromkeys(closed, f"Papers for: {RESTRICTED_ITEM}")


@reminder_mask(Reminder.Kind.MINUTES_TO_APPROVE)
def minutes_masks(user, meeting_ids) -> dict[int, str]:
    """Minutes of a meeting ``user`` may not see are not named to them."""
    seen = set(meetings_visible_to(user).filter(pk__in=meeting_ids).values_list("pk", flat=True))
    return {pk: "Minutes of a meeting you may not open" for pk in meeting_ids if pk not in seen}
