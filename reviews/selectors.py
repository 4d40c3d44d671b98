"""Reads of reviews, always scoped to what the person may open."""

import datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Value,
)
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.module_loading import import_string

from sscb.access import get_by_public_id, subgroup_ids
from sscb.models import User
from sscb.selectors import reminders_about

from .clocks import rule_of
from .models import (
    ChildDeathDetails,
    ClockPause,
    Review,
    ReviewAct,
    ReviewAgency,
    ReviewClock,
    ReviewStageChange,
)


def reviews_visible_to(user):
    """The reviews ``user`` may open.

    Business Unit: all. Independent reviewer: only those they lead. Partner agency lead: those
    in which their agency is involved. Everyone else: every review but the restricted ones
    closed to them (``_closed_to``).
    """
    reviews = Review.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return reviews.none()
    if user.is_business_unit:
        return reviews
    if user.is_independent_reviewer:
        return reviews.filter(lead_reviewer=user)
    visible = reviews.exclude(_closed_to(user))
    if user.is_agency_lead:
        involved = ReviewAgency.objects.filter(review=OuterRef("pk"), agency_id=user.agency_id)
        return visible.filter(Exists(involved))
    return visible


def case_files_open_to(user):
    """The reviews whose case file (the multi-agency chronology and the agencies' reports) ``user``
    may read: those they work on. The Business Unit, the review's lead reviewer and its agencies'
    leads (their own agency's part: ``reviews.casefile``) and the members of its responsible
    sub-group or panel. The Board's executive and other sub-groups' members read the review's
    page, its published report and the Board's figures, never what agencies recorded about the
    family."""
    reviews = reviews_visible_to(user)
    if user.is_business_unit or user.is_independent_reviewer or user.is_agency_lead:
        return reviews
    if user.is_subgroup_member:
        return reviews.filter(Q(subgroup_id__in=subgroup_ids(user)) | on_panel(user))
    return reviews.none()


def _closed_to(user) -> Q:
    """A restricted review is open, beyond the Business Unit and its lead reviewer (who opens
    only the reviews they lead: ``reviews_visible_to``), only to its panel: those it is closed
    to. Someone once its lead reviewer whose role has changed (made an executive) reads it as
    their role does."""
    return Q(is_restricted=True) & ~on_panel(user)


def agency_lead_on_panel(review_ref: str = "review", agency_ref: str = "agency") -> Exists:
    """For rows naming a review (at ``review_ref``) and an agency (at ``agency_ref``): an active
    lead of the agency sits on the review's panel, the only way one opens the review if it is
    restricted (``_closed_to``)."""
    panel = Review.panel_members.through.objects
    return Exists(
        panel.filter(
            review=OuterRef(review_ref),
            user__agency=OuterRef(agency_ref),
            user__role=User.Role.AGENCY_LEAD,
            user__is_active=True,
        )
    )


def _all_but_closed(user) -> bool:
    """Whether ``user`` may open every review but those closed to them (``_closed_to``)."""
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and not (user.is_business_unit or user.is_independent_reviewer or user.is_agency_lead)
    )


def on_panel(user, review_ref: str = "pk") -> Exists:
    """For rows of (or pointing at, through ``review_ref``) reviews: ``user`` sits on the review's
    panel. Asked, not joined, so that a review with several panel members is still one row."""
    panel = Review.panel_members.through.objects
    return Exists(panel.filter(review=OuterRef(review_ref), user=user))


def review_visible_at(user, review_ref: str) -> Q:
    """For rows that may point at a review (at ``review_ref``): they point at none, or at one
    ``user`` may open.

    Asked with EXISTS, not ``review__in``: beside "or it has no review", an IN list makes
    PostgreSQL gather every review the person may open before it looks at one row (14,432
    reviews, 3–4 ms at scale 1, in each such query). For those who may open all but the reviews
    closed to them, asked the other way round, NOT EXISTS a review closed to them: no "or it has
    none" is needed, and PostgreSQL answers it as an anti-join that looks up only the rows it
    reads (a member's first 25 actions at scale 1: 6 to 1 ms)."""
    if _all_but_closed(user):
        return ~Exists(Review.objects.filter(_closed_to(user), pk=OuterRef(review_ref)))
    return Q(**{f"{review_ref}__isnull": True}) | Exists(
        reviews_visible_to(user).filter(pk=OuterRef(review_ref))
    )


