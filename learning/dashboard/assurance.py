"""Assurance: judgements made in the period by theme and agency, evidence outstanding, impact."""

from django.db.models import Count, Exists, OuterRef, Q

from learning.models import AssuranceEvidence, Finding
from learning.selectors import evidence_visible_to, outcomes_assured
from reviews.selectors import reviews_visible_to

from .figure import Figure, link, percent
from .scope import Scope

JUDGED = [
    AssuranceEvidence.Judgement.ASSURED,
    AssuranceEvidence.Judgement.PARTLY,
    AssuranceEvidence.Judgement.NOT_ASSURED,
]
THEMES_SHOWN = 25


def _judgement_counts():
    # Counting judged_on (in learning_evidence_judged) lets PostgreSQL use the index alone.
    return {value: Count("judged_on", filter=Q(judgement=value)) for value in JUDGED} | {
        "total": Count("judged_on")
    }


def _judged(scope: Scope):
    first, last = scope.period.bounds
    return AssuranceEvidence.objects.filter(
        scope.q("outcome__theme__subgroup_id"), judged_on__range=(first, last), judgement__in=JUDGED
    )


def _judgement_figures(scope: Scope, row: dict, **params) -> dict:
    """A row's count of each judgement and in all, each a link to the evidence behind it."""
    common = {**scope.in_period("judged_year"), "subgroup": scope.subgroup_param}
    return {
        value: Figure(
            row[value], link("learning:evidence_list", judgement=value, **common, **params)
        )
        for value in JUDGED
    } | {"total": Figure(row["total"], link("learning:evidence_list", **common, **params))}


def assurance_totals(scope: Scope) -> dict:
    """Judgements made in the period in all (one aggregate): what a report of the period quotes,
    without the dashboard's tables by theme and by agency."""
    totals = _judged(scope).aggregate(**_judgement_counts())
    return {
        "totals": _judgement_figures(scope, totals),
        "assured_percent": percent(totals[AssuranceEvidence.Judgement.ASSURED], totals["total"]),
    }


def assurance(scope: Scope) -> dict:
    """Judgements made in the period by theme and by agency (two grouped queries), totals and
    evidence outstanding (one aggregate)."""
    judged = _judged(scope)
    theme_rows = list(
        judged.values("outcome__theme_id", "outcome__theme__title")
        .annotate(**_judgement_counts())
        .order_by("-total", "outcome__theme__title")
    )
    # The page shows the themes with most judgements; the CSV and XLSX exports hold them all.
    by_theme = [
        {
            "label": row["outcome__theme__title"],
            **_judgement_figures(scope, row, theme=row["outcome__theme_id"]),
        }
        for row in theme_rows[:THEMES_SHOWN]
    ]
    by_agency = [
        {
            "label": row["agency__short_name"] or row["agency__name"],
            **_judgement_figures(scope, row, agency=row["agency_id"]),
        }
        for row in judged.filter(agency__isnull=False)
        .values("agency_id", "agency__name", "agency__short_name")
        .annotate(**_judgement_counts())
        .order_by("agency__name")
    ]
    # Every judged piece of evidence belongs to a theme, so the totals add up the theme rows.
    totals = {key: sum(row[key] for row in theme_rows) for key in (*JUDGED, "total")}
    totals["outstanding"] = (
        AssuranceEvidence.objects.filter(scope.q("outcome__theme__subgroup_id"))
        .filter(requested_on__isnull=False, received_on__isnull=True)
        .count()
    )
    return {
        "judgements": [(value, AssuranceEvidence.Judgement(value).label) for value in JUDGED],
        "by_theme": by_theme,
        "themes_not_shown": len(theme_rows) - len(by_theme),
        "theme_rows": theme_rows,
        "by_agency": by_agency,
        "totals": _judgement_figures(scope, totals),
        "assured_percent": percent(totals[AssuranceEvidence.Judgement.ASSURED], totals["total"]),
        "outstanding": Figure(
            totals["outstanding"],
            link("learning:evidence_list", outstanding="true", subgroup=scope.subgroup_param),
        ),
    }


def assured_themes(scope: Scope):
    """The themes in scope with evidence judged "Assured" in the period on an outcome that has
    come all the way round the loop (by the period's end, once it has ended): its practice
    checks show that practice changed (``selectors.practice_changed``). Only their reviews are
    said to have changed services: evidence judged assured while every check saw no change is
    no evidence of impact."""
    first, last = scope.period.bounds
    return (
        AssuranceEvidence.objects.filter(
            judgement=AssuranceEvidence.Judgement.ASSURED, judged_on__range=(first, last)
        )
        .filter(scope.q("outcome__theme__subgroup_id"))
        .filter(outcome__in=outcomes_assured(scope.ended_on))
        .values("outcome__theme_id")
    )


def impact(user, scope: Scope) -> dict:
    """The evidence of impact judged in the period, and the reviews whose learning it assures."""
    first, last = scope.period.bounds
    evidence = list(
        evidence_visible_to(user)
        .filter(
            scope.q("outcome__theme__subgroup_id"),
            judged_on__range=(first, last),
            judgement__in=JUDGED,
        )
        .select_related("outcome__theme", "agency")
        .order_by("outcome__theme__title", "-judged_on")[:50]
    )
    # Themes assured in the period first (a few, by learning_evidence_judged), then the
    # reviews with findings in them (by learning_finding_theme_review): 64 to 10 ms at scale 1.
    assured = Finding.objects.filter(theme__in=assured_themes(scope))
    # The first hundred rows name at most the first hundred reviews: those are found first, in
    # order of reference, so that the database stops there instead of sorting every review and
    # theme of the year (50 to 4 ms at scale 1).
    first_reviews = (
        reviews_visible_to(user)
        .filter(Exists(assured.filter(review=OuterRef("pk"))))
        .order_by("reference")
        .values("pk")[:100]
    )
    reviews = list(
        assured.filter(review__in=first_reviews)
        .values("review__uuid", "review__reference", "review__title", "theme__title")
        .distinct()
        .order_by("review__reference", "theme__title")[:100]
    )
    reviews = [
        {
            "uuid": row["review__uuid"],
            "reference": row["review__reference"],
            "title": row["review__title"],
            "findings__theme__title": row["theme__title"],
        }
        for row in reviews
    ]
    return {"evidence": evidence, "reviews": reviews}
