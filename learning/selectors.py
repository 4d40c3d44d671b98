"""Every read of the learning loop that crosses rows, already scoped to the person reading."""

import datetime
import operator
from functools import lru_cache, reduce
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from audits.models import SelfAssessment, StandardAssessment
from audits.performance.selectors import indicators_visible_to, returns_due
from audits.selectors import (
    MODERATED_BY,
    audits_visible_to,
    can_moderate,
    not_met,
    self_assessments_visible_to,
    standards_not_met,
    unanswered,
)
from reviews.selectors import (
    asked_of_agency,
    review_hidden_annotation,
    review_visible_at,
    reviews_visible_to,
)
from sscb.access import can_work_for_subgroup, get_by_public_id, subgroup_ids
from sscb.history import Link
from sscb.lists import PAGE_SIZE, CountedPaginator, count_up_to, first_rows, plural
from sscb.models import Agency, SubGroup, User

from .models import (
    ACTION_OWNER,
    Action,
    AssuranceEvidence,
    Attachment,
    DeliveryActivity,
    Finding,
    LearningOutcome,
    LoopStage,
    PracticeCheck,
    PriorityTheme,
    TrainingEvaluationStage,
)

# Loop stage ---------------------------------------------------------------------------------


# What a practice development check found, once it is known ("Not yet known" finds nothing).
CHECK_KNOWN = [
    PracticeCheck.Result.IMPROVED,
    PracticeCheck.Result.PARTLY,
    PracticeCheck.Result.NO_CHANGE,
]
CHECK_CHANGED = [PracticeCheck.Result.IMPROVED, PracticeCheck.Result.PARTLY]


def _checks_known(outcome, as_of: datetime.date | None = None) -> QuerySet:
    """The outcome's practice checks that found something (dated, and by the end of ``as_of``)."""
    checks = PracticeCheck.objects.filter(
        outcome=outcome, checked_on__isnull=False, result__in=CHECK_KNOWN
    )
    return checks if as_of is None else checks.filter(checked_on__lte=as_of)


def practice_changed(outcome=None, as_of: datetime.date | None = None) -> Q:
    """The outcome's practice checks show that practice changed (by the end of ``as_of``): at
    least one found improvement (or some), and no agency's latest check found no change. Only
    then is evidence judged "Assured" taken to show impact (the framework's 3.5–3.6: practice
    actually improved), so a theme is assured, and a review's learning said to have changed
    services, only where the checks agree. ``outcome`` is where the outcome is (an OuterRef;
    by default the query's own row)."""
    outcome = OuterRef("pk") if outcome is None else outcome
    known = _checks_known(outcome, as_of)
    later = _checks_known(OuterRef("outcome"), as_of).filter(
        Q(checked_on__gt=OuterRef("checked_on"))
        | Q(checked_on=OuterRef("checked_on"), pk__gt=OuterRef("pk")),
        agency=OuterRef("agency"),
    )
    unchanged_last = known.filter(result=PracticeCheck.Result.NO_CHANGE).filter(~Exists(later))
    return Q(Exists(known.filter(result__in=CHECK_CHANGED))) & ~Q(Exists(unchanged_last))


def _outcome_steps(as_of: datetime.date | None = None) -> dict[LoopStage, Q]:
    """What each stage after "themed" asks of one outcome (the query's own row); with
    ``as_of``, done by the end of that day (each step is dated). Practice is checked once a
    check has found something; assured needs evidence judged "Assured" and checks that show
    practice changed (``practice_changed``)."""
    outcome = OuterRef("pk")
    by = {} if as_of is None else {"decided_on__lte": as_of}
    delivered = DeliveryActivity.objects.filter(outcome=outcome, delivered_on__isnull=False)
    assured = AssuranceEvidence.objects.filter(
        outcome=outcome, judgement=AssuranceEvidence.Judgement.ASSURED
    )
    if as_of is not None:
        delivered = delivered.filter(delivered_on__lte=as_of)
        assured = assured.filter(judged_on__lte=as_of)
    return {
        LoopStage.OUTCOME_AGREED: Q(decision__in=LearningOutcome.AGREED, **by),
        LoopStage.DELIVERED: Q(Exists(delivered)),
        LoopStage.PRACTICE_CHECKED: Q(Exists(_checks_known(outcome, as_of))),
        LoopStage.ASSURED: Q(Exists(assured)) & practice_changed(outcome, as_of),
    }


def _outcome_reached(stage: LoopStage, as_of: datetime.date | None = None) -> Q:
    """The outcome has reached ``stage`` and every stage before it (by the end of ``as_of``):
    evidence judged assured for an outcome still awaiting the Executive, or never delivered,
    counts for nothing."""
    return reduce(operator.and_, [q for step, q in _outcome_steps(as_of).items() if step <= stage])


