"""Every write to meetings. A decision on a record goes through that record's own service, which
keeps it in the record's history; the record then links back to the minutes."""

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import capfirst

from audits import services as audits_services
from audits.models import StandardAssessment
from learning import services as learning_services
from learning.models import LearningOutcome, PriorityTheme
from reviews.models import Review
from reviews.services import review_reach_decision, review_record_decision
from sscb.access_log import Action as Access
from sscb.access_log import access_log_record
from sscb.dates import check_dates, not_future, say
from sscb.history import reason_of, saying
from sscb.models import SubGroup
from sscb.reminders import reminders_cancel_for
from sscb.uploads import stored_name, validate_upload

from . import selectors
from .agenda import Proposal
from .models import AgendaItem, Attendance, Meeting, Paper
from .selectors import may_present

Status = Meeting.Status


def _save(instance, **fields):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


# Scheduling ------------------------------------------------------------------------------------


def meeting_schedule(*, body, held_on: datetime.date, **fields) -> Meeting:
    """Schedule one meeting of ``body``."""
    return _save(Meeting(body=body, held_on=held_on), **fields)


@transaction.atomic
def meeting_schedule_series(
    *,
    body,
    first_on: datetime.date,
    every_weeks: int,
    count: int,
    papers_days_before: int | None = None,
    **fields,
) -> list[Meeting]:
    """Schedule ``count`` meetings of ``body``, ``every_weeks`` apart, sharing a series id."""
    if not 1 <= count <= 24:
        raise ValidationError({"count": "Schedule between 1 and 24 meetings at a time."})
    if not 1 <= every_weeks <= 52:
        raise ValidationError({"every_weeks": "Give a gap of 1 to 52 weeks."})
    series = uuid.uuid4()
    meetings = []
    for n in range(count):
        held_on = first_on + datetime.timedelta(weeks=every_weeks * n)
        papers = (
            held_on - datetime.timedelta(days=papers_days_before)
            if papers_days_before is not None
            else None
        )
        try:
            meetings.append(
                meeting_schedule(
                    body=body, held_on=held_on, series=series, papers_due_on=papers, **fields
                )
            )
        except ValidationError as error:
            raise _in_series(error, n) from error
    return meetings


def _in_series(error: ValidationError, n: int) -> ValidationError:
    """A meeting of a series refused, in the series' own words: the first meeting's date is
    the date asked for; a later one's is said with its number in the series."""
    if not hasattr(error, "error_dict"):
        return error
    errors = dict(error.error_dict)
    if "held_on" in errors:
        dates = errors.pop("held_on")
        if n == 0:
            errors["first_on"] = dates
        else:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(
                ValidationError(f"Meeting {n + 1} of the series: {message}")
                for message in ValidationError(dates).messages
            )
    if "papers_due_on" in errors:
        errors["papers_days_before"] = [
            ValidationError(f"Meeting {n + 1} of the series: {message}")
            for message in ValidationError(errors.pop("papers_due_on")).messages
        ]
    return ValidationError(errors)


@transaction.atomic
def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    if meeting.status == Status.MINUTES_APPROVED:
        raise ValidationError("The minutes of this meeting are approved: it can no longer change.")
    if meeting.status == Status.CANCELLED:
        raise ValidationError("This meeting was cancelled: it can no longer change.")
    # Compared with the stored values: a ModelForm has already set the new ones on ``meeting``.
    stored = Meeting.objects.values("held_on", "papers_due_on").get(pk=meeting.pk)
    replan = "papers_due_on" in fields and fields["papers_due_on"] != stored["papers_due_on"]
    moved = "held_on" in fields and fields["held_on"] != stored["held_on"]
    if moved and meeting.items.filter(decided_on__isnull=False).exists():
        # Each record decided here carries the meeting's date as the day it was decided (and
        # minutes approved here say so): moving the meeting would leave them saying otherwise.
        raise ValidationError(
            {
                "held_on": "Decisions taken at this meeting are already recorded on their "
                f"records as made on {say(stored['held_on'])}, so its date cannot move. If the "
                "date is wrong, correct each decision on its record first."
            }
        )
    if meeting.status not in Meeting.PREPARING and "held_on" in fields:
        check_dates(held_on=not_future(fields["held_on"], what="The date of a meeting held"))
    meeting = _save(meeting, **fields)
    if replan:
        for item in meeting.items.all():
            reminders_cancel_for(item)
    for item in meeting.items.filter(outcome__isnull=False).select_related("outcome"):
        _outcome_goes_then(item)
    return meeting


