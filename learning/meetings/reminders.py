"""What meetings ask the daily reminder sweep to chase (sscb.reminders: one digest per person,
each reminder planned once under a unique key): papers newly asked of presenters, papers due
from them, and minutes circulated and waiting for approval. Actions arising are ordinary
actions: the learning loop's source already chases them."""

import datetime

from django.db.models import Exists, F, OuterRef, Q, Subquery

from sscb.models import Reminder
from sscb.record_urls import url_for
from sscb.reminders import (
    Candidate,
    Reach,
    asked_of,
    closed_for,
    closed_to,
    content_type_id,
    escalate,
    reminder_asked,
    reminder_dated,
    reminder_mask,
    reminder_source,
    told_of,
)

from .models import AgendaItem, Meeting, Paper
from .selectors import items_closed_to, items_open_to, meetings_visible_to

# A presenter is reminded this many days before their papers are due (and, if the sweep did not
# run then, on any later day until the papers are in or the meeting is held).
PAPERS_NOTICE = datetime.timedelta(days=7)
# What an item its reader may not open is called, as on the meeting's page.
RESTRICTED_ITEM = "Restricted item"


def paper_title(position: int, title: str, reference: str | None) -> str:
    """What a papers reminder calls its item: an item about a review by the review's reference
    only, as every reminder names a review (its title may describe the child or the harm)."""
    return f"Papers for item {position}: {reference or title}"


def _to_presenters(items):
    """Each of ``items`` (agenda items with a presenter) as a row, with whom its papers reach
    (``escalate``'s level, recipient and why): the presenter, or, one who cannot be emailed or may
    no longer open the item, the body's chair, then the Business Unit. The row carries its
    ``url`` and what a reminder calls it (``paper``)."""
    rows = list(
        items.values(
            "pk",
            "title",
            "position",
            "presenter_id",
            "meeting__papers_due_on",
            "meeting__held_on",
            "meeting__uuid",
            "meeting__body__chair_id",
            reference=F("review__reference"),
        ).order_by("pk")
    )
    if not rows:
        return
    reach = Reach.load()
    people = {row["presenter_id"] for row in rows} | {
        row["meeting__body__chair_id"] for row in rows
    }
    closed = closed_to(
        people, AgendaItem.objects.filter(pk__in=[row["pk"] for row in rows]), items_open_to
    )
    for row in rows:
        row["url"] = url_for("meetings:detail", args=[row["meeting__uuid"]])
        row["url"] += f"#item-{row['position']}"
        row["paper"] = paper_title(row["position"], row["title"], row["reference"])
        yield (
            row,
            escalate(
                owners=[row["presenter_id"]],
                chair_id=row["meeting__body__chair_id"],
                levels=[Reminder.Level.OWNER],
                reach=reach,
                who="its presenter",
                closed=closed_for(closed, row["pk"]),
            ),
        )


@reminder_source
def papers_due(today, policy):
    """Items with a presenter and no paper yet, as the meeting's papers deadline nears.

    A presenter who cannot be emailed, or may no longer open the item, is passed over for the
    body's chair, then the Business Unit, the reminder saying why (``_to_presenters``).
    """
    subject = content_type_id(AgendaItem)
    items = (
        AgendaItem.objects.filter(
            meeting__status__in=Meeting.PREPARING,
            meeting__papers_due_on__lte=today + PAPERS_NOTICE,
            meeting__held_on__gte=today,
            presenter__isnull=False,
        )
        .exclude(Exists(Paper.objects.filter(item=OuterRef("pk"), withdrawn_at__isnull=True)))
        .filter(
            policy.window(today, ("meeting__papers_due_on", [-PAPERS_NOTICE.days]))
            | policy.changed("meeting__updated_at")
        )
    )
    for row, reached in _to_presenters(items):
        for level, recipient, why in reached:
            yield Candidate(
                Reminder.Kind.PAPERS_DUE,
                subject,
                row["pk"],
                recipient,
                row["meeting__papers_due_on"],
                row["paper"] + why,
                row["url"],
                level,
            )


reminder_asked(Reminder.Kind.PAPERS_ASKED)


