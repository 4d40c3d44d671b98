"""The dashboard page: every figure for a financial year and sub-group, and its charts.

``scope_figures(scope)`` runs a fixed number of queries whatever the number of records. It is
given the reader's scope (a period and sub-groups), never the reader: every reader of one scope
sees the same figures, which is what lets the page keep them (sscb/figures_cache.py).
"""

from .actions import action_counts, action_figures, actions_by_agency, actions_due_by_agency
from .assurance import assurance
from .loop import reach_by_outcome, theme_list, themes_by_stage, themes_with_stage
from .outcomes import impact_by_outcome
from .returns import returns_by_cycle
from .reviews import (
    review_counts,
    review_counts_by_kind_and_stage,
    review_figures,
    reviews_by_kind_and_stage,
)
from .scope import Scope, make_scope


def dashboard_figures(user, year=None, subgroup=None, *, today=None) -> dict:
    """Everything the dashboard shows ``user`` for ``year`` (a financial year) and ``subgroup``."""
    return scope_figures(make_scope(user, year=year, subgroup=subgroup, today=today))


def scope_figures(scope: Scope, *, every_row: bool = False) -> dict:
    """Everything the dashboard shows for a scope: a fixed number of queries (seventeen) whatever
    the number of records. The page shows the first rows of its longer lists (open themes,
    deliveries, impact by outcome) and says how many more there are; its exports
    (``every_row``) hold them all."""
    limit = {"limit": None} if every_row else {}
    reviews = review_counts_by_kind_and_stage(scope)
    themes = themes_with_stage(scope)
    actions_due = actions_due_by_agency(scope)
    returns = returns_by_cycle(scope)
    return {
        "scope": scope,
        "year_label": scope.period.label,
        "reviews": review_figures(scope, review_counts(scope, reviews)),
        "by_kind_and_stage": reviews_by_kind_and_stage(scope, reviews),
        "actions": action_figures(scope, action_counts(scope, actions_due)),
        "actions_by_agency": actions_by_agency(scope, actions_due),
        "themes_by_stage": themes_by_stage(scope, themes),
        "themes": theme_list(scope, themes=themes, **limit),
        "reach": reach_by_outcome(scope, **limit),
        "assurance": assurance(scope),
        "impact": impact_by_outcome(scope, **limit),
        "returns": returns,
        "returns_late": sum(item["late"].value for item in returns),
    }


def chart_data(figures: dict) -> dict:
    """What the charts draw, from the figures already counted (no queries)."""
    kinds = figures["by_kind_and_stage"]
    assurance = figures["assurance"]
    return {
        "reviews": {
            "labels": [label for _, label in kinds["stages"]],
            "values": [cell.value for cell in kinds["stage_totals"]],
        },
        "actions": {
            "labels": [row["agency"] for row in figures["actions_by_agency"]],
            "red": [row["red"].value for row in figures["actions_by_agency"]],
            "amber": [row["amber"].value for row in figures["actions_by_agency"]],
            "green": [row["green"].value for row in figures["actions_by_agency"]],
        },
        "themes": {
            "labels": [row["stage"] for row in figures["themes_by_stage"]],
            "values": [row["count"].value for row in figures["themes_by_stage"]],
        },
        "assurance": {
            "labels": [row["label"] for row in assurance["by_theme"]],
            "assured": [row["assured"].value for row in assurance["by_theme"]],
            "partly": [row["partly"].value for row in assurance["by_theme"]],
            "not_assured": [row["not_assured"].value for row in assurance["by_theme"]],
        },
    }
