"""Every write to the learning loop. Views validate with forms, then call one of these."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from learning.meetings.models import AgendaItem, Meeting
from sscb.access_log import Action as Access
from sscb.access_log import access_log_record
from sscb.dates import check_dates, not_before, not_past, say
from sscb.history import saying
from sscb.models import SubGroup
from sscb.reminders import reminders_cancel_for
from sscb.uploads import stored_name, validate_upload

from .models import (
    Action,
    AssuranceEvidence,
    Attachment,
    DeliveryActivity,
    Finding,
    LearningOutcome,
    PracticeCheck,
    PriorityTheme,
    TrainingEvaluationStage,
    outcome_plan_label,
    standard_plan_label,
)

# Training evaluation: the last stage falls 6 to 8 weeks after the training.
FOLLOW_UP_FROM = datetime.timedelta(weeks=6)
FOLLOW_UP_TO = datetime.timedelta(weeks=8)
IMMEDIATE_WINDOW = datetime.timedelta(days=7)


def _today():
    return timezone.localdate()


def _save(instance, fields: dict):
    """Set plain and many-to-many fields, validate as a form would, save: one path for all."""
    many, before = {}, {}
    for name, value in fields.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            many[name] = value
        else:
            before[field.attname] = getattr(instance, field.attname)
            setattr(instance, name, value)
    try:
        instance.full_clean(exclude=list(many))
    except ValidationError:
        # Refused: the page shown next must not show the refused values as if they were saved.
        for attname, value in before.items():
            setattr(instance, attname, value)
        raise
    instance.save()
    for name, value in many.items():
        getattr(instance, name).set(value)
    return instance


# Findings and themes -------------------------------------------------------------------------


def finding_save(*, finding: Finding | None = None, recorded_by, **fields) -> Finding:
    if finding is None:
        finding = Finding(recorded_by=recorded_by)
    return _save(finding, fields)


def theme_save(
    *, theme: PriorityTheme | None = None, findings: Iterable[Finding] = (), **fields
) -> PriorityTheme:
    """Save a theme; a new one may start with the findings it collates."""
    theme = _save(theme or PriorityTheme(), fields)
    if findings:
        theme_collate(theme=theme, findings=findings)
    return theme


def theme_collate(*, theme: PriorityTheme, findings: Iterable[Finding]) -> int:
    """Put findings into a theme; returns how many moved."""
    if theme.status == PriorityTheme.Status.CLOSED:
        raise ValidationError("This theme is closed: reopen it before adding findings.")
    ids = [finding.pk for finding in findings]
    moved = 0
    for finding in Finding.objects.filter(pk__in=ids).exclude(theme=theme):
        finding.theme = theme
        finding.save(update_fields=["theme", "updated_at"])
        moved += 1
    return moved


def theme_move(
    *,
    theme: PriorityTheme,
    to: str,
    on: datetime.date | None = None,
    minutes_label: str = "",
    minutes_url: str = "",
) -> PriorityTheme:
    """Move a theme along proposed → agreed → active → closed, refusing other moves; one agreed
    at a meeting carries where (``minutes_label``) and the minutes' address."""
    to = PriorityTheme.Status(to)
    if to not in PriorityTheme.TRANSITIONS[theme.status]:
        raise ValidationError(
            f"A theme that is {theme.get_status_display().lower()} cannot be marked "
            f"{to.label.lower()}."
        )
    if to == PriorityTheme.Status.ACTIVE and not theme.findings.exists():
        raise ValidationError("A theme needs at least one finding before it becomes active.")
    on = on or _today()
    theme.status = to
    if to == PriorityTheme.Status.AGREED:
        theme.agreed_on = on
        theme.minutes_label, theme.minutes_url = minutes_label, minutes_url
    if to == PriorityTheme.Status.CLOSED:
        theme.closed_on = on
    else:
        theme.closed_on = None
    theme.save()
    return theme


def theme_open_actions(theme: PriorityTheme) -> int:
    """How many actions in its outcomes' plans are still open: closing the theme leaves them in
    the tracker, chased as before, but its outcomes' plans take no new one."""
    return Action.objects.filter(outcome__theme=theme, status__in=Action.OPEN).count()