def move_refusal(meeting: Meeting, to: str) -> str | None:
    """Why ``meeting`` cannot become ``to`` now, or None: the rule ``meeting_move`` refuses by
    and the meeting's page offers its moves by."""
    to = Status(to)
    if to not in Meeting.TRANSITIONS[Status(meeting.status)]:
        return (
            f"A meeting whose status is “{meeting.get_status_display()}” cannot become "
            f"“{to.label}”."
        )
    if to == Status.AGENDA_PUBLISHED and not meeting.items.exists():
        return "Add at least one item before publishing the agenda."
    if to == Status.HELD:
        return not_future(meeting.held_on, what="The meeting's date")
    if to == Status.MINUTES_CIRCULATED and not _minuted(meeting.items.all()).exists():
        return (
            "There are no minutes to circulate yet: write what was discussed or decided on at "
            "least one item first."
        )
    return None


def _minuted(items):
    """The items with minutes: something said of what was discussed or decided."""
    return items.exclude(notes__regex=r"^\s*$", decision__regex=r"^\s*$")


def meeting_move(*, meeting: Meeting, to: str) -> Meeting:
    """Publish the agenda, hold the meeting, circulate its minutes (or take a step back)."""
    to = Status(to)
    refusal = move_refusal(meeting, to)
    if refusal:
        raise ValidationError(refusal)
    fields = {"status": to}
    if to == Status.MINUTES_CIRCULATED:
        fields["minutes_circulated_on"] = timezone.localdate()
    elif to == Status.HELD:
        fields["minutes_circulated_on"] = None
    return _save(meeting, **fields)


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, because: str) -> Meeting:
    """Cancel a meeting not yet held, saying why. It is kept, with its agenda; its items are no
    longer waiting for it, so each may go on another meeting's agenda, and nobody is chased for
    their papers."""
    if meeting.status not in Meeting.CANCELLABLE:
        raise ValidationError(
            f"Only a meeting not yet held can be cancelled; this one is "
            f"“{meeting.get_status_display()}”."
        )
    if not because.strip():
        raise ValidationError({"because": "Say why the meeting is cancelled."})
    meeting = _save(meeting, status=Status.CANCELLED, cancelled_because=because.strip())
    for item in meeting.items.all():
        reminders_cancel_for(item)
    return meeting


# The agenda ------------------------------------------------------------------------------------


def _refuse_unless(meeting: Meeting, statuses, doing: str):
    if meeting.status not in statuses:
        raise ValidationError(
            f"{doing} is not possible while the meeting is “{meeting.get_status_display()}”."
        )


def _refuse_presenter(item: AgendaItem) -> None:
    """A presenter must be someone who may open the item (``may_present``): the form offers
    only them, and this refuses anyone else from any other path."""
    presenter = item.presenter
    if presenter is not None and not may_present(presenter, item):
        raise ValidationError(
            {
                "presenter": f"{presenter} may not open this item (its meeting or its review), "
                "so cannot present it or send its papers. Choose someone who may."
            }
        )


@transaction.atomic
def item_add(*, meeting: Meeting, **fields) -> AgendaItem:
    """Add an item at the end of the agenda (before the minutes are approved)."""
    _refuse_unless(meeting, (*Meeting.PREPARING, *Meeting.MINUTING), "Adding an item")
    last = meeting.items.aggregate(n=Max("position"))["n"] or 0
    item = AgendaItem(meeting=meeting, position=last + 1)
    for name, value in fields.items():
        setattr(item, name, value)
    _refuse_presenter(item)
    item = _save(item)
    _outcome_goes_then(item)
    return item


@transaction.atomic
def items_add_proposed(*, meeting: Meeting, chosen: Iterable[Proposal]) -> list[AgendaItem]:
    """Put the chosen proposals on the agenda; one already on it is not added twice."""
    return [
        item_add(meeting=meeting, **proposal.item_fields())
        for proposal in chosen
        if not proposal.on_agenda
    ]


@transaction.atomic
def item_update(*, item: AgendaItem, **fields) -> AgendaItem:
    _refuse_unless(item.meeting, (*Meeting.PREPARING, *Meeting.MINUTING), "Changing an item")
    replan = "presenter" in fields and fields["presenter"] != item.presenter
    for name, value in fields.items():
        setattr(item, name, value)
    _refuse_presenter(item)
    item = _save(item)
    if replan:
        reminders_cancel_for(item)
    _outcome_goes_then(item)
    return item


