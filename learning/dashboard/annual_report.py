"""The annual-report section, as Working Together expects it described."""

import datetime

from django.db.models import CharField, Count, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from learning.models import Action, Finding
from reviews.models import Review
from reviews.selectors import reviews_visible_to
from sscb.models import SubGroup

from .actions import action_counts, action_figures
from .assurance import assurance_totals, assured_themes, impact
from .cdop import BEFORE, NO_CHANGE_SHOWN, THIS, cdop_annual_figures
from .figure import Figure, link
from .loop import delivery, outcomes_agreed, practice
from .outcomes import impact_by_outcome
from .reviews import published_reviews, review_counts, review_figures, reviews_by_kind_in_period
from .scope import Period, Scope, make_scope


def annual_report(user, year=None, subgroup=None, *, quarter=None, today=None) -> dict:
    """Everything the annual-report section shows, as Working Together expects it described:
    reviews started, completed and published; learning delivered and its reach; what practice
    checks found; impact by learning outcome; assurance and the impact of reviews on services
    for children and families; the incidence of deaths and serious harm to children, year on
    year; and whether improvement lasted. A fixed number of queries."""
    scope = make_scope(user, year=year, subgroup=subgroup, quarter=quarter, today=today)
    return scope_report(scope) | readers_report(user, scope)


def scope_report(scope: Scope, *, every_row: bool = False) -> dict:
    """The figures, which are the same for every reader of the scope (so the page keeps them);
    the impact by learning outcome's first rows, or (``every_row``, for the exports) all."""
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
        "impact_by_outcome": impact_by_outcome(scope, **({"limit": None} if every_row else {})),
        "incidence": incidence(scope),
        "follow_ups": follow_ups(scope),
    }


def _year_on_year(this, before) -> dict:
    change = this.value - before.value if isinstance(this, Figure) else this - before
    return {THIS: this, BEFORE: before, "change": change}


def includes_child_deaths(scope: Scope) -> bool:
    """Child deaths are the Child Death Overview Panel's work: counted for the whole partnership
    or CDOP's own report."""
    return scope.subgroup_ids is None or SubGroup.Code.CDOP in scope.subgroup_codes


def incidence(scope: Scope) -> dict:
    """The incidence of deaths and serious harm to children beside the year before, as Working
    Together asks an annual report to describe the impact of reviews on it: serious incident
    notifications and rapid reviews started (one query), and the child deaths notified and
    reviewed as the CDOP annual report shows them, small numbers suppressed (five queries, where
    the scope counts CDOP's work)."""
    this = scope.period
    before = Period(this.year - 1, this.quarter)
    rapid = Q(kind=Review.Kind.RAPID_REVIEW)
    counts = Review.objects.filter(scope.q("subgroup_id")).aggregate(
        **{
            f"{name}_{year}": Count("pk", filter=condition(period))
            for year, period in ((THIS, this), (BEFORE, before))
            for name, condition in (
                ("notified", lambda p: Q(notified_on__range=p.bounds)),
                ("rapid", lambda p: rapid & Q(referred_on__range=p.bounds)),
            )
        }
    )

    def rapid_reviews(year, period):
        params = {"financial_year": period.year, "quarter": period.quarter}
        return Figure(
            counts[f"rapid_{year}"],
            link(
                "reviews:list",
                kind=Review.Kind.RAPID_REVIEW.value,
                **params,
                subgroup=scope.subgroup_param,
            ),
        )

    deaths = None
    if includes_child_deaths(scope):
        figures = cdop_annual_figures(Period(this.year))
        deaths = {
            "this_label": figures["this_label"],
            "before_label": figures["before_label"],
            # Notified and reviewed, as the CDOP annual report shows them (never other cells).
            "rows": figures["headline"][:2],
        }
    return {
        "this_label": this.label,
        "before_label": before.label,
        "notifications": _year_on_year(counts[f"notified_{THIS}"], counts[f"notified_{BEFORE}"]),
        "rapid_reviews": _year_on_year(rapid_reviews(THIS, this), rapid_reviews(BEFORE, before)),
        "deaths": deaths,
        "no_change_shown": NO_CHANGE_SHOWN,
    }


def follow_ups(scope: Scope) -> dict:
    """Whether improvement lasted: the checks that a signed-off action's change has lasted
    (``learning.services.action_record_follow_up``) that fell due in the period and were made
    in it, how many found it had lasted and how many had not (the action reopened, back with its
    owner), and how many that fell due are still to be made. Two queries: a check that found the
    change had not lasted is kept only in the action's history (reopening empties it), so the
    checks made are counted there, each once (an action and the day it was checked); one that
    found it had lasted stays on the action."""
    first, last = scope.period.bounds
    in_period = (first, last)
    check = Concat(Cast("id", CharField()), Value(":"), Cast("followed_up_on", CharField()))
    # A check is recorded on or after its day (``follow_up_waits``), so its version was saved
    # after the period began: the versions' index on their date skips the years before.
    since = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    made = (
        Action.history.filter(
            scope.q("subgroup_id"), followed_up_on__isnull=False, history_date__gte=since
        )
        .filter(Q(followed_up_on__range=in_period) | Q(follow_up_on__range=in_period))
        .aggregate(
            made=Count(check, distinct=True, filter=Q(followed_up_on__range=in_period)),
            due_made=Count(check, distinct=True, filter=Q(follow_up_on__range=in_period)),
        )
    )
    signed_off = Q(status=Action.Status.SIGNED_OFF)
    now = Action.objects.filter(scope.q("subgroup_id"), signed_off).aggregate(
        lasted=Count("pk", filter=Q(followed_up_on__range=in_period)),
        waiting=Count(
            "pk",
            filter=Q(
                followed_up_on__isnull=True, follow_up_on__range=(first, min(last, scope.today))
            ),
        ),
    )
    checked = max(made["made"], now["lasted"])  # an action kept without its history
    return {
        "due": made["due_made"] + now["waiting"],
        "made": checked,
        "lasted": now["lasted"],
        "not_lasted": checked - now["lasted"],
        "waiting": now["waiting"],
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