class _LoopStageField(IntegerField):
    """The loop stage as it comes out of the database: a ``LoopStage``, whose ``label`` a page
    prints without looking it up among the choices."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else LoopStage(value)


@lru_cache(maxsize=8)
def _stage_annotation(theme_ref: str, as_of: datetime.date | None = None):
    """The furthest stage reached by the theme at ``theme_ref`` (an OuterRef path), in SQL: the
    furthest one of its outcomes has reached with every stage before it (DESIGN.md); with
    ``as_of``, the stage it had reached by the end of that day (a past year's figures).

    Built once a process for each day asked: it holds no user or record, and a query resolves
    a copy of it (as it does ``Meta.ordering``), so building its ten subqueries on every call
    (2 ms, twice on the dashboard) bought nothing."""
    outcomes = LearningOutcome.objects.filter(theme=OuterRef(theme_ref))
    return Case(
        *[
            When(Exists(outcomes.filter(_outcome_reached(stage, as_of))), then=Value(stage))
            for stage in sorted(_outcome_steps(), reverse=True)
        ],
        default=Value(LoopStage.THEMED),
        output_field=_LoopStageField(),
    )


def theme_existed_on(day: datetime.date) -> Q:
    """Themes there by the end of ``day``: made by then or, for one recorded afterwards, agreed,
    closed or given an agreed outcome by then. A past period's figures count no theme made
    since, so what the Board was told does not change as themes are added."""
    return (
        Q(created_at__date__lte=day)
        | Q(agreed_on__lte=day)
        | Q(closed_on__lte=day)
        | Q(
            Exists(
                LearningOutcome.objects.filter(
                    theme=OuterRef("pk"), decision__in=LearningOutcome.AGREED, decided_on__lte=day
                )
            )
        )
    )


def theme_open_on(day: datetime.date | None = None) -> Q:
    """Themes open at the end of ``day`` (today when None): one closed afterwards was open."""
    not_closed = ~Q(status=PriorityTheme.Status.CLOSED)
    return not_closed if day is None else not_closed | Q(closed_on__gt=day)


def theme_status_on(day: datetime.date):
    """A theme's status at the end of ``day``, from its history; where its history does not
    reach back so far (a theme recorded afterwards), the status it has now, save that one
    closed since was then agreed (or proposed, if not yet agreed by then)."""
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )
    then = (
        PriorityTheme.history.filter(id=OuterRef("pk"), history_date__lt=end)
        .order_by("-history_date", "-history_id")
        .values("status")[:1]
    )
    status = PriorityTheme.Status
    since = Case(
        When(
            Q(status=status.CLOSED, closed_on__gt=day),
            then=Case(
                When(agreed_on__lte=day, then=Value(status.AGREED)),
                default=Value(status.PROPOSED),
            ),
        ),
        default=F("status"),
    )
    return Coalesce(Subquery(then), since, output_field=CharField())


def loop_stage_on(day: datetime.date):
    """A theme's loop stage as it stood at the end of ``day`` (the theme list's filter)."""
    return _stage_annotation("pk", day)


def with_loop_stage(themes: QuerySet, as_of: datetime.date | None = None) -> QuerySet:
    """Themes with ``loop_stage``: the furthest stage reached, today or by the end of ``as_of``."""
    return themes.annotate(loop_stage=_stage_annotation("pk", as_of))


def outcomes_assured(as_of: datetime.date | None = None) -> QuerySet:
    """Outcomes that have come all the way round the loop (today, or by the end of ``as_of``):
    what a report may call impact."""
    return LearningOutcome.objects.filter(_outcome_reached(LoopStage.ASSURED, as_of))


def findings_with_loop_stage(findings: QuerySet) -> QuerySet:
    """A finding's stage is its theme's; without a theme it is only identified."""
    return findings.annotate(
        loop_stage=Case(
            When(theme__isnull=True, then=Value(LoopStage.IDENTIFIED)),
            default=_stage_annotation("theme_id"),
            output_field=_LoopStageField(),
        )
    )


def theme_loop_stage(theme: PriorityTheme) -> LoopStage:
    return with_loop_stage(PriorityTheme.objects.filter(pk=theme.pk)).get().loop_stage


# Visibility ---------------------------------------------------------------------------------


def _source_visible(user, prefix=""):
    """Records whose review and audit (where there is one) the user may open."""
    review = review_visible_at(user, f"{prefix}review")
    if not user.is_agency_lead:
        return review
    # EXISTS for the audit too, as review_visible_at says why.
    return review & (
        Q(**{f"{prefix}audit__isnull": True})
        | Exists(audits_visible_to(user).filter(pk=OuterRef(f"{prefix}audit")))
    )


def findings_visible_to(user) -> QuerySet:
    """BU: all. Reviewer: their review's. Agency lead: those concerning their agency. Others:
    those whose source they may open."""
    findings = Finding.objects.all()
    if user.is_business_unit:
        return findings
    if user.is_independent_reviewer:
        return findings.filter(review__in=reviews_visible_to(user).values("pk"))
    if user.is_agency_lead:
        concerns = Finding.agencies.through.objects.filter(
            finding=OuterRef("pk"), agency_id=user.agency_id
        )
        return findings.filter(_source_visible(user), Exists(concerns))
    return findings.filter(_source_visible(user))


def themes_visible_to(user) -> QuerySet:
    """Themes are the Board's own aggregates, seen by the Board's members. An independent
    reviewer sees the themes of their review's findings; an agency lead, the themes of findings
    about their agency and of outcomes that ask something of it."""
    themes = PriorityTheme.objects.all()
    if user.is_independent_reviewer:
        return themes.filter(pk__in=findings_visible_to(user).values("theme_id"))
    if user.is_agency_lead:
        # Each asked as its own EXISTS: joined, a theme's outcomes times their actions, evidence
        # and checks made one row each (4 s for an agency lead's outcome list at scale 1).
        agency, theme = user.agency_id, OuterRef("pk")
        return themes.filter(
            Q(pk__in=findings_visible_to(user).values("theme_id"))
            | Exists(Action.objects.filter(outcome__theme=theme, owner_agency_id=agency))
            | Exists(AssuranceEvidence.objects.filter(outcome__theme=theme, agency_id=agency))
            | Exists(PracticeCheck.objects.filter(outcome__theme=theme, agency_id=agency))
        )
    return themes


def outcomes_visible_to(user) -> QuerySet:
    return LearningOutcome.objects.filter(theme__in=themes_visible_to(user).values("pk"))


def activities_visible_to(user) -> QuerySet:
    """Delivery activities of the outcomes the user may see."""
    return DeliveryActivity.objects.filter(outcome__in=outcomes_visible_to(user).values("pk"))


def checks_visible_to(user) -> QuerySet:
    """Practice development checks under visible themes; an agency lead sees their agency's."""
    checks = PracticeCheck.objects.filter(outcome__theme__in=themes_visible_to(user).values("pk"))
    if user.is_agency_lead:
        return checks.filter(agency_id=user.agency_id)
    return checks


