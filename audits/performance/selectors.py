"""Reads about the performance framework, already scoped to the person asking.

Who may see and submit an indicator's values is written here once: an agency lead their own
agency's indicators; QAP members, the Business Unit and the Executive all of them. Values are
submitted by the owning agency's lead, or by the Business Unit for any agency.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from audits.selectors import is_qap_member
from sscb.access import get_by_public_id, require
from sscb.dates import financial_year_of, quarter_bounds, quarter_of
from sscb.history import Part, history_of
from sscb.models import Agency

from .models import (
    Indicator,
    IndicatorSet,
    IndicatorValue,
    quarter_index,
    quarter_label,
    quarter_of_index,
)
from .sparkline import Sparkline, sparkline

TREND_QUARTERS = 8


# --- who may do what ------------------------------------------------------------------------


def sees_every_indicator(user) -> bool:
    return user.is_business_unit or user.is_executive or is_qap_member(user)


def indicators_visible_to(user) -> QuerySet[Indicator]:
    """Every indicator for QAP, the Business Unit and the Executive; an agency lead their own
    agency's; nobody else any."""
    indicators = Indicator.objects.select_related("agency", "indicator_set")
    if sees_every_indicator(user):
        return indicators
    if user.is_agency_lead and user.agency_id:
        return indicators.filter(agency_id=user.agency_id)
    return indicators.none()


def can_see_performance(user) -> bool:
    """Whoever may see any indicator has the performance pages."""
    return sees_every_indicator(user) or bool(user.is_agency_lead and user.agency_id)


def can_manage_indicators(user) -> bool:
    """The Business Unit holds the framework (in the admin)."""
    return user.is_business_unit


def submitting_agencies(user) -> QuerySet[Agency]:
    """The agencies whose values the user may submit: the Business Unit any, a lead their own."""
    if user.is_business_unit:
        return Agency.objects.filter(is_active=True)
    if user.is_agency_lead and user.agency_id:
        return Agency.objects.filter(pk=user.agency_id)
    return Agency.objects.none()


def can_submit_for(user, agency_id) -> bool:
    return user.is_business_unit or bool(user.is_agency_lead and user.agency_id == agency_id)


def indicators_to_submit(user) -> QuerySet[Indicator]:
    """The active indicators whose values the user may submit."""
    return indicators_visible_to(user).filter(
        is_active=True, agency__in=submitting_agencies(user).values("pk")
    )


def get_indicator_for_user(user, uuid: UUID, write=False) -> Indicator:
    indicator = get_by_public_id(indicators_visible_to(user), uuid)
    if write:
        require(indicator.is_active and can_submit_for(user, indicator.agency_id))
    return indicator


def sets_visible_to(user) -> QuerySet[IndicatorSet]:
    """Scorecards that hold at least one indicator the user may see."""
    return IndicatorSet.objects.filter(
        pk__in=indicators_visible_to(user).values("indicator_set_id")
    ).order_by("name")


def get_set_for_user(user, uuid: UUID) -> IndicatorSet:
    require(can_see_performance(user))
    return get_by_public_id(sets_visible_to(user), uuid)


# --- quarters -------------------------------------------------------------------------------


def last_ended_quarter(today: datetime.date | None = None) -> tuple[int, int]:
    """The financial year and quarter of the last quarter that has ended."""
    today = today or timezone.localdate()
    return quarter_of_index(quarter_index(financial_year_of(today), quarter_of(today)) - 1)


def quarters_asked(indicator: Indicator, last: int, count: int = 4) -> list[tuple[int, int]]:
    """The quarters in which ``indicator`` asks for a value among the ``count`` quarters up to
    and including quarter ``last`` (a ``quarter_index``), newest first. An indicator added
    during a quarter asks from the quarter just ended, not for its past."""
    added = timezone.localdate(indicator.created_at) if indicator.created_at else None
    first = quarter_index(financial_year_of(added), quarter_of(added)) - 1 if added else last
    quarters = []
    for index in range(last, max(first, last - count + 1) - 1, -1):
        year, quarter = quarter_of_index(index)
        if indicator.is_due_in(quarter):
            quarters.append((year, quarter))
    return quarters


def quarters_due(indicator: Indicator, today: datetime.date, count: int = 4):
    """The last ``count`` ended quarters in which ``indicator`` asks for a value, newest first."""
    return quarters_asked(indicator, quarter_index(*last_ended_quarter(today)), count)


# --- the scorecard --------------------------------------------------------------------------


# How far back a scorecard looks for returns still missing: the quarter and the three before
# it, as far back as "My agency" asks for them (``quarters_due``).
MISSING_QUARTERS = 4


class ReturnState:
    """What a scorecard says of an indicator's return for its quarter."""

    RETURNED = "returned"
    MISSING = "missing"  # asked for, its date has passed, and none has come
    NOT_DUE_YET = "not_due_yet"  # asked for, and its date has not come
    NOT_DUE = "not_due"  # not asked for in this quarter (its frequency, or added later)

    LABELS = {
        RETURNED: "Returned",
        MISSING: "Missing",
        NOT_DUE_YET: "Not due yet",
        NOT_DUE: "Not due this quarter",
    }