# Outcomes, delivery, practice development, assurance -------------------------------------


def outcome_save(*, outcome: LearningOutcome | None = None, **fields) -> LearningOutcome:
    if outcome is not None:
        _refuse_another_executive_date(outcome, fields.get("executive_on", outcome.executive_on))
        reminders_cancel_for(outcome)
    elif fields.get("theme") is not None and fields["theme"].status == PriorityTheme.Status.CLOSED:
        # As a closed theme takes no new finding (theme_collate) and its outcomes no new action.
        raise ValidationError(
            f"The theme “{fields['theme']}” is closed: reopen it (“Mark active” on the theme's "
            "page) before adding a learning outcome to it."
        )
    return _save(outcome or LearningOutcome(), fields)


def _refuse_another_executive_date(outcome: LearningOutcome, executive_on) -> None:
    """An outcome awaiting the Executive on the agenda of an Executive meeting not yet held goes
    to the Executive on that meeting's date: the meeting leads, and its date moves the outcome's
    (``learning.meetings.services``)."""
    item = (
        AgendaItem.objects.filter(
            outcome=outcome,
            decided_on__isnull=True,
            meeting__body__code=SubGroup.Code.EXECUTIVE,
            meeting__status__in=Meeting.PREPARING,
        )
        .select_related("meeting__body")
        .order_by("meeting__held_on")
        .first()
    )
    if item is not None and executive_on != item.meeting.held_on:
        raise ValidationError(
            {
                "executive_on": f"This outcome is on the agenda of the {item.meeting}: it goes "
                "to the Executive then. Move that meeting, or take the outcome off its agenda "
                "first."
            }
        )


@transaction.atomic
def outcome_decide(
    *,
    outcome: LearningOutcome,
    decision: str,
    notes: str,
    decided_by,
    decided_on: datetime.date | None = None,
    minutes_label: str = "",
    minutes_url: str = "",
) -> LearningOutcome:
    """Record the Executive's decision on a learning outcome; one taken at a meeting carries
    where (``minutes_label``) and the minutes' address."""
    if decision == LearningOutcome.Decision.PENDING:
        raise ValidationError("Choose the Executive's decision.")
    decided_on = decided_on or _today()
    theme = outcome.theme
    agrees = decision in LearningOutcome.AGREED
    # The loop's order: the theme is agreed, then the Executive agrees its outcomes. The
    # Executive agreeing an outcome of a theme still proposed agrees the theme with it, that day
    # (never an outcome agreed under a theme nobody agreed). Not agreeing one may come at any
    # time; an outcome of a closed theme waits for the theme to reopen.
    agrees_theme = agrees and theme.status == PriorityTheme.Status.PROPOSED
    if theme.status == PriorityTheme.Status.CLOSED:
        raise ValidationError(
            f"The theme “{theme}” is closed: reopen it (“Mark active” on the theme's page) "
            "before recording a decision on its learning outcomes."
        )
    # A new decision follows the one it replaces and the theme's agreement (DESIGN.md: an act is
    # never dated before the act before it), so the outcome's decision is always its latest. An
    # outcome typed in after the Executive met may be decided before the day it was recorded,
    # as an action may be done before the tracker held it.
    check_dates(
        decided_on=[
            not_before(
                decided_on,
                outcome.decided_on,
                what="The new decision",
                than=f"the decision it replaces ({outcome.get_decision_display().lower()})",
            ),
            not_before(
                decided_on,
                theme.agreed_on if agrees else None,
                what="The Executive's agreement",
                than=f"the agreement of its theme “{theme}”",
            ),
        ]
    )
    if agrees_theme:
        with saying(theme, "Agreed with its learning outcome by the Executive"):
            theme_move(
                theme=theme,
                to=PriorityTheme.Status.AGREED,
                on=decided_on,
                minutes_label=minutes_label,
                minutes_url=minutes_url,
            )
    return _save(
        outcome,
        {
            "decision": decision,
            "decision_notes": notes,
            "decided_by": decided_by,
            "decided_on": decided_on,
            "minutes_label": minutes_label,
            "minutes_url": minutes_url,
        },
    )