def evaluation_stages_visible_to(user) -> QuerySet:
    """The stages of the training evaluations (practice checks) the user may see."""
    return TrainingEvaluationStage.objects.filter(
        practice_check__in=checks_visible_to(user).values("pk")
    )


def actions_visible_to(user) -> QuerySet:
    """Each action carries ``review_hidden``: its plan's review is one the user may not open.
    Only an agency lead's can be (their agency's actions, whatever the review); anyone else sees
    an action only with its review, so asking again for each row cost the database a second
    pass over every review the reader may open (3 ms a list at scale 1)."""
    hidden = (
        review_hidden_annotation(user)
        if user.is_agency_lead
        else Value(False, output_field=BooleanField())
    )
    return _actions_seen_by(user).annotate(review_hidden=hidden)


def _actions_seen_by(user) -> QuerySet:
    """Which actions the user may see (``actions_visible_to``, without what each carries)."""
    if user.is_agency_lead:
        return Action.objects.filter(owner_agency_id=user.agency_id)
    if user.is_business_unit:
        return Action.objects.all()
    if user.is_independent_reviewer:
        return Action.objects.filter(review__in=reviews_visible_to(user).values("pk"))
    return Action.objects.filter(_source_visible(user))


def evidence_visible_to(user) -> QuerySet:
    evidence = AssuranceEvidence.objects.all()
    if user.is_business_unit:
        return evidence
    if user.is_agency_lead:
        return evidence.filter(agency_id=user.agency_id)
    if user.is_independent_reviewer:
        return evidence.none()
    return evidence


# One access helper per object type, each taking the record's public id: 404 for what the user
# may not see, 403 for a write they may not make.


# What a history calls the records a record is linked to, for a reader who may open them: each
# as its page is headed. A recommendation, a return's standard and a scorecard are never named
# there: a history says only how the link changed ("moved to another recommendation").
HISTORY_NAMES = {
    "review": (reviews_visible_to, "reference"),
    "audit": (audits_visible_to, "reference"),
    "finding": (findings_visible_to, "title"),
    "theme": (themes_visible_to, "title"),
    "outcome": (outcomes_visible_to, "title"),
}


def history_links(user, *fields: str) -> list[Link]:
    """A record's ``fields`` that link it to records with their own rule for who may see them
    (its review, its theme), as its history shows them to ``user`` (``sscb.history.Link``):
    naming only what they may open."""
    links = []
    for field in fields:
        visible, name = HISTORY_NAMES.get(field, (None, None))
        links.append(Link(field, visible(user), name) if visible else Link(field))
    return links


def get_finding_for_user(user, uuid: UUID, write=False) -> Finding:
    finding = get_by_public_id(
        findings_visible_to(user).select_related(
            "review", "audit", "recommendation__inspection", "theme", "subgroup"
        ),
        uuid,
    )
    if write and not can_work_for_subgroup(user, finding.subgroup_id):
        raise PermissionDenied
    return finding


def get_theme_for_user(user, uuid: UUID, write=False) -> PriorityTheme:
    theme = get_by_public_id(
        with_loop_stage(themes_visible_to(user)).select_related("subgroup"), uuid
    )
    if write and not can_work_for_subgroup(user, theme.subgroup_id):
        raise PermissionDenied
    return theme


def get_outcome_for_user(user, uuid: UUID, write=False) -> LearningOutcome:
    outcome = get_by_public_id(
        outcomes_visible_to(user).select_related("theme__subgroup", "decided_by"), uuid
    )
    if write and not can_work_for_subgroup(user, outcome.theme.subgroup_id):
        raise PermissionDenied
    return outcome


def get_evidence_for_user(user, uuid: UUID, write=False) -> AssuranceEvidence:
    evidence = get_by_public_id(
        evidence_visible_to(user).select_related("outcome__theme__subgroup", "agency", "judged_by"),
        uuid,
    )
    if write and not can_work_for_subgroup(user, evidence.outcome.theme.subgroup_id):
        raise PermissionDenied
    return evidence


def get_activity_for_user(user, uuid: UUID) -> DeliveryActivity:
    return get_by_public_id(
        activities_visible_to(user).select_related("outcome__theme", "briefing"), uuid
    )


def get_check_for_user(user, uuid: UUID) -> PracticeCheck:
    return get_by_public_id(checks_visible_to(user).select_related("outcome__theme"), uuid)


def get_evaluation_stage_for_user(user, uuid: UUID) -> TrainingEvaluationStage:
    return get_by_public_id(
        evaluation_stages_visible_to(user).select_related("practice_check__outcome__theme"), uuid
    )


# The kind of source a finding from a review of each kind has (any other kind: a learning review).
SOURCE_OF_REVIEW_KIND = {
    "scr": Finding.Source.SERIOUS_CASE_REVIEW,
    "lcspr": Finding.Source.SERIOUS_CASE_REVIEW,
    "child_death": Finding.Source.CDOP,
}


