"""Every write to training: courses, sessions and registers, delivery (through the learning
loop's own services), the evaluation's one-use links and the answers given through them."""

import datetime
import logging
import secrets
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from learning import services as learning_services
from learning.models import PracticeCheck
from sscb import tabular
from sscb.dates import say
from sscb.history import record_versions, saying
from sscb.lists import plural
from sscb.models import Agency

from . import selectors
from .figures import evaluation_by, practice_result
from .models import MAX_POINTS, Attendee, Course, Questionnaire, QuestionnaireLink, Rating, Session
from .selectors import token_hash

Stage = Questionnaire.Stage

logger = logging.getLogger(__name__)


def _today():
    return timezone.localdate()


def _save(instance, **fields):
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


# Courses and sessions ---------------------------------------------------------------------------


# A learning point is a line of a questionnaire: a short sentence, not a paragraph.
POINT_MAX_CHARACTERS = 200


def learning_points_of(text: str) -> list[str]:
    """The learning points written one a line in ``text``, or ValidationError saying in words
    what is wrong: none or too many, an empty line between two points, a point given twice, or
    one too long to rate."""
    lines = [line.strip() for line in (text or "").strip().splitlines()]
    problems = []
    if "" in lines:
        problems.append(
            f"Line {lines.index('') + 1} is empty: write one learning point a line, with no "
            "empty lines between them."
        )
    points = [line for line in lines if line]
    if not points or len(points) > MAX_POINTS:
        problems.append(f"Give between one and {MAX_POINTS} learning points, one a line.")
    seen = set()
    for point in points:
        if point.casefold() in seen:
            problems.append(
                f"“{point}” is given twice: each learning point is rated once, so give it once."
            )
            break
        seen.add(point.casefold())
    for number, point in enumerate(points, start=1):
        if len(point) > POINT_MAX_CHARACTERS:
            problems.append(
                f"Learning point {number} has {len(point)} characters: keep each to "
                f"{POINT_MAX_CHARACTERS} at most, a sentence an attendee can rate."
            )
    if problems:
        raise ValidationError({"learning_points": problems})
    return points


@transaction.atomic
def course_save(*, course: Course | None = None, outcomes, **fields) -> Course:
    """Add or change a course; its learning points are fixed once a questionnaire about them
    has been sent (each score is kept against a point's number)."""
    course = course or Course()
    if "learning_points" in fields:
        points = learning_points_of(fields["learning_points"])
        fields["learning_points"] = "\n".join(points)
        # As stored, not as the form left the instance it was given.
        stored = Course.objects.filter(pk=course.pk).values_list("learning_points", flat=True)
        if course.pk and Course(learning_points=stored[0]).points != points:
            fixed = selectors.learning_points_fixed(course)
            if fixed:
                raise ValidationError({"learning_points": fixed})
    if not outcomes:
        raise ValidationError({"outcomes": "Choose the learning outcomes this course serves."})
    _save(course, **fields)
    # The version a change of outcomes makes says so, without naming them (each outcome has
    # its own rule for who may see it; the course's history).
    with saying(course, "changed the learning outcomes it serves"):
        course.outcomes.set(outcomes)
    for session in course.sessions.all():
        _sync_activities(session)
        if session.delivered_on:
            refresh_checks(session)  # a newly served outcome's evaluations, from the answers
    return course


def _sync_activities(session: Session) -> None:
    """The session as a delivery activity of each outcome its course serves: planned for its
    date, delivered once delivered, its reach the number who attended. An outcome the course
    no longer serves loses the session as its delivery (``_stop_delivering``)."""
    course = session.course
    attended = session.attendees.filter(status=Attendee.Status.ATTENDED).count()
    have = {activity.outcome_id: activity for activity in session.activities.all()}
    for outcome in course.outcomes.all():
        fields = {
            "outcome": outcome,
            "way": course.kind,
            "title": f"{course.title} ({session.held_on:%-d %b %Y})",
            "audience": "Practitioners and managers from partner agencies",
            "planned_on": session.held_on,
            "delivered_on": session.delivered_on,
            "reach": attended if session.delivered_on else None,
        }
        activity = have.pop(outcome.pk, None)
        if activity is None:
            with saying(session, "recorded as delivery of a learning outcome"):
                session.activities.add(learning_services.activity_save(**fields))
        elif any(getattr(activity, name) != value for name, value in fields.items()):
            learning_services.activity_save(activity=activity, **fields)
    for activity in have.values():
        _stop_delivering(session, activity)


