"""Every write to audits and self-assessments."""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.template.defaultfilters import pluralize
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from sscb.access_log import Action, access_log_record
from sscb.dates import financial_year_label, financial_year_of, say
from sscb.history import reason_of, record_versions, saying
from sscb.lists import plural
from sscb.models import Agency, SubGroup, User

from .models import (
    Audit,
    AuditCycle,
    CaseAuditEntry,
    Framework,
    SelfAssessment,
    Standard,
    StandardAssessment,
)

# --- audits ---------------------------------------------------------------------------------

# Stages move one step at a time, forward or back (a report can go back for more work); a
# complete audit stays complete.
STAGE_ORDER = list(Audit.Stage.values)


def audit_stage_moves(*, audit: Audit, graded_cases: int) -> list[str]:
    """The stages ``audit`` may move to now: the one after (first, the usual move), the one
    before, and "Complete" only once it has what a complete audit needs (``graded_cases`` is how
    many cases it has graded); none once it is complete."""
    if audit.stage == Audit.Stage.COMPLETE:
        return []
    here = STAGE_ORDER.index(audit.stage)
    moves = [STAGE_ORDER[i] for i in (here + 1, here - 1) if 0 <= i < len(STAGE_ORDER)]
    if audit.completion_missing(graded_cases):
        moves = [stage for stage in moves if stage != Audit.Stage.COMPLETE]
    return moves


def _next_reference(kind: str, year: int) -> str:
    prefix = f"{Audit.REFERENCE_PREFIX[kind]}-{year}-"
    last = (
        Audit.objects.select_for_update()
        .filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:03d}"


@transaction.atomic
def audit_create(
    *,
    kind: str,
    title: str,
    lead_subgroup: SubGroup,
    reports_to: SubGroup,
    scope: str,
    period_start: datetime.date,
    period_end: datetime.date,
    agencies: Iterable[Agency] = (),
    stage: str = Audit.Stage.PLANNED,
    summary: str = "",
    by: User | None = None,
) -> Audit:
    audit = Audit(
        kind=kind,
        title=title,
        lead_subgroup=lead_subgroup,
        reports_to=reports_to,
        scope=scope,
        period_start=period_start,
        period_end=period_end,
        stage=stage,
        summary=summary,
        created_by=by,
    )
    agencies = list(agencies)
    audit.reference = _next_reference(kind, financial_year_of(timezone.localdate()))
    audit.full_clean()
    if refusal := audit.agencies_problem(agencies):
        raise ValidationError({"agencies": refusal})
    # Its first version holds its agencies: saved, then linked, it would be two ("recorded
    # it", then "agencies none → ...").
    audit.skip_history_when_saving = True
    try:
        audit.save()
        audit.agencies.set(agencies)
    finally:
        del audit.skip_history_when_saving
    if by is not None:
        audit._history_user = by
    record_versions([audit], added=True)
    return audit


# What an edit may change: never the kind (its reference was numbered for it) nor the stage
# (audit_move_stage).
AUDIT_EDITABLE = frozenset(
    {"title", "lead_subgroup", "reports_to", "scope", "period_start", "period_end", "summary"}
)


@transaction.atomic
def audit_update(
    *,
    audit: Audit,
    agencies: Iterable[Agency] | None = None,
    by: User | None = None,
    **fields,
) -> Audit:
    """Change an audit's details and participating agencies: one version in its history. Refused
    in words, changing nothing, where the change would break what already depends on the audit
    (``audit_change_refusals``)."""
    for name, value in fields.items():
        if name not in AUDIT_EDITABLE:
            raise TypeError(f"audit_update cannot change {name}")
        setattr(audit, name, value)
    agencies = None if agencies is None else list(agencies)
    audit.full_clean()
    stored = Audit.objects.select_for_update().get(pk=audit.pk)
    refusals = audit_change_refusals(audit=audit, agencies=agencies, stored=stored)
    if refusals:
        raise ValidationError(refusals)
    if agencies is not None:
        # Linked before the save, which records them with the other fields in one version: the
        # links' own versions would make an entry of their own, the save another.
        audit.skip_history_when_saving = True
        try:
            audit.agencies.set(agencies)
        finally:
            del audit.skip_history_when_saving
    if by is not None:
        audit._history_user = by
    audit.save()
    return audit


