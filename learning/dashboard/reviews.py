"""Reviews: started, completed, published and open in the period; statutory clocks today."""

from django.db.models import Count, F, Q

from reviews.models import Review, ReviewClock
from reviews.selectors import clock_state_condition, has_clock_in_state, reviews_visible_to
from reviews.stage_at import stage_at_end_of

from .figure import Figure, link
from .scope import Scope


def _period_counts(first, last) -> dict:
    """Count expressions for reviews started, completed, published and open in the period."""
    return {
        "started": Count("pk", filter=Q(referred_on__range=(first, last))),
        "completed": Count("pk", filter=Q(completed_on__range=(first, last))),
        "published": Count("pk", filter=Q(published_on__range=(first, last))),
        "active": Count("pk", filter=_active_in(first, last)),
    }


def review_counts_by_kind_and_stage(scope: Scope) -> dict[tuple[str, str], dict]:
    """The period's counts for each kind and stage of review: one grouped query, which both
    ``review_counts`` and ``reviews_by_kind_and_stage`` can add up instead of a query each.
    A period that has ended counts each review at the stage it held at the period's end (its
    dated stage moves), so a figure the Board has reported does not change as reviews move on."""
    first, last = scope.period.bounds
    stage = F("stage") if scope.ended_on is None else stage_at_end_of(scope.ended_on)
    rows = (
        Review.objects.filter(scope.q("subgroup_id"))
        .annotate(stage_then=stage)
        .values("kind", "stage_then")
        .annotate(**_period_counts(first, last))
        .order_by()
    )
    return {(row["kind"], row["stage_then"]): row for row in rows}


def review_counts(scope: Scope, by_kind_and_stage: dict | None = None) -> dict:
    """Reviews started, completed, published and open in the period (the sum of
    ``by_kind_and_stage``, read here if not given) and clocks today (one query)."""
    first, last = scope.period.bounds
    if by_kind_and_stage is None:
        by_kind_and_stage = review_counts_by_kind_and_stage(scope)
    counts = {
        key: sum(row[key] for row in by_kind_and_stage.values())
        for key in ("started", "completed", "published", "active")
    }
    # Clock states from the open clocks themselves (a few thousand rows), not a look-up per
    # review: a review counts once, in the state of its worst open clock.
    red = clock_state_condition("red", scope.today)
    amber = clock_state_condition("amber", scope.today)
    # Deadlines met in the period are counted by clock, on time or late (ReviewClock.State).
    met_in_period = Q(met_on__range=(first, last))
    return counts | ReviewClock.objects.filter(
        Q(met_on__isnull=True) | met_in_period, scope.q("review__subgroup_id")
    ).aggregate(
        clock_met_on_time=Count(
            "pk", filter=met_in_period & clock_state_condition(ReviewClock.State.MET_ON_TIME)
        ),
        clock_met_late=Count(
            "pk", filter=met_in_period & clock_state_condition(ReviewClock.State.MET_LATE)
        ),
        clock_red=Count("review_id", distinct=True, filter=red),
        clock_amber=Count(
            "review_id",
            distinct=True,
            filter=amber & ~Q(has_clock_in_state("red", scope.today, "review_id")),
        ),
    )


def _active_in(first, last) -> Q:
    return Q(referred_on__lte=last) & (Q(closed_on__isnull=True) | Q(closed_on__gte=first))


def reviews_by_kind_and_stage(scope: Scope, by_kind_and_stage: dict) -> dict:
    """Reviews open at some point in the year, kind × stage, from
    ``review_counts_by_kind_and_stage`` (no query)."""
    counts = {key: row["active"] for key, row in by_kind_and_stage.items() if row["active"]}
    kinds = [k for k in Review.Kind if any(key[0] == k for key in counts)]
    stages = [s for s in Review.Stage if any(key[1] == s for key in counts)]
    common = {**scope.in_period("active_year"), "subgroup": scope.subgroup_param}
    # An ended period's stages are those at its end: the register filters by the same.
    stage_param = "stage" if scope.ended_on is None else "year_end_stage"

    def cell(n, stage=None, **params):
        if stage is not None:
            params[stage_param] = stage
        return Figure(n, link("reviews:list", **common, **params))

    return {
        # Which stage each is counted at, in words beside the table.
        "stage_when": scope.stage_when,
        "stages": [(s.value, s.label) for s in stages],
        "rows": [
            {
                "kind": kind.label,
                "cells": [
                    cell(counts.get((kind, stage), 0), kind=kind.value, stage=stage.value)
                    for stage in stages
                ],
                "total": cell(sum(n for (k, _), n in counts.items() if k == kind), kind=kind.value),
            }
            for kind in kinds
        ],
        "stage_totals": [
            cell(sum(n for (_, s), n in counts.items() if s == stage), stage=stage.value)
            for stage in stages
        ],
        "total": cell(sum(counts.values())),
    }


def review_figures(scope: Scope, counts: dict) -> dict:
    subgroup = scope.subgroup_param

    def period(year_filter, count, **params):
        """A count of the period's reviews, linked to the register for the same period."""
        params |= scope.in_period(year_filter)
        return Figure(counts[count], link("reviews:list", **params, subgroup=subgroup))

    return {
        "started": period("financial_year", "started"),
        "completed": period("completed_year", "completed"),
        "published": period("published_year", "published"),
        "active": period("active_year", "active"),
        "clock_red": Figure(
            counts["clock_red"], link("reviews:list", clock="red", subgroup=subgroup)
        ),
        "clock_amber": Figure(
            counts["clock_amber"], link("reviews:list", clock="amber", subgroup=subgroup)
        ),
        "clock_met_on_time": period("clock_met_year", "clock_met_on_time", clock="met_on_time"),
        "clock_met_late": period("clock_met_year", "clock_met_late", clock="met_late"),
    }


def reviews_by_kind_in_period(scope: Scope) -> list[dict]:
    first, last = scope.period.bounds
    rows = (
        Review.objects.filter(scope.q("subgroup_id"))
        .values("kind")
        .annotate(
            started=Count("pk", filter=Q(referred_on__range=(first, last))),
            completed=Count("pk", filter=Q(completed_on__range=(first, last))),
            published=Count("pk", filter=Q(published_on__range=(first, last))),
        )
        .filter(Q(started__gt=0) | Q(completed__gt=0) | Q(published__gt=0))
        .order_by("kind")
    )
    sub = scope.subgroup_param

    def period(row, year_filter, count):
        params = {"kind": row["kind"], **scope.in_period(year_filter), "subgroup": sub}
        return Figure(row[count], link("reviews:list", **params))

    return [
        {
            "kind": Review.Kind(row["kind"]).label,
            "started": period(row, "financial_year", "started"),
            "completed": period(row, "completed_year", "completed"),
            "published": period(row, "published_year", "published"),
        }
        for row in rows
    ]


def published_reviews(user, scope: Scope) -> list[Review]:
    first, last = scope.period.bounds
    return list(
        reviews_visible_to(user)
        .filter(scope.q("subgroup_id"), published_on__range=(first, last))
        .order_by("published_on", "reference")[:100]
    )