@dataclass
class ScorecardRow:
    indicator: Indicator
    latest: IndicatorValue | None
    rag: str | None
    state: str  # a ReturnState, for the scorecard's quarter
    due_on: datetime.date  # when the scorecard quarter's value is (or was) due
    overdue: list  # (label, due on) of each quarter to the scorecard's whose value is late
    trend: Sparkline
    values: list  # the trend's quarters, oldest first: (label, value or None)

    @property
    def due(self) -> bool:
        """The indicator asks for a value in the scorecard's quarter."""
        return self.state != ReturnState.NOT_DUE

    @property
    def missing(self) -> bool:
        """The scorecard quarter's value is late."""
        return self.state == ReturnState.MISSING

    @property
    def state_label(self) -> str:
        return ReturnState.LABELS[self.state]

    @property
    def rag_label(self) -> str:
        return {"green": "On target", "amber": "Within tolerance", "red": "Beyond tolerance"}.get(
            self.rag or "", "No value"
        )


def is_late(due_on: datetime.date, today: datetime.date) -> bool:
    """A value not returned is late the day after its due date, not before."""
    return due_on < today


def _return_state(*, returned: bool, asked: bool, due_on: datetime.date, today) -> str:
    """A quarter's return: returned; not asked for; asked for, not due until its date (not
    missing); missing after it."""
    if returned:
        return ReturnState.RETURNED
    if not asked:
        return ReturnState.NOT_DUE
    return ReturnState.MISSING if is_late(due_on, today) else ReturnState.NOT_DUE_YET


def scorecard(
    user, indicator_set: IndicatorSet, year: int, quarter: int, today: datetime.date | None = None
) -> dict:
    """Each visible active indicator of the set: its latest value up to the quarter with its RAG,
    its last eight quarters as a sparkline, whether the quarter's value is returned, missing or
    not due yet, and the returns missing (their date passed) for the quarter and the three
    before it.

    Two queries whatever the number of indicators and quarters.
    """
    today = today or timezone.localdate()
    last = quarter_index(year, quarter)
    first = last - TREND_QUARTERS + 1
    values = (
        IndicatorValue.objects.alias(index=F("year") * 4 + F("quarter") - 1)
        .filter(index__gte=first, index__lte=last)
        .select_related("submitted_by")
        .order_by("year", "quarter")
    )
    indicators = list(
        indicators_visible_to(user)
        .filter(indicator_set=indicator_set, is_active=True)
        .prefetch_related(Prefetch("values", queryset=values, to_attr="window"))
        .order_by("order", "name")
    )
    quarters = [quarter_of_index(index) for index in range(first, last + 1)]
    due_on = {q: indicator_set.return_due_on(*q) for q in quarters}
    rows = []
    for indicator in indicators:
        by_quarter = {(v.year, v.quarter): v for v in indicator.window}
        latest = indicator.window[-1] if indicator.window else None
        asked = quarters_asked(indicator, last, MISSING_QUARTERS)
        states = {
            q: _return_state(
                returned=q in by_quarter, asked=q in asked, due_on=due_on[q], today=today
            )
            for q in {*asked, (year, quarter)}
        }
        trend = [(quarter_label(*q), _value(by_quarter.get(q))) for q in quarters]
        rows.append(
            ScorecardRow(
                indicator=indicator,
                latest=latest,
                rag=indicator.rag(latest.value if latest else None),
                state=states[(year, quarter)],
                due_on=due_on[(year, quarter)],
                overdue=[
                    (quarter_label(*q), due_on[q])
                    for q in reversed(asked)
                    if states[q] == ReturnState.MISSING
                ],
                trend=sparkline(indicator, trend),
                values=trend,
            )
        )
    start, end = quarter_bounds(year, quarter)
    return {
        "set": indicator_set,
        "year": year,
        "quarter": quarter,
        "label": quarter_label(year, quarter),
        "starts_on": start,
        "ends_on": end,
        "due_on": due_on[(year, quarter)],
        "past_due": is_late(due_on[(year, quarter)], today),
        "first_missing_label": quarter_label(*quarter_of_index(last - MISSING_QUARTERS + 1)),
        "rows": rows,
        "missing": [row for row in rows if row.overdue],
        "counts": {
            rag: sum(1 for row in rows if row.rag == rag) for rag in ("green", "amber", "red")
        },
        "trend_labels": [quarter_label(*q) for q in quarters],
    }


def _value(value: IndicatorValue | None) -> Decimal | None:
    return value.value if value else None


def scorecards(user, year: int, quarter: int) -> list[dict]:
    """Every active scorecard the user may read, for one quarter (QAP's quarterly report)."""
    return [
        scorecard(user, indicator_set, year, quarter)
        for indicator_set in sets_visible_to(user).filter(is_active=True)  # a handful of sets
    ]