def activity_save(*, activity: DeliveryActivity | None = None, **fields) -> DeliveryActivity:
    return _save(activity or DeliveryActivity(), fields)


def training_evaluation_schedule(
    *, baseline_on: datetime.date, trained_on: datetime.date
) -> list[tuple[int, datetime.date, datetime.date]]:
    """(stage, due on, due by) for the three stages, the later ones scheduled from the first."""
    if trained_on < baseline_on:
        raise ValidationError("The baseline is taken before the training, not after it.")
    stage = TrainingEvaluationStage.Stage
    return [
        (stage.BASELINE, baseline_on, trained_on),
        (stage.IMMEDIATE, trained_on, trained_on + IMMEDIATE_WINDOW),
        (stage.FOLLOW_UP, trained_on + FOLLOW_UP_FROM, trained_on + FOLLOW_UP_TO),
    ]


@transaction.atomic
def practice_check_save(
    *,
    check: PracticeCheck | None = None,
    baseline_on: datetime.date | None = None,
    **fields,
) -> PracticeCheck:
    """Record a practice development check; a new training evaluation gets its three stages."""
    if check is not None and check.from_answers:
        raise ValidationError(
            "This training evaluation's figures and result come from the attendees' answers: "
            "they cannot be typed in."
        )
    is_new = check is None
    if is_new and fields.get("way") == PracticeCheck.Way.TRAINING_EVALUATION and not baseline_on:
        raise ValidationError({"baseline_on": "Give the date of the baseline evaluation."})
    check = _save(check or PracticeCheck(), fields)
    if is_new and check.way == PracticeCheck.Way.TRAINING_EVALUATION:
        activity = check.activity
        trained_on = (activity.delivered_on or activity.planned_on) if activity else baseline_on
        # Each stage's history starts here, by whoever records the check (the request's person).
        bulk_create_with_history(
            [
                TrainingEvaluationStage(practice_check=check, stage=s, due_on=on, due_by=by)
                for s, on, by in training_evaluation_schedule(
                    baseline_on=baseline_on, trained_on=trained_on
                )
            ],
            TrainingEvaluationStage,
        )
    return check


def training_evaluation_from_answers(
    *,
    activity: DeliveryActivity,
    agency,
    checked_on: datetime.date | None,
    result: str,
) -> PracticeCheck:
    """The training evaluation of one delivered session in one agency (learning.training): made
    the first time, then its date and result set from the attendees' follow-up answers."""
    check = PracticeCheck.objects.filter(
        activity=activity, agency=agency, from_answers=True
    ).first() or PracticeCheck(
        outcome_id=activity.outcome_id,
        activity=activity,
        agency=agency,
        way=PracticeCheck.Way.TRAINING_EVALUATION,
        from_answers=True,
    )
    if check.pk and (check.checked_on, check.result) == (checked_on, result):
        return check
    return _save(check, {"checked_on": checked_on, "result": result})


def evaluation_stage_complete(
    *,
    stage: TrainingEvaluationStage,
    completed_on: datetime.date,
    responses: int | None,
    confidence: int | None,
    notes: str = "",
) -> TrainingEvaluationStage:
    earlier = stage.practice_check.stages.filter(stage__lt=stage.stage).order_by("-stage")
    if any(e.completed_on is None for e in earlier):
        raise ValidationError("Complete the earlier stages of this evaluation first.")
    if earlier:
        check_dates(
            completed_on=not_before(
                completed_on,
                earlier[0].completed_on,
                what="The completion date",
                than="the completion of the stage before it",
            )
        )
    return _save(
        stage,
        {
            "completed_on": completed_on,
            "responses": responses,
            "confidence": confidence,
            "notes": notes,
        },
    )


def evidence_save(*, evidence: AssuranceEvidence | None = None, **fields) -> AssuranceEvidence:
    if evidence is not None:
        reminders_cancel_for(evidence)
    return _save(evidence or AssuranceEvidence(), fields)


