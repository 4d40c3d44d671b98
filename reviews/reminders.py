"""What the reminder sweep chases for case reviews: statutory clocks near or past their due date."""

from collections import defaultdict

from sscb.models import Reminder, User
from sscb.record_urls import url_for
from sscb.reminders import (
    Candidate,
    business_unit_ids,
    content_type_id,
    escalate,
    reminder_source,
)

from .models import ClockPause, ParallelProcess, Review, ReviewClock
from .selectors import reviews_visible_to

Kind = Reminder.Kind


@reminder_source
def clocks(today, policy):
    """Open, running clocks from the day they turn amber; past due they escalate.

    Reminders go to the review's panel (or, without one, the responsible sub-group's chair),
    then the chair, then the Business Unit. Emails name the review by reference only.
    """
    subject = content_type_id(ReviewClock)
    business_unit = business_unit_ids()
    rows = list(
        ReviewClock.objects.filter(
            policy.window(today, ("amber_on", [0]), ("due_on", policy.overdue_offsets)),
            met_on__isnull=True,
            paused_on__isnull=True,
            amber_on__lte=today,
        )
        .values_list(
            "pk",
            "kind",
            "due_on",
            "review_id",
            "review__uuid",
            "review__reference",
            "review__subgroup__chair_id",
            "review__is_restricted",
        )
        .order_by("pk")
    )
    panels = defaultdict(list)
    for review_id, user_id in Review.panel_members.through.objects.filter(
        review_id__in={row[3] for row in rows}
    ).values_list("review_id", "user_id"):
        panels[review_id].append(user_id)
    labels = dict(ReviewClock.Kind.choices)
    restarts = _restarts([row[0] for row in rows])
    readers = _restricted_readers({row[3] for row in rows if row[7]}, panels, rows)
    for pk, kind, due_on, review_id, uuid, reference, chair_id, restricted in rows:
        overdue = (today - due_on).days
        reminder_kind = Kind.CLOCK_OVERDUE if overdue > 0 else Kind.CLOCK_NEAR
        levels = policy.levels(overdue) if overdue > 0 else [Reminder.Level.OWNER]
        owners = panels.get(review_id) or ([chair_id] if chair_id else business_unit)
        title = f"{reference}: {labels[kind]}{restarts.get(pk, '')}"
        url = url_for("reviews:detail", args=[uuid])
        for level, recipient in escalate(
            owners=owners, chair_id=chair_id, business_unit=business_unit, levels=levels
        ):
            if restricted and recipient not in readers[review_id]:
                named = f"A restricted review: {labels[kind]}{restarts.get(pk, '')}"
            else:
                named = title
            yield Candidate(reminder_kind, subject, pk, recipient, due_on, named, url, level)


def _restarts(clock_ids) -> dict[int, str]:
    """Why a clock's due date moved: the parallel process that held it, and when it ended.

    Held clocks are not chased while held (the sweep reads running clocks only); once the
    process ends the clock is reminded of at its new due date, and the reminder says why.
    """
    process_kinds = dict(ParallelProcess.Kind.choices)
    restarts = {}
    for clock_id, process_kind, resumed_on in (
        ClockPause.objects.filter(
            clock_id__in=clock_ids, process__isnull=False, resumed_on__isnull=False
        )
        .order_by("resumed_on", "pk")
        .values_list("clock_id", "process__kind", "resumed_on")
    ):
        restarts[clock_id] = (
            f" (held by {process_kinds[process_kind]} until {resumed_on:%-d %b %Y})"
        )
    return restarts


def _restricted_readers(review_ids, panels, rows) -> dict[int, set[int]]:
    """Who, of the people these clocks' reminders may go to, can open each restricted review.

    Asked of ``reviews_visible_to`` once per person: the emails follow the same rule as the
    pages, and restricted reviews (and so the people asked) are few.
    """
    readers = defaultdict(set)
    if not review_ids:
        return readers
    people = {user for review_id in review_ids for user in panels.get(review_id, [])}
    people |= {row[6] for row in rows if row[3] in review_ids and row[6]}
    for user in User.objects.filter(pk__in=people):
        for review_id in (
            reviews_visible_to(user).filter(pk__in=review_ids).values_list("pk", flat=True)
        ):
            readers[review_id].add(user.pk)
    for user_id in business_unit_ids():
        for review_id in review_ids:
            readers[review_id].add(user_id)
    return readers