def _outcome_goes_then(item: AgendaItem) -> None:
    """A learning outcome awaiting the Executive, on the agenda of an Executive meeting not yet
    held, goes to the Executive on that meeting's date: the meeting leads, and the outcome's
    "goes to the Executive on" follows it when it is put on the agenda or the meeting moves
    (``learning.services`` refuses another date while it is there)."""
    outcome, meeting = item.outcome, item.meeting
    if (
        outcome is None
        or outcome.decision != LearningOutcome.Decision.PENDING
        or meeting.body.code != SubGroup.Code.EXECUTIVE
        or meeting.status not in Meeting.PREPARING
        or outcome.executive_on == meeting.held_on
    ):
        return
    with saying(outcome, f"On the agenda of the {meeting}"):
        try:
            learning_services.outcome_save(outcome=outcome, executive_on=meeting.held_on)
        except ValidationError as error:  # on an earlier Executive's agenda: said of the item
            raise ValidationError(error.message_dict["executive_on"]) from None


@transaction.atomic
def item_move(*, item: AgendaItem, up: bool) -> AgendaItem:
    """Swap the item with the one before (``up``) or after it; the ends stay where they are."""
    _refuse_unless(item.meeting, Meeting.PREPARING, "Reordering the agenda")
    siblings = AgendaItem.objects.select_for_update().filter(meeting_id=item.meeting_id)
    neighbour = (
        siblings.filter(position__lt=item.position).order_by("-position").first()
        if up
        else siblings.filter(position__gt=item.position).order_by("position").first()
    )
    if neighbour is None:
        raise ValidationError(
            f"Item {item.position} is already {'first' if up else 'last'} on the agenda: "
            "nothing moved."
        )
    item.position, neighbour.position = neighbour.position, item.position
    item.save(update_fields=["position", "updated_at"])
    neighbour.save(update_fields=["position", "updated_at"])
    return item


@transaction.atomic
def item_remove(*, item: AgendaItem) -> Meeting:
    """Take an item off the agenda before the meeting is held; the items after it move up. Its
    versions, and its papers', stay in the meeting's history, which says it was removed."""
    meeting = item.meeting
    _refuse_unless(meeting, Meeting.PREPARING, "Taking an item off the agenda")
    reminders_cancel_for(item)
    position = item.position
    item._change_reason = "taken off the agenda"
    item.delete()
    for later in (
        AgendaItem.objects.select_for_update()
        .filter(meeting_id=meeting.pk, position__gt=position)
        .order_by("position")
    ):
        later.position -= 1
        later.save(update_fields=["position", "updated_at"])
    return meeting


def paper_withdraw(*, paper: Paper) -> Paper:
    """Withdraw a paper: it leaves the item's papers and the pack, and can no longer be
    downloaded; it is kept, with its history and the access log of its downloads."""
    item = paper.item
    _refuse_unless(item.meeting, (*Meeting.PREPARING, *Meeting.MINUTING), "Withdrawing a paper")
    if paper.withdrawn_at:
        raise ValidationError("This paper is already withdrawn.")
    paper.withdrawn_at = timezone.now()
    paper.save(update_fields=["withdrawn_at", "updated_at"])
    return paper


def paper_add(*, item: AgendaItem, upload, uploaded_by) -> Paper:
    """Keep a paper for an item if sscb.uploads accepts it, under a random stored name."""
    _refuse_unless(item.meeting, (*Meeting.PREPARING, *Meeting.MINUTING), "Adding a paper")
    try:
        name, extension = validate_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    paper = Paper(item=item, name=name, uploaded_by=uploaded_by)
    paper.file.save(stored_name(extension), upload, save=False)
    paper.save()
    reminders_cancel_for(item)  # the papers are in: nothing more to chase
    return paper


def paper_record_download(*, request, paper: Paper) -> None:
    """Log a paper's download in the access log, as evidence files are. The label names the
    paper by number and item, not by its uploaded name (nobody checked it for a child's name)."""
    item = paper.item
    label = f"Paper {paper.pk} of item {item.position}, {item.meeting}"
    access_log_record(request, paper, Access.DOWNLOAD, label=label)


# Minutes ---------------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, meeting: Meeting, rows: Iterable[dict]) -> int:
    """Record who was present, sent apologies (with their deputy) or was absent. A member's row
    as it was is left as it is: the meeting's history lists changes, not every member again each
    time the form is saved."""
    _refuse_unless(meeting, Meeting.MINUTING, "Recording attendance")
    saved, refused = 0, []
    for row in rows:
        entry = Attendance.objects.filter(meeting=meeting, person=row["person"]).first()
        entry = entry or Attendance(meeting=meeting, person=row["person"])
        agency, status, deputy = row.get("agency"), row["status"], row.get("deputy", "")
        if entry.pk and (entry.agency_id, entry.status, entry.deputy) == (
            agency.pk if agency else None,
            status,
            deputy,
        ):
            saved += 1
            continue
        try:
            _save(entry, agency=agency, status=status, deputy=deputy)
        except ValidationError as error:
            refused += error.messages  # every member's problem at once; nothing is kept
        else:
            saved += 1
    if refused:
        raise ValidationError(refused)
    return saved


