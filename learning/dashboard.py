"""The Board executive dashboard and annual report: every figure from aggregate queries.

``dashboard_figures(user, year, subgroup)`` returns everything the dashboard shows, and
``annual_report(user, year, subgroup)`` everything the annual-report section shows, each in a
fixed number of queries whatever the number of records (a benchmark may call them directly).
Each figure carries the link to the list page that shows the records behind it, using that
page's own filters. Counts may include restricted reviews (DESIGN.md: everyone else sees that a
restricted review exists only in aggregates); the linked lists show only what the reader may open.
"""

import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote_plus

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from audits.models import SelfAssessment, StandardAssessment
from audits.selectors import cycles_with_progress
from reviews.models import Review, ReviewClock
from reviews.selectors import clock_state_condition, has_clock_in_state, reviews_visible_to
from sscb.access import subgroup_ids
from sscb.dates import financial_year_bounds, financial_year_label, financial_year_of
from sscb.models import SubGroup

from .filters import action_completion_condition, action_escalated
from .models import (
    Action,
    AssuranceEvidence,
    DeliveryActivity,
    Finding,
    LearningOutcome,
    LoopStage,
    PracticeCheck,
    PriorityTheme,
    TrainingEvaluationStage,
)
from .selectors import evidence_visible_to, with_loop_stage

FIRST_YEAR = 2015
JUDGED = [
    AssuranceEvidence.Judgement.ASSURED,
    AssuranceEvidence.Judgement.PARTLY,
    AssuranceEvidence.Judgement.NOT_ASSURED,
]
DONE = list(Action.DONE)
SCORES = [(1, "Not met"), (2, "Partly met"), (3, "Met"), (4, "Exceeded")]


# Who may read it, and for what -------------------------------------------------------------


def can_see_dashboard(user) -> bool:
    """The Executive and the Business Unit see everything; sub-group members their sub-groups'."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_business_unit or user.is_executive:
        return True
    return user.is_subgroup_member and bool(subgroup_ids(user))


def sees_every_subgroup(user) -> bool:
    return user.is_business_unit or user.is_executive


def subgroup_choices(user):
    """The sub-groups a reader may pick in the dashboard's filter."""
    groups = SubGroup.objects.order_by("name")
    return groups if sees_every_subgroup(user) else groups.filter(pk__in=subgroup_ids(user))


def year_choices(today=None) -> list[tuple[int, str]]:
    this_year = financial_year_of(today or timezone.localdate())
    return [(year, financial_year_label(year)) for year in range(this_year, FIRST_YEAR - 1, -1)]


