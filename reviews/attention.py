"""Home-page "needs your attention" items for case reviews, in a fixed number of queries."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sscb.access import subgroup_ids
from sscb.attention import Attention, attention_provider

from .models import Review, ReviewClock
from .selectors import clock_state_condition, reviews_visible_to


def _workable(user):
    """Reviews the person can work on: visible to them and theirs to edit."""
    reviews = reviews_visible_to(user).exclude(stage=Review.Stage.CLOSED)
    if user.is_business_unit:
        return reviews
    if not user.is_subgroup_member:
        return reviews.none()
    return reviews.filter(Q(subgroup__in=subgroup_ids(user)) | Q(panel_members=user)).distinct()


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
        clocks = (
            ReviewClock.objects.filter(clock_state_condition(state, today), review__in=review_ids)
            .select_related("review")
            .order_by("due_on")
        )
        for clock in clocks:
            items.append(
                Attention(
                    title=f"{clock.review.reference}: {clock.get_kind_display()} — {words}",
                    detail=f"Due {clock.due_on:%d %b %Y}"
                    + (f" (paused: {clock.pause_reason})" if clock.paused_on else "")
                    + f". {clock.review.title}",
                    url=reverse("reviews:detail", args=[clock.review.uuid]),
                    level=level,
                )
            )
    return items


@attention_provider
def reviews_awaiting_decision(user):
    """Reviews at the decision stage with no decision recorded yet."""
    if not (user.is_business_unit or user.is_subgroup_member):
        return []
    waiting = (
        _workable(user)
        .filter(stage=Review.Stage.DECISION, decision=Review.Decision.PENDING)
        .order_by("referred_on")
    )
    return [
        Attention(
            title=f"{review.reference} is waiting for a decision",
            detail=f"{review.title} (referred {review.referred_on:%d %b %Y}). Record the "
            "criteria, the decision and its reasons.",
            url=reverse("reviews:section", args=[review.uuid, "decision"]),
            level="warning",
        )
        for review in waiting
    ]


@attention_provider
def reviews_i_lead(user):
    """For an independent reviewer: the review they lead."""
    if not user.is_independent_reviewer:
        return []
    led = reviews_visible_to(user).exclude(stage=Review.Stage.CLOSED).order_by("referred_on")
    items = []
    for review in led:
        detail = f"Stage: {review.get_stage_display()}."
        if not review.independence_declared_on:
            detail += " Your independence declaration has not been recorded yet."
        items.append(
            Attention(
                title=f"The review you lead: {review.reference} {review.title}",
                detail=detail,
                url=reverse("reviews:detail", args=[review.uuid]),
                level="info",
            )
        )
    return items
