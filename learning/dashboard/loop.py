"""Round the learning loop: themes by stage, outcomes agreed, learning delivered, practice."""

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce

from learning.models import (
    DeliveryActivity,
    LearningOutcome,
    LoopStage,
    PracticeCheck,
    PriorityTheme,
    TrainingEvaluationStage,
)
from learning.selectors import (
    theme_existed_on,
    theme_open_on,
    theme_status_on,
    with_loop_stage,
)
from learning.training.figures import evaluation_by
from learning.training.models import Questionnaire, Session
from sscb.lists import first_rows
from sscb.rounding import round_half_up

from .figure import Figure, link, percent
from .scope import Scope

# How many rows the dashboard shows of its open themes and of its deliveries (its exports hold
# every row: ``limit=None``).
THEMES_SHOWN = 50
DELIVERIES_SHOWN = 50


class Shown(list):
    """The rows a page shows, and how many more there are that it does not (``not_shown``),
    for it to say so."""

    def __init__(self, rows, not_shown: int = 0):
        super().__init__(rows)
        self.not_shown = not_shown


def themes_with_stage(scope: Scope) -> QuerySet:
    """The themes in scope with their loop stage, for ``themes_by_stage`` and ``theme_list`` to
    share: each query from it reuses the stage's ten subqueries as resolved here (resolving
    them is about 1 ms a time). A period that has ended counts the themes there by its end
    (``theme_existed_on``), each at the stage it had reached by then (``Scope.ended_on``), so
    that a figure the Board has been given does not change as work moves on."""
    themes = PriorityTheme.objects.filter(scope.q("subgroup_id"))
    if scope.ended_on is not None:
        themes = themes.filter(theme_existed_on(scope.ended_on))
    return with_loop_stage(themes, scope.ended_on)


def themes_by_stage(scope: Scope, themes: QuerySet | None = None) -> list[dict]:
    """How many themes have reached each loop stage (the furthest reached): one grouped query."""
    themes = themes_with_stage(scope) if themes is None else themes
    rows = themes.values("loop_stage").annotate(n=Count("pk")).order_by()
    counts = {row["loop_stage"]: row["n"] for row in rows}
    return [
        {
            "stage": stage.label,
            "value": stage.value,
            "count": Figure(
                counts.get(stage.value, 0),
                link(
                    "learning:index",
                    loop_stage=stage.value,
                    stage_on=scope.ended_on,
                    subgroup=scope.subgroup_param,
                ),
            ),
        }
        for stage in LoopStage
        if stage != LoopStage.IDENTIFIED  # a theme starts at themed
    ]


def theme_list(
    scope: Scope, limit: int | None = THEMES_SHOWN, themes: QuerySet | None = None
) -> Shown:
    """Open themes (at the period's end, once it has ended: one closed since was open then),
    furthest round the loop first, the first ``limit`` (every one where None) and how many more
    there are (``not_shown``): one query. Each theme's ``loop_stage`` is a ``LoopStage``, so a
    page shows its label without looking it up among the choices; and its ``status`` is the one
    it had then (``theme_status_on``), so a page shows that."""
    themes = themes_with_stage(scope) if themes is None else themes
    if scope.ended_on is not None:
        themes = themes.annotate(status_then=theme_status_on(scope.ended_on))
    listed, in_all = first_rows(
        themes.filter(theme_open_on(scope.ended_on))
        .select_related("subgroup")
        .order_by("-loop_stage", "title", "pk"),
        limit,
    )
    for theme in listed:
        # Shown, never saved: the list is read from a query and thrown away.
        theme.status = getattr(theme, "status_then", theme.status)
    return Shown(listed, in_all - len(listed))


def reached_once(delivered: QuerySet):
    """The sum of ``delivered``'s reach with each training session's people counted once: a
    session serving two outcomes is each outcome's delivery activity (counted as two), but the
    same people were in the room (its reach is its attendance), so only the first of its
    activities among ``delivered`` adds them."""
    through = Session.activities.through
    its_sessions = through.objects.filter(deliveryactivity_id=OuterRef(OuterRef("pk")))
    twin_before = through.objects.filter(
        session_id__in=its_sessions.values("session_id"),
        deliveryactivity_id__lt=OuterRef("pk"),
        deliveryactivity_id__in=delivered.values("pk"),
    )
    return Coalesce(Sum("reach", filter=~Exists(twin_before)), 0)


def delivery(scope: Scope) -> dict:
    """Learning delivered in the period by the framework's six ways, and its reach."""
    first, last = scope.period.bounds
    delivered = DeliveryActivity.objects.filter(
        scope.delivered_q(), delivered_on__range=(first, last)
    )
    rows = {
        row["way"]: row
        for row in delivered.values("way")
        .annotate(n=Count("pk"), reach=reached_once(delivered))
        .order_by()
    }
    common = {**scope.in_period("delivered_year"), "subgroup": scope.subgroup_param}
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


