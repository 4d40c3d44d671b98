"""The annual-report section, as Working Together expects it described."""

from django.db.models import Count, Exists, OuterRef, Q

from learning.models import Finding
from reviews.models import Review
from reviews.selectors import reviews_visible_to

from .actions import action_counts, action_figures
from .assurance import assurance_totals, assured_themes, impact
from .loop import delivery, outcomes_agreed, practice
from .outcomes import impact_by_outcome
from .reviews import published_reviews, review_counts, review_figures, reviews_by_kind_in_period
from .scope import Scope, make_scope


def annual_report(user, year=None, subgroup=None, *, quarter=None, today=None) -> dict:
    """Everything the annual-report section shows, as Working Together expects it described:
    reviews started, completed and published; learning delivered and its reach; what practice
    checks found; impact by learning outcome; assurance and the impact of reviews on services.
    A fixed number of queries."""
    scope = make_scope(user, year=year, subgroup=subgroup, quarter=quarter, today=today)
    return scope_report(scope) | readers_report(user, scope)


def scope_report(scope: Scope) -> dict:
    """The figures, which are the same for every reader of the scope (so the page keeps them)."""
    return {
        "scope": scope,
        "year_label": scope.period.label,
        "reviews": review_figures(scope, review_counts(scope)),
        "reviews_by_kind": reviews_by_kind_in_period(scope),
        "outcomes_agreed": outcomes_agreed(scope),
        "delivery": delivery(scope),
        "practice": practice(scope),
        "assurance": assurance_totals(scope),
        "actions": action_figures(scope, action_counts(scope, outstanding=False)),
        "impact_by_outcome": impact_by_outcome(scope),
    }


def readers_report(user, scope: Scope) -> dict:
    """The reviews and evidence named, through the reader's visibility (kept for the reader),
    and how many more the figures count that the reader may not open (``not_shown``)."""
    return {
        "published_reviews": published_reviews(user, scope),
        "impact": impact(user, scope),
        "not_shown": reviews_not_shown(user, scope),
    }


def reviews_not_shown(user, scope: Scope) -> dict:
    """How many of the reviews the report's lists would name the reader may not open (a
    restricted review): a number, never a review, as a list opened from a figure says it. The
    reports published in the period (as ``published_reviews`` lists them) and the reviews whose
    learning is in a theme assured in the period (as ``assurance.impact`` lists them), in one
    query."""
    first, last = scope.period.bounds
    published = Q(scope.q("subgroup_id"), published_on__range=(first, last))
    assured = Exists(Finding.objects.filter(theme__in=assured_themes(scope), review=OuterRef("pk")))
    not_open = ~Exists(reviews_visible_to(user).filter(pk=OuterRef("pk")))
    return (
        Review.objects.filter(published | Q(assured))
        .filter(not_open)
        .aggregate(
            published=Count("pk", filter=published),
            impact=Count("pk", filter=Q(assured)),
        )
    )