def _stop_delivering(session: Session, activity) -> None:
    """The session is no longer ``activity``'s outcome's delivery: its course stopped serving
    the outcome. The activity goes, and with it the training evaluations made from the
    attendees' answers (they would otherwise keep counting, and keep being updated, for an
    outcome the training no longer serves); the session's, the outcome's and their own
    histories say so. A practice check recorded by hand against the activity is someone's
    work, not the answers': the change is refused, saying which."""
    outcome = activity.outcome
    by_hand = [
        check.agency.name
        for check in activity.checks.filter(from_answers=False).select_related("agency")
    ]
    if by_hand:
        raise ValidationError(
            {
                "outcomes": f"The session of {say(session.held_on)} is the training that "
                f"{plural(len(by_hand), 'practice check')} of “{outcome}” recorded by hand "
                f"evaluate{'s' if len(by_hand) == 1 else ''} ({', '.join(by_hand)}), so the "
                "course still serves that outcome. Take the session off those checks on the "
                "outcome's page first, or keep the outcome."
            }
        )
    # A version's reason holds 100 characters: the session by its date, as the outcome's page
    # lists its delivery.
    reason = "its training session's course stopped serving the outcome"
    for check in activity.checks.filter(from_answers=True):
        with saying(check, reason):
            check.delete()
    with saying(session, "no longer delivery of a learning outcome its course stopped serving"):
        session.activities.remove(activity)
    with saying(activity, reason):
        activity.delete()
    record_versions(
        [outcome],
        reason=f"Training of {session.held_on:%-d %b %Y} no longer its delivery: its course "
        "stopped serving it",
    )


@transaction.atomic
def session_save(*, session: Session | None = None, course: Course | None = None, **fields):
    """Schedule a session of ``course`` (or change one); it is at once a planned delivery
    activity of each of the course's outcomes."""
    session = session or Session(course=course)
    # As stored, not as a form left the instance it was given.
    stored = Session.objects.filter(pk=session.pk).values("held_on", "delivered_on").first()
    moved = stored is not None and fields.get("held_on", stored["held_on"]) != stored["held_on"]
    if moved and stored["delivered_on"]:
        raise ValidationError({"held_on": "The session has been delivered: its date is kept."})
    if moved:
        _check_attendance_kept(session, fields["held_on"])
    booked = session.attendees.count() if session.pk else 0
    if fields.get("places") is not None and fields["places"] < booked:
        raise ValidationError(
            {
                "places": f"{booked} {'person is' if booked == 1 else 'people are'} already "
                f"booked: give at least {plural(booked, 'place')}."
            }
        )
    _save(session, **fields)
    _sync_activities(session)
    if moved:
        _move_link_windows(session)
    return session


def _move_link_windows(session: Session) -> None:
    """The links already emailed for a session that moved close with its new windows: a
    baseline link sent for 6 January works until the session's new day, 20 January."""
    for stage in Stage.values:
        until = _window(session, stage)[1]
        QuestionnaireLink.objects.filter(
            questionnaire__attendee__session=session,
            questionnaire__stage=stage,
            questionnaire__answered_at__isnull=True,
        ).update(expires_at=_end_of(until))


