"""Reads about audits and self-assessments, already scoped to the person asking."""

import datetime
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sscb.access import can_work_for_subgroup, get_by_public_id, require, subgroup_ids
from sscb.history import Change, Part, history_of, versions_with_changes
from sscb.models import Agency, SubGroup

from .models import Audit, AuditCycle, CaseAuditEntry, SelfAssessment, Standard, StandardAssessment

RETURNED = list(SelfAssessment.RETURNED)
OPEN = list(SelfAssessment.EDITABLE)


# --- who may do what ------------------------------------------------------------------------


def is_qap_member(user) -> bool:
    """Sits on (or chairs) the Quality Assurance and Performance sub-group; cached per request."""
    cached = getattr(user, "_is_qap_member", None)
    if cached is None:
        ids = subgroup_ids(user) if user.is_subgroup_member else frozenset()
        cached = (
            bool(ids)
            and SubGroup.objects.filter(pk__in=ids, code=SubGroup.Code.QUALITY_ASSURANCE).exists()
        )
        user._is_qap_member = cached
    return cached


def can_moderate(user) -> bool:
    """The Business Unit and QAP members moderate returns and open audit cycles' results."""
    return user.is_business_unit or is_qap_member(user)


# Who moderates a submitted return (``can_moderate``), as every page and message says it.
MODERATED_BY = "the Quality Assurance and Performance sub-group or the Business Unit"


def can_open_cycle(user) -> bool:
    return user.is_business_unit


def can_see_all_returns(user) -> bool:
    """QAP and the Business Unit see every return; the Executive reads the results."""
    return can_moderate(user) or user.is_executive


def can_create_audit(user) -> bool:
    return user.is_business_unit or (user.is_subgroup_member and bool(subgroup_ids(user)))


def can_edit_audit(user, audit) -> bool:
    return can_work_for_subgroup(user, audit.lead_subgroup_id) or (
        user.is_subgroup_member and is_qap_member(user)
    )


# --- audits ---------------------------------------------------------------------------------


def audits_visible_to(user) -> QuerySet[Audit]:
    """Everyone who works on or reads the Board's work sees audits; an agency lead sees their own
    agency's; an independent reviewer sees none."""
    audits = Audit.objects.select_related("lead_subgroup", "reports_to")
    if user.is_business_unit or user.is_subgroup_member or user.is_executive:
        return audits
    if user.is_agency_lead and user.agency_id:
        return audits.filter(agencies=user.agency_id).distinct()
    return audits.none()


def get_audit_for_user(user, uuid: UUID, write=False) -> Audit:
    audit = get_by_public_id(audits_visible_to(user), uuid)
    if write:
        require(can_edit_audit(user, audit))
    return audit


def reads_own_cases_only(user) -> bool:
    """An agency lead reads only their own agency's graded cases in full (others as counts)."""
    return user.is_agency_lead


def case_entries_visible_to(user) -> QuerySet[CaseAuditEntry]:
    """Graded cases in full, as ``reads_own_cases_only`` says."""
    entries = CaseAuditEntry.objects.all()
    if reads_own_cases_only(user):
        return entries.filter(agency_id=user.agency_id)
    return entries


def audit_detail(user, audit) -> dict:
    """The audit's agencies, the graded cases the user may read (``own_cases_only`` if only
    their agency's), and counts of every grade."""
    cases = list(
        case_entries_visible_to(user)
        .filter(audit=audit)
        .select_related("agency")
        .order_by("pseudonym")
    )
    grades = dict.fromkeys(CaseAuditEntry.Grade.values, 0)
    counts = CaseAuditEntry.objects.filter(audit=audit).values("grade").annotate(n=Count("pk"))
    for row in counts.order_by():
        grades[row["grade"]] = row["n"]
    return {
        "agencies": list(audit.agencies.all()),
        "cases": cases,
        "own_cases_only": reads_own_cases_only(user),
        "case_total": sum(grades.values()),
        "grade_counts": [(label, grades[value]) for value, label in CaseAuditEntry.Grade.choices],
    }


# What an audit's history lists: its own fields and agencies and its graded cases', never who
# first recorded it (the history says so) nor a finding or an action that names it (each has its
# own rule).
AUDIT_HISTORY_FIELDS = [
    "kind",
    "title",
    "lead_subgroup",
    "reports_to",
    "scope",
    "period_start",
    "period_end",
    "stage",
    "summary",
    "agencies",
]
CASE_HISTORY_FIELDS = ["pseudonym", "agency", "grade", "strengths", "concerns"]