def earlier_versions(indicator: Indicator) -> dict[int, list]:
    """What each of the indicator's values held before it was corrected, newest first, by the
    value's id: each version that changed its figure or commentary, from its history in one
    query."""
    versions = (
        IndicatorValue.history.filter(indicator_id=indicator.pk)
        .select_related("submitted_by")
        .order_by("id", "history_date", "history_id")
    )
    held: dict[int, list] = {}
    for version in versions:
        kept = held.setdefault(version.id, [])
        if not kept or (version.value, version.commentary) != (kept[-1].value, kept[-1].commentary):
            kept.append(version)
    # The last of each is what the value holds now.
    return {pk: kept[-2::-1] for pk, kept in held.items() if len(kept) > 1}


def indicator_page(user, indicator: Indicator) -> dict:
    """An indicator with every value returned, newest first, each with its earlier versions,
    and the quarters still due."""
    values = list(indicator.values.select_related("submitted_by").order_by("-year", "-quarter"))
    earlier = earlier_versions(indicator)
    returned = {(v.year, v.quarter) for v in values}
    today = timezone.localdate()
    return {
        "indicator": indicator,
        "values": [(v, indicator.rag(v.value), earlier.get(v.pk, [])) for v in values],
        "still_due": [
            (quarter_label(*q), indicator.indicator_set.return_due_on(*q))
            for q in quarters_due(indicator, today)
            if q not in returned
        ]
        if indicator.is_active
        else [],
        "can_submit": indicator.is_active and can_submit_for(user, indicator.agency_id),
    }


# What an indicator's history lists: what the framework holds of it, never the scorecard it is
# read on (a scorecard has its own rule: ``sets_visible_to``) nor its place on the scorecard;
# and, as its parts, each quarter's value returned or corrected, with who returned it (its page
# lists each value's earlier versions too: ``earlier_versions``). The commentary is text: the
# history says only that it changed.
INDICATOR_HISTORY_FIELDS = [
    "name",
    "definition",
    "agency",
    "unit",
    "polarity",
    "target",
    "tolerance",
    "frequency",
    "is_active",
]
SET_HISTORY_FIELDS = ["name", "purpose", "return_days", "is_active"]


VALUE_HISTORY_FIELDS = ["value", "commentary", "submitted_by"]


def indicator_history(indicator: Indicator):
    """Who changed the indicator and its quarters' values, and what, the newest first: four
    queries, and one for each kind of record named (agencies, people). Whoever may read the
    indicator reads its values."""
    values = Part(
        "value",
        IndicatorValue.history.filter(indicator_id=indicator.pk).select_related("history_user"),
        VALUE_HISTORY_FIELDS,
        name=lambda version: quarter_label(version.year, version.quarter),
    )
    return history_of(
        indicator.history.select_related("history_user"), INDICATOR_HISTORY_FIELDS, [values]
    )


def scorecard_history(user, indicator_set: IndicatorSet):
    """Who changed the scorecard and the indicators on it that ``user`` may see
    (``indicators_visible_to``), and what, the newest first: four queries, and one for each
    kind of agency named."""
    indicators = indicators_visible_to(user).filter(indicator_set=indicator_set).values("pk")
    part = Part(
        "indicator",
        Indicator.history.filter(id__in=indicators).select_related("history_user"),
        INDICATOR_HISTORY_FIELDS,
        name="name",
    )
    return history_of(
        indicator_set.history.select_related("history_user"), SET_HISTORY_FIELDS, [part]
    )


def returns_due(user, today: datetime.date | None = None) -> list[dict]:
    """The quarterly values the user may submit that have not been returned: for "My agency"."""
    today = today or timezone.localdate()
    indicators = list(indicators_to_submit(user).order_by("indicator_set__name", "order", "name"))
    if not indicators:
        return []
    window = {
        (indicator_id, year, quarter)
        for indicator_id, year, quarter in IndicatorValue.objects.filter(
            indicator__in=[i.pk for i in indicators]
        )
        .alias(index=F("year") * 4 + F("quarter") - 1)
        .filter(index__gte=quarter_index(*last_ended_quarter(today)) - 3)
        .values_list("indicator_id", "year", "quarter")
    }
    due = []
    for indicator in indicators:
        for year, quarter in quarters_due(indicator, today):
            if (indicator.pk, year, quarter) not in window:
                due_on = indicator.indicator_set.return_due_on(year, quarter)
                due.append(
                    {
                        "indicator": indicator,
                        "year": year,
                        "quarter": quarter,
                        "label": quarter_label(year, quarter),
                        "due_on": due_on,
                        "overdue": is_late(due_on, today),
                    }
                )
    return sorted(due, key=lambda row: (row["due_on"], row["indicator"].name))


def indicator_list(user) -> QuerySet[Indicator]:
    return indicators_visible_to(user).order_by(
        "indicator_set__name", "-is_active", "order", "name"
    )
