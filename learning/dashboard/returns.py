"""Section 11 / 175 returns: each cycle's progress and its standards' spread of scores."""

from django.db.models import Avg, Count, Q
from django.db.models.functions import Coalesce
from django.urls import reverse

from audits.models import SelfAssessment, StandardAssessment
from audits.selectors import LATE, RETURNED_FILTER, cycles_with_progress
from sscb.rounding import round_half_up

from .figure import Figure, percent
from .scope import Scope

SCORES = [(1, "Not met"), (2, "Partly met"), (3, "Met"), (4, "Exceeded")]


def returns_by_cycle(scope: Scope) -> list[dict]:
    """The year's audit cycles with their returns' progress (one query, reused from audits) and
    each standard's spread of scores in returned returns (one grouped query)."""
    if not scope.includes_returns:
        return []
    cycles = list(cycles_with_progress(scope.today).filter(financial_year=scope.year))
    if not cycles:
        return []
    score = Coalesce("moderated_score", "self_score")
    rows = (
        StandardAssessment.objects.filter(
            self_assessment__cycle__financial_year=scope.year,
            self_assessment__status__in=SelfAssessment.RETURNED,
        )
        .annotate(score_counted=score)
        .values("self_assessment__cycle_id", "standard__number", "standard__title")
        .annotate(
            **{f"score_{n}": Count("pk", filter=Q(score_counted=n)) for n, _ in SCORES},
            average=Avg("score_counted"),
        )
        .order_by("self_assessment__cycle_id", "standard__number")
    )
    standards: dict[int, list] = {cycle.pk: [] for cycle in cycles}
    for row in rows:  # one row per cycle and standard, not per answer
        average = row["average"]
        standards.setdefault(row["self_assessment__cycle_id"], []).append(
            {
                "number": row["standard__number"],
                "title": row["standard__title"],
                "scores": [row[f"score_{n}"] for n, _ in SCORES],
                "average": round_half_up(average, 1),
                "heat": round_half_up(average),
            }
        )
    result = []
    for cycle in cycles:
        url = reverse("audits:cycle", args=[cycle.uuid])
        result.append(
            {
                "cycle": cycle,
                "url": url,
                "heat_map_url": reverse("audits:heat-map", args=[cycle.uuid]),
                "total": Figure(cycle.total, url),
                # Each figure opens the returns it counts, with the cycle page's own filters.
                "returned": Figure(cycle.returned_count, f"{url}?status={RETURNED_FILTER}"),
                "moderated": Figure(
                    cycle.moderated_count, f"{url}?status={SelfAssessment.Status.MODERATED}"
                ),
                "late": Figure(cycle.late_count, f"{url}?status={LATE}"),
                "returned_percent": percent(cycle.returned_count, cycle.total),
                "standards": standards.get(cycle.pk, []),
            }
        )
    return result