def audit_history(user, audit):
    """Who changed the audit and, for a case file audit, the graded cases ``user`` may read
    (``case_entries_visible_to``), and what, the newest first. Two queries for each, and one for
    each kind of sub-group, person or agency named."""
    parts = []
    if audit.is_case_file:  # the page shows graded cases on no other
        entries = case_entries_visible_to(user).filter(audit=audit).values("pk")
        parts.append(
            Part(
                "graded case",
                CaseAuditEntry.history.filter(id__in=entries).select_related("history_user"),
                CASE_HISTORY_FIELDS,
                name="pseudonym",
            )
        )
    return history_of(audit.history.select_related("history_user"), AUDIT_HISTORY_FIELDS, parts)


# --- self-assessment returns ----------------------------------------------------------------


def self_assessments_visible_to(user) -> QuerySet[SelfAssessment]:
    returns = SelfAssessment.objects.select_related("cycle__framework", "agency")
    if can_see_all_returns(user):
        return returns
    if user.is_agency_lead and user.agency_id:
        return returns.filter(agency_id=user.agency_id)
    return returns.none()


def can_fill_in(user, self_assessment) -> bool:
    """An agency lead fills in their own agency's return; the Business Unit may fill in for a
    school or agency that has no lead on the system."""
    return user.is_business_unit or (
        user.is_agency_lead and user.agency_id == self_assessment.agency_id
    )


def get_self_assessment_for_user(user, uuid: UUID, write=False) -> SelfAssessment:
    """404 for a return the person may not know about; 403 for one they may read but not edit."""
    self_assessment = get_by_public_id(self_assessments_visible_to(user), uuid)
    if write:
        require(can_fill_in(user, self_assessment))
    return self_assessment


def can_read_answers(user, self_assessment) -> bool:
    """Once a return is in, everyone who may open it reads its answers; before, they are the
    agency's draft, read only by those who fill it in."""
    return self_assessment.is_returned or can_fill_in(user, self_assessment)


def not_met(prefix: str = "") -> Q:
    """An answer rated not met: its moderated score, or its own while not yet moderated (the
    same rule as ``StandardAssessment.is_not_met``). ``prefix`` is the path to the answer."""
    not_met_score = StandardAssessment.Score.NOT_MET
    return Q(**{f"{prefix}moderated_score": not_met_score}) | Q(
        **{f"{prefix}moderated_score__isnull": True, f"{prefix}self_score": not_met_score}
    )


def unanswered(prefix: str = "") -> Q:
    """An answer no action answers yet. An action names the answer it answers (the learning
    app's ``Action.standard_assessment``, read here through its link, as audits never import
    learning)."""
    actions = StandardAssessment._meta.get_field("actions").related_model.objects
    answered = actions.filter(standard_assessment__isnull=False).values("standard_assessment")
    return ~Q(**{f"{prefix}pk__in": answered})


def answered_in_this_cycle(prefix: str = "") -> Q:
    """An answer the agency has given in this cycle: scored, and not last cycle's answer still
    waiting to be re-confirmed (a return not started has answered nothing, whatever it carried
    forward). ``prefix`` is the path to the answer."""
    return Q(**{f"{prefix}self_score__isnull": False, f"{prefix}needs_reconfirmation": False})


def get_standard_assessment_for_user(user, uuid: UUID) -> StandardAssessment:
    """A Section 11 / 175 standard answer, if the user may open the return it belongs to."""
    return get_by_public_id(
        StandardAssessment.objects.filter(
            self_assessment__in=self_assessments_visible_to(user).values("pk")
        ).select_related("standard", "self_assessment__agency"),
        uuid,
    )


def answers_for(self_assessment, reader=None) -> list[StandardAssessment]:
    """A return's answers in standard order, with who moderated them and whether each
    ``needs_action`` (rated not met in a return that is in, and no action answers it yet): one
    query. With ``reader``, each answer's ``answering`` too: the actions whose plan is that
    standard that ``reader`` may open (an agency lead, their agency's), in a second query."""
    needs_action = not_met() & Q(self_assessment__status__in=RETURNED) & unanswered()
    answers = (
        StandardAssessment.objects.filter(self_assessment=self_assessment)
        .select_related("standard", "moderated_by")
        .annotate(needs_action=ExpressionWrapper(needs_action, output_field=BooleanField()))
        .order_by("standard__number")
    )
    if reader is not None:
        answers = answers.prefetch_related(
            Prefetch("actions", _actions_of_standards(reader), to_attr="answering")
        )
    return list(answers)