def item_minute(*, item: AgendaItem, notes: str, decision: str) -> AgendaItem:
    """Write an item's minutes: what was discussed and what was decided."""
    _refuse_unless(item.meeting, Meeting.MINUTING, "Writing the minutes")
    if not notes.strip() and not decision.strip():
        raise ValidationError(
            "The minutes are empty: write what was discussed or decided on this item, then save."
        )
    return _save(item, notes=notes, decision=decision)


def minutes_label(item: AgendaItem) -> str:
    """Where a record says it was decided: "decided at the Executive, 12 March 2026, item 4"."""
    meeting = item.meeting
    return f"decided at {meeting.the_body}, {meeting.date_label}, item {item.position}"


def _applied(item: AgendaItem, wording: str) -> AgendaItem:
    """Mark the item's decision applied; the record's history says where it was taken."""
    decision = item.decision or wording
    return _save(item, decision=decision, decided_on=item.meeting.held_on)


def _mark_decided_at(item: AgendaItem, record) -> None:
    """simple-history keeps where it was decided with the record's next saved version."""
    label = minutes_label(item)
    record._change_reason = reason_of(label[0].upper() + label[1:])


def quorum_refusal(meeting: Meeting, attendance: list[Attendance] | None = None) -> str | None:
    """Why ``meeting`` may not decide (approve minutes, record a decision), or None: its body
    sets a quorum and too few members attended. A deputy who came for a member counts, as in
    the attendance figures: they sit at the table for that member (``members_attending``)."""
    needed = meeting.body.quorum
    if not needed:
        return None
    attendance = selectors.attendance_of(meeting) if attendance is None else attendance
    if selectors.quorum_met(meeting, attendance):
        return None
    if not attendance:
        return (
            f"{capfirst(meeting.the_body)} needs {needed} members present to decide, and "
            "attendance is not recorded yet: record who was present first."
        )
    came = selectors.members_attending(attendance)
    return (
        f"This meeting was not quorate: {came} of the {needed} members {meeting.the_body} "
        f"needs to decide {'was' if came == 1 else 'were'} present (a deputy counts for the "
        "member they came for), so it cannot approve minutes or record decisions."
    )


def _before_deciding(item: AgendaItem, field: str, record):
    _refuse_unless(item.meeting, Meeting.MINUTING, "Recording a decision")
    not_quorate = quorum_refusal(item.meeting)
    if not_quorate:
        raise ValidationError(not_quorate)
    if getattr(item, f"{field}_id") is None:
        raise ValidationError("This item is not about a record that can take this decision.")
    if item.decided_on:
        raise ValidationError("The decision on this item is already recorded on its record.")
    _mark_decided_at(item, record)


@transaction.atomic
def item_decide_referral(
    *, item: AgendaItem, by, decision: str, reasons: str, alternative_route: str = ""
) -> AgendaItem:
    """The meeting body's decision on a referral (the Case Review Panel's, or L&I's on its own
    referrals), recorded on the review by its service."""
    review, body = item.review, item.meeting.the_body
    _before_deciding(item, "review", review)
    if decision == Review.Decision.PENDING:
        raise ValidationError({"decision": f"Choose {body}'s decision."})
    # A referral the body decides reaches its Decision stage at the meeting.
    review_reach_decision(
        review=review,
        by=by,
        on=item.meeting.held_on,
        note=f"Brought to {body}'s decision: {minutes_label(item)}.",
    )
    review_record_decision(
        review=review,
        by=by,
        decision=decision,
        decided_on=item.meeting.held_on,
        decision_reasons=reasons,
        alternative_route=alternative_route,
        national_panel_told_on=review.national_panel_told_on,
        abuse_or_neglect=review.abuse_or_neglect,
        child_died=review.child_died,
        seriously_harmed=review.seriously_harmed,
        concern_working_together=review.concern_working_together,
        died_in_custody=review.died_in_custody,
        suspected_suicide=review.suspected_suicide,
        minutes_label=minutes_label(item),
        minutes_url=item.get_absolute_url(),
    )
    wording = f"{review.get_decision_display()}: {reasons}"
    if review.alternative_route:
        wording += f" Instead: {review.get_alternative_route_display().lower()}."
    return _applied(item, wording)