def practice(scope: Scope) -> dict:
    """Practice development checks made in the period by result, and training evaluations."""
    first, last = scope.period.bounds
    rows = {
        row["result"]: row["n"]
        for row in PracticeCheck.objects.filter(scope.checked_q(), checked_on__range=(first, last))
        .values("result")
        .annotate(n=Count("pk"))
        .order_by()
    }
    common = {**scope.in_period("checked_year"), "subgroup": scope.subgroup_param}
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
            scope.checked_q("practice_check__"),
            completed_on__range=(first, last),
        )
        .values("stage")
        .annotate(
            n=Count("pk"), responses=Coalesce(Sum("responses"), 0), confidence=Avg("confidence")
        )
        .order_by()
    }
    # The same stages answered by attendees in questionnaires (learning.training) for training
    # delivered in the period, beside those recorded by hand: a questionnaire's confidence is
    # out of 5, not 10, so the two are shown side by side rather than added together.
    answered = Questionnaire.objects.filter(
        pk__in=Questionnaire.objects.filter(
            scope.delivered_q("attendee__session__activities__"),
            attendee__session__delivered_on__range=(first, last),  # as impact by outcome
        ).values("pk")
    )
    answers = evaluation_by(answered)[None]
    by_answers = {
        TrainingEvaluationStage.Stage.BASELINE: (answers.baseline, answers.confidence_before),
        TrainingEvaluationStage.Stage.IMMEDIATE: (answers.after, answers.confidence_after),
        TrainingEvaluationStage.Stage.FOLLOW_UP: (
            answers.follow_up,
            answers.confidence_follow_up,
        ),
    }
    stages = [
        {
            "stage": stage.label,
            "count": evaluation.get(stage, {}).get("n", 0),
            "responses": evaluation.get(stage, {}).get("responses", 0),
            "confidence": _one_place(evaluation.get(stage, {}).get("confidence")),
            "answers": by_answers[stage][0],
            "answers_confidence": by_answers[stage][1],
        }
        for stage in TrainingEvaluationStage.Stage
        if stage in evaluation or by_answers[stage][0]
    ]
    return {
        "results": results,
        "checked": Figure(checked, link("learning:checks", **common)),
        "improved_percent": percent(improved, checked),
        "evaluation": stages,
    }


def _one_place(value):
    return round_half_up(value, 1)


def outcomes_agreed(scope: Scope) -> Figure:
    first, last = scope.period.bounds
    n = LearningOutcome.objects.filter(
        scope.q("theme__subgroup_id"),
        decided_on__range=(first, last),
        decision__in=LearningOutcome.AGREED,
    ).count()
    return Figure(
        n,
        link("learning:outcomes", **scope.in_period("agreed_year"), subgroup=scope.subgroup_param),
    )


def reach_by_outcome(scope: Scope, limit: int | None = DELIVERIES_SHOWN) -> Shown:
    """Per learning outcome, each delivery in the period and its reach: the first ``limit``
    deliveries (every one where None), by outcome, and how many more there are (``not_shown``),
    in one query. Each outcome's ``delivered`` and ``reach`` count all its deliveries in the
    period, shown or not (as the impact by outcome counts them), and its ``not_shown`` how many
    of them are not shown.

    A briefing's reach is what agencies confirmed they cascaded (its activity's reach, kept in
    step with every confirmation by ``learning.briefings.services.cascade_confirm``), and links
    to those confirmations; any other delivery's links to its outcome's page.
    """
    first, last = scope.period.bounds
    confirmed = Q(briefing__cascades__confirmed_at__isnull=False)
    per_outcome = {"partition_by": [F("outcome_id")]}
    rows = list(
        DeliveryActivity.objects.filter(scope.delivered_q(), delivered_on__range=(first, last))
        .annotate(
            briefing_uuid=F("briefing__uuid"),
            agencies=Count("briefing__cascades"),
            agencies_confirmed=Count("briefing__cascades", filter=confirmed),
            # Worked out over every delivery before the rows are cut to ``limit``.
            outcome_delivered=Window(Count("pk"), **per_outcome),
            outcome_reach=Window(Sum("reach"), **per_outcome),
            of_all=Window(Count("pk")),
        )
        .select_related("outcome")
        .order_by("outcome__title", "outcome_id", "delivered_on", "pk")[:limit]
    )
    by_outcome: dict[int, dict] = {}
    for activity in rows:
        outcome = activity.outcome
        row = by_outcome.setdefault(
            outcome.pk,
            {
                "outcome": outcome,
                "deliveries": [],
                "delivered": activity.outcome_delivered,
                "reach": activity.outcome_reach or 0,
            },
        )
        if activity.briefing_uuid:
            url = link("briefings:detail", activity.briefing_uuid) + "#cascade"
        else:
            url = link("learning:outcome", outcome.uuid)
        row["deliveries"].append(
            {
                "activity": activity,
                "reach": Figure(activity.reach or 0, url),
                "agencies": activity.agencies,
                "agencies_confirmed": activity.agencies_confirmed,
            }
        )
    for row in by_outcome.values():
        row["not_shown"] = row["delivered"] - len(row["deliveries"])
    return Shown(by_outcome.values(), (rows[0].of_all if rows else 0) - len(rows))