def _actions_of_standards(reader):
    """The actions a standard's plan holds (the learning app's, read through the link, as
    audits never import learning) that ``reader`` may open: with no review, audit or
    inspection, an agency lead opens their agency's and every other reader of a return all."""
    actions = StandardAssessment._meta.get_field("actions").related_model.objects.filter(
        review__isnull=True, audit__isnull=True, recommendation__isnull=True
    )
    if reader.is_agency_lead:
        actions = actions.filter(owner_agency_id=reader.agency_id)
    elif reader.is_independent_reviewer:
        actions = actions.none()
    return actions.only(
        "uuid",
        "number",
        "plan_label",
        "title",
        "status",
        "standard_assessment",
        "review",
        "audit",
        "recommendation",
    ).order_by("number")


# What a return's history lists: its own fields, never its cycle (a cycle's page has its own
# rule); and its answers', never the answer last cycle's was carried forward from, nor the
# meeting that moderated one (each has its own rule).
RETURN_HISTORY_FIELDS = [
    "status",
    "submitted_at",
    "submitted_by",
    "head_teacher",
    "head_teacher_signed_on",
    "safeguarding_governor",
    "safeguarding_governor_signed_on",
    "moderated_at",
    "sent_back_reason",
]
ANSWER_HISTORY_FIELDS = [
    "self_score",
    "narrative",
    "evidence",
    "needs_reconfirmation",
    "moderated_score",
    "moderation_comment",
    "challenge_notes",
    "moderated_by",
    "moderated_at",
]


def answer_versions_open_to(user, self_assessment):
    """The versions of a return's answers ``user`` may read: as ``can_read_answers``, and for
    those who read a return but do not fill it in, only those made while it was in (submitted
    or moderated), so that what the agency drafted before it sent the return stays its own."""
    if not can_read_answers(user, self_assessment):
        return StandardAssessment.history.none()
    versions = StandardAssessment.history.filter(self_assessment_id=self_assessment.pk)
    if can_fill_in(user, self_assessment):
        return versions
    status_then = (
        SelfAssessment.history.filter(
            id=self_assessment.pk, history_date__lte=OuterRef("history_date")
        )
        .order_by("-history_date", "-history_id")
        .values("status")[:1]
    )
    return versions.annotate(return_status=Subquery(status_then)).filter(return_status__in=RETURNED)