def finding_sources(user, *, review: UUID | None, audit: UUID | None) -> dict:
    """What a new finding from a review or audit starts with (the thread and review pages link
    with it), where the user may see it: the record, the kind of source and the sub-group that
    leads it. One query for each named."""
    initial = {}
    if review and (found := reviews_visible_to(user).filter(uuid=review).first()):
        source = SOURCE_OF_REVIEW_KIND.get(found.kind, Finding.Source.LEARNING_REVIEW)
        initial |= {"review": found, "source": source, "subgroup": found.subgroup_id}
    if audit and (found := audits_visible_to(user).filter(uuid=audit).first()):
        initial |= {
            "audit": found,
            "source": Finding.Source.QUALITY_ASSURANCE,
            "subgroup": found.lead_subgroup_id,
        }
    return {name: value for name, value in initial.items() if value}


def active_agency(agency: UUID | None) -> Agency | None:
    """The partner agency a link names by its public id, if it is active; one query."""
    return Agency.objects.filter(uuid=agency, is_active=True).first() if agency else None


def theme_start(user, finding: UUID | None) -> dict:
    """What a new theme started from a finding's page begins with: that finding ticked and its
    sub-group, where the user may see the finding and it is in no theme yet. One query."""
    if finding and (
        found := findings_visible_to(user).filter(uuid=finding, theme__isnull=True).first()
    ):
        return {"findings": [found.uuid], "subgroup": found.subgroup_id}
    return {}


def can_provide_evidence(user, evidence: AssuranceEvidence) -> bool:
    """The agency asked, or the sub-group, may send (or add to) the evidence until it is judged."""
    if evidence.judgement != AssuranceEvidence.Judgement.PENDING:
        return False
    return (user.is_agency_lead and evidence.agency_id == user.agency_id) or can_work_for_subgroup(
        user, evidence.outcome.theme.subgroup_id
    )


def get_action_for_user(user, uuid: UUID, write=False) -> Action:
    """The action, with the record it answers, and ``finding_hidden`` set where its finding is
    one the user may not open: the finding is fetched through the reader's finding visibility,
    so a hidden one is never loaded (``action.finding`` is None). Each record it may answer is
    fetched after the action, so the five it does not answer cost no query: joining all six
    made the database plan for 7 ms to read one row in 0.5 (issue 15)."""
    action = get_by_public_id(
        actions_visible_to(user)
        .select_related("owner_agency", "owner", "subgroup", "signed_off_by")
        .prefetch_related(
            "review",
            "audit",
            "outcome",
            Prefetch(
                "standard_assessment",
                queryset=StandardAssessment.objects.select_related(
                    "standard", "self_assessment__cycle", "self_assessment__agency"
                ),
            ),
            "recommendation__inspection",
            Prefetch("finding", queryset=findings_visible_to(user)),
        ),
        uuid,
    )
    if write and not can_work_for_subgroup(user, action.subgroup_id):
        raise PermissionDenied
    action.finding_hidden = bool(action.finding_id and action.finding is None)
    return action


# The versions of an outcome read for its earlier decisions: each edit of the outcome is a
# version, and a decision is seldom recorded more than a few times.
DECISION_VERSIONS_READ = 200


def earlier_decisions(outcome: LearningOutcome) -> list:
    """The Executive's decisions on ``outcome`` before the one it holds now, newest first, each
    once, as versions from its history: a decision recorded again replaces the outcome's, never
    its record."""
    versions = (
        outcome.history.exclude(decision=LearningOutcome.Decision.PENDING)
        .select_related("decided_by")
        .order_by("-history_date", "-history_id")[:DECISION_VERSIONS_READ]
    )
    seen = {(outcome.decision, outcome.decided_on, outcome.decision_notes)}
    earlier = []
    for version in versions:
        decision = (version.decision, version.decided_on, version.decision_notes)
        if decision not in seen:
            seen.add(decision)
            earlier.append(version)
    return earlier


def return_opens(user, action: Action) -> bool:
    """Whether the reader may open the return whose standard ``action`` answers."""
    answer = action.standard_assessment
    return answer is not None and (
        self_assessments_visible_to(user).filter(pk=answer.self_assessment_id).exists()
    )


def get_action_key_for_user(user, uuid: UUID) -> Action:
    """The action's keys alone, through the same visibility as ``get_action_for_user``: what
    its page needs on every view, kept for its reader or not (who may open it, its files)."""
    return get_by_public_id(_actions_seen_by(user).only("pk", "uuid"), uuid)


def can_report_progress(user, action: Action) -> bool:
    return (
        (user.is_agency_lead and action.owner_agency_id == user.agency_id)
        or action.owner_id == user.pk
        or can_work_for_subgroup(user, action.subgroup_id)
    )


def get_attachment_for_user(user, uuid: UUID) -> Attachment:
    """A file is served only to those who may see the action or evidence it belongs to."""
    attachment = get_by_public_id(Attachment.objects.select_related("action", "evidence"), uuid)
    if attachment.action_id:
        allowed = actions_visible_to(user).filter(pk=attachment.action_id)
    else:
        allowed = evidence_visible_to(user).filter(pk=attachment.evidence_id)
    if not allowed.exists():
        raise Http404
    return attachment


# Lists --------------------------------------------------------------------------------------


def action_list(user) -> QuerySet:
    """Actions with what a row of them shows: the records its reference names and its owning
    agency. Nothing more is joined: each join more grew the planner's time (issue 15: the action
    tracker's query planned in 8 ms with seven joins), and an export adds what it writes."""
    return (
        actions_visible_to(user)
        .select_related("review", "audit", "recommendation__inspection", "owner_agency")
        .with_rag(timezone.localdate())
    )


def actions_counted() -> QuerySet:
    """Every action, as the Board's figures count them whoever reads them (a restricted
    review's too), with the RAG the tracker's filter reads: never listed, only counted beside a
    list of the actions a person may open."""
    return Action.objects.with_rag(timezone.localdate())


