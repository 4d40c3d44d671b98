"""Impact by learning outcome: for each outcome with something in the period, its delivery and
reach, its training evaluation's change in confidence and in practice, what its practice
development checks found, beside the assurance judgements made on it. Five queries whatever the
number of records; every figure links to the records behind it."""

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from learning.models import AssuranceEvidence, DeliveryActivity, LearningOutcome, PracticeCheck
from learning.selectors import CHECK_KNOWN
from learning.training.figures import Evaluation, evaluation_by
from learning.training.models import Questionnaire
from sscb.lists import first_rows

from .assurance import JUDGED
from .figure import Figure, link
from .scope import Scope

OUTCOMES_SHOWN = 25


# What each practice check result is headed in the impact table (under "Practice development
# checks") and its export.
CHECK_HEADINGS = {
    PracticeCheck.Result.IMPROVED: "Improved",
    PracticeCheck.Result.PARTLY: "Partly",
    PracticeCheck.Result.NO_CHANGE: "No change",
}


def _outcomes_in(scope: Scope, delivered) -> Q:
    """Outcomes in scope: under a theme in scope, or served by a delivery in scope (the
    Training sub-group's course of an outcome under another sub-group's theme). With every
    sub-group in scope, every outcome (``Q() | Q(...)`` would be the second alone)."""
    if scope.subgroup_ids is None:
        return Q()
    return scope.q("theme__subgroup_id") | Q(pk__in=[pk for pk in delivered if pk])


def impact_by_outcome(scope: Scope, limit: int = OUTCOMES_SHOWN) -> dict:
    first, last = scope.period.bounds
    delivery = {
        row["outcome_id"]: row
        for row in DeliveryActivity.objects.filter(
            scope.delivered_q(), delivered_on__range=(first, last)
        )
        .values("outcome_id")
        .annotate(n=Count("pk"), reach=Coalesce(Sum("reach"), 0))
        .order_by()
    }
    evaluation = evaluation_by(
        # The answers to sessions that were a delivery in scope; an outcome that is not in
        # scope is not listed (below), whatever its answers.
        Questionnaire.objects.filter(
            scope.delivered_q("attendee__session__activities__"),
            attendee__session__delivered_on__range=(first, last),
        ),
        "attendee__session__activities__outcome_id",
    )
    judged = {
        row["outcome_id"]: row
        # Evidence on outcomes under a theme in scope, as the period's assurance totals count
        # it (``assurance._judged``): another sub-group's judgement is not this one's to report.
        for row in AssuranceEvidence.objects.filter(
            scope.q("outcome__theme__subgroup_id"),
            judged_on__range=(first, last),
            judgement__in=JUDGED,
        )
        .values("outcome_id")
        .annotate(**{value: Count("pk", filter=Q(judgement=value)) for value in JUDGED})
        .order_by()
    }
    ids = (set(delivery) | set(evaluation) | set(judged)) - {None}
    # What the period's practice development checks found, counted on each outcome's row (so
    # no query more): an outcome whose checks alone fall in the period is listed too.
    checked = PracticeCheck.objects.filter(
        scope.checked_q(), outcome=OuterRef("pk"), checked_on__range=(first, last)
    )
    # The first ``limit`` outcomes and how many there are, in one query: at scale 1, 1,780
    # outcomes had something in a year, and building each (with its theme) only to count them
    # was 100 of the dashboard's 250 ms made afresh.
    outcomes, in_all = first_rows(
        # Those under a theme in scope, and those a delivery in scope served (the Training
        # sub-group's course of an outcome under another sub-group's theme).
        LearningOutcome.objects.filter(
            Q(_outcomes_in(scope, delivery), pk__in=ids) | Q(Exists(checked))
        )
        .annotate(
            **{f"checked_{value}": _count(checked.filter(result=value)) for value in CHECK_KNOWN}
        )
        .select_related("theme")
        .order_by("theme__title", "title", "pk"),
        limit,
    )
    changes = Questionnaire.Change.values  # not per row: a Choices' values iterate the enum
    rows = []
    for outcome in outcomes:
        delivered = delivery.get(outcome.pk, {"n": 0, "reach": 0})
        answers = evaluation.get(outcome.pk, Evaluation())
        judgements = judged.get(outcome.pk, {})
        # Each list with the period and the sub-groups whose work was counted.
        activities = link(
            "learning:activities",
            outcome=outcome.uuid,
            **scope.in_period("delivered_year"),
            subgroup=scope.subgroup_param,
        )
        asked = {"outcome": outcome.uuid, **scope.in_period("year")}
        rows.append(
            {
                "outcome": outcome,
                "delivered": Figure(delivered["n"], activities),
                "reach": Figure(delivered["reach"], activities),
                "answers": Figure(answers.responses, link("training:answers", **asked)),
                "evaluation": answers,
                "practice": {
                    value: Figure(
                        getattr(answers, value),
                        link("training:answers", stage=3, practice_changed=value, **asked),
                    )
                    for value in changes
                },
                # What practice development checks found, in the order of "checks" below.
                "checks": {
                    value: Figure(
                        getattr(outcome, f"checked_{value}"),
                        link(
                            "learning:checks",
                            outcome=outcome.uuid,
                            **scope.in_period("checked_year"),
                            result=value,
                            subgroup=scope.subgroup_param,
                        ),
                    )
                    for value in CHECK_KNOWN
                },
                # In the order of "judgements" below, the columns a page shows them in.
                "judgements": {
                    value: Figure(
                        judgements.get(value, 0),
                        link(
                            "learning:evidence_list",
                            outcome=outcome.uuid,
                            **scope.in_period("judged_year"),
                            judgement=value,
                            subgroup=scope.subgroup_param,
                        ),
                    )
                    for value in JUDGED
                },
            }
        )
    return {
        "rows": rows,
        "not_shown": in_all - len(rows),
        "judgements": [(value, AssuranceEvidence.Judgement(value).label) for value in JUDGED],
        # Short, as the attendees' Yes / Partly / No beside them: the table has 16 columns.
        "checks": [(value, CHECK_HEADINGS[value]) for value in CHECK_KNOWN],
    }


def _count(records):
    """How many ``records`` there are, as a subquery of the outcome's row."""
    counted = records.order_by().values("outcome").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)