@transaction.atomic
def item_decide_outcome(*, item: AgendaItem, by, decision: str, notes: str) -> AgendaItem:
    """The Executive's decision on a learning outcome, recorded on it by its service."""
    outcome = item.outcome
    _before_deciding(item, "outcome", outcome)
    learning_services.outcome_decide(
        outcome=outcome,
        decision=decision,
        notes=notes,
        decided_by=by,
        decided_on=item.meeting.held_on,
        minutes_label=minutes_label(item),
        minutes_url=item.get_absolute_url(),
    )
    return _applied(item, f"{outcome.get_decision_display()}. {notes}".strip())


@transaction.atomic
def item_agree_theme(*, item: AgendaItem, by) -> AgendaItem:
    """The body agrees a proposed priority theme, on the meeting's date."""
    theme = item.theme
    _before_deciding(item, "theme", theme)
    learning_services.theme_move(
        theme=theme,
        to=PriorityTheme.Status.AGREED,
        on=item.meeting.held_on,
        minutes_label=minutes_label(item).replace("decided at", "agreed at", 1),
        minutes_url=item.get_absolute_url(),
    )
    return _applied(item, "Theme agreed.")


@transaction.atomic
def item_moderate_return(*, item: AgendaItem, by, scores: dict) -> AgendaItem:
    """QAP's moderated score for each standard of a return, agreed at the meeting (its challenge
    event), recorded on each standard by the return's own service. ``scores`` maps each answer's
    id to its (moderated score, comment)."""
    self_assessment = item.self_assessment
    _before_deciding(item, "self_assessment", self_assessment)
    answers = {
        answer.pk: answer
        for answer in StandardAssessment.objects.filter(
            self_assessment=self_assessment
        ).select_related("standard")
    }
    if set(scores) != set(answers):
        raise ValidationError("Give a moderated score for every standard of the return.")
    label, url = minutes_label(item), item.get_absolute_url()
    agreed = []
    for answer in sorted(answers.values(), key=lambda a: a.standard.number):
        score, comment = scores[answer.pk]
        _mark_decided_at(item, answer)
        answer = audits_services.standard_assessment_moderate(
            standard_assessment=answer,
            moderated_score=score,
            moderation_comment=comment,
            challenge_notes=answer.challenge_notes,
            by=by,
            minutes_label=label,
            minutes_url=url,
        )
        agreed.append(f"{answer.standard.number} {answer.get_moderated_score_display().lower()}")
    return _applied(item, "Moderated scores: standard " + "; ".join(agreed) + ".")


@transaction.atomic
def item_approve_minutes(*, item: AgendaItem, by) -> AgendaItem:
    """The meeting approves the minutes of an earlier one (circulated to members)."""
    earlier = item.minutes_of
    _before_deciding(item, "minutes_of", earlier)
    if earlier.status != Status.MINUTES_CIRCULATED:
        raise ValidationError("Those minutes have not been circulated to members yet.")
    if earlier.held_on > item.meeting.held_on:
        raise ValidationError("Minutes are approved at a later meeting.")
    _save(earlier, status=Status.MINUTES_APPROVED, minutes_approved_at=item.meeting)
    reminders_cancel_for(earlier)
    return _applied(item, "Minutes approved as a true record.")


def _plan_of(item: AgendaItem) -> dict:
    """The plan an action arising joins: the item's review, audit or outcome (the one its
    standard or action belongs to, for a return or an escalated action)."""
    if item.review_id:
        return {"review": item.review}
    if item.audit_id:
        return {"audit": item.audit}
    if item.outcome_id:
        return {"outcome": item.outcome}
    if item.evidence_id:
        return {"outcome": item.evidence.outcome}
    if item.action_id:
        action = item.action
        return {
            name: getattr(action, name)
            for name in ("review", "audit", "standard_assessment", "outcome")
            if getattr(action, f"{name}_id")
        }
    raise ValidationError(
        "An action arising joins a plan: this item is not about a review, an audit, an "
        "outcome or an action. Add the action on the record it concerns."
    )


@transaction.atomic
def item_action_arising(*, item: AgendaItem, **fields):
    """An action arising is an ordinary action (so reminders and the dashboard follow it),
    in its record's plan, listed with the item it arose from."""
    _refuse_unless(item.meeting, Meeting.MINUTING, "Adding an action arising")
    action = learning_services.action_create(**_plan_of(item), **fields)
    # The item's new version says what changed without naming the action, which has its own
    # rule for who may see it (the meeting's history).
    with saying(item, "added an action arising"):
        item.actions_arising.add(action)
    return action