def audit_change_refusals(
    *, audit: Audit, agencies: list[Agency] | None, stored: Audit | None = None
) -> dict[str, list[str]]:
    """Why ``audit``, as it now is in memory, with ``agencies`` as its participating agencies
    (None: those it has), cannot be saved over the audit as ``stored`` (read, if not given), by
    field; empty if it can. Its page and the admin both ask.

    - Its agencies, for its kind (``Audit.agencies_problem``); and an agency whose practice it
      has graded stays: dropped, its lead would no longer open the audit, and the page would
      list graded cases of an agency not taking part.
    - Its dates, against the records already checked against them, by those records' own rules:
      a finding is not identified before the period starts, a practice check cites only an
      audit that looked at practice after the learning was delivered, and an action is not
      completed before the period ends. A record that already broke its rule with the stored
      dates is left to its own page: only what this change would break is refused."""
    stored = stored or Audit.objects.get(pk=audit.pk)
    refusals: dict[str, list[str]] = {}
    if agencies is not None:
        if refusal := audit.agencies_problem(agencies):
            refusals["agencies"] = [refusal]
        kept = {agency.pk for agency in agencies}
        graded = (
            CaseAuditEntry.objects.filter(audit=stored, agency__in=stored.agencies.values("pk"))
            .exclude(agency__in=kept)
            .values("agency")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {row["agency"]: row["n"] for row in graded}
        for agency in Agency.objects.filter(pk__in=counts).order_by("name"):
            n, name = counts[agency.pk], agency.label
            refusals.setdefault("agencies", []).append(
                f"{plural(n, 'case')} {'is' if n == 1 else 'are'} graded for {name} in this "
                f"audit: an agency whose practice the audit has graded stays a participating "
                f"agency. Keep {name} ticked."
            )
    if audit.period_start != stored.period_start:
        findings = stored.findings.values("identified_on").annotate(n=Count("pk")).order_by()
        broken = _broken(
            findings,
            lambda row, source: stored.findings.model(
                identified_on=row["identified_on"], audit=source
            ),
            stored,
            audit,
        )
        for n, rule in broken:
            refusals.setdefault("period_start", []).append(
                f"This would break the dates of {plural(n, 'finding')} recorded from this "
                f"audit. {rule}"
            )
    if audit.period_end != stored.period_end:
        checks = (
            stored.practice_checks.values("outcome", "activity").annotate(n=Count("pk")).order_by()
        )
        broken = _broken(
            checks,
            lambda row, source: stored.practice_checks.model(
                outcome_id=row["outcome"], activity_id=row["activity"], audit=source
            ),
            stored,
            audit,
        )
        for n, rule in broken:
            refusals.setdefault("period_end", []).append(
                f"{plural(n, 'practice check')} {'cites' if n == 1 else 'cite'} this audit to "
                f"show practice since its learning was delivered. {rule}"
            )
        completed = (
            stored.actions.filter(completed_on__isnull=False)
            .values("completed_on")
            .annotate(n=Count("pk"))
            .order_by()
        )
        broken = _broken(
            completed,
            lambda row, source: stored.actions.model(
                completed_on=row["completed_on"], audit=source
            ),
            stored,
            audit,
        )
        for n, rule in broken:
            refusals.setdefault("period_end", []).append(
                f"This would break the dates of {plural(n, 'completed action')} in this audit's "
                f"plan. {rule}"
            )
    return refusals


def _broken(rows, probe, stored: Audit, changed: Audit) -> list[tuple[int, str]]:
    """(how many, the rule's words) for each refusal that a record of the learning app (read
    through the audit's links, as audits never import learning), rebuilt from ``rows`` by
    ``probe(row, audit)``, would meet by its own ``clean()`` with the ``changed`` audit and not
    with the ``stored`` one."""
    found: dict[str, int] = {}
    for row in rows:
        before = set(_refusals(probe(row, stored)))
        for rule in _refusals(probe(row, changed)):
            if rule not in before:
                found[rule] = found.get(rule, 0) + row["n"]
    return [(n, rule) for rule, n in found.items()]


def _refusals(record) -> list[str]:
    try:
        record.clean()
    except ValidationError as refused:
        return refused.messages
    return []


@transaction.atomic
def audit_move_stage(*, audit: Audit, stage: str, by: User | None = None) -> Audit:
    """Move an audit one stage forward or back; any other move is refused with a reason, and so
    is completing an audit without a summary of findings (or a case file audit without a graded
    case)."""
    if stage not in STAGE_ORDER:
        raise ValidationError({"stage": "Choose one of the audit stages."})
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    if audit.stage == Audit.Stage.COMPLETE:
        raise ValidationError({"stage": "This audit is complete: its stage no longer changes."})
    here, there = STAGE_ORDER.index(audit.stage), STAGE_ORDER.index(stage)
    if abs(there - here) != 1:
        raise ValidationError(
            {
                "stage": f"An audit moves one stage at a time: from "
                f"“{audit.get_stage_display()}” it can go to "
                + " or ".join(
                    f"“{Audit.Stage(STAGE_ORDER[i]).label}”"
                    for i in (here - 1, here + 1)
                    if 0 <= i < len(STAGE_ORDER)
                )
                + "."
            }
        )
    audit.stage = stage
    audit.full_clean()
    audit.save(update_fields=["stage", "updated_at"])
    return audit


def case_audit_entry_add(
    *,
    audit: Audit,
    pseudonym: str,
    agency: Agency,
    grade: str,
    strengths: str = "",
    concerns: str = "",
    by: User | None = None,
) -> CaseAuditEntry:
    if not audit.is_case_file:
        raise ValidationError("Cases are graded only in a multi-agency case file audit.")
    if audit.stage == Audit.Stage.COMPLETE:
        raise ValidationError("This audit is complete: its cases can no longer be changed.")
    entry = CaseAuditEntry(
        audit=audit,
        pseudonym=pseudonym.strip(),
        agency=agency,
        grade=grade,
        strengths=strengths,
        concerns=concerns,
    )
    entry.full_clean()
    entry.save()
    return entry


# --- audit cycles ---------------------------------------------------------------------------


def agencies_for_framework(framework: Framework):
    """Schools for Section 175/157; every other active agency for Section 11."""
    agencies = Agency.objects.filter(is_active=True)
    if framework.for_schools:
        return agencies.filter(kind=Agency.Kind.SCHOOL)
    return agencies.exclude(kind=Agency.Kind.SCHOOL)


@transaction.atomic
def audit_cycle_open(
    *,
    framework: Framework,
    title: str,
    financial_year: int,
    deadline: datetime.date,
    opened_on: datetime.date | None = None,
    agencies: Iterable[Agency] | None = None,
    by: User | None = None,
) -> AuditCycle:
    """Open a cycle and send a return to each agency or school.

    Each return starts from the agency's last submitted answers in this framework in an earlier
    year, each marked to re-confirm; a standard it has never answered starts blank.
    """
    cycle = AuditCycle(
        framework=framework,
        title=title,
        financial_year=financial_year,
        opened_on=opened_on or timezone.localdate(),
        deadline=deadline,
        opened_by=by,
    )
    cycle.full_clean()
    agencies = list(agencies_for_framework(framework) if agencies is None else agencies)
    if not agencies:
        # A cycle with nobody to answer it would be counted, and chase nobody.
        who = "schools or colleges" if framework.for_schools else "partner agencies"
        raise ValidationError(
            f"There are no active {who} to send returns to: add them in the admin, under "
            "Agencies, then open the cycle."
        )
    cycle.save()
    _send_returns(cycle, agencies, by)
    return cycle


def agencies_added_since(cycle: AuditCycle):
    """The active agencies (or schools) the cycle's framework goes to that were added after it
    opened and have no return in it."""
    return (
        agencies_for_framework(cycle.framework)
        .filter(created_at__gt=cycle.created_at)
        .exclude(self_assessments__cycle=cycle)
        .order_by("name")
    )


@transaction.atomic
def audit_cycle_add_returns(*, cycle: AuditCycle, by: User | None = None) -> list[SelfAssessment]:
    """Send a return to each agency added since the cycle opened (``agencies_added_since``),
    each starting as an opening does; refused once the cycle has closed (its deadline passed),
    as such a return would be late the day it arrives. The cycle's history says who sent them,
    and to whom; each return's, that it was made."""
    cycle = AuditCycle.objects.select_for_update().select_related("framework").get(pk=cycle.pk)
    today = timezone.localdate()
    if cycle.is_closed(today):
        raise ValidationError(
            f"This cycle closed at its deadline, {say(cycle.deadline)}: a return sent now would "
            "be late the day it arrives. Send it in the next cycle."
        )
    agencies = list(agencies_added_since(cycle))
    if not agencies:
        raise ValidationError("Every agency added since this cycle opened already has a return.")
    returns = _send_returns(cycle, agencies, by)
    names = ", ".join(agency.name for agency in agencies)
    cycle._change_reason = reason_of(f"Returns sent to agencies added since it opened: {names}")
    if by is not None:
        cycle._history_user = by
    cycle.save(update_fields=["updated_at"])
    return returns


def _send_returns(cycle: AuditCycle, agencies: list[Agency], by: User | None):
    """A return in ``cycle`` for each of ``agencies``, each with its history, and an answer per
    standard carried forward from the agency's latest submitted answer in an earlier year."""
    returns = bulk_create_with_history(
        [SelfAssessment(cycle=cycle, agency=agency) for agency in agencies],
        SelfAssessment,
        default_user=by,
    )
    framework = cycle.framework
    standards = list(Standard.objects.filter(framework=framework).order_by("number"))
    # Only from an earlier year: a cycle opened late for a past year does not start from the
    # answers of a later one.
    earlier = {
        "self_assessment__cycle__framework": framework,
        "self_assessment__cycle__financial_year__lt": cycle.financial_year,
        "self_assessment__status__in": SelfAssessment.RETURNED,
    }
    # The latest submitted answer per (agency, standard), from earlier cycles: one query.
    latest = (
        StandardAssessment.objects.filter(
            self_assessment__agency=OuterRef("self_assessment__agency"),
            standard=OuterRef("standard"),
            **earlier,
        )
        .order_by("-self_assessment__cycle__financial_year", "-self_assessment__submitted_at")
        .values("pk")[:1]
    )
    previous = {
        (answer.self_assessment.agency_id, answer.standard_id): answer
        for answer in StandardAssessment.objects.filter(
            self_assessment__agency__in=agencies, pk=Subquery(latest), **earlier
        ).select_related("self_assessment")
    }
    answers = []
    for self_assessment in returns:
        for standard in standards:
            last = previous.get((self_assessment.agency_id, standard.pk))
            answers.append(
                StandardAssessment(
                    self_assessment=self_assessment,
                    standard=standard,
                    self_score=last.self_score if last else None,
                    narrative=last.narrative if last else "",
                    evidence=last.evidence if last else "",
                    needs_reconfirmation=last is not None,
                    carried_forward_from=last,
                )
            )
    bulk_create_with_history(answers, StandardAssessment, default_user=by)
    return returns


@transaction.atomic
def audit_cycle_change_deadline(
    *, cycle: AuditCycle, deadline: datetime.date, by: User | None = None
) -> AuditCycle:
    """Move a cycle's deadline (a slip when it was opened, or more time agreed), within the
    rules for a cycle's dates. The old deadline stays in the cycle's history; which returns are
    late, and their reminders, follow the new one."""
    cycle = AuditCycle.objects.select_for_update().get(pk=cycle.pk)
    before = cycle.deadline
    if deadline == before:
        return cycle  # nothing changed: no new version in its history
    cycle.deadline = deadline
    cycle.full_clean()
    cycle._change_reason = f"Deadline {say(before)} → {say(deadline)}"
    if by is not None:
        cycle._history_user = by
    cycle.save()
    return cycle


# --- returns --------------------------------------------------------------------------------

SIGN_OFF_FIELDS = (
    "head_teacher",
    "head_teacher_signed_on",
    "safeguarding_governor",
    "safeguarding_governor_signed_on",
)
# An answer's moderation, as it is before any: what an answer the agency changes after it was
# moderated goes back to (challenge event notes stay: what the agency said is still said).
UNMODERATED = {
    "moderated_score": None,
    "moderation_comment": "",
    "moderated_by": None,
    "moderated_at": None,
    "minutes_label": "",
    "minutes_url": "",
}


def _refuse_if_not_editable(self_assessment: SelfAssessment):
    if not self_assessment.is_editable:
        raise ValidationError(
            f"This return was {self_assessment.get_status_display().lower()} and can no longer "
            "be changed. Ask the Business Unit if something in it is wrong."
        )


@transaction.atomic
def self_assessment_save_draft(
    *,
    self_assessment: SelfAssessment,
    answers: Mapping[int, Mapping],
    sign_off: Mapping | None = None,
    by: User,
) -> SelfAssessment:
    """Save the agency's answers as a draft.

    ``answers`` maps a standard's id to its ``self_score``, ``narrative``, ``evidence`` and
    ``confirmed`` (the agency confirms a carried-forward answer still stands). Changing a
    carried-forward answer confirms it too. An answer changed after it was moderated (a return
    sent back) loses its moderation, kept in its history: QAP moderates what it has read.
    """
    self_assessment = SelfAssessment.objects.select_for_update().get(pk=self_assessment.pk)
    _refuse_if_not_editable(self_assessment)
    existing = {
        answer.standard_id: answer
        for answer in StandardAssessment.objects.filter(self_assessment=self_assessment)
    }
    changed, now = [], timezone.now()
    for standard_id, values in answers.items():
        answer = existing.get(standard_id)
        if answer is None:
            raise ValidationError("That standard is not part of this return.")
        before = (answer.self_score, answer.narrative, answer.evidence)
        answer.self_score = values.get("self_score")
        answer.narrative = values.get("narrative", "")
        answer.evidence = values.get("evidence", "")
        after = (answer.self_score, answer.narrative, answer.evidence)
        if after == before and not (values.get("confirmed") and answer.needs_reconfirmation):
            continue  # unchanged: nothing to save, and no new version in its history
        answer.needs_reconfirmation = False
        answer.updated_at = now
        if after != before:
            for name, cleared in UNMODERATED.items():
                setattr(answer, name, cleared)
        answer.full_clean(exclude=["self_assessment", "standard"], validate_unique=False)
        changed.append(answer)
    # Each changed answer gets a version in its history, by the person saving the draft.
    bulk_update_with_history(
        changed,
        StandardAssessment,
        [
            "self_score",
            "narrative",
            "evidence",
            "needs_reconfirmation",
            *UNMODERATED,
            "updated_at",
        ],
        default_user=by,
    )
    for name, value in (sign_off or {}).items():
        if name not in SIGN_OFF_FIELDS:
            raise TypeError(f"{name} is not a sign-off field")
        setattr(self_assessment, name, value)
    if sign_off:
        others = [f.name for f in SelfAssessment._meta.fields if f.name not in SIGN_OFF_FIELDS]
        # The sign-off's own rules too (SelfAssessment.clean): a day that has come, and not
        # before the cycle opened.
        self_assessment.full_clean(
            exclude=others, validate_unique=False, validate_constraints=False
        )
    self_assessment.status = SelfAssessment.Status.DRAFT
    self_assessment.save()
    return self_assessment


@transaction.atomic
def self_assessment_submit(
    *,
    self_assessment: SelfAssessment,
    by: User,
    answers: Mapping[int, Mapping] | None = None,
    sign_off: Mapping | None = None,
) -> SelfAssessment:
    """Submit a return to the partnership; it is read-only for the agency from then on.
    ``answers`` and ``sign_off``, if given, are saved first (as ``self_assessment_save_draft``),
    and kept only if the return can be submitted with them."""
    if answers is not None:
        self_assessment_save_draft(
            self_assessment=self_assessment, answers=answers, sign_off=sign_off, by=by
        )
    self_assessment = (
        SelfAssessment.objects.select_for_update()
        .select_related("cycle__framework")
        .get(pk=self_assessment.pk)
    )
    _refuse_if_not_editable(self_assessment)
    problems = []
    answers = list(
        StandardAssessment.objects.filter(self_assessment=self_assessment).select_related(
            "standard"
        )
    )
    unscored = [a.standard.number for a in answers if a.self_score is None]
    if unscored:
        problems.append(f"Give a score for {_standards(unscored)}.")
    unexplained = [a.standard.number for a in answers if not a.narrative.strip()]
    if unexplained:
        problems.append(f"Say how you meet {_standards(unexplained)}.")
    unconfirmed = [a.standard.number for a in answers if a.needs_reconfirmation]
    if unconfirmed:
        problems.append(f"Confirm or change last cycle's answer for {_standards(unconfirmed)}.")
    if self_assessment.cycle.framework.for_schools:
        if not (self_assessment.head_teacher and self_assessment.head_teacher_signed_on):
            problems.append("The head teacher must sign the return off (name and date).")
        if not (
            self_assessment.safeguarding_governor
            and self_assessment.safeguarding_governor_signed_on
        ):
            problems.append("The safeguarding governor must sign the return off (name and date).")
    if problems:
        raise ValidationError(problems)
    self_assessment.status = SelfAssessment.Status.SUBMITTED
    self_assessment.submitted_at = timezone.now()
    self_assessment.submitted_by = by
    # What the moderators asked, when they sent it back, has been answered (its history keeps it).
    self_assessment.sent_back_reason = ""
    self_assessment.save()
    return self_assessment


ONLY_SUBMITTED_GOES_BACK = "Only a submitted return that is not yet moderated can go back."


@transaction.atomic
def self_assessment_return_to_agency(
    *, self_assessment: SelfAssessment, by: User, reason: str
) -> SelfAssessment:
    """Send a submitted (not yet moderated) return back to the agency as a draft, saying what
    it should change (``sent_back_reason``, read on the return until it is submitted again, and
    kept in its history). Its lead is told at the next reminder sweep, and its reminders start
    again from today (``audits.reminders``, which read ``sent_back_on``). Standards already
    moderated keep their moderation until the agency changes them
    (``self_assessment_save_draft``)."""
    self_assessment = SelfAssessment.objects.select_for_update().get(pk=self_assessment.pk)
    if not self_assessment.may_go_back:
        raise ValidationError(ONLY_SUBMITTED_GOES_BACK)
    if not reason.strip():
        raise ValidationError({"sent_back_reason": "Say what the agency should change."})
    self_assessment.sent_back_reason = reason.strip()
    # The free-text rule (no child's identifier), on the reason alone: the rest is as it was.
    self_assessment.clean_fields(
        exclude=[f.name for f in SelfAssessment._meta.fields if f.name != "sent_back_reason"]
    )
    self_assessment.status = SelfAssessment.Status.DRAFT
    self_assessment.submitted_at = None
    self_assessment.submitted_by = None
    self_assessment.sent_back_on = timezone.localdate()
    if by is not None:
        self_assessment._history_user = by
    with saying(self_assessment, "sent back to the agency"):
        self_assessment.save()
    return self_assessment


def _standards(numbers) -> str:
    """ "standard 3", "standards 1, 4 and 7"."""
    ordered = [str(n) for n in sorted(numbers)]
    listed = ", ".join(ordered[:-1]) + " and " + ordered[-1] if len(ordered) > 1 else ordered[0]
    return f"standard{pluralize(len(ordered))} {listed}"


@transaction.atomic
def standard_assessment_moderate(
    *,
    standard_assessment: StandardAssessment,
    moderated_score: int,
    moderation_comment: str = "",
    challenge_notes: str = "",
    by: User,
    minutes_label: str = "",
    minutes_url: str = "",
) -> StandardAssessment:
    """Record QAP's moderated score for one standard; the return is moderated once every
    standard is. A score moderated at a meeting carries where (``minutes_label``) and the
    minutes' address."""
    self_assessment = SelfAssessment.objects.select_for_update().get(
        pk=standard_assessment.self_assessment_id
    )
    if not self_assessment.is_returned:
        raise ValidationError("A return can be moderated only after the agency has submitted it.")
    answer = standard_assessment
    stands = answer.moderated_score is not None and (
        answer.moderated_score,
        answer.moderation_comment,
        answer.challenge_notes,
    ) == (moderated_score, moderation_comment, challenge_notes)
    # A meeting that agrees a standard's moderation as it already stands (moderated on the
    # return's page, or since its form was opened: learning.meetings' ModeratedScoresForm keeps
    # that) records nothing over it: who moderated it, and where, stay as they are.
    if not (stands and minutes_label):
        answer.moderated_score = moderated_score
        answer.moderation_comment = moderation_comment
        answer.challenge_notes = challenge_notes
        answer.moderated_by = by
        answer.moderated_at = timezone.now()
        answer.minutes_label = minutes_label
        answer.minutes_url = minutes_url
        answer.full_clean(exclude=["self_assessment", "standard"], validate_unique=False)
        answer._history_user = by  # its history names who moderated it, however it is called
        answer.save()
    all_moderated = not StandardAssessment.objects.filter(
        self_assessment=self_assessment, moderated_score__isnull=True
    ).exists()
    if all_moderated and self_assessment.status == SelfAssessment.Status.SUBMITTED:
        self_assessment.status = SelfAssessment.Status.MODERATED
        self_assessment.moderated_at = timezone.now()
        self_assessment.save()
    answer.self_assessment = self_assessment
    return answer


# --- the access log -------------------------------------------------------------------------

FRAMEWORK_SHORT_NAMES = {
    Framework.Code.SECTION_11: "Section 11",
    Framework.Code.SECTION_175: "Section 175/157",
}


def self_assessment_record_opening(*, request, self_assessment: SelfAssessment) -> None:
    """Log an opening of a return (its page, its form or a moderation page) in the access log."""
    cycle = self_assessment.cycle
    label = (
        f"{FRAMEWORK_SHORT_NAMES.get(cycle.framework.code, cycle.framework.name)} return: "
        f"{self_assessment.agency.name} {financial_year_label(cycle.financial_year)}"
    )
    access_log_record(request, self_assessment, Action.VIEW, label=label)