def open_links_said(session: Session) -> str | None:
    """For the chair who moved ``session``: that the questionnaire links already emailed and
    not yet answered still work, and until when; None if there are none."""
    links = (
        QuestionnaireLink.objects.filter(
            questionnaire__attendee__session=session,
            questionnaire__answered_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .values_list("questionnaire__stage", "expires_at")
        .order_by()
    )
    closing = {}
    for stage, expires_at in links:
        closing.setdefault(stage, [0, expires_at])[0] += 1
    if not closing:
        return None
    said = "; ".join(
        f"{plural(count, 'link')} to the questionnaire “{Stage(stage).label.lower()}” "
        f"{'works' if count == 1 else 'work'} until {say(timezone.localdate(expires_at))}"
        for stage, (count, expires_at) in sorted(closing.items())
    )
    return (
        f"The questionnaire links already emailed still work, with the new date: {said}. "
        "Nobody was emailed about the change."
    )


def delivery_refusal(session: Session) -> str | None:
    """Why ``session`` cannot be recorded as delivered now, or None: the rule
    ``session_deliver`` refuses by and the session's page offers the button by."""
    if session.delivered_on:
        return "This session is already recorded as delivered."
    if session.held_on > _today():
        return (
            f"A session is recorded as delivered on or after its date: this one is on "
            f"{say(session.held_on)}."
        )
    # Delivering it delivers each outcome its course serves, which DeliveryActivity.clean
    # refuses before the Executive has agreed the outcome, or for a day before it did: said
    # here, in words for a session, before the click.
    for outcome in session.course.outcomes.order_by("title", "pk"):
        if not outcome.is_agreed:
            return (
                f"The course serves the learning outcome “{outcome}”, which the Executive has "
                "not agreed: record the session as delivered once the Executive has agreed it, "
                "or take the outcome off the course."
            )
        agreed_on = outcome.agreed_since()
        if agreed_on and session.held_on < agreed_on:
            return (
                f"The session was on {say(session.held_on)}, before the Executive agreed the "
                f"learning outcome “{outcome}” its course serves ({say(agreed_on)}): learning "
                "counts as an outcome's delivery from the day it is agreed, so this session "
                "cannot be recorded as delivered."
            )
    if not session.attendees.filter(status=Attendee.Status.ATTENDED).exists():
        return "Mark who attended on the register, then record the session as delivered."
    return None


@transaction.atomic
def session_deliver(*, session: Session) -> Session:
    """Record that the session took place: each outcome's activity is delivered, its reach the
    attended count, and each attending agency gets its training evaluation."""
    refusal = delivery_refusal(session)
    if refusal:
        raise ValidationError(refusal)
    _save(session, delivered_on=session.held_on)
    _after_attendance(session)
    return session


def _after_attendance(session: Session) -> None:
    """Reach and the training evaluations follow the register of a delivered session."""
    if not session.delivered_on:
        return
    _sync_activities(session)
    refresh_checks(session)


def refresh_checks(session: Session) -> None:
    """Each attending agency's training evaluation of each of the session's activities: its
    result and date from the attendees' follow-up answers (never typed). An agency nobody from
    whom is on the register as attending now (their agency corrected, their attendance) keeps
    no evaluation made from answers that are no longer its own."""
    questionnaires = Questionnaire.objects.filter(attendee__session=session)
    by_agency = evaluation_by(questionnaires, "attendee__agency_id")
    answered_on = {
        row["attendee__agency_id"]: timezone.localdate(row["last"])
        for row in questionnaires.filter(stage=Stage.FOLLOW_UP, answered_at__isnull=False)
        .values("attendee__agency_id")
        .annotate(last=Max("answered_at"))
        .order_by()
    }
    agencies = Agency.objects.filter(
        pk__in=session.attendees.filter(status=Attendee.Status.ATTENDED).values("agency_id")
    )
    # Only the delivery of an outcome the course serves now is evaluated (``_sync_activities``).
    activities = session.activities.filter(outcome__courses=session.course_id)
    gone = PracticeCheck.objects.filter(activity__in=activities, from_answers=True).exclude(
        agency__in=agencies
    )
    for check in gone:
        with saying(check, "nobody from its agency is on the session's register as attending"):
            check.delete()
    for activity in activities:
        for agency in agencies:
            evaluation = by_agency.get(agency.pk)
            result = practice_result(
                *((evaluation.yes, evaluation.partly, evaluation.no) if evaluation else (0, 0, 0))
            )
            learning_services.training_evaluation_from_answers(
                activity=activity,
                agency=agency,
                checked_on=answered_on.get(agency.pk) if result != "pending" else None,
                result=result,
            )


# Registers ----------------------------------------------------------------------------------------


def _check_places(session: Session, adding: int) -> None:
    booked = session.attendees.count()
    if booked + adding > session.places:
        left = max(session.places - booked, 0)
        raise ValidationError(
            f"The session has {plural(session.places, 'place')} and {booked} "
            f"{'is' if booked == 1 else 'are'} taken: {left} left, so {adding} cannot be added."
        )


def _check_not_on_register(session: Session, email: str, attendee: Attendee | None = None):
    """An address is on a register once, whatever its capitals (as the upload refuses it)."""
    others = session.attendees.filter(email__iexact=(email or "").strip())
    if attendee is not None:
        others = others.exclude(pk=attendee.pk)
    if email and others.exists():
        raise ValidationError({"email": f"{email} is already on this register."})


@transaction.atomic
def attendee_add(*, session: Session, **fields) -> Attendee:
    """Book a practitioner onto a session (their status may be given for a past session)."""
    _check_places(session, 1)
    _check_not_on_register(session, fields.get("email", ""))
    attendee = _save(Attendee(session=session), **fields)
    _check_status_allowed(session, attendee.status)
    _after_attendance(session)
    return attendee


@transaction.atomic
def attendee_change(
    *, attendee: Attendee, name: str, email: str, manager_email: str, agency
) -> str | None:
    """Correct a practitioner's name, work email, manager's email or agency (the register's
    history keeps each change). A link already emailed stays where it went and still works: a
    new address gets a link only when "Email the link again" sends one. Returns what the chair
    should know about that, or None."""
    _check_not_on_register(attendee.session, email, attendee)
    # As stored, not as a form left the instance it was given.
    before = (
        Attendee.objects.filter(pk=attendee.pk)
        .values_list(Lower("email"), Lower("manager_email"), "agency_id")
        .get()
    )
    _save(attendee, name=name, email=email, manager_email=manager_email, agency=agency)
    if attendee.agency_id != before[2]:
        _after_attendance(attendee.session)  # each agency's training evaluation
    moved = [
        what
        for what, old, new in (
            ("their work email", before[0], attendee.email.lower()),
            ("their manager's email", before[1], attendee.manager_email.lower()),
        )
        if old != new
    ]
    waiting = attendee.questionnaires.filter(answered_at__isnull=True, links__isnull=False)
    if not moved or not waiting.exists():
        return None
    return (
        f"{attendee.name} has been sent a questionnaire they have not answered: its link went "
        "to the address before this change, and still works there. To send a new link to "
        f"{' and '.join(moved)} as it is now, use “Email the link again” on the register."
    )


def attendance_not_yet(session: Session) -> str | None:
    """Why nobody on ``session``'s register can be marked as attending or not yet, or None."""
    return _attendance_not_yet_on(session.held_on)


def _attendance_not_yet_on(held_on: datetime.date) -> str | None:
    if held_on > _today():
        return f"Attendance is recorded on or after the day of the session ({say(held_on)})."
    return None


def _check_attendance_kept(session: Session, held_on: datetime.date) -> None:
    """A session whose register records attendance stays on or before today: moved after it,
    its recorded attendance would be of a day that has not come."""
    moved_to = _attendance_not_yet_on(held_on)
    marked = session.attendees.exclude(status=Attendee.Status.BOOKED).count() if moved_to else 0
    if marked:
        raise ValidationError(
            {
                "held_on": f"{moved_to} {plural(marked, 'person', 'people')} on the register "
                f"{'is' if marked == 1 else 'are'} already marked as attended or did not "
                f"attend, so the session cannot move after today ({say(_today())}). Keep a "
                "date on or before today, or mark them as booked first."
            }
        )


def register_fixed(session: Session) -> str | None:
    """Why nobody comes off ``session``'s register or goes back to booked, or None: once it is
    recorded as delivered, its register is its attendance figures and its delivery's reach.
    The one rule the session's page offers its controls by and the register's services follow."""
    if session.delivered_on:
        return (
            "This session is recorded as delivered, so its register is kept as its attendance "
            "figures: each person on it is marked as attended or did not attend, and nobody "
            "is taken off it."
        )
    return None


def _check_status_allowed(session: Session, status: str) -> None:
    refusal = attendance_not_yet(session)
    if status != Attendee.Status.BOOKED and refusal:
        raise ValidationError({"status": refusal})
    if status == Attendee.Status.BOOKED and register_fixed(session):
        raise ValidationError(
            {
                "status": "This session is recorded as delivered, so each person on its "
                "register is marked as attended or did not attend, not as booked."
            }
        )


@transaction.atomic
def attendee_mark(*, attendee: Attendee, status: str) -> Attendee:
    """Record whether a booked practitioner attended. Once the session is recorded as
    delivered, someone on its register stays marked as attending: it is delivered learning
    because someone attended (``delivery_refusal``)."""
    if status not in Attendee.Status.values:
        raise ValidationError({"status": "Choose booked, attended or did not attend."})
    session = attendee.session
    _check_status_allowed(session, status)
    if session.delivered_on:
        # One change to a delivered register at a time: two people marked as not attending at
        # once would each see the other still attending.
        Session.objects.select_for_update().filter(pk=session.pk).first()
    if (
        session.delivered_on
        and attendee.status == Attendee.Status.ATTENDED
        and status != Attendee.Status.ATTENDED
        and not session.attendees.filter(status=Attendee.Status.ATTENDED)
        .exclude(pk=attendee.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "status": f"{attendee.name} is the only person this delivered session records "
                "as attending, and a session is delivered learning because someone attended: "
                "mark whoever else attended first."
            }
        )
    _save(attendee, status=status)
    _after_attendance(attendee.session)
    return attendee


@transaction.atomic
def attendee_remove(*, attendee: Attendee) -> None:
    """Take a booking off a session's register (the practitioner cancelled, or was booked by
    mistake). Someone marked as attending or not, or sent a questionnaire, stays: their record
    is part of the attendance figures and the evaluation, so mark them instead. The register's
    history keeps the removal. Nobody comes off a delivered session's register
    (``register_fixed``)."""
    if attendee.status != Attendee.Status.BOOKED:
        raise ValidationError(
            f"{attendee.name}'s attendance is recorded, so they stay on the register: "
            "change their status instead."
        )
    fixed = register_fixed(attendee.session)
    if fixed:
        raise ValidationError(f"{attendee.name} stays on the register. {fixed}")
    if attendee.questionnaires.exists():
        raise ValidationError(
            f"{attendee.name} has been sent a questionnaire, so they stay on the register: "
            "mark them as not attending instead."
        )
    session = attendee.session
    attendee.delete()
    _after_attendance(session)


@transaction.atomic
def link_resend(*, attendee: Attendee, stage: int) -> int:
    """Email one attendee a new link to their questionnaire for ``stage`` (the first email was
    lost, or went to an address since corrected); the 6–8-week follow-up, which they answer with
    their manager, to both of them, each with a link of their own. Earlier links still open it;
    it is answered once, through any of them. Returns how many emails go: each goes once its
    link is stored, and if one cannot be sent, its link is withdrawn and ``NotEmailed`` says
    so."""
    questionnaire = attendee.questionnaires.filter(stage=stage).first()
    if questionnaire is None or not questionnaire.links.exists():
        first = (
            "the daily reminders send it first, once six weeks have passed"
            if stage == Stage.FOLLOW_UP
            else "email the links from the session first"
        )
        raise ValidationError(f"{attendee.name} has not been sent this questionnaire yet: {first}.")
    if questionnaire.answered_at:
        raise ValidationError(f"{attendee.name} has already answered this questionnaire.")
    closed = stage_closed(session=attendee.session, stage=stage)
    if closed:
        raise ValidationError(closed)
    invitations = [_invitation(questionnaire, attendee)]
    manager = attendee.manager_email
    if stage == Stage.FOLLOW_UP and manager and manager.lower() != attendee.email.lower():
        invitations.append(_invitation(questionnaire, attendee, to=manager))
    _email_after_commit(invitations)
    return len(invitations)


# The upload template (shown on the upload page, and downloadable).
REGISTER_COLUMNS = [
    ("name", "The practitioner's name (they are staff: their name is fine here)."),
    ("work email", "Their work email: their evaluation questionnaires go to it."),
    ("agency", "Their agency, by its name or short name as the partnership lists it."),
    ("manager email", "Their manager's work email, for the 6–8-week follow-up."),
    ("status", "booked, attended or did not attend; empty means booked."),
]
REGISTER_EXAMPLE = ["Sam Patel", "sam.patel@police.example", "Police", "jo.khan@police.example", ""]
STATUS_WORDS = {
    "": Attendee.Status.BOOKED,
    **{value: value for value in Attendee.Status.values},
    **{label.lower(): value for value, label in Attendee.Status.choices},
    "dna": Attendee.Status.DID_NOT_ATTEND,
}


def register_import(*, session: Session, upload) -> tabular.ImportResult:
    """A register from a CSV or XLSX in the template: every row is checked, then every
    attendee is added or none is, with a message per bad row. A file that is not a register
    in the template (or one too big for the places left) raises ValidationError, against the
    ``file`` where it is about the file: it has no rows to put right."""
    agencies, archived = {}, {}  # an archived agency's names, to say why it is refused
    every = list(Agency.objects.all())
    for agency in every:
        names = agencies if agency.is_active else archived
        names[agency.name.strip().lower()] = agency
    for agency in every:
        names = agencies if agency.is_active else archived
        if agency.short_name:
            names.setdefault(agency.short_name.strip().lower(), agency)
    booked = {email.lower() for email in session.attendees.values_list("email", flat=True)}
    first_row = {}  # each email in the file, and the row it first appears in
    not_yet = attendance_not_yet(session)
    fixed = register_fixed(session)

    def build(number, cells):
        name, email, agency_name, manager, status_word = (tabular.cell_text(c) for c in cells)
        problems = []
        agency = agencies.get(agency_name.lower())
        if agency is None and agency_name.lower() in archived:
            problems.append(
                f"“{agency_name}” is archived: the partnership no longer lists it. Give the "
                "agency the practitioner works for now"
            )
        elif agency is None:
            problems.append(
                f"no agency is called “{agency_name}”" if agency_name else "the agency is missing"
            )
        status = STATUS_WORDS.get(status_word.lower())
        if status is None:
            problems.append(
                f"the status must be booked, attended or did not attend, not “{status_word}”"
            )
        elif status != Attendee.Status.BOOKED and not_yet:
            problems.append(not_yet[0].lower() + not_yet[1:])
        elif status == Attendee.Status.BOOKED and fixed:
            problems.append(
                "the session is recorded as delivered: give the status attended or did not attend"
            )
        key = email.lower()
        if key and key in first_row:
            problems.append(
                f"{email} appears twice in the file, in rows {first_row[key]} and {number}: "
                "keep one of them"
            )
        elif key in booked:
            problems.append(f"{email} is already on this register")
        first_row.setdefault(key, number)
        attendee = Attendee(
            session=session,
            agency=agency,
            name=name,
            email=email,
            manager_email=manager,
            status=status or Attendee.Status.BOOKED,
            uuid=uuid.uuid4(),
        )
        try:
            attendee.full_clean(exclude=["session", "agency", "uuid"], validate_unique=False)
        except ValidationError as error:
            problems += tabular.row_problems(error, Attendee)
        return attendee, problems

    try:
        body = tabular.template_rows(
            upload, columns=REGISTER_COLUMNS, required=4, what="the register"
        )
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from error
    attendees, errors = [], []
    for number, cells in body:
        attendee, problems = build(number, cells)
        if problems:
            errors.append(tabular.row_error(number, problems))
        else:
            attendees.append(attendee)
    if errors:
        return tabular.ImportResult(errors=errors)
    with transaction.atomic():
        _check_places(session, len(attendees))
        bulk_create_with_history(attendees, Attendee)
        _after_attendance(session)
    return tabular.ImportResult(created=len(attendees), errors=[])


# The evaluation's links ---------------------------------------------------------------------------


def _window(session: Session, stage: int) -> tuple[datetime.date, datetime.date]:
    """(from, to) of a stage, by the learning loop's own schedule of the three stages."""
    trained_on = session.delivered_on or session.held_on
    baseline_on = min(_today(), trained_on)
    for each, due_on, due_by in learning_services.training_evaluation_schedule(
        baseline_on=baseline_on, trained_on=trained_on
    ):
        if each == stage:
            return due_on, due_by
    raise ValueError(stage)


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def link_issue(*, questionnaire: Questionnaire, sent_to: str) -> str:
    """A new one-use link to ``questionnaire`` for ``sent_to``; returns its token, which is
    kept nowhere but in the email (only its hash is stored). It expires with the stage."""
    session = questionnaire.attendee.session
    _from, until = _window(session, questionnaire.stage)
    token = secrets.token_urlsafe(32)
    QuestionnaireLink.objects.create(
        questionnaire=questionnaire,
        token_hash=token_hash(token),
        sent_to=sent_to,
        expires_at=_end_of(until),
    )
    return token


def answer_path(token: str) -> str:
    return reverse("training:answer", args=[token])


def follow_up_link(*, attendee: Attendee, sent_to: str) -> str:
    """The follow-up questionnaire's link for the attendee or their manager (the reminder
    sweep's email carries it): the address the page is at."""
    questionnaire, _ = Questionnaire.objects.get_or_create(attendee=attendee, stage=Stage.FOLLOW_UP)
    return answer_path(link_issue(questionnaire=questionnaire, sent_to=sent_to))


# The questionnaires the session's page emails; the 6–8-week follow-up goes with the reminders.
SENT_FROM_THE_PAGE = (Stage.BASELINE, Stage.IMMEDIATE)
# Who each stage's questionnaire goes to.
SENT_TO = {
    Stage.BASELINE: [Attendee.Status.BOOKED],
    Stage.IMMEDIATE: [Attendee.Status.ATTENDED],
    Stage.FOLLOW_UP: [Attendee.Status.ATTENDED],
}


def stage_closed(*, session: Session, stage: int) -> str | None:
    """Why no link to ``stage``'s questionnaire can go out for ``session`` today (first or
    again), in words for the page; None while it can. The one rule the session's page offers
    by and ``evaluation_send`` and ``link_resend`` refuse by."""
    today = _today()
    if stage == Stage.BASELINE:
        if session.delivered_on or session.held_on < today:
            return (
                f"The baseline is taken before the session, not after it: the session was "
                f"on {say(session.held_on)}."
            )
        return None
    if stage == Stage.IMMEDIATE:
        if not session.delivered_on:
            return (
                "The questionnaire for straight after the session goes once the session is "
                "recorded as delivered."
            )
        until = _window(session, stage)[1]
        if until < today:
            return (
                f"The week after the session ended on {say(until)}: it is too late for the "
                "questionnaire for straight after it."
            )
        return None
    opens, until = _window(session, Stage.FOLLOW_UP)
    if not session.delivered_on or opens > today:
        return follow_up_said(session)
    if until < today:
        return f"The 6–8-week follow-up closed on {say(until)}: it is too late to send its link."
    return None


def follow_up_said(session: Session) -> str:
    """Where the 6–8-week follow-up stands, for the session's page: when the daily reminders
    send it (to each attendee who attended and their manager), until when it is open, or that
    it has closed."""
    opens, until = _window(session, Stage.FOLLOW_UP)
    if not session.delivered_on:
        return (
            "The 6–8-week follow-up goes to each attendee and their manager by itself, with the "
            "daily reminders, six weeks after the session, once it is recorded as delivered."
        )
    today = _today()
    if opens > today:
        return (
            "The 6–8-week follow-up goes to each attendee and their manager by itself, with the "
            f"daily reminders, from {say(opens)}; it is open until {say(until)}."
        )
    if until < today:
        return f"The 6–8-week follow-up closed on {say(until)}."
    return (
        f"The 6–8-week follow-up is open until {say(until)}: the daily reminders send it to "
        "each attendee and their manager once; to send someone who has not answered a new "
        "link, use “Email the link again” on the register."
    )


def _not_yet_sent(session: Session, stage: int):
    """The attendees ``stage``'s questionnaire is for who have not been sent it."""
    return session.attendees.filter(status__in=SENT_TO[stage]).exclude(
        questionnaires__stage=stage, questionnaires__links__isnull=False
    )


def _send_refusal(session: Session, stage: int) -> str | None:
    if stage not in SENT_FROM_THE_PAGE:
        return follow_up_said(session)  # it goes by itself, with the reminders
    closed = stage_closed(session=session, stage=stage)
    if closed:
        return closed
    if _not_yet_sent(session, stage).exists():
        return None
    label = Stage(stage).label.lower()
    if not session.attendees.filter(status__in=SENT_TO[stage]).exists():
        nobody = "is booked" if stage == Stage.BASELINE else "is marked as attended"
        return f"Nobody on the register {nobody}: the questionnaire “{label}” has nobody to go to."
    who = "booked" if stage == Stage.BASELINE else "who attended"
    return (
        f"Everyone {who} has already been sent the questionnaire “{label}”: to send one of "
        "them a new link, use “Email the link again” on the register."
    )


class EvaluationOffer(NamedTuple):
    """What the session's page offers to email today: ``send``, the stages whose links can go
    to everyone not yet sent them; ``why_not``, why each other stage cannot; ``again``, the
    stages whose links can go again to someone sent one who has not answered."""

    send: list[int]
    why_not: list[str]
    again: list[int]


def evaluation_offer(*, session: Session) -> EvaluationOffer:
    """What ``evaluation_send`` and ``link_resend`` would send today, for the session's page."""
    offer = EvaluationOffer([], [], [])
    for stage in Stage.values:
        if stage in SENT_FROM_THE_PAGE:
            refusal = _send_refusal(session, stage)
            if refusal:
                offer.why_not.append(refusal)
            else:
                offer.send.append(stage)
        if not stage_closed(session=session, stage=stage):
            offer.again.append(stage)
    return offer


@transaction.atomic
def evaluation_send(*, session: Session, stage: int) -> int:
    """Email each attendee who has not had it their questionnaire for ``stage``: the baseline
    before the session to those booked, the after-session one once it is delivered to those who
    attended. Returns how many it emails; the emails go once the transaction commits, and
    ``NotEmailed`` then names anyone the mail server did not take (nothing is kept as sent to
    them, so sending again goes to them)."""
    refusal = _send_refusal(session, stage)
    if refusal:
        raise ValidationError(refusal)
    invitations = []
    for attendee in _not_yet_sent(session, stage).select_related("session__course"):
        questionnaire, _ = Questionnaire.objects.get_or_create(attendee=attendee, stage=stage)
        invitations.append(_invitation(questionnaire, attendee))
    _email_after_commit(invitations)
    return len(invitations)


class NotEmailed(ValidationError):
    """Some questionnaire emails could not be sent, and their links were withdrawn; raised once
    the transaction that stored the links has committed. A ValidationError, so that a page says
    it as it says a refusal."""


class _Invitation(NamedTuple):
    attendee: Attendee
    questionnaire: Questionnaire
    link_hash: str  # the link the email carries, by its stored hash
    message: EmailMessage


def _email_after_commit(invitations: list[_Invitation]) -> None:
    """Email each invitation once the link it carries is stored (an email sent first could
    carry a link that was never kept). The link of an email the mail server did not take is
    withdrawn, so nobody is recorded as sent a questionnaire they were not; then ``NotEmailed``
    says who was not emailed."""

    def send():
        failed = [invitations[index] for index in _send_each([i.message for i in invitations])]
        if failed:
            _withdraw(failed)
            raise NotEmailed(_not_emailed_message(failed, len(invitations)))

    if invitations:
        transaction.on_commit(send)


def _send_each(messages: list[EmailMessage]) -> list[int]:
    """Send each message over one connection; the positions of those that could not be sent.
    One address refused does not stop the others."""
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # noqa: BLE001 - no mail server: nothing went
        logger.exception("Could not reach the mail server for training questionnaire emails")
        return list(range(len(messages)))
    failed = []
    try:
        for index, message in enumerate(messages):
            try:
                connection.send_messages([message])
            except Exception:  # noqa: BLE001 - this one did not go; its link is withdrawn
                logger.exception("A training questionnaire email could not be sent")
                failed.append(index)
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - what was sent has gone; closing is not sending
            logger.warning("Closing the mail server connection failed", exc_info=True)
    return failed


@transaction.atomic
def _withdraw(invitations: list[_Invitation]) -> None:
    """Take back the links of emails that were not sent, and each questionnaire left with no
    link and no answer (an attendee with a questionnaire counts as sent it)."""
    QuestionnaireLink.objects.filter(token_hash__in=[i.link_hash for i in invitations]).delete()
    Questionnaire.objects.filter(
        pk__in=[i.questionnaire.pk for i in invitations],
        answered_at__isnull=True,
        links__isnull=True,
    ).delete()


def _not_emailed_message(failed: list[_Invitation], total: int) -> str:
    """Who of the ``total`` emailed was not, and that sending again reaches them."""
    if len(failed) == total:
        to = f" to {failed[0].attendee.name}" if total == 1 else ""
        return (
            f"The email{to} could not be sent just now; nothing was recorded as sent. "
            "Try again later."
        )
    names = ", ".join(invitation.attendee.name for invitation in failed)
    return (
        f"Questionnaire links emailed to {plural(total - len(failed), 'attendee')}, but the "
        f"email to {names} could not be sent just now; nothing was recorded as sent to "
        f"{'them' if len(failed) > 1 else 'that person'}. Try again later: “Email the "
        "questionnaire links” goes to those not yet sent it."
    )


def _invitation(questionnaire, attendee, to: str = "") -> _Invitation:
    """The email that brings ``attendee`` (or ``to``, their manager, for the follow-up they
    answer together) a new link to ``questionnaire``."""
    to = to or attendee.email
    token = link_issue(questionnaire=questionnaire, sent_to=to)
    course = attendee.session.course
    context = {
        "attendee": attendee,
        "session": attendee.session,
        "stage": questionnaire.get_stage_display(),
        "before": questionnaire.stage == Stage.BASELINE,  # sent ahead of the session
        "follow_up": questionnaire.stage == Stage.FOLLOW_UP,
        "to_manager": to != attendee.email,
        "url": settings.SITE_URL + answer_path(token),
        "until": _window(attendee.session, questionnaire.stage)[1],
        "board_name": settings.BOARD_NAME,
    }
    message = EmailMessage(
        subject=f"{settings.BOARD_NAME}: a short questionnaire about {course.title}",
        body=render_to_string("training/email/invitation.txt", context),
        to=[to],
    )
    return _Invitation(attendee, questionnaire, token_hash(token), message)


# Answers ------------------------------------------------------------------------------------------

# Said by the questionnaire's page too (training/answer.html).
BASELINE_CLOSED = (
    "The questionnaire for before the session closed when the session was recorded as "
    "delivered: confidence before the training can no longer be given."
)


@transaction.atomic
def questionnaire_answer(
    *,
    link: QuestionnaireLink,
    ratings: list[int],
    doing_differently: str = "",
    practice_changed: str = "",
    practice_example: str = "",
    at: datetime.datetime | None = None,
) -> Questionnaire:
    """Keep one answer given through ``link``: once only (a second answer through any of the
    questionnaire's links is refused), within its stage's window, with no child identified.
    ``at`` is when it was given (now, unless the demo loads a past one)."""
    questionnaire = link.questionnaire
    now = at or timezone.now()
    state = selectors.link_state(link, now)
    if state == "closed":
        raise ValidationError(BASELINE_CLOSED)
    if state == "expired":
        raise ValidationError("This link has expired.")
    points = questionnaire.attendee.session.course.points
    if len(ratings) != len(points) or any(score not in range(1, 6) for score in ratings):
        raise ValidationError("Rate your confidence in each learning point from 1 to 5.")
    if questionnaire.stage != Stage.IMMEDIATE:
        doing_differently = ""
    if questionnaire.stage != Stage.FOLLOW_UP:
        practice_changed = practice_example = ""
    elif not practice_changed:
        raise ValidationError({"practice_changed": "Say whether practice has changed."})
    questionnaire.doing_differently = doing_differently
    questionnaire.practice_changed = practice_changed
    questionnaire.practice_example = practice_example
    questionnaire.full_clean(exclude=["attendee"])
    # The claim: one conditional UPDATE, so two answers at once cannot both be kept.
    claimed = Questionnaire.objects.filter(pk=questionnaire.pk, answered_at__isnull=True).update(
        answered_at=now
    )
    if not claimed:
        raise ValidationError("This questionnaire has already been answered.")
    questionnaire.answered_at = now
    questionnaire.save()
    bulk_create_with_history(
        [
            Rating(questionnaire=questionnaire, point=number, score=score)
            for number, score in enumerate(ratings, start=1)
        ],
        Rating,
    )
    session = questionnaire.attendee.session
    if session.delivered_on:
        refresh_checks(session)
    return questionnaire