def mark_hidden_reviews(user, reviews) -> None:
    """Set ``is_hidden`` on each review ``user`` may not open (one query, none for the BU).

    A page that shows a review through a relation (a follow-on, a source, an action's plan) shows
    a hidden one as "a restricted review", with no reference and no link (``review_ref`` tag).
    """
    reviews = [review for review in reviews if review is not None]
    if not reviews:
        return
    if user.is_business_unit:
        visible = {review.pk for review in reviews}
    else:
        visible = set(
            reviews_visible_to(user)
            .filter(pk__in={review.pk for review in reviews})
            .values_list("pk", flat=True)
        )
    for review in reviews:
        review.is_hidden = review.pk not in visible


def review_hidden_annotation(user, review_ref: str = "review"):
    """For rows that point at a review (at ``review_ref``): True where ``user`` may not open it."""
    if user.is_business_unit:
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(
        ~review_visible_at(user, review_ref),
        output_field=BooleanField(),
    )


def can_edit_review(user, review: Review) -> bool:
    """Business Unit, and sub-group members of the responsible sub-group or on the panel."""
    if user.is_business_unit:
        return True
    if not user.is_subgroup_member:
        return False
    if review.subgroup_id in subgroup_ids(user):
        return True
    # panel_members is prefetched by get_review_for_user.
    return any(member.pk == user.pk for member in review.panel_members.all())


def get_review_for_user(user, uuid: UUID, write=False) -> Review:
    """Load one review for ``user``: 404 if they may not see it, 403 if they may not change it."""
    review = get_by_public_id(
        reviews_visible_to(user)
        .select_related("subgroup", "subgroup__chair", "lead_reviewer", "source_review")
        .prefetch_related("panel_members"),
        uuid,
    )
    if write and not can_edit_review(user, review):
        raise PermissionDenied
    return review


def get_review_heading_for_user(user, uuid: UUID) -> Review:
    """The review's keys, reference, title and restriction alone, through the same visibility
    as ``get_review_for_user``: what a page about it needs on every view when the rest is kept
    for its reader (its own page, its golden thread)."""
    return get_by_public_id(
        reviews_visible_to(user).only("pk", "uuid", "reference", "title", "is_restricted"), uuid
    )


def get_clock_for_user(user, review_uuid: UUID, uuid: UUID, write=False) -> ReviewClock:
    """One of a review's clocks, named under its review's address; as ``get_review_for_user``."""
    review = get_review_for_user(user, review_uuid, write=write)
    clock = get_by_public_id(ReviewClock.objects.filter(review=review), uuid)
    clock.review = review
    return clock


# From the Board's sign-off on, a review has done with its agencies' chronologies and reports:
# one asked for and never received is no longer waited for, nor shown to the agency as asked.
PAST_AGENCY_PARTS = (
    Review.Stage.BOARD_SIGNOFF,
    Review.Stage.PUBLISHED,
    Review.Stage.ACTION_PLAN,
    Review.Stage.CLOSED,
)
# What a review asks of each agency involved (``ReviewAgency``), as the pages name it.
AGENCY_PARTS = {"chronology": "chronology", "report": "agency report"}


def awaited_from_agency(part: str, *, agency: str = "", review: str = "review__") -> Q:
    """For agencies involved in reviews (``ReviewAgency`` rows at ``agency``, their review at
    ``review``): the agency's ``part`` ("chronology" or "report") is asked for and awaited. It
    is not received, the review has not passed the stages that use it (``PAST_AGENCY_PARTS``)
    and, for the chronology, the chronology is not closed. What the agency's lead is shown as
    asked of them, what the lead reviewer waits for and what the review page marks awaited."""
    awaited = Q(
        **{f"{agency}{part}_requested_on__isnull": False},
        **{f"{agency}{part}_received_on__isnull": True},
    ) & ~Q(**{f"{review}stage__in": PAST_AGENCY_PARTS})
    if part == "chronology":
        awaited &= Q(**{f"{review}chronology_closed_on__isnull": True})
    return awaited