def finding_list(user) -> QuerySet:
    return findings_with_loop_stage(
        findings_visible_to(user).select_related(
            "review", "audit", "recommendation__inspection", "theme", "subgroup"
        )
    ).prefetch_related("agencies")


def finding_rows(user) -> QuerySet:
    """The findings list page's rows: only the records its table names (each join more grew the
    planner's time: 4.6 ms for the five ``finding_list`` joins, 1.3 ms for these three), and no
    loop stage, which the page does not show; its filter adds it (``FindingFilter``)."""
    return (
        findings_visible_to(user)
        .select_related("review", "audit", "theme")
        # A list, not a manager: a row reads it without building a queryset for it.
        .prefetch_related(Prefetch("agencies", to_attr="agency_list"))
    )


def _count_per_theme(records: QuerySet):
    """How many of ``records`` name the query's theme, as a subquery: counted by joining, a
    theme list grouped every finding and outcome row (2,405 rows for 42 themes on scale 0.02) and
    its page count could not leave the counts out."""
    counted = records.filter(theme=OuterRef("pk")).order_by().values("theme")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def theme_list(user) -> QuerySet:
    return with_loop_stage(
        themes_visible_to(user)
        .annotate(
            # The findings the reader may open (the theme's page says how many more there are);
            # a theme open to them has every outcome open to them.
            finding_count=_count_per_theme(findings_visible_to(user)),
            outcome_count=_count_per_theme(LearningOutcome.objects.all()),
        )
        .order_by("title")
    ).prefetch_related(Prefetch("priorities", to_attr="priority_list"))  # a list for each row


def outcome_list(user) -> QuerySet:
    return (
        outcomes_visible_to(user)
        .select_related("theme", "decided_by")
        .annotate(
            activity_count=Count("activities", distinct=True),
            delivered_count=Count(
                "activities", filter=Q(activities__delivered_on__isnull=False), distinct=True
            ),
        )
        .order_by("theme__title", "pk")
    )


def activity_list(user) -> QuerySet:
    return (
        activities_visible_to(user).select_related("outcome__theme").order_by("-planned_on", "pk")
    )


def check_list(user) -> QuerySet:
    return (
        checks_visible_to(user)
        .select_related("outcome__theme", "agency", "activity")
        .order_by("-checked_on", "-pk")
    )


def evidence_list(user) -> QuerySet:
    return evidence_visible_to(user).select_related(
        "outcome__theme", "agency", "judged_by", "scorecard"
    )


def recurring_findings(user) -> QuerySet:
    """Findings not yet in a theme, so that the L&I sub-group can see what recurs."""
    return (
        findings_visible_to(user)
        .filter(theme__isnull=True)
        .select_related("review", "audit")
        .prefetch_related("agencies")
        .order_by("source", "-identified_on")
    )


def recurring_by_agency(user) -> QuerySet:
    """How many unthemed areas for improvement concern each agency, and of them how many came
    from a review, from an audit and from anywhere else (practitioner feedback, an inspection):
    the three add up to the first."""
    unthemed = findings_visible_to(user).filter(
        theme__isnull=True, nature=Finding.Nature.IMPROVEMENT
    )
    return (
        Agency.objects.filter(findings__in=unthemed.values("pk"))
        .annotate(
            finding_count=Count("findings", distinct=True),
            review_count=Count("findings", filter=Q(findings__review__isnull=False), distinct=True),
            audit_count=Count(
                "findings",
                filter=Q(findings__review__isnull=True, findings__audit__isnull=False),
                distinct=True,
            ),
            other_count=Count(
                "findings",
                filter=Q(findings__review__isnull=True, findings__audit__isnull=True),
                distinct=True,
            ),
        )
        .filter(finding_count__gte=2)
        .order_by("-finding_count", "name")
    )


def standards_needing_action(user, self_assessment=None) -> QuerySet:
    """Section 11 / 175 standards rated not met that have no action yet (in one return, if
    given), for QAP and the BU."""
    if not can_moderate(user):
        return StandardAssessment.objects.none()
    answers = standards_not_met().filter(unanswered())
    if self_assessment is not None:
        answers = answers.filter(self_assessment=self_assessment)
    return answers


# Agency view --------------------------------------------------------------------------------


# My agency shows the open actions and evidence requests due soonest, and how many there are in
# all: an agency may have thousands open at once, which its action and evidence lists page through.
AGENCY_ROWS = 25


def _partly_met(prefix: str = "") -> Q:
    """An answer rated partly met: its moderated score, or its own while not yet moderated
    (as ``audits.selectors.not_met``). ``prefix`` is the path to the answer."""
    partly = StandardAssessment.Score.PARTLY_MET
    return Q(**{f"{prefix}moderated_score": partly}) | Q(
        **{f"{prefix}moderated_score__isnull": True, f"{prefix}self_score": partly}
    )