@transaction.atomic
def evidence_provide(
    *,
    evidence: AssuranceEvidence,
    summary: str,
    received_on: datetime.date | None = None,
    upload=None,
    uploaded_by=None,
) -> Attachment | None:
    """The agency (or the Business Unit for it) provides requested evidence, with a document
    if ``upload`` is given (refused, it refuses the whole); returns the document kept, if any.

    Once received, until it is judged, it may be added to: a document, a new summary, or both.
    An empty summary then keeps the one sent, and the day it was received stays the first."""
    if evidence.judgement != AssuranceEvidence.Judgement.PENDING:
        raise ValidationError("This evidence has already been judged and cannot be changed.")
    summary = summary.strip()
    if evidence.received_on is None:
        if not summary:
            raise ValidationError({"summary": "Say what the evidence shows."})
        fields = {"summary": summary, "received_on": received_on or _today()}
    else:
        fields = {"summary": summary} if summary and summary != evidence.summary else {}
        if not fields and not upload:
            raise ValidationError(
                "Nothing was added: attach a document, or change what the evidence shows."
            )
    reminders_cancel_for(evidence)
    if fields:
        _save(evidence, fields)
    if upload:
        return attachment_add(parent=evidence, upload=upload, uploaded_by=uploaded_by)
    return None


def evidence_judge(
    *, evidence: AssuranceEvidence, judgement: str, reason: str, judged_by
) -> AssuranceEvidence:
    if not evidence.received_on:
        raise ValidationError("The evidence has not been received yet, so it cannot be judged.")
    if judgement == AssuranceEvidence.Judgement.PENDING:
        raise ValidationError("Choose a judgement: assured, partly assured or not assured.")
    return _save(
        evidence,
        {
            "judgement": judgement,
            "judgement_reason": reason,
            "judged_by": judged_by,
            "judged_on": _today(),
        },
    )


# Actions -------------------------------------------------------------------------------------


def action_plan_key(
    *, review=None, audit=None, standard_assessment=None, recommendation=None, outcome=None
) -> str:
    # An inspection's recommendations share one plan: the inspection's action plan.
    inspection = recommendation.inspection if recommendation is not None else None
    for prefix, source in (
        ("review", review),
        ("audit", audit),
        ("standard", standard_assessment),
        ("inspection", inspection),
        ("outcome", outcome),
    ):
        if source is not None:
            return f"{prefix}:{source.pk}"
    raise ValidationError(
        "An action belongs to a review, an audit, a standard, an inspection's recommendation "
        "or an outcome."
    )


def action_plan_label(*, standard_assessment=None, outcome=None) -> str:
    """What a chair reads for a plan with no reference of its own (``Action.plan_label``): a
    standard's framework, year, agency and number; an outcome's year and place in it."""
    if standard_assessment is not None:
        answer = (
            type(standard_assessment)
            .objects.select_related("standard", "self_assessment__cycle__framework")
            .select_related("self_assessment__agency")
            .get(pk=standard_assessment.pk)
        )
        cycle = answer.self_assessment.cycle
        return standard_plan_label(
            framework_code=cycle.framework.code,
            financial_year=cycle.financial_year,
            agency=answer.self_assessment.agency.label,
            standard_number=answer.standard.number,
        )
    if outcome is not None:
        year = timezone.localtime(outcome.created_at).year
        earlier = LearningOutcome.objects.filter(created_at__year=year, pk__lte=outcome.pk)
        return outcome_plan_label(year=year, position=earlier.count())
    return ""