def with_awaited_parts(agencies):
    """``ReviewAgency`` rows with ``chronology_awaited`` and ``report_awaited``
    (``awaited_from_agency``)."""
    return agencies.annotate(
        **{
            f"{part}_awaited": ExpressionWrapper(
                awaited_from_agency(part), output_field=BooleanField()
            )
            for part in AGENCY_PARTS
        }
    )


def any_part_awaited() -> Q:
    """For ``ReviewAgency`` rows: the agency's chronology or report is awaited."""
    return awaited_from_agency("chronology") | awaited_from_agency("report")


def asked_of_agency(user):
    """For a partner agency lead: their agency's part in each review they may open whose
    chronology or report is awaited (``with_awaited_parts``), asked longest ago first."""
    if not user.is_agency_lead:
        return ReviewAgency.objects.none()
    return (
        with_awaited_parts(
            ReviewAgency.objects.filter(
                any_part_awaited(),
                agency_id=user.agency_id,
                review__in=reviews_visible_to(user),
            )
        )
        .select_related("review")
        .order_by(Least("chronology_requested_on", "report_requested_on"), "pk")
    )


def reviews_counted():
    """Every review, as the Board's figures count them whoever reads them (a restricted one
    too): never listed, only counted beside a list of the reviews a person may open."""
    return Review.objects.all()


def reviews_for_register(user):
    """The register list: visible reviews with what each row shows (``reviews/review_list.html``)
    and nothing more, in a fixed set of queries. A review has some sixty columns, long texts
    among them, and each row read them all, with its lead reviewer's account, which the register
    never shows."""
    return (
        reviews_visible_to(user)
        .only(
            "uuid",
            "reference",
            "is_restricted",
            "title",
            "pseudonym",
            "kind",
            "stage",
            "referred_on",
            "closed_on",
            "subgroup__name",
        )
        .select_related("subgroup")
        .prefetch_related(
            Prefetch(
                "clocks",
                queryset=ReviewClock.objects.filter(met_on__isnull=True).order_by("due_on"),
            )
        )
    )


def clock_counted() -> Q:
    """Clocks still counted: not met, on a review still open. What reminders chase and what
    lists, filters and the Board's figures count as on track, due soon or past due; a clock
    of a closed review that was never met is "not met" (``ReviewClock.review_closed``)."""
    return Q(met_on__isnull=True) & ~Q(review__stage=Review.Stage.CLOSED)


def clock_state_condition(state: str, today=None) -> Q:
    """Clocks in ``state``, as ``ReviewClock.state_on`` reads them, for filters and counts.

    Clocks still counted (``clock_counted``) are green, amber or red (a paused one read on the
    day it paused); a met clock was met on time or late, never red; one not met when its review
    closed is "not met", never red.
    """
    if state == ReviewClock.State.MET_ON_TIME:
        return Q(met_on__isnull=False, met_on__lte=F("due_on"))
    if state == ReviewClock.State.MET_LATE:
        return Q(met_on__isnull=False, met_on__gt=F("due_on"))
    if state == ReviewClock.State.NOT_MET_CLOSED:
        return Q(met_on__isnull=True, review__stage=Review.Stage.CLOSED)
    today = today or timezone.localdate()
    running = Q(paused_on__isnull=True)
    paused = Q(paused_on__isnull=False)
    if state == ReviewClock.State.RED:
        condition = (running & Q(due_on__lt=today)) | (paused & Q(due_on__lt=F("paused_on")))
    elif state == ReviewClock.State.AMBER:
        condition = (running & Q(due_on__gte=today, amber_on__lte=today)) | (
            paused & Q(due_on__gte=F("paused_on"), amber_on__lte=F("paused_on"))
        )
    else:
        condition = (running & Q(amber_on__gt=today)) | (paused & Q(amber_on__gt=F("paused_on")))
    return clock_counted() & condition


