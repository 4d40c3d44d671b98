"""The stage a review held at the end of a day, from its dated stage moves: for figures of a
past period, which must not change each time a review moves on."""

import datetime

from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf

from .models import ReviewStageChange


def stage_at_end_of(day: datetime.date):
    """An expression for a review's stage at the end of ``day``: where its last move on or
    before that day took it; else where its first later move took it from (a review referred
    before ``day`` and moved only after it); else, with no move recorded, its stage now."""
    moves = ReviewStageChange.objects.filter(review=OuterRef("pk"))
    by_then = moves.filter(happened_on__lte=day).order_by("-happened_on", "-moved_at", "-pk")
    later = moves.filter(happened_on__gt=day).order_by("happened_on", "moved_at", "pk")
    return Coalesce(
        Subquery(by_then.values("to_stage")[:1]),
        NullIf(Subquery(later.values("from_stage")[:1]), Value("")),
        F("stage"),
    )