@reminder_source
def papers_asked(today, policy):
    """Items newly given a presenter, told to them once (with the same fallback as the papers
    reminder), unless their papers are already due within ``PAPERS_NOTICE``, when the papers
    reminder, in the same digest, is the first."""
    subject = content_type_id(AgendaItem)
    items = (
        AgendaItem.objects.filter(
            policy.asked(today),
            meeting__status__in=Meeting.PREPARING,
            meeting__held_on__gte=today,
            presenter__isnull=False,
        )
        .filter(
            Q(meeting__papers_due_on__isnull=True)
            | Q(meeting__papers_due_on__gt=today + PAPERS_NOTICE)
        )
        .exclude(Exists(Paper.objects.filter(item=OuterRef("pk"), withdrawn_at__isnull=True)))
    )
    asked = asked_of(items, ("presenter_id",), today)
    if not asked:
        return
    for row, reached in _to_presenters(items.filter(pk__in=list(asked))):
        due_on, held_on = row["meeting__papers_due_on"], row["meeting__held_on"]
        due = f"due {due_on:%-d %B %Y}" if due_on else f"for the meeting on {held_on:%-d %B %Y}"
        for level, recipient, why in told_of(asked[row["pk"]], reached):
            yield Candidate(
                Reminder.Kind.PAPERS_ASKED,
                subject,
                row["pk"],
                recipient,
                asked[row["pk"]].on,
                f"{row['paper']}, {due}{why}",
                row["url"],
                level,
            )


# The minutes reminder is dated the day they were circulated; what is due is their approval at
# the body's next meeting, which its title names.
reminder_dated(Reminder.Kind.MINUTES_TO_APPROVE, "circulated")


@reminder_source
def minutes_to_approve(today, policy):
    """Minutes circulated to members: the body's chair (or the Business Unit) takes them to the
    next meeting for approval."""
    subject = content_type_id(Meeting)
    reach = Reach.load()
    next_meeting = (
        Meeting.objects.filter(body=OuterRef("body"), held_on__gt=OuterRef("held_on"))
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("held_on", "pk")
    )
    rows = (
        Meeting.objects.filter(
            status=Meeting.Status.MINUTES_CIRCULATED,
            # Circulated on or before the sweep's day: a sweep for an earlier day (a catch-up)
            # does not send what was circulated after it.
            minutes_circulated_on__lte=today,
        )
        .filter(policy.window(today, ("minutes_circulated_on", [0])))
        .annotate(next_on=Subquery(next_meeting.values("held_on")[:1]))
        .values_list(
            "pk",
            "uuid",
            "held_on",
            "minutes_circulated_on",
            "body__name",
            "body__chair_id",
            "next_on",
        )
        .order_by("pk")
    )
    for pk, uuid, held_on, circulated_on, body, chair_id, next_on in rows.iterator(chunk_size=2000):
        recipients, why = reach.chair_or_business_unit(chair_id)
        at = f"its next meeting, {next_on:%-d %b %Y}" if next_on else "its next meeting"
        title = f"Minutes of the {body}, {held_on:%-d %b %Y}, to approve at {at}{why}"
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


@reminder_mask(Reminder.Kind.PAPERS_DUE, Reminder.Kind.PAPERS_ASKED)
def papers_masks(user, item_ids) -> dict[int, str]:
    """Items ``user`` may not open (a restricted review's, or another body's meeting) read as
    they do on the meeting's page: "Restricted item", with no reference or title."""
    closed = items_closed_to(user).filter(pk__in=item_ids).values_list("pk", "position")
    return {pk: paper_title(position, RESTRICTED_ITEM, None) for pk, position in closed}


@reminder_mask(Reminder.Kind.MINUTES_TO_APPROVE)
def minutes_masks(user, meeting_ids) -> dict[int, str]:
    """Minutes of a meeting ``user`` may not see are not named to them."""
    seen = set(meetings_visible_to(user).filter(pk__in=meeting_ids).values_list("pk", flat=True))
    return {pk: "Minutes of a meeting you may not open" for pk in meeting_ids if pk not in seen}
