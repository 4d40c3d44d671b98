"""What the reminder sweep chases for case reviews: statutory clocks near or past their due date."""

from collections import defaultdict

from sscb.models import Reminder
from sscb.record_urls import url_for
from sscb.reminders import (
    CHAIR_OWNS,
    Candidate,
    Reach,
    closed_for,
    closed_to,
    content_type_id,
    escalate,
    reminder_mask,
    reminder_source,
)

from .models import ClockPause, ParallelProcess, Review, ReviewClock
from .selectors import clock_counted, reviews_visible_to

Kind = Reminder.Kind
# How a reminder names a review its reader may not open (as pages do: no reference, no title).
HIDDEN_REVIEW = "A restricted review"


@reminder_source
def clocks(today, policy):
    """Running clocks of open reviews from the day they turn amber; past due they escalate.

    Reminders go to the review's panel (or, without one, the responsible sub-group's chair),
    then the chair, then the Business Unit. Panel members who cannot be emailed are passed
    over; with none left, the chair takes it, or the Business Unit, saying why. A chair who may
    not open the review (a restricted one, off its panel) is passed over for the Business Unit,
    which opens every review. Emails name the review by reference only, and only to those who
    may open it (``clock_masks``).
    """
    subject = content_type_id(ReviewClock)
    reach = Reach.load()
    rows = list(
        ReviewClock.objects.filter(
            policy.window(today, ("amber_on", [0]), ("due_on", policy.overdue_offsets)),
            # Not met, on a review still open: a closed review's clocks are not chased.
            clock_counted(),
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
        )
        .order_by("pk")
    )
    review_ids = {row[3] for row in rows}
    panels = defaultdict(list)
    for review_id, user_id in Review.panel_members.through.objects.filter(
        review_id__in=review_ids
    ).values_list("review_id", "user_id"):
        panels[review_id].append(user_id)
    # Those on a panel open its review, but ask the rule, as for chairs (an agency's lead on a
    # panel opens only what their agency is involved in): both are a handful of people.
    people = {row[6] for row in rows}.union(*panels.values())
    closed = closed_to(people, Review.objects.filter(pk__in=review_ids), reviews_visible_to)
    labels = dict(ReviewClock.Kind.choices)
    restarts = _restarts([row[0] for row in rows])
    for pk, kind, due_on, review_id, uuid, reference, chair_id in rows:
        overdue = (today - due_on).days
        reminder_kind = Kind.CLOCK_OVERDUE if overdue > 0 else Kind.CLOCK_NEAR
        levels = policy.levels(overdue) if overdue > 0 else [Reminder.Level.OWNER]
        # Named in full here; ``clock_masks`` says "a restricted review" to whoever may not
        # open it, as each reminder is read.
        title = f"{reference}: {labels[kind]}{restarts.get(pk, '')}"
        url = url_for("reviews:detail", args=[uuid])
        for level, recipient, why in escalate(
            owners=panels.get(review_id, []),
            chair_id=chair_id,
            levels=levels,
            reach=reach,
            who="its panel member",
            unowned=CHAIR_OWNS,
            closed=closed_for(closed, review_id),
        ):
            yield Candidate(reminder_kind, subject, pk, recipient, due_on, title + why, url, level)


@reminder_mask(Kind.CLOCK_NEAR, Kind.CLOCK_OVERDUE)
def clock_masks(user, clock_ids) -> dict[int, str]:
    """The clocks of reviews ``user`` may not open (``reviews_visible_to``), named without their
    review: "A restricted review: <the clock>"."""
    rows = list(
        ReviewClock.objects.filter(pk__in=clock_ids)
        .exclude(review__in=reviews_visible_to(user).values("pk"))
        .values_list("pk", "kind")
    )
    if not rows:
        return {}
    labels = dict(ReviewClock.Kind.choices)
    restarts = _restarts([pk for pk, _ in rows])
    return {pk: f"{HIDDEN_REVIEW}: {labels[kind]}{restarts.get(pk, '')}" for pk, kind in rows}


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