def has_clock_in_state(state: str, today=None, review_ref: str = "pk") -> Exists:
    """For filtering reviews: the review (at ``review_ref``) has an open clock in ``state``."""
    return Exists(
        ReviewClock.objects.filter(clock_state_condition(state, today), review=OuterRef(review_ref))
    )


def review_page(user, review: Review) -> dict:
    """Everything the detail page shows about one review, in a fixed number of queries."""
    clocks = list(
        ReviewClock.objects.filter(review=review)
        .prefetch_related(
            Prefetch(
                "pauses",
                queryset=ClockPause.objects.select_related("paused_by", "resumed_by", "process"),
            )
        )
        .order_by("started_on", "pk")
    )
    for clock in clocks:
        # What the clock allows and where that comes from, shown beside it; its review, whose
        # closing stops it, without a query.
        clock.rule = rule_of(clock)
        clock.review = review
    changes = list(
        ReviewStageChange.objects.filter(review=review)
        .select_related("moved_by")
        .order_by("happened_on", "moved_at", "pk")
    )
    # Each act on the day it happened; the page adds when it was recorded where that differs.
    timeline = [
        {"on": change.happened_on, "recorded": change.moved_at, "what": "move", "change": change}
        for change in changes
    ]
    timeline += [
        {"on": act.happened_on, "recorded": act.recorded_at, "what": "act", "act": act}
        for act in ReviewAct.objects.filter(review=review).select_related("recorded_by")
    ]
    for clock in clocks:
        for pause in clock.pauses.all():
            timeline.append(
                {"on": pause.paused_on, "what": "pause", "clock": clock, "pause": pause}
            )
            if pause.resumed_on:
                # A process's hold ends the day its clock was met, if that came first.
                met = bool(pause.process_id) and pause.resumed_on != pause.process.ended_on
                timeline.append(
                    {
                        "on": pause.resumed_on,
                        "what": "resume",
                        "clock": clock,
                        "pause": pause,
                        "met": met,
                    }
                )
    timeline.sort(key=lambda item: (_as_date(item["on"]), item.get("recorded") or _NEVER))
    follow_on_reviews = list(review.follow_on_reviews.all().order_by("referred_on"))
    mark_hidden_reviews(user, [review.source_review, *follow_on_reviews])
    return {
        "clocks": clocks,
        "open_clocks": [clock for clock in clocks if clock.is_open],
        "timeline": timeline,
        # Each with what is still awaited from it (``with_awaited_parts``).
        "agencies": list(
            with_awaited_parts(ReviewAgency.objects.filter(review=review))
            .select_related("agency")
            .order_by("agency__name")
        ),
        "parallel_processes": list(review.parallel_processes.all()),
        "follow_on_reviews": follow_on_reviews,
        "reminders": reminders_about(*clocks),
    }


def child_death_of(user, review: Review) -> ChildDeathDetails | None:
    """CDOP's record of the death, for a child death review ``user`` has opened (one query, and
    one more when a meeting reviewed it). Its ``meeting_open`` says whether ``user`` may see
    that meeting, by the meetings' own rule: a reader who may not is told only that a panel
    meeting reviewed the death, not which or when."""
    if review.kind != Review.Kind.CHILD_DEATH:
        return None
    details = (
        ChildDeathDetails.objects.filter(review=review)
        .select_related("category", "age_band", "meeting__body")
        .first()
    )
    if details is not None and details.meeting_id:
        # The meetings app sits above reviews: its rule is found by name, never imported.
        meetings_visible_to = import_string("learning.meetings.selectors.meetings_visible_to")
        details.meeting_open = meetings_visible_to(user).filter(pk=details.meeting_id).exists()
    return details


_NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value