def action_create(**fields) -> Action:
    """Add an action to its plan with the next number; concurrent adds retry on a clash."""
    label = action_plan_label(
        standard_assessment=fields.get("standard_assessment"), outcome=fields.get("outcome")
    )
    plan = action_plan_key(
        review=fields.get("review"),
        audit=fields.get("audit"),
        standard_assessment=fields.get("standard_assessment"),
        recommendation=fields.get("recommendation"),
        outcome=fields.get("outcome"),
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                last = Action.objects.filter(plan=plan).aggregate(n=Max("number"))["n"] or 0
                return _save(Action(plan=plan, number=last + 1, plan_label=label), fields)
        except IntegrityError:
            continue
    raise ValidationError("Could not number the action; please try again.")


@transaction.atomic
def actions_for_standards_not_met(*, answers, subgroup, due_on, owner=None) -> list[Action]:
    """One action per standard a return has not met, owned by the return's agency (and
    ``owner``, one of its people, if named), in one step: all are added or, if one is refused,
    none. Each says why, in the moderator's words."""
    return [
        action_create(
            standard_assessment=answer,
            title=f"Meet standard {answer.standard.number}: {answer.standard.title}",
            description=(
                f"Moderation found this standard not met: {answer.moderation_comment}"
                if answer.moderation_comment
                else "Moderation found this standard not met."
            ),
            owner_agency=answer.self_assessment.agency,
            owner=owner,
            subgroup=subgroup,
            due_on=due_on,
        )
        for answer in answers
    ]


# A change to any of these re-plans an action's reminders (the next sweep plans them afresh).
REPLANNED_BY = ("owner", "owner_agency", "due_on", "follow_up_on", "status", "subgroup")


def action_update(*, action: Action, **fields) -> Action:
    if action.status == Action.Status.SIGNED_OFF and set(fields) - {
        "follow_up_on",
        "follow_up_result",
        "followed_up_on",
    }:
        raise ValidationError("This action has been signed off; only its follow-up can change.")
    replan = any(name in fields and fields[name] != getattr(action, name) for name in REPLANNED_BY)
    action = _save(action, fields)
    if replan:
        reminders_cancel_for(action)
    return action


@transaction.atomic
def action_completion_problems(*, action: Action, completed_on: datetime.date) -> None:
    """Raise what the action's own rules say of completing it on ``completed_on``, saving
    nothing: a refused progress form says them beside its own, all at once."""
    trial = Action.objects.get(pk=action.pk)
    trial.status, trial.completed_on = Action.Status.COMPLETE, completed_on
    trial.clean()


@transaction.atomic
def action_report_progress(
    *,
    action: Action,
    progress: str,
    at_risk: bool,
    completed_on: datetime.date | None = None,
    completion_evidence: str = "",
    upload=None,
    uploaded_by=None,
) -> Attachment | None:
    """The owning agency reports progress, or completion with its evidence, with a document if
    ``upload`` is given (refused, it refuses the whole); returns the document kept, if any.

    Reported complete, until the sub-group signs it off or sends it back, the owner may still
    correct the completion (its date, its evidence) and add its file."""
    if action.status == Action.Status.SIGNED_OFF:
        raise ValidationError("This action has been signed off: its completion cannot change.")
    fields = {"progress": progress, "at_risk": at_risk}
    if action.status == Action.Status.COMPLETE and not completed_on:
        raise ValidationError(
            {
                "completed_on": "This action is reported complete: give the date it was "
                f"completed. If it is not complete, ask the {action.subgroup} to send it back."
            }
        )
    if completed_on:
        if not completion_evidence.strip():
            raise ValidationError({"completion_evidence": "Say what shows the action is complete."})
        fields |= {
            "status": Action.Status.COMPLETE,
            "completed_on": completed_on,
            "completion_evidence": completion_evidence,
            "at_risk": False,
            # What the sub-group asked, when it sent a completion back, has been answered.
            "sent_back_reason": "",
        }
        reminders_cancel_for(action)
    elif action.status == Action.Status.OPEN:
        fields["status"] = Action.Status.IN_PROGRESS
    _save(action, fields)
    if upload:
        return attachment_add(parent=action, upload=upload, uploaded_by=uploaded_by)
    return None


def action_sign_off(*, action: Action, signed_off_by, follow_up_on: datetime.date | None) -> Action:
    """The sub-group checks the evidence and signs the action off, setting a follow-up date."""
    if action.status != Action.Status.COMPLETE:
        raise ValidationError("Only an action reported complete can be signed off.")
    return _save(
        action,
        {
            "status": Action.Status.SIGNED_OFF,
            "signed_off_by": signed_off_by,
            "signed_off_on": _today(),
            "follow_up_on": follow_up_on,
            # A new round: a follow-up of an earlier sign-off (the change had not lasted) is in
            # the history, and this sign-off's is still to come.
            "follow_up_result": "",
            "followed_up_on": None,
        },
    )


def action_send_back(*, action: Action, reason: str) -> Action:
    """The sub-group does not sign a reported completion off: the action is in progress again,
    with no completion date, and its owner reads why (``sent_back_reason``) until they report
    completion again. Its reminders are planned afresh, as for any action in progress."""
    if action.status != Action.Status.COMPLETE:
        raise ValidationError(
            "Only an action reported complete, not yet signed off, can be sent back."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say what the owner should put right."})
    with saying(action, "sent back, not signed off"):
        _save(
            action,
            {
                "status": Action.Status.IN_PROGRESS,
                "completed_on": None,
                "sent_back_reason": reason.strip(),
            },
        )
    reminders_cancel_for(action)
    return action


def follow_up_waits(action: Action) -> str:
    """Why the follow-up of a signed-off action cannot be recorded yet, or "" once its day has
    come: whether a change has lasted is seen on the day set to check it, not at sign-off."""
    if action.follow_up_on and action.follow_up_on > _today():
        return (
            f"The check that the change has lasted is due on {say(action.follow_up_on)}: record "
            "it then."
        )
    return ""


def action_record_follow_up(
    *, action: Action, lasted: bool, result: str, due_on: datetime.date | None = None
) -> Action:
    """Record whether the change has lasted, on or after the follow-up date. If it has not, the
    action is reopened: in progress again, no longer counted as completed, and its owner reads
    why (``sent_back_reason``), due ``due_on`` if given (else on its old date, so overdue)."""
    if action.status != Action.Status.SIGNED_OFF:
        raise ValidationError("Follow-up is recorded once the action has been signed off.")
    if action.followed_up_on:
        raise ValidationError("The follow-up of this action has already been recorded.")
    if waits := follow_up_waits(action):
        raise ValidationError(waits)
    if not result.strip():
        raise ValidationError({"result": "Say what the check found."})
    reminders_cancel_for(action)
    today = _today()
    if lasted:
        return _save(action, {"follow_up_result": result.strip(), "followed_up_on": today})
    check_dates(due_on=not_past(due_on, what="The new due date"))
    with saying(action, "reopened: the change has not lasted"):
        # Recorded first, so that the history keeps what the check found and when.
        _save(action, {"follow_up_result": result.strip(), "followed_up_on": today})
        _save(
            action,
            {
                "status": Action.Status.IN_PROGRESS,
                "completed_on": None,
                "signed_off_by": None,
                "signed_off_on": None,
                "follow_up_on": None,
                "follow_up_result": "",
                "followed_up_on": None,
                "due_on": due_on or action.due_on,
                "sent_back_reason": f"The check on {say(today)} found that the change has not "
                f"lasted: {result.strip()}",
            },
        )
    return action


def attachment_add(*, parent: Action | AssuranceEvidence, upload, uploaded_by) -> Attachment:
    """Keep a file for an action or evidence, if sscb.uploads accepts it: stored under a random
    name (the uploaded one is kept, cleaned, for the download)."""
    try:
        name, extension = validate_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    field = "action" if isinstance(parent, Action) else "evidence"
    attachment = Attachment(name=name, uploaded_by=uploaded_by, **{field: parent})
    attachment.file.save(stored_name(extension), upload, save=False)
    attachment.save()
    return attachment


def attachment_record_download(*, request, attachment: Attachment) -> None:
    """Log a download of an evidence or completion file in the access log.

    The label names the file by number and what it belongs to, not by its uploaded name,
    which nobody checked for a child's name.
    """
    if attachment.action_id:
        label = f"File {attachment.pk} of action {attachment.action.reference}"
    else:
        label = f"File {attachment.pk} of assurance evidence: {attachment.evidence.title}"
    access_log_record(request, attachment, Access.DOWNLOAD, label=label)
