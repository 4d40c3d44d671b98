"""Home-page "needs your attention" items for case reviews, in a fixed number of queries."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from sscb.access import subgroup_ids
from sscb.attention import SHOWN_OF_EACH_KIND, Attention, attention_provider, the_rest
from sscb.lists import first_rows
from sscb.record_urls import url_for

from .models import CaseDocument, Review, ReviewAgency, ReviewClock, TermsOfReference
from .selectors import (
    AGENCY_PARTS,
    agency_lead_on_panel,
    any_part_awaited,
    asked_of_agency,
    awaited_from_agency,
    clock_state_condition,
    has_clock_in_state,
    on_panel,
    reviews_visible_to,
    with_awaited_parts,
)


def _workable(user):
    """Reviews the person can work on: visible to them and theirs to edit."""
    reviews = reviews_visible_to(user).exclude(stage=Review.Stage.CLOSED)
    if user.is_business_unit:
        return reviews
    if not user.is_subgroup_member:
        return reviews.none()
    # The panel asked, not joined: the DISTINCT that undid a join's repeats made the database
    # list every review before any clock (9 ms at scale 1, twice on the home page).
    return reviews.filter(Q(subgroup__in=subgroup_ids(user)) | on_panel(user))


@attention_provider
def clocks_at_risk(user):
    """Statutory clocks past due or due soon on reviews the person works on."""
    if not (user.is_business_unit or user.is_subgroup_member):
        return []
    today = timezone.localdate()
    review_ids = _workable(user).values("pk")
    items = []
    for state, level, words in (
        (ReviewClock.State.RED, "danger", "past due"),
        (ReviewClock.State.AMBER, "warning", "due soon"),
    ):
        clocks, in_all = first_rows(
            ReviewClock.objects.filter(clock_state_condition(state, today), review__in=review_ids)
            # Only the shown clocks' reviews, after: joined, every clock's review was read (the
            # database scanned all reviews for them, 8 ms at scale 1).
            .prefetch_related("review")
            .order_by("due_on", "pk"),
            SHOWN_OF_EACH_KIND,
        )
        for clock in clocks:
            items.append(
                Attention(
                    title=f"{clock.review.reference}: {clock.get_kind_display()} — {words}",
                    detail=f"Due {clock.due_on:%-d %b %Y}"
                    + (f" (paused: {clock.pause_reason})" if clock.paused_on else "")
                    + f". {clock.review.title}",
                    url=url_for("reviews:detail", args=[clock.review.uuid]),
                    level=level,
                )
            )
        items += the_rest(
            len(clocks),
            in_all,
            one=f"clock {words}",
            many=f"clocks {words}",
            detail="The case reviews register lists every review you may open whose worst clock "
            f"is {words}.",
            url=f"{url_for('reviews:list')}?clock={state}",
            level=level,
        )
    return items


@attention_provider
def reviews_awaiting_decision(user):
    """Reviews at the decision stage with no decision recorded yet."""
    if not (user.is_business_unit or user.is_subgroup_member):
        return []
    waiting, in_all = first_rows(
        _workable(user)
        .filter(stage=Review.Stage.DECISION, decision=Review.Decision.PENDING)
        .order_by("referred_on", "pk"),
        SHOWN_OF_EACH_KIND,
    )
    items = [
        Attention(
            title=f"{review.reference} is waiting for a decision",
            detail=f"{review.title} (referred {review.referred_on:%-d %b %Y}). Record the "
            "criteria, the decision and its reasons.",
            url=url_for("reviews:section", args=[review.uuid, "decision"]),
            level="warning",
        )
        for review in waiting
    ]
    return items + the_rest(
        len(waiting),
        in_all,
        one="review waiting for a decision",
        many="reviews waiting for a decision",
        detail="The case reviews register lists them at the decision stage.",
        url=f"{url_for('reviews:list')}?stage={Review.Stage.DECISION}",
        level="warning",
    )


def _waiting_on_reviewer(review) -> list[str]:
    """What the lead reviewer has still to do or to receive in one review (annotated below)."""
    waiting = []
    if not review.independence_declared_on:
        waiting.append("your independence declaration has not been recorded")
    if not review.has_terms:
        waiting.append("the terms of reference are not written")
    elif not review.has_agreed_terms:
        waiting.append("the terms of reference are not agreed")
    if review.chronologies_awaited:
        waiting.append(
            f"{review.chronologies_awaited} agency chronolog"
            f"{'y is' if review.chronologies_awaited == 1 else 'ies are'} awaited"
        )
    if review.reports_awaited:
        waiting.append(
            f"{review.reports_awaited} agency report"
            f"{' is' if review.reports_awaited == 1 else 's are'} awaited"
        )
    if review.stage == Review.Stage.ANALYSIS and not review.has_draft:
        waiting.append("your draft report has not been uploaded")
    if review.clock_red:
        waiting.append("a statutory deadline has passed")
    elif review.clock_amber:
        waiting.append("a statutory deadline is near")
    return waiting


def _awaited(part: str) -> Count:
    return Count(
        "agencies", filter=awaited_from_agency(part, agency="agencies__", review=""), distinct=True
    )


@attention_provider
def reviews_i_lead(user):
    """For an independent reviewer: each review they lead, and what is waiting in it."""
    if not user.is_independent_reviewer:
        return []
    terms = TermsOfReference.objects.filter(review=OuterRef("pk"))
    drafts = CaseDocument.objects.filter(review=OuterRef("pk"), kind=CaseDocument.Kind.DRAFT_REPORT)
    today = timezone.localdate()
    led = (
        reviews_visible_to(user)
        .exclude(stage=Review.Stage.CLOSED)
        .annotate(
            chronologies_awaited=_awaited("chronology"),
            reports_awaited=_awaited("report"),
            has_terms=Exists(terms),
            has_agreed_terms=Exists(terms.filter(agreed_on__isnull=False)),
            has_draft=Exists(drafts),
            clock_red=has_clock_in_state(ReviewClock.State.RED, today),
            clock_amber=has_clock_in_state(ReviewClock.State.AMBER, today),
        )
        .order_by("referred_on")
    )
    items = []
    for review in led:
        detail = f"Stage: {review.get_stage_display()}."
        waiting = _waiting_on_reviewer(review)
        if waiting:
            detail += " Waiting: " + "; ".join(waiting) + "."
        items.append(
            Attention(
                title=f"The review you lead: {review.reference} {review.title}",
                detail=detail,
                url=url_for("reviews:detail", args=[review.uuid]),
                level="warning" if waiting else "info",
            )
        )
    return items


def _asked(row, part: str) -> str:
    return f"Asked for on {getattr(row, f'{part}_requested_on'):%-d %b %Y}."


@attention_provider
def asked_of_my_agency(user):
    """For an agency lead: each chronology and agency report the reviews they may open ask of
    their agency and still await (``asked_of_agency``)."""
    if not user.is_agency_lead:
        return []
    items = []
    for row in asked_of_agency(user):
        review = row.review
        if row.chronology_awaited:
            items.append(
                Attention(
                    title=f"{review.reference}: your agency's chronology is asked for",
                    detail=f"{_asked(row, 'chronology')} Add your agency's entries, or upload "
                    "them as a CSV or Excel file; when they are all in, mark your chronology "
                    "as complete on the chronology page.",
                    url=url_for("reviews:chronology", args=[review.uuid]),
                    level="warning",
                )
            )
        if row.report_awaited:
            items.append(
                Attention(
                    title=f"{review.reference}: your agency's report is asked for",
                    detail=f"{_asked(row, 'report')} Upload your agency report (IMR) on the "
                    "review's Documents tab, then mark it as complete there.",
                    url=url_for("reviews:documents", args=[review.uuid]),
                    level="warning",
                )
            )
    return items


@attention_provider
def asked_of_agencies_kept_out(user):
    """For the Business Unit: a restricted review waiting for an agency's chronology or report
    when no lead of that agency sits on its panel, so that none can see what is asked."""
    if not user.is_business_unit:
        return []
    rows = (
        with_awaited_parts(
            ReviewAgency.objects.filter(any_part_awaited(), review__is_restricted=True).exclude(
                agency_lead_on_panel()
            )
        )
        .select_related("review", "agency")
        .order_by("review__referred_on", "review_id", "agency__name")
    )
    items = []
    for row in rows:
        for part, words in AGENCY_PARTS.items():
            if getattr(row, f"{part}_awaited"):
                items.append(
                    Attention(
                        title=f"{row.review.reference}: {row.agency.name} is asked for its "
                        f"{words} but no lead of it is on the panel of this restricted review",
                        detail=f"{_asked(row, part)} Only the panel, the lead reviewer and the "
                        "Business Unit open a restricted review, so the agency cannot see the "
                        f"request. Put one of its leads on the panel (Edit the register entry), "
                        f"or record the {words} as received when it comes another way.",
                        url=url_for("reviews:section", args=[row.review.uuid, "register"]),
                        level="warning",
                    )
                )
    return items