@dataclass(frozen=True)
class Period:
    """A stretch of the Board's year: a financial year, or one quarter of it (Q1 is April–June)."""

    year: int
    quarter: int | None = None

    @property
    def bounds(self) -> tuple[datetime.date, datetime.date]:
        first, last = financial_year_bounds(self.year)
        if not self.quarter:
            return first, last
        month = 4 + 3 * (self.quarter - 1)
        start_year = self.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        start = datetime.date(start_year, month, 1)
        end_month = month + 3
        end = datetime.date(start_year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
        return start, end - datetime.timedelta(days=1)

    @property
    def first(self):
        return self.bounds[0]

    @property
    def last(self):
        return self.bounds[1]

    @property
    def label(self) -> str:
        year = financial_year_label(self.year)
        return f"Quarter {self.quarter} of {year}" if self.quarter else year


@dataclass(frozen=True)
class Scope:
    """What a reader sees: a period, and the sub-group(s) whose work counts."""

    period: Period
    subgroup: SubGroup | None
    subgroup_ids: frozenset | None  # None: every sub-group
    today: datetime.date

    @property
    def year(self):
        return self.period.year

    def q(self, path: str) -> Q:
        """Records whose sub-group (at ``path``) is in scope."""
        if self.subgroup_ids is None:
            return Q()
        return Q(**{f"{path}__in": self.subgroup_ids})

    @property
    def subgroup_param(self):
        return self.subgroup.pk if self.subgroup else None

    @property
    def includes_returns(self) -> bool:
        """Section 11 / 175 returns are QAP's work (it moderates them)."""
        if self.subgroup_ids is None:
            return True
        return SubGroup.Code.QUALITY_ASSURANCE in self.subgroup_codes

    subgroup_codes: frozenset = field(default_factory=frozenset)


def make_scope(user, *, year=None, subgroup=None, quarter=None, today=None) -> Scope:
    """The reader's scope. A sub-group member always reads one of their own sub-groups."""
    today = today or timezone.localdate()
    year = year if year is not None else financial_year_of(today)
    if subgroup is None and not sees_every_subgroup(user):
        subgroup = subgroup_choices(user).first()
    if subgroup is not None:
        ids, codes = frozenset([subgroup.pk]), frozenset([subgroup.code])
    else:
        ids, codes = None, frozenset()
    return Scope(Period(year, quarter), subgroup, ids, today, codes)


# Links to the records behind a figure ------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    value: int
    url: str

    def __str__(self):
        return str(self.value)

    def __html__(self):
        """In a template, a figure is the link to the records behind it."""
        return format_html('<a href="{}">{}</a>', self.url, self.value)


@lru_cache(maxsize=256)
def _path(url_name, args):
    # A dashboard has hundreds of figure links to a handful of pages: resolve each page once.
    return reverse(url_name, args=args)


def link(url_name, *args, **params) -> str:
    """The list page behind a figure, filtered; a dashboard makes about a thousand of these."""
    query = "&".join(
        f"{key}={value if isinstance(value, int) else quote_plus(str(value))}"
        for key, value in params.items()
        if value not in (None, "")
    )
    url = _path(url_name, args)
    return f"{url}?{query}" if query else url


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


# Reviews -------------------------------------------------------------------------------------


def _review_counts(scope: Scope) -> dict:
    """Reviews started, completed, published and open in the period, and clocks today: one query."""
    first, last = scope.period.bounds
    counts = Review.objects.filter(scope.q("subgroup_id")).aggregate(
        started=Count("pk", filter=Q(referred_on__range=(first, last))),
        completed=Count("pk", filter=Q(completed_on__range=(first, last))),
        published=Count("pk", filter=Q(published_on__range=(first, last))),
        active=Count("pk", filter=_active_in(first, last)),
    )
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


def _reviews_by_kind_and_stage(scope: Scope) -> dict:
    """Reviews open at some point in the year, kind × stage: one grouped query."""
    first, last = scope.period.bounds
    rows = (
        Review.objects.filter(scope.q("subgroup_id"), _active_in(first, last))
        .values("kind", "stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(row["kind"], row["stage"]): row["n"] for row in rows}
    kinds = [k for k in Review.Kind if any(key[0] == k for key in counts)]
    stages = [s for s in Review.Stage if any(key[1] == s for key in counts)]
    common = {"active_year": scope.year, "subgroup": scope.subgroup_param}

    def cell(n, **params):
        return Figure(n, link("reviews:list", **common, **params))

    return {
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


def _review_figures(scope: Scope, counts: dict) -> dict:
    subgroup = scope.subgroup_param
    year = scope.year
    return {
        "started": Figure(
            counts["started"], link("reviews:list", financial_year=year, subgroup=subgroup)
        ),
        "completed": Figure(
            counts["completed"], link("reviews:list", completed_year=year, subgroup=subgroup)
        ),
        "published": Figure(
            counts["published"], link("reviews:list", published_year=year, subgroup=subgroup)
        ),
        "active": Figure(
            counts["active"], link("reviews:list", active_year=year, subgroup=subgroup)
        ),
        "clock_red": Figure(
            counts["clock_red"], link("reviews:list", clock="red", subgroup=subgroup)
        ),
        "clock_amber": Figure(
            counts["clock_amber"], link("reviews:list", clock="amber", subgroup=subgroup)
        ),
        "clock_met_on_time": Figure(
            counts["clock_met_on_time"],
            link("reviews:list", clock="met_on_time", clock_met_year=year, subgroup=subgroup),
        ),
        "clock_met_late": Figure(
            counts["clock_met_late"],
            link("reviews:list", clock="met_late", clock_met_year=year, subgroup=subgroup),
        ),
    }


# Actions -------------------------------------------------------------------------------------


OPEN_STATUSES = (Action.Status.OPEN, Action.Status.IN_PROGRESS)


def _year_action_counts(scope: Scope) -> dict:
    """Count expressions for actions due in the period: total, RAG today and completion.

    They count due_on, not id: every column they read is then in learning_action_due_cover,
    so PostgreSQL answers from the index alone (118 to 60 ms at 500,000 actions). RAG is
    counted with plain conditions rather than the RAG expression three times over: red is
    exactly "open and overdue", and green is what is neither red nor amber.
    """
    today = scope.today
    open_ = Q(status__in=OPEN_STATUSES)
    return {
        "total": Count("due_on"),
        "red": Count("due_on", filter=open_ & Q(due_on__lt=today)),
        "amber": Count(
            "due_on",
            filter=open_
            & Q(due_on__gte=today)
            & (Q(at_risk=True) | Q(due_on__lte=today + datetime.timedelta(days=14))),
        ),
        "cancelled": Count("due_on", filter=Q(status=Action.Status.CANCELLED)),
        "on_time": Count("due_on", filter=action_completion_condition("on_time")),
        "late": Count("due_on", filter=action_completion_condition("late")),
    }


def _derive_rag(row: dict) -> dict:
    row["overdue"] = row["red"]
    row["green"] = row["total"] - row["red"] - row["amber"]
    return row


def _actions_due(scope: Scope):
    first, last = scope.period.bounds
    return Action.objects.filter(scope.q("subgroup_id"), due_on__range=(first, last))


def _actions_due_by_agency(scope: Scope) -> list[dict]:
    """Actions due in the period by owner agency: RAG today and completion. One grouped query."""
    rows = (
        _actions_due(scope)
        .values("owner_agency_id", "owner_agency__name", "owner_agency__short_name")
        .annotate(**_year_action_counts(scope))
        .order_by("owner_agency__name")
    )
    return [_derive_rag(row) for row in rows]


def _action_counts(
    scope: Scope, by_agency: list[dict] | None = None, *, outstanding: bool = True
) -> dict:
    """Actions due in the period and how they were completed; overdue and escalated today.

    The period's counts add up the per-agency rows (one query over the year's actions); what
    is overdue today is one more query over open actions only (index on status, due date).
    """
    keys = ("total", "cancelled", "on_time", "late", "overdue")
    if by_agency is None:  # one aggregate, no grouping: what a report of the period needs
        year = _derive_rag(_actions_due(scope).aggregate(**_year_action_counts(scope)))
        totals = {key: year[key] for key in keys}
    else:
        totals = {key: sum(row[key] for row in by_agency) for key in keys}
    if not outstanding:  # reports of a period do not show what is overdue today
        return {"due": totals.pop("total"), **totals}
    now = Action.objects.filter(
        scope.q("subgroup_id"), status__in=OPEN_STATUSES, due_on__lt=scope.today
    ).aggregate(
        overdue_now=Count("due_on"),
        escalated_chair=Count("due_on", filter=action_escalated("chair", scope.today)),
        escalated_bu=Count("due_on", filter=action_escalated("business_unit", scope.today)),
    )
    return {"due": totals.pop("total"), **totals, **now}


def _actions_by_agency(scope: Scope, rows: list[dict]) -> list[dict]:
    """The per-agency rows as figures linking to the action tracker."""
    common = {"financial_year": scope.year, "subgroup": scope.subgroup_param}
    result = []
    for row in rows:
        agency = row["owner_agency_id"]
        result.append(
            {
                "agency": row["owner_agency__short_name"] or row["owner_agency__name"],
                "agency_name": row["owner_agency__name"],
                **{
                    rag: Figure(
                        row[rag], link("learning:actions", owner_agency=agency, rag=rag, **common)
                    )
                    for rag in ("red", "amber", "green")
                },
                "total": Figure(
                    row["total"], link("learning:actions", owner_agency=agency, **common)
                ),
            }
        )
    return result


def _action_figures(scope: Scope, counts: dict) -> dict:
    common = {"financial_year": scope.year, "subgroup": scope.subgroup_param}
    sub = {"subgroup": scope.subgroup_param}
    judged = counts["on_time"] + counts["late"] + counts["overdue"]
    figures = {
        "due": Figure(counts["due"], link("learning:actions", **common)),
        "on_time": Figure(
            counts["on_time"], link("learning:actions", completion="on_time", **common)
        ),
        "late": Figure(counts["late"], link("learning:actions", completion="late", **common)),
        "overdue": Figure(counts["overdue"], link("learning:actions", rag="red", **common)),
        "cancelled": Figure(
            counts["cancelled"], link("learning:actions", status="cancelled", **common)
        ),
        # Of the actions whose due date has passed (or that were done early), the share done
        # on or before the due date.
        "on_time_percent": percent(counts["on_time"], judged),
        "judged": judged,
    }
    if "overdue_now" not in counts:
        return figures
    return figures | {
        "overdue_now": Figure(counts["overdue_now"], link("learning:actions", rag="red", **sub)),
        "escalated_chair": Figure(
            counts["escalated_chair"],
            link("learning:actions", rag="red", escalated="chair", **sub),
        ),
        "escalated_bu": Figure(
            counts["escalated_bu"],
            link("learning:actions", rag="red", escalated="business_unit", **sub),
        ),
    }


# Themes and the loop -------------------------------------------------------------------------


def _themes_by_stage(scope: Scope) -> list[dict]:
    """How many themes have reached each loop stage (the furthest reached): one grouped query."""
    rows = (
        with_loop_stage(PriorityTheme.objects.filter(scope.q("subgroup_id")))
        .values("loop_stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["loop_stage"]: row["n"] for row in rows}
    return [
        {
            "stage": stage.label,
            "value": stage.value,
            "count": Figure(
                counts.get(stage.value, 0),
                link("learning:index", loop_stage=stage.value, subgroup=scope.subgroup_param),
            ),
        }
        for stage in LoopStage
        if stage != LoopStage.IDENTIFIED  # a theme starts at themed
    ]


def _theme_list(scope: Scope, limit=50) -> list[PriorityTheme]:
    """Open themes, furthest round the loop first: one query."""
    return list(
        with_loop_stage(
            PriorityTheme.objects.filter(scope.q("subgroup_id")).exclude(
                status=PriorityTheme.Status.CLOSED
            )
        )
        .select_related("subgroup")
        .order_by("-loop_stage", "title")[:limit]
    )


# Assurance -----------------------------------------------------------------------------------


THEMES_SHOWN = 25


def _judgement_counts():
    # Counting judged_on (in learning_evidence_judged) lets PostgreSQL use the index alone.
    return {value: Count("judged_on", filter=Q(judgement=value)) for value in JUDGED} | {
        "total": Count("judged_on")
    }


def _assurance(scope: Scope) -> dict:
    """Judgements made in the period by theme and by agency (two grouped queries), totals and
    evidence outstanding (one aggregate)."""
    first, last = scope.period.bounds
    in_scope = AssuranceEvidence.objects.filter(scope.q("outcome__theme__subgroup_id"))
    judged = in_scope.filter(judged_on__range=(first, last), judgement__in=JUDGED)
    common = {"judged_year": scope.year, "subgroup": scope.subgroup_param}

    def figures(row, **params):
        return {
            value: Figure(
                row[value], link("learning:evidence_list", judgement=value, **common, **params)
            )
            for value in JUDGED
        } | {"total": Figure(row["total"], link("learning:evidence_list", **common, **params))}

    theme_rows = list(
        judged.values("outcome__theme_id", "outcome__theme__title")
        .annotate(**_judgement_counts())
        .order_by("-total", "outcome__theme__title")
    )
    # The page shows the themes with most judgements; the CSV and XLSX exports hold them all.
    by_theme = [
        {"label": row["outcome__theme__title"], **figures(row, theme=row["outcome__theme_id"])}
        for row in theme_rows[:THEMES_SHOWN]
    ]
    by_agency = [
        {
            "label": row["agency__short_name"] or row["agency__name"],
            **figures(row, agency=row["agency_id"]),
        }
        for row in judged.filter(agency__isnull=False)
        .values("agency_id", "agency__name", "agency__short_name")
        .annotate(**_judgement_counts())
        .order_by("agency__name")
    ]
    # Every judged piece of evidence belongs to a theme, so the totals add up the theme rows.
    totals = {key: sum(row[key] for row in theme_rows) for key in (*JUDGED, "total")}
    totals["outstanding"] = in_scope.filter(
        requested_on__isnull=False, received_on__isnull=True
    ).count()
    return {
        "judgements": [(value, AssuranceEvidence.Judgement(value).label) for value in JUDGED],
        "by_theme": by_theme,
        "themes_not_shown": len(theme_rows) - len(by_theme),
        "theme_rows": theme_rows,
        "by_agency": by_agency,
        "totals": figures(totals),
        "assured_percent": percent(totals[AssuranceEvidence.Judgement.ASSURED], totals["total"]),
        "outstanding": Figure(
            totals["outstanding"],
            link("learning:evidence_list", outstanding="true", subgroup=scope.subgroup_param),
        ),
    }


# Section 11 / 175 returns ----------------------------------------------------------------------


def _returns(scope: Scope) -> list[dict]:
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
                "average": round(average, 1) if average is not None else None,
                "heat": round(average) if average is not None else None,
            }
        )
    result = []
    for cycle in cycles:
        url = reverse("audits:cycle", args=[cycle.pk])
        result.append(
            {
                "cycle": cycle,
                "url": url,
                "heat_map_url": reverse("audits:heat-map", args=[cycle.pk]),
                "total": Figure(cycle.total, url),
                "returned": Figure(cycle.returned_count, url),
                "moderated": Figure(cycle.moderated_count, url),
                "late": Figure(cycle.late_count, url),
                "returned_percent": percent(cycle.returned_count, cycle.total),
                "standards": standards.get(cycle.pk, []),
            }
        )
    return result


# Everything the dashboard shows ------------------------------------------------------------------


def dashboard_figures(user, year=None, subgroup=None, *, today=None) -> dict:
    """Everything the dashboard shows for ``year`` (a financial year) and ``subgroup``.

    A fixed number of queries (about eleven) whatever the number of records.
    """
    scope = make_scope(user, year=year, subgroup=subgroup, today=today)
    review_counts = _review_counts(scope)
    actions_due = _actions_due_by_agency(scope)
    action_counts = _action_counts(scope, actions_due)
    returns = _returns(scope)
    return {
        "scope": scope,
        "year_label": scope.period.label,
        "reviews": _review_figures(scope, review_counts),
        "by_kind_and_stage": _reviews_by_kind_and_stage(scope),
        "actions": _action_figures(scope, action_counts),
        "actions_by_agency": _actions_by_agency(scope, actions_due),
        "themes_by_stage": _themes_by_stage(scope),
        "themes": _theme_list(scope),
        "assurance": _assurance(scope),
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


# The annual report -------------------------------------------------------------------------------


def _reviews_by_kind_in_period(scope: Scope) -> list[dict]:
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
    return [
        {
            "kind": Review.Kind(row["kind"]).label,
            "started": Figure(
                row["started"],
                link("reviews:list", kind=row["kind"], financial_year=scope.year, subgroup=sub),
            ),
            "completed": Figure(
                row["completed"],
                link("reviews:list", kind=row["kind"], completed_year=scope.year, subgroup=sub),
            ),
            "published": Figure(
                row["published"],
                link("reviews:list", kind=row["kind"], published_year=scope.year, subgroup=sub),
            ),
        }
        for row in rows
    ]


def _delivery(scope: Scope) -> dict:
    """Learning delivered in the period by the framework's six ways, and its reach."""
    first, last = scope.period.bounds
    delivered = DeliveryActivity.objects.filter(
        scope.q("outcome__theme__subgroup_id"), delivered_on__range=(first, last)
    )
    rows = {
        row["way"]: row
        for row in delivered.values("way")
        .annotate(n=Count("pk"), reach=Coalesce(Sum("reach"), 0))
        .order_by()
    }
    common = {"delivered_year": scope.year, "subgroup": scope.subgroup_param}
    url = link("learning:activities", **common)
    by_way = [
        {
            "way": way.label,
            "count": Figure(rows[way]["n"], link("learning:activities", way=way.value, **common)),
            "reach": rows[way]["reach"],
        }
        for way in DeliveryActivity.Way
        if way in rows
    ]
    return {
        "by_way": by_way,
        "count": Figure(sum(row["n"] for row in rows.values()), url),
        "reach": sum(row["reach"] for row in rows.values()),
    }


def _practice(scope: Scope) -> dict:
    """Practice development checks made in the period by result, and training evaluations."""
    first, last = scope.period.bounds
    rows = {
        row["result"]: row["n"]
        for row in PracticeCheck.objects.filter(
            scope.q("outcome__theme__subgroup_id"), checked_on__range=(first, last)
        )
        .values("result")
        .annotate(n=Count("pk"))
        .order_by()
    }
    common = {"checked_year": scope.year, "subgroup": scope.subgroup_param}
    results = [
        {
            "result": result.label,
            "value": result.value,
            "count": Figure(
                rows.get(result, 0), link("learning:checks", result=result.value, **common)
            ),
        }
        for result in PracticeCheck.Result
        if result != PracticeCheck.Result.PENDING
    ]
    checked = sum(rows.values())
    improved = rows.get(PracticeCheck.Result.IMPROVED, 0) + rows.get(PracticeCheck.Result.PARTLY, 0)
    evaluation = {
        row["stage"]: row
        for row in TrainingEvaluationStage.objects.filter(
            scope.q("practice_check__outcome__theme__subgroup_id"),
            completed_on__range=(first, last),
        )
        .values("stage")
        .annotate(
            n=Count("pk"), responses=Coalesce(Sum("responses"), 0), confidence=Avg("confidence")
        )
        .order_by()
    }
    stages = [
        {
            "stage": stage.label,
            "count": evaluation[stage]["n"],
            "responses": evaluation[stage]["responses"],
            "confidence": round(evaluation[stage]["confidence"], 1)
            if evaluation[stage]["confidence"] is not None
            else None,
        }
        for stage in TrainingEvaluationStage.Stage
        if stage in evaluation
    ]
    return {
        "results": results,
        "checked": Figure(checked, link("learning:checks", **common)),
        "improved_percent": percent(improved, checked),
        "evaluation": stages,
    }


def _outcomes_agreed(scope: Scope) -> Figure:
    first, last = scope.period.bounds
    n = LearningOutcome.objects.filter(
        scope.q("theme__subgroup_id"),
        decided_on__range=(first, last),
        decision__in=[
            LearningOutcome.Decision.AGREED,
            LearningOutcome.Decision.AGREED_WITH_CHANGES,
        ],
    ).count()
    return Figure(n, link("learning:outcomes"))


def _impact(user, scope: Scope) -> dict:
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
    assured_themes = (
        AssuranceEvidence.objects.filter(
            judgement=AssuranceEvidence.Judgement.ASSURED, judged_on__range=(first, last)
        )
        .filter(scope.q("outcome__theme__subgroup_id"))
        .values("outcome__theme_id")
    )
    reviews = list(
        Finding.objects.filter(
            theme__in=assured_themes, review__in=reviews_visible_to(user).values("pk")
        )
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


def _published_reviews(user, scope: Scope) -> list[Review]:
    first, last = scope.period.bounds
    return list(
        reviews_visible_to(user)
        .filter(scope.q("subgroup_id"), published_on__range=(first, last))
        .order_by("published_on", "reference")[:100]
    )


def annual_report(user, year=None, subgroup=None, *, quarter=None, today=None) -> dict:
    """Everything the annual-report section shows, as Working Together expects it described:
    reviews started, completed and published; learning delivered and its reach; what practice
    checks found; assurance and the impact of reviews on services. A fixed number of queries."""
    scope = make_scope(user, year=year, subgroup=subgroup, quarter=quarter, today=today)
    return {
        "scope": scope,
        "year_label": scope.period.label,
        "reviews": _review_figures(scope, _review_counts(scope)),
        "reviews_by_kind": _reviews_by_kind_in_period(scope),
        "published_reviews": _published_reviews(user, scope),
        "outcomes_agreed": _outcomes_agreed(scope),
        "delivery": _delivery(scope),
        "practice": _practice(scope),
        "assurance": _assurance(scope),
        "actions": _action_figures(scope, _action_counts(scope, outstanding=False)),
        "impact": _impact(user, scope),
    }


def dashboard_tables(figures: dict) -> list[tuple[str, list[str], list[list]]]:
    """The dashboard's tables as (title, header, rows) for the CSV and XLSX exports."""
    label = figures["year_label"]
    scope = figures["scope"]
    where = scope.subgroup.name if scope.subgroup else "All sub-groups"
    reviews = figures["reviews"]
    actions = figures["actions"]
    kinds = figures["by_kind_and_stage"]
    assurance = figures["assurance"]
    tables = [
        (
            "Scope",
            ["Financial year", "Sub-group", "Counted on"],
            [[label, where, scope.today.isoformat()]],
        ),
        (
            "Reviews",
            ["Figure", "Count"],
            [
                ["Open during the year", reviews["active"].value],
                ["Started (referred) in the year", reviews["started"].value],
                ["Completed in the year", reviews["completed"].value],
                ["Published in the year", reviews["published"].value],
                ["Statutory clock past due (today)", reviews["clock_red"].value],
                ["Statutory clock due soon (today)", reviews["clock_amber"].value],
                ["Statutory deadlines met on time in the year", reviews["clock_met_on_time"].value],
                ["Statutory deadlines met late in the year", reviews["clock_met_late"].value],
            ],
        ),
        (
            "Reviews by kind and stage",
            ["Kind", *[stage for _, stage in kinds["stages"]], "Total"],
            [
                [row["kind"], *[cell.value for cell in row["cells"]], row["total"].value]
                for row in kinds["rows"]
            ],
        ),
        (
            "Actions due in the year",
            ["Figure", "Count"],
            [
                ["Due in the year", actions["due"].value],
                ["Completed on time", actions["on_time"].value],
                ["Completed late", actions["late"].value],
                ["Overdue, not completed", actions["overdue"].value],
                ["Cancelled", actions["cancelled"].value],
                ["Completed on time (%)", actions["on_time_percent"]],
            ],
        ),
        (
            "Actions by agency and RAG",
            ["Agency", "Red", "Amber", "Green", "Total"],
            [
                [
                    row["agency_name"],
                    row["red"].value,
                    row["amber"].value,
                    row["green"].value,
                    row["total"].value,
                ]
                for row in figures["actions_by_agency"]
            ],
        ),
        (
            "Themes by loop stage",
            ["Loop stage", "Themes"],
            [[row["stage"], row["count"].value] for row in figures["themes_by_stage"]],
        ),
        (
            "Themes",
            ["Theme", "Sub-group", "Status", "Loop stage"],
            [
                [
                    theme.title,
                    theme.subgroup.name,
                    theme.get_status_display(),
                    LoopStage(theme.loop_stage).label,
                ]
                for theme in figures["themes"]
            ],
        ),
        (
            "Assurance judgements by theme",
            ["Theme", *[j for _, j in assurance["judgements"]], "Total"],
            [
                [row["outcome__theme__title"], *[row[value] for value in JUDGED], row["total"]]
                for row in assurance["theme_rows"]
            ],
        ),
        (
            "Assurance judgements by agency",
            ["Agency", *[j for _, j in assurance["judgements"]], "Total"],
            [
                [row["label"], *[row[value].value for value in JUDGED], row["total"].value]
                for row in assurance["by_agency"]
            ],
        ),
    ]
    returns_rows = []
    heat_rows = []
    for item in figures["returns"]:
        cycle = item["cycle"]
        returns_rows.append(
            [
                cycle.title,
                cycle.framework.name,
                item["total"].value,
                item["returned"].value,
                item["moderated"].value,
                item["late"].value,
            ]
        )
        for standard in item["standards"]:
            heat_rows.append(
                [
                    cycle.title,
                    f"{standard['number']}. {standard['title']}",
                    *standard["scores"],
                    standard["average"],
                ]
            )
    tables.append(
        (
            "Section 11 / 175 returns",
            ["Cycle", "Framework", "Returns", "Returned", "Moderated", "Late"],
            returns_rows,
        )
    )
    tables.append(
        (
            "Standards heat map",
            ["Cycle", "Standard", *[label for _, label in SCORES], "Average score"],
            heat_rows,
        )
    )
    tables.append(
        (
            "Reminders and escalations outstanding",
            ["Figure", "Count"],
            [
                ["Actions overdue (today)", actions["overdue_now"].value],
                ["  escalated to the sub-group chair", actions["escalated_chair"].value],
                ["  escalated to the Business Unit", actions["escalated_bu"].value],
                ["Evidence requested and not received", assurance["outstanding"].value],
                ["Statutory clocks past due", reviews["clock_red"].value],
                ["Section 11 / 175 returns late", figures["returns_late"]],
            ],
        )
    )
    return tables


__all__ = [
    "Figure",
    "Period",
    "Scope",
    "annual_report",
    "can_see_dashboard",
    "chart_data",
    "dashboard_figures",
    "dashboard_tables",
    "make_scope",
    "subgroup_choices",
    "year_choices",
]
