"""The annual-report section, as Working Together expects it described."""

from .actions import action_counts, action_figures
from .assurance import assurance_totals, impact
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
    """The reviews and evidence named, through the reader's visibility (kept for the reader)."""
    return {"published_reviews": published_reviews(user, scope), "impact": impact(user, scope)}