def agency_work(user) -> dict:
    """What is addressed to a partner agency lead's agency: its open actions, evidence requests
    (the ``AGENCY_ROWS`` due soonest of each, with ``actions_count`` and ``evidence_count``, which
    stop one past 1,000: a page writes them ``|how_many``) and
    Section 11 / 175 returns, each row with ``next_step`` (what the agency does next, or who it
    waits on) and ``next_url`` (where to do it); four queries."""
    today = timezone.localdate()
    open_actions = (
        action_list(user)
        .filter(owner_agency_id=user.agency_id)
        .exclude(status__in=[Action.Status.SIGNED_OFF, Action.Status.CANCELLED])
        .select_related("subgroup")
        .order_by("due_on", "pk")
    )
    # The rows, then the count, not first_rows: its window joined the records that every one of
    # an agency's open actions names before it could stop at the first 25 (45 ms for 4,189 open
    # actions at scale 1).
    actions, actions_count = list(open_actions[:AGENCY_ROWS]), count_up_to(open_actions)
    for action in actions:
        action.next_url = action.get_absolute_url()
        if action.status == Action.Status.COMPLETE:
            action.next_step = (
                f"Nothing: the {action.subgroup} signs it off (until then you may correct it)"
            )
        elif action.sent_back_reason:
            action.next_step = (
                f"Sent back by the {action.subgroup}: put right what it asks, then report "
                "completion again"
            )
        elif action.rag_state == Action.Rag.RED:
            action.next_step = "Overdue: report progress, or completion with its evidence"
        else:
            action.next_step = "Report progress, or completion with its evidence"
    # Overdue: not yet received and past its due date.
    overdue = Q(received_on__isnull=True, due_on__lt=today)
    evidence, evidence_count = first_rows(
        # Only what a row names: its outcome's theme's sub-group, not the list page's joins.
        evidence_visible_to(user)
        .filter(
            agency_id=user.agency_id,
            requested_on__isnull=False,
            judgement=AssuranceEvidence.Judgement.PENDING,
        )
        .select_related("outcome__theme__subgroup")
        .annotate(overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
        .order_by("due_on", "pk"),
        AGENCY_ROWS,
    )
    for item in evidence:
        item.next_url = item.get_absolute_url()
        item.next_step = (
            f"Nothing: the {item.outcome.theme.subgroup} judges it (you may add to it)"
            if item.received_on
            else "Overdue: send the evidence"
            if item.overdue
            else "Send the evidence"
        )
    returns = list(
        self_assessments_visible_to(user)
        .filter(agency_id=user.agency_id)
        .annotate(
            not_met_count=Count("answers", filter=not_met("answers__")),
            # Moderated: each answer's moderated score, its own where none (as ``not_met``).
            partly_met_count=Count("answers", filter=_partly_met("answers__")),
            scored_count=Count(
                "answers",
                filter=Q(answers__moderated_score__isnull=False)
                | Q(answers__self_score__isnull=False),
            ),
        )
        .order_by("-cycle__deadline", "cycle__title")
    )
    for item in returns:
        item.late = item.is_late(today)
        item.next_url = reverse("audits:return", args=[item.uuid])
        if item.is_editable:
            item.next_url = reverse("audits:return-edit", args=[item.uuid])
            by = f"submit it by {item.deadline:%-d %B %Y}"
            item.next_step = f"Overdue: fill in and {by}" if item.late else f"Fill in and {by}"
        elif item.status == SelfAssessment.Status.SUBMITTED:
            item.next_step = f"Nothing: {MODERATED_BY} moderates it"
        elif item.not_met_count:
            item.next_step = (
                f"Read the moderation: {plural(item.not_met_count, 'standard')} not met, "
                "to answer with actions"
            )
        elif item.partly_met_count:
            item.next_step = (
                "Nothing: moderated, no standard not met; "
                f"{item.partly_met_count} of {plural(item.scored_count, 'standard')} "
                "only partly met"
            )
        else:
            item.next_step = "Nothing: moderated, every standard met"
    return {
        "actions": actions,
        "actions_count": actions_count,
        "evidence": evidence,
        "evidence_count": evidence_count,
        "returns": returns,
        "performance_due": returns_due(user),
        "case_files": case_file_requests(user),
    }


def case_file_requests(user) -> list:
    """For My agency: each chronology and agency report the reviews its lead may open ask of
    the agency and still await (``reviews.selectors.asked_of_agency``), asked longest ago
    first, with ``next_step`` and ``next_url``; one query."""
    rows = []
    for row in asked_of_agency(user):
        review = row.review
        if row.chronology_awaited:
            rows.append(
                {
                    "review": review,
                    "what": "Chronology",
                    "requested_on": row.chronology_requested_on,
                    "next_step": "Add your entries, then mark your chronology as complete",
                    "next_url": reverse("reviews:chronology", args=[review.uuid]),
                }
            )
        if row.report_awaited:
            rows.append(
                {
                    "review": review,
                    "what": "Agency report",
                    "requested_on": row.report_requested_on,
                    "next_step": "Upload your agency report, then mark it as complete",
                    "next_url": reverse("reviews:documents", args=[review.uuid]),
                }
            )
    return sorted(rows, key=lambda row: row["requested_on"])


# The golden thread --------------------------------------------------------------------------


def _outcomes_in_full(user) -> QuerySet:
    """Outcomes with their activities, checks (and stages) and evidence prefetched."""
    stages = TrainingEvaluationStage.objects.order_by("stage")
    return LearningOutcome.objects.select_related("decided_by").prefetch_related(
        Prefetch(
            "activities",
            # A published briefing's delivery links to the briefing (learning.briefings).
            queryset=DeliveryActivity.objects.select_related("briefing").order_by("planned_on"),
        ),
        Prefetch(
            "checks",
            queryset=checks_visible_to(user)
            .select_related("agency", "activity")
            .prefetch_related(
                Prefetch("stages", queryset=stages),
                # A performance framework check's indicators, as far as the reader may see them.
                Prefetch("indicators", queryset=indicators_visible_to(user).order_by("name")),
            ),
        ),
        Prefetch(
            "evidence",
            queryset=evidence_visible_to(user).select_related("agency", "judged_by", "scorecard"),
        ),
    )


def outcome_page(user, outcome: LearningOutcome, page=None) -> LearningOutcome:
    """One outcome with everything the outcome page shows, and the page ``page`` of its
    actions, in a fixed number of queries."""
    outcome = _outcomes_in_full(user).select_related("theme").get(pk=outcome.pk)
    outcome.thread_actions = _thread_actions(user, outcomes=[outcome], page=page)
    return outcome


# An outcome's card (on a theme's page and a golden thread) names its newest pieces of evidence
# and says how many more its own page lists: generated load gives an outcome 50 to 60.
EVIDENCE_ON_A_CARD = 10


def _outcome_cards(user) -> QuerySet:
    """Outcomes with what ``learning/_outcome_card.html`` shows of them, their delivery, checks
    and newest evidence (``newest_evidence``, each piece with ``of``: how many the reader may see
    on the outcome), and nothing else: building every piece of evidence with its judge,
    scorecard and columns never shown was most of a golden thread's time (issue 15). The
    outcome page, which shows them all, uses ``_outcomes_in_full``."""
    agency = ("agency__name", "agency__short_name")
    return LearningOutcome.objects.only(
        "theme", "uuid", "title", "decision", "decided_on", "executive_on"
    ).prefetch_related(
        Prefetch("activities", queryset=DeliveryActivity.objects.order_by("planned_on")),
        Prefetch(
            "checks",
            queryset=checks_visible_to(user)
            .select_related("agency")
            .prefetch_related(
                Prefetch("indicators", queryset=indicators_visible_to(user).order_by("name"))
            ),
        ),
        Prefetch(
            "evidence",
            queryset=evidence_visible_to(user)
            .select_related("agency")
            .only("outcome", "uuid", "title", "judgement", *agency)
            .annotate(of=Window(Count("pk"), partition_by=F("outcome")))
            .order_by("-pk")[:EVIDENCE_ON_A_CARD],
            to_attr="newest_evidence",
        ),
    )


def _thread_themes(user, themes: QuerySet) -> list[PriorityTheme]:
    """``themes`` (the reader's) with everything downstream of them, in a fixed number of
    queries. Each ``loop_stage`` is a ``LoopStage``, so a page prints its label without looking
    it up among the choices."""
    return list(
        with_loop_stage(themes).prefetch_related(
            Prefetch("outcomes", queryset=_outcome_cards(user))
        )
    )


def _action_rows(user) -> QuerySet:
    """``action_list`` with only what ``learning/_action_table.html`` shows of each action (its
    reference, title, agency, due date, status and RAG) and what places it in the loop: a thread
    lists a hundred actions or more (issue 15)."""
    return action_list(user).only(
        "uuid",
        "number",
        "plan_label",
        "title",
        "due_on",
        "status",
        "at_risk",
        "review__reference",
        "audit__reference",
        "recommendation__inspection__reference",
        "standard_assessment",
        "outcome",
        "finding",
        "owner_agency__name",
        "owner_agency__short_name",
    )


# How an action (or a finding) names each kind of source: an inspection through the
# recommendation it answers (learning.scrutiny).
SOURCE_PATH = {"review": "review", "audit": "audit", "inspection": "recommendation__inspection"}

# The action's own column that answers each place in a thread; an inspection has none of its
# own, and is answered through its recommendations (``_answering``).
THREAD_PATH = {"review": "review", "audit": "audit", "finding": "finding", "outcome": "outcome"}


def _answering(kind: str, record) -> list[tuple[str, int]]:
    """The action's own columns, and their values, that answer a place in a thread. An
    inspection is answered through each of its recommendations, by the action's own key: asked
    through the join, beside the findings' and outcomes' keys, the database read every action
    (an inspection's thread, 130 ms of SQL at scale 1 for two actions)."""
    if kind == "inspection":
        return [
            ("recommendation", pk) for pk in record.recommendations.values_list("pk", flat=True)
        ]
    return [(THREAD_PATH[kind], record.pk)]


class _Place(Expression):
    """Where an action stands in a thread: ``CASE WHEN <path> = <pk> THEN <index> ...`` for each
    ``path`` and its ``(pk, index)`` pairs, the furthest place first (a CASE takes the first
    WHEN that holds). Django's ``Case(When(finding=pk), ...)`` builds and resolves a filter for
    each of a thread's forty or so places, twice a page: 6 ms of a thread made afresh at scale 1.
    Here each path is resolved once and every place is a parameter."""

    output_field = IntegerField()

    def __init__(self, places: dict[str, list[tuple[int, int]]]):
        super().__init__()
        self.paths = [F(path) for path in places]
        self.places = list(places.values())

    def get_source_expressions(self):
        return self.paths

    def set_source_expressions(self, exprs):
        self.paths = exprs

    def as_sql(self, compiler, connection):
        whens = []
        for path, places in zip(self.paths, self.places, strict=True):
            column, column_params = compiler.compile(path)
            whens += [
                (index, f"WHEN {column} = %s THEN %s", [*column_params, pk, index])
                for pk, index in places
            ]
        whens.sort(key=lambda when: when[0], reverse=True)
        sql = " ".join(when for _, when, _ in whens)
        return f"CASE {sql} ELSE NULL END", [param for _, _, params in whens for param in params]


def _thread_actions(user, *, findings=(), outcomes=(), source=None, page=None) -> Page:
    """The page ``page`` (a number as the query string gives it), ``PAGE_SIZE`` at a time, of
    the actions the reader may see that answer ``source`` (a review, an audit or an
    inspection), one of ``findings`` or one of ``outcomes`` (those on the page, already scoped to
    the reader), once each and in loop order: a thread at scale reaches hundreds of actions
    (issue 15). Each action is placed by the furthest round the loop of what it answers, so
    the order is worked out in SQL and every page is a slice of the same list; each on the page
    carries ``answers`` and ``answers_kind``, so a finding the reader may not open is never
    named."""
    # The places round the loop, in order: the source itself, then each finding, then each
    # outcome.
    places = [(source._meta.model_name, source)] if source is not None else []
    places += [("finding", finding) for finding in findings]
    places += [("outcome", outcome) for outcome in outcomes]
    answered = {}
    for index, (kind, record) in enumerate(places):
        for path, pk in _answering(kind, record):
            answered.setdefault(path, []).append((pk, index))
    if not answered:
        return CountedPaginator(Action.objects.none(), PAGE_SIZE).get_page(page)
    answering = reduce(
        operator.or_,
        (Q(**{f"{path}__in": [pk for pk, _ in pks]}) for path, pks in answered.items()),
    )
    actions = (
        _action_rows(user)
        .filter(answering)
        .annotate(thread_place=_Place(answered))
        .order_by("thread_place", "due_on", "pk")
    )
    page = CountedPaginator(actions, PAGE_SIZE).get_page(page)
    for action in page:
        action.answers_kind, action.answers = places[action.thread_place]
    return page


def thread_forward(user, *, review=None, audit=None, inspection=None, page=None) -> dict:
    """From a review, an audit or an inspection: its findings, their themes and all that
    followed, and the page ``page`` of the actions answering any of them, in loop order."""
    source = next(record for record in (review, audit, inspection) if record is not None)
    # Only what the thread shows of a finding: its title and theme (not ``finding_list``'s stage,
    # sources and agencies, which cost more to build than the rest of the findings' query).
    findings = list(
        findings_visible_to(user)
        .filter(**{SOURCE_PATH[source._meta.model_name]: source})
        .select_related("theme")
        .only("uuid", "title", "theme__uuid", "theme__title")
    )
    theme_ids = {finding.theme_id for finding in findings if finding.theme_id}
    themes = _thread_themes(user, themes_visible_to(user).filter(pk__in=theme_ids))
    outcomes = [outcome for theme in themes for outcome in theme.outcomes.all()]
    return {
        "findings": findings,
        "themes": themes,
        "actions": _thread_actions(
            user, findings=findings, outcomes=outcomes, source=source, page=page
        ),
    }


def _findings_not_shown(theme: PriorityTheme, shown: list) -> int:
    """How many of ``theme``'s findings the reader may not open, of those the theme list counts
    (as the Board's figures do): a page says so, as a number only, where it lists ``shown``."""
    return Finding.objects.filter(theme=theme).count() - len(shown)


def thread_back(user, evidence: AssuranceEvidence) -> dict:
    """From a piece of evidence: its outcome and theme, the findings behind them (and how many
    more are not open to the reader) and their sources: the reviews, audits and inspections,
    and the kinds of any other source (practitioner feedback ...), as the findings name them."""
    theme = get_theme_for_user(user, evidence.outcome.theme.uuid)
    findings = list(finding_list(user).filter(theme=theme))
    return {
        "evidence": evidence,
        "outcome": evidence.outcome,
        "theme": theme,
        "findings": findings,
        "findings_not_shown": _findings_not_shown(theme, findings),
        "reviews": sorted({f.review for f in findings if f.review_id}, key=lambda r: r.reference),
        "audits": sorted({f.audit for f in findings if f.audit_id}, key=lambda a: a.reference),
        "inspections": sorted(
            {f.recommendation.inspection for f in findings if f.recommendation_id},
            key=lambda i: i.reference,
        ),
        "other_sources": sorted(
            {
                f.get_source_display()
                for f in findings
                if not (f.review_id or f.audit_id or f.recommendation_id)
            }
        ),
    }


def theme_detail(user, theme: PriorityTheme, page=None) -> dict:
    """A theme with all that followed it, and the page ``page`` of the actions answering its
    findings or its outcomes, in loop order."""
    theme = _thread_themes(
        user,
        themes_visible_to(user)
        .filter(pk=theme.pk)
        .select_related("subgroup")
        .prefetch_related("priorities"),
    )[0]
    findings = list(finding_list(user).filter(theme=theme))
    return {
        "theme": theme,
        "findings": findings,
        "findings_not_shown": _findings_not_shown(theme, findings),
        "actions": _thread_actions(
            user, findings=findings, outcomes=list(theme.outcomes.all()), page=page
        ),
    }


def loop_next_step(user, stage: LoopStage, subgroup: SubGroup) -> str:
    """What moves the loop on from ``stage``, as ``user`` reads it under the stages: the step
    itself for those who may take it (who work for ``subgroup``, which takes it), and for anyone
    else who takes it, never a page that would refuse them."""
    may_take_it = can_work_for_subgroup(user, subgroup.pk)
    return stage.next_step_for("" if may_take_it else str(subgroup))


def subgroups_for_work(user) -> QuerySet:
    """The sub-groups a person may record learning work for."""
    if user.is_business_unit:
        return SubGroup.objects.all()
    if not user.is_subgroup_member:
        return SubGroup.objects.none()
    return SubGroup.objects.filter(pk__in=subgroup_ids(user))


def action_owners(agency_id=None) -> QuerySet:
    """Who may own an action (``ACTION_OWNER``), of the owning agency when it is known."""
    people = User.objects.filter(ACTION_OWNER)
    if agency_id is not None:
        people = people.filter(agency_id=agency_id)
    return people.select_related("agency").order_by("agency__name", "last_name", "first_name")


def form_choices(user) -> dict:
    """Querysets for the choices a person may pick from in learning forms."""
    return {
        "reviews": reviews_visible_to(user),
        "audits": audits_visible_to(user),
        "subgroups": subgroups_for_work(user),
    }