def return_versions_open_to(user, self_assessment):
    """The return's own versions ``user`` may read: by the rule for its answers
    (``answer_versions_open_to``), all for those who fill it in; for others, those made while
    it was in (submitted or moderated), the one that sent it back (which took it out), and the
    one that made it, so that what the agency drafted (a school's sign-off) stays its own."""
    versions = SelfAssessment.history.filter(id=self_assessment.pk)
    if can_fill_in(user, self_assessment):
        return versions
    status_before = (
        SelfAssessment.history.filter(id=self_assessment.pk, history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("status")[:1]
    )
    return versions.annotate(status_before=Subquery(status_before)).filter(
        Q(status__in=RETURNED) | Q(status_before__in=RETURNED) | Q(history_type="+")
    )


def return_history(user, self_assessment):
    """Who changed the return and the answers ``user`` may read (``return_versions_open_to``,
    ``answer_versions_open_to``), and what, the newest first: four queries, and one for each
    kind of person or standard named."""
    answers = Part(
        "answer to standard",
        answer_versions_open_to(user, self_assessment).select_related("history_user"),
        ANSWER_HISTORY_FIELDS,
        name="standard",
    )
    history = history_of(
        return_versions_open_to(user, self_assessment).select_related("history_user"),
        RETURN_HISTORY_FIELDS,
        [answers],
    )
    _say_sent_back_reasons(history)
    return history


SENT_BACK_REASON = str(SelfAssessment._meta.get_field("sent_back_reason").verbose_name)


def _say_sent_back_reasons(history) -> None:
    """A version that sent the return back says what the agency was asked to change, in its
    words (a history says only "changed" of other long text): its readers read the return,
    and the reason was shown on it."""
    for version, changes in history:
        reason = getattr(version, "sent_back_reason", "")  # an answer's version has none
        for position, change in enumerate(changes):
            if change.label == SENT_BACK_REASON:
                # Emptied only when the agency submits the return again.
                said = (
                    f"asked the agency to change: {reason}"
                    if reason
                    else "answered the reason it was sent back"
                )
                changes[position] = Change(change.label, said=said)


def get_answer_for_moderation(user, self_assessment_uuid: UUID, number) -> StandardAssessment:
    """A return's answer to standard ``number`` (a position in the framework, not a key)."""
    self_assessment = get_self_assessment_for_user(user, self_assessment_uuid)
    require(can_moderate(user))
    return get_object_or_404(
        StandardAssessment.objects.select_related(
            "standard", "self_assessment__agency", "self_assessment__cycle__framework"
        ),
        self_assessment=self_assessment,
        standard__number=number,
    )


def returns_for_agency_lead(user, today=None) -> list[SelfAssessment]:
    """The agency lead's own returns, each with ``late`` (see ``late_returns``)."""
    if not (user.is_agency_lead and user.agency_id):
        return []
    return list(
        SelfAssessment.objects.filter(agency_id=user.agency_id)
        .select_related("cycle__framework", "agency")
        .annotate(late=_is_late(today or timezone.localdate()))
        .order_by("-cycle__deadline")
    )


# --- cycles and their progress --------------------------------------------------------------


def late_returns(today: datetime.date, prefix: str = "") -> Q:
    """A return is late while it is still open (not started or a draft) after its cycle's
    deadline; the same rule as SelfAssessment.is_late. ``prefix`` is the path to the return."""
    return Q(
        **{
            f"{prefix}status__in": OPEN,
            f"{prefix}cycle__deadline__lt": today,
            # An archived agency is not chased (audits.reminders), nor counted late.
            f"{prefix}agency__is_active": True,
        }
    )


def _is_late(today: datetime.date) -> ExpressionWrapper:
    return ExpressionWrapper(late_returns(today), output_field=BooleanField())


def _progress_counts(prefix: str, today: datetime.date) -> dict:
    """Count() expressions for a cycle's returns by state; ``prefix`` is the path to the return."""
    status = f"{prefix}status"
    return {
        "total": Count(f"{prefix}pk"),
        "returned_count": Count(f"{prefix}pk", filter=Q(**{f"{status}__in": RETURNED})),
        "moderated_count": Count(f"{prefix}pk", filter=Q(**{status: "moderated"})),
        "awaiting_moderation": Count(f"{prefix}pk", filter=Q(**{status: "submitted"})),
        "draft_count": Count(f"{prefix}pk", filter=Q(**{status: "draft"})),
        "not_started_count": Count(f"{prefix}pk", filter=Q(**{status: "not_started"})),
        "late_count": Count(f"{prefix}pk", filter=late_returns(today, prefix)),
    }


def cycles_with_progress(today=None) -> QuerySet[AuditCycle]:
    """Every cycle with its counts of returned, late and not started returns, in one query. A
    return of an archived agency (or school) is still the cycle's, but is not counted late:
    archived agencies are not chased."""
    today = today or timezone.localdate()
    counts = _progress_counts("returns__", today)
    # The cycle's own deadline, not the join's, decides lateness here.
    counts["late_count"] = Count(
        "returns__pk",
        filter=Q(returns__status__in=OPEN, deadline__lt=today, returns__agency__is_active=True),
    )
    return (
        AuditCycle.objects.select_related("framework")
        .annotate(**counts)
        .order_by("-financial_year", "framework__code", "title")
    )


def cycle_progress(cycle, today=None) -> dict:
    """One cycle's counts from a single aggregate query."""
    today = today or timezone.localdate()
    return SelfAssessment.objects.filter(cycle=cycle).aggregate(**_progress_counts("", today))


def cycles_visible_to(user) -> QuerySet[AuditCycle]:
    """A cycle's page shows every agency's return: for those who see every return."""
    if not can_see_all_returns(user):
        return AuditCycle.objects.none()
    return AuditCycle.objects.all()


def get_cycle_for_user(user, uuid: UUID) -> AuditCycle:
    return get_by_public_id(cycles_visible_to(user).select_related("framework"), uuid)


# What a cycle's history lists: its own fields. Not its returns: each return is opened on its
# own page, and every opening of one is logged.
CYCLE_HISTORY_FIELDS = [
    "framework",
    "title",
    "financial_year",
    "opened_on",
    "deadline",
    "opened_by",
]


def cycle_history(cycle):
    """Who changed the cycle, and what, the newest first: two queries, and one for each kind of
    framework or person named."""
    return versions_with_changes(cycle.history.select_related("history_user"), CYCLE_HISTORY_FIELDS)


def cycle_deadline_changes(cycle) -> list[dict]:
    """Each change of the cycle's deadline, oldest first: ``before``, ``after``, ``when`` and
    ``who``, from its history in one query."""
    versions = cycle.history.select_related("history_user").order_by("history_date", "history_id")
    changes, last = [], None
    for version in versions.only("deadline", "history_date", "history_user"):
        if last is not None and version.deadline != last:
            changes.append(
                {
                    "before": last,
                    "after": version.deadline,
                    "when": version.history_date,
                    "who": version.history_user,
                }
            )
        last = version.deadline
    return changes


def as_return_status(text: str) -> str | None:
    """A return's status written in a link, or None."""
    return text if text in SelfAssessment.Status.values else None


# The cycle page's filters for the returns past their deadline and for those returned
# (submitted or moderated), beside each status.
LATE = "late"
RETURNED_FILTER = "returned"


def cycle_returns(cycle, today=None, status=None) -> list[SelfAssessment]:
    """Each return in the cycle (in ``status``, or ``LATE`` or ``RETURNED_FILTER``, if given)
    with how many standards are ``answered`` in this cycle, still ``to_reconfirm`` and
    ``moderated``, how many ``need_action`` (rated not met once the return is in, with no action
    yet) and whether it is ``late``: one query."""
    today = today or timezone.localdate()
    returns = SelfAssessment.objects.filter(cycle=cycle)
    if status == LATE:
        returns = returns.filter(late_returns(today))
    elif status == RETURNED_FILTER:
        returns = returns.filter(status__in=SelfAssessment.RETURNED)
    elif status:
        returns = returns.filter(status=status)
    return list(
        returns.select_related("agency", "submitted_by")
        .annotate(
            late=_is_late(today),
            answered=Count("answers", filter=answered_in_this_cycle("answers__")),
            to_reconfirm=Count("answers", filter=Q(answers__needs_reconfirmation=True)),
            moderated=Count("answers", filter=Q(answers__moderated_score__isnull=False)),
            need_action=Count(
                "answers",
                filter=not_met("answers__") & Q(status__in=RETURNED) & unanswered("answers__"),
            ),
        )
        .order_by("agency__name")
    )


# --- results --------------------------------------------------------------------------------


@dataclass
class HeatMapRow:
    self_assessment: SelfAssessment
    cells: list = field(default_factory=list)  # StandardAssessment or None, in standard order


def heat_map(cycle) -> dict:
    """Agencies × standards for a cycle, self-assessed and moderated scores: three queries."""
    standards = list(Standard.objects.filter(framework_id=cycle.framework_id).order_by("number"))
    returns = list(
        SelfAssessment.objects.filter(cycle=cycle).select_related("agency").order_by("agency__name")
    )
    answers = {}
    for answer in StandardAssessment.objects.filter(self_assessment__cycle=cycle).only(
        "pk",
        "self_assessment_id",
        "standard_id",
        "self_score",
        "moderated_score",
        "needs_reconfirmation",
    ):
        answers[(answer.self_assessment_id, answer.standard_id)] = answer
    rows = []
    for self_assessment in returns:
        # Scores are shown only once the return is submitted: a draft is the agency's own.
        shown = self_assessment.is_returned
        rows.append(
            HeatMapRow(
                self_assessment=self_assessment,
                cells=[
                    answers.get((self_assessment.pk, standard.pk)) if shown else None
                    for standard in standards
                ],
            )
        )
    return {"standards": standards, "rows": rows}


def agency_history(agency) -> list[dict]:
    """An agency's returns across cycles, newest first, each with its answers: two queries."""
    returns = (
        SelfAssessment.objects.filter(agency=agency)
        .select_related("cycle__framework")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=StandardAssessment.objects.select_related("standard").order_by(
                    "standard__number"
                ),
            )
        )
        .order_by("cycle__framework__code", "-cycle__financial_year")
    )
    return list(returns)


def get_agency_for_history(user, uuid: UUID) -> Agency:
    """An agency lead sees only their own agency's history; QAP, the Business Unit and the
    Executive see every agency's."""
    if can_see_all_returns(user):
        return get_by_public_id(Agency.objects.all(), uuid)
    # The lead's own agency, which every page loads for its header anyway.
    if user.is_agency_lead and user.agency_id and user.agency.uuid == uuid:
        return user.agency
    raise Http404


def standards_not_met(cycle=None) -> QuerySet[StandardAssessment]:
    """Answers in submitted returns rated not met (moderated score first), each needing an action.

    The learning app turns these into actions.
    """
    answers = StandardAssessment.objects.filter(not_met(), self_assessment__status__in=RETURNED)
    if cycle is not None:
        answers = answers.filter(self_assessment__cycle=cycle)
    return answers.select_related(
        "standard", "self_assessment__agency", "self_assessment__cycle__framework"
    ).order_by("self_assessment__cycle", "self_assessment__agency__name", "standard__number")
