"""Reads of training, always scoped to who may see them.

Courses and sessions are the partnership's catalogue: every signed-in person sees them. A
register names practitioners: the Business Unit and the members of the sub-group that runs the
course see all of it, a partner agency's lead their own agency's attendees, nobody else any.
Evaluation answers follow their attendee. The sub-group's members (and the Business Unit) run
the course: sessions, registers, delivery and the evaluation links.
"""

import hashlib
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from learning.models import DeliveryActivity
from learning.selectors import outcomes_visible_to
from sscb.access import can_work_for_subgroup, get_by_public_id, subgroup_ids
from sscb.history import Change, Part, history_of, versions_with_changes
from sscb.models import SubGroup

from .figures import COUNTED, Evaluation, evaluation_of
from .models import Attendee, Course, Questionnaire, QuestionnaireLink, Session


def courses_visible_to(user) -> QuerySet:
    return Course.objects.all()


def sessions_visible_to(user) -> QuerySet:
    return Session.objects.filter(course__in=courses_visible_to(user).values("pk"))


def _register_read_by(user) -> Q | None:
    """Which attendees ``user`` may read, as a condition on an attendee or one of its versions
    (a booking taken off the register is gone but for them); None for none."""
    if user.is_business_unit:
        return Q()
    if user.is_agency_lead:
        return Q(agency_id=user.agency_id)
    if user.is_subgroup_member:
        return Q(session__course__subgroup_id__in=subgroup_ids(user))
    return None


def attendees_visible_to(user) -> QuerySet:
    read = _register_read_by(user)
    return Attendee.objects.none() if read is None else Attendee.objects.filter(read)


def attendee_versions_visible_to(user) -> QuerySet:
    """The versions of the attendees ``user`` may read, by the same rule: the session page's
    history names nobody its register does not."""
    read = _register_read_by(user)
    return Attendee.history.none() if read is None else Attendee.history.filter(read)


def questionnaires_visible_to(user) -> QuerySet:
    return Questionnaire.objects.filter(attendee__in=attendees_visible_to(user).values("pk"))


def can_run_course(user, course: Course) -> bool:
    """The Business Unit, and members of the sub-group that runs it."""
    return can_work_for_subgroup(user, course.subgroup_id)


def subgroups_running_courses(user) -> QuerySet:
    """The sub-groups ``user`` may add a course for."""
    if user.is_business_unit:
        return SubGroup.objects.all()
    if not user.is_subgroup_member:
        return SubGroup.objects.none()
    return SubGroup.objects.filter(pk__in=subgroup_ids(user))


def outcomes_for_courses(user) -> QuerySet:
    return outcomes_visible_to(user).select_related("theme").order_by("theme__title", "title")


# One access helper per record, each by its public id: 404 for what the user may not see, 403
# for a write they may not make.


def get_course_for_user(user, uuid: UUID, write=False) -> Course:
    course = get_by_public_id(courses_visible_to(user).select_related("subgroup"), uuid)
    if write and not can_run_course(user, course):
        raise PermissionDenied
    return course


def get_session_for_user(user, uuid: UUID, write=False) -> Session:
    session = get_by_public_id(sessions_visible_to(user).select_related("course__subgroup"), uuid)
    if write and not can_run_course(user, session.course):
        raise PermissionDenied
    return session


def get_attendee_for_user(user, uuid: UUID, write=False) -> Attendee:
    attendee = get_by_public_id(
        attendees_visible_to(user).select_related("session__course", "agency"), uuid
    )
    if write and not can_run_course(user, attendee.session.course):
        raise PermissionDenied
    return attendee


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_for_token(token: str) -> QuestionnaireLink:
    """The questionnaire link a token opens, with what its page shows; 404 for any other
    token (the page is reachable without signing in only by its token)."""
    link = (
        QuestionnaireLink.objects.select_related("questionnaire__attendee__session__course")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if link is None:
        raise Http404("No such questionnaire")
    return link


def link_state(link: QuestionnaireLink, now=None) -> str:
    """ "open", "answered", "expired" or "closed": a baseline's link closes once its session is
    recorded as delivered (confidence "before the training" is not asked after it)."""
    questionnaire = link.questionnaire
    if questionnaire.answered_at is not None:
        return "answered"
    if (
        questionnaire.stage == Questionnaire.Stage.BASELINE
        and questionnaire.attendee.session.delivered_on
    ):
        return "closed"
    if link.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def learning_points_fixed(course: Course) -> str | None:
    """Why ``course``'s learning points can no longer change, in words for its form, or None:
    once a questionnaire about them has been sent, each score is kept against a point's number,
    so changing the list would move answers already given onto other points."""
    sent = QuestionnaireLink.objects.filter(questionnaire__attendee__session__course_id=course.pk)
    if course.pk and sent.exists():
        return (
            "Questionnaires about this course have been sent, so its learning points can no "
            "longer change: the scores attendees give are kept against them, point by point. "
            "For different points, add a new course."
        )
    return None


def delivery_of_subgroups(ids, path: str = "") -> Q:
    """Delivery activities (at ``path``, empty or ending in "__") that are the work of the
    sub-groups ``ids``: those of a learning outcome under a theme of theirs, and the sessions of
    a course one of them runs, whatever theme the outcome it serves is under. A condition, no
    query of its own; no activity is counted twice."""
    run = DeliveryActivity.objects.filter(training_sessions__course__subgroup_id__in=ids)
    return Q(**{f"{path}outcome__theme__subgroup_id__in": ids}) | Q(
        **{f"{path}pk__in": run.values("pk")}
    )


def checks_of_subgroups(ids, path: str = "") -> Q:
    """Practice development checks (at ``path``, empty or ending in "__") that are the work of
    the sub-groups ``ids``: those of an outcome under a theme of theirs, and the evaluations of
    a session of a course one of them runs (as ``delivery_of_subgroups`` counts its delivery)."""
    run = DeliveryActivity.objects.filter(training_sessions__course__subgroup_id__in=ids)
    return Q(**{f"{path}outcome__theme__subgroup_id__in": ids}) | Q(
        **{f"{path}activity__in": run.values("pk")}
    )


def default_course_subgroup(user) -> SubGroup | None:
    """The sub-group a new course starts with: the Training sub-group, if ``user`` sits on it;
    otherwise none, and they choose."""
    return SubGroup.objects.filter(code=SubGroup.Code.TRAINING, pk__in=subgroup_ids(user)).first()


# Lists ------------------------------------------------------------------------------------------


def course_list(user) -> QuerySet:
    return (
        courses_visible_to(user)
        .select_related("subgroup")
        .annotate(
            session_count=Count("sessions", distinct=True),
            delivered_count=Count(
                "sessions", filter=Q(sessions__delivered_on__isnull=False), distinct=True
            ),
        )
        .order_by("title")
    )


def upcoming_sessions(user) -> QuerySet:
    return (
        sessions_visible_to(user)
        .filter(held_on__gte=timezone.localdate(), delivered_on__isnull=True)
        .select_related("course")
        .annotate(booked=Count("attendees"))
        .order_by("held_on", "pk")[:20]
    )


def course_sessions(course: Course) -> QuerySet:
    return course.sessions.annotate(
        booked=Count("attendees"),
        attended=Count("attendees", filter=Q(attendees__status=Attendee.Status.ATTENDED)),
    ).order_by("-held_on", "pk")


def register_of(user, session: Session) -> QuerySet:
    """The session's register as ``user`` may read it, by agency and name."""
    return (
        attendees_visible_to(user)
        .filter(session=session)
        .select_related("agency")
        .order_by("agency__name", "name", "pk")
    )


def register_rows(register: QuerySet, *, again=()) -> list[Attendee]:
    """The register's attendees, each with ``sent`` and ``answered``, the stages whose
    questionnaire they were sent a link to and have answered, and ``send_again``: the stages
    among ``again`` (those whose links can still go) they were sent and have not answered, as
    (value, label). Two queries, whatever the number of rows."""
    attendees = list(register)
    sent, answered = set(), set()
    if attendees:
        rows = (
            Questionnaire.objects.filter(attendee__in=[attendee.pk for attendee in attendees])
            .filter(Exists(QuestionnaireLink.objects.filter(questionnaire=OuterRef("pk"))))
            .values_list("attendee_id", "stage", "answered_at")
            .order_by()
        )
        for attendee_id, stage, answered_at in rows:
            sent.add((attendee_id, stage))
            if answered_at is not None:
                answered.add((attendee_id, stage))
    for attendee in attendees:
        attendee.sent = {stage for stage in Questionnaire.Stage if (attendee.pk, stage) in sent}
        attendee.answered = {
            stage for stage in Questionnaire.Stage if (attendee.pk, stage) in answered
        }
        attendee.send_again = [
            (stage, Questionnaire.Stage(stage).label)
            for stage in again
            if stage in attendee.sent and stage not in attendee.answered
        ]
    return attendees


def stage_progress(rows: list[Attendee]) -> list[dict]:
    """For each stage of the evaluation, of the register's ``rows`` (from ``register_rows``,
    the attendees the reader may see): who was sent its questionnaire, who has answered it and
    who has not yet, by name. No query."""
    progress = []
    for stage in Questionnaire.Stage:
        sent = [attendee for attendee in rows if stage in attendee.sent]
        answered = [attendee for attendee in sent if stage in attendee.answered]
        progress.append(
            {
                "stage": stage.label,
                "sent": len(sent),
                "answered": answered,
                "waiting": [attendee for attendee in sent if stage not in attendee.answered],
            }
        )
    return progress


def attendee_list(user) -> QuerySet:
    return attendees_visible_to(user).select_related("agency", "session__course")


def answers_counted() -> QuerySet:
    """Every answer, as the Board's figures count them: never listed, only counted beside a
    list of the answers a person may read."""
    return Questionnaire.objects.filter(COUNTED)


def answer_list(user) -> QuerySet:
    return (
        questionnaires_visible_to(user)
        .filter(COUNTED)
        .select_related("attendee__agency", "attendee__session__course")
        .prefetch_related("ratings")
        .order_by("-answered_at", "-pk")
    )


# Histories: each record's own fields, never the learning outcomes a course serves or the
# delivery activities a session is (each outcome has its own rule for who may see it).
COURSE_HISTORY_FIELDS = ["title", "kind", "summary", "learning_points", "subgroup"]
SESSION_HISTORY_FIELDS = ["held_on", "trainer", "venue", "places", "delivered_on"]
# An attendee's agency and attendance; their name says which one it is. Their addresses only
# as "changed the work email" (sscb.history.SAID_ONLY): an earlier address is more than the
# register shows of them.
ATTENDEE_HISTORY_FIELDS = ["name", "agency", "status", "email", "manager_email"]


def course_history(course: Course):
    """Who changed the course and what, the newest first. A change of its learning points says
    the old and the new list (a text field is otherwise only said to have changed): which score
    belonged to which point can be read back. One query more, for the points before."""
    shown = versions_with_changes(
        course.history.select_related("history_user"), COURSE_HISTORY_FIELDS
    )
    label = str(Course._meta.get_field("learning_points").verbose_name)
    changed = [
        (version, changes)
        for version, changes in shown
        if any(change.label == label for change in changes)
    ]
    before = dict(
        Course.history.filter(history_id__in=[version.before_id for version, _ in changed])
        .values_list("history_id", "learning_points")
        .order_by()
        if changed
        else []
    )

    def listed(text):
        return " / ".join(Course(learning_points=text).points) or "none"

    for version, changes in changed:
        changes[:] = [
            Change(
                label, listed(before.get(version.before_id, "")), listed(version.learning_points)
            )
            if change.label == label
            else change
            for change in changes
        ]
    return shown


def session_history(user, session: Session):
    """Who changed the session and the register as ``user`` may read it, and what: the newest
    first. At most four queries, and one for each kind of record a changed link names."""
    register = Part(
        "register",
        attendee_versions_visible_to(user)
        .filter(session_id=session.pk)
        .select_related("history_user"),
        ATTENDEE_HISTORY_FIELDS,
        name="name",
    )
    return history_of(
        session.history.select_related("history_user"), SESSION_HISTORY_FIELDS, [register]
    )


def reads_whole_evaluation(user, session: Session) -> bool:
    """Whether ``user`` reads the session's evaluation figures over every answer, as the
    dashboard counts them for them: the Business Unit and the Executive (the Board's figures),
    and a sub-group member whose sub-group's figures count the session (it runs the course, or
    the session delivers an outcome under its theme). Anyone else reads the figures of the
    answers they may read (``questionnaires_visible_to``). One query at most."""
    if user.is_business_unit or user.is_executive:
        return True
    if not user.is_subgroup_member:
        return False
    ids = subgroup_ids(user)
    return session.course.subgroup_id in ids or (
        DeliveryActivity.objects.filter(delivery_of_subgroups(ids), training_sessions=session)
        .values("pk")
        .exists()
    )


def session_evaluation(user, session: Session) -> tuple[Evaluation, int]:
    """The session's evaluation figures as ``user`` may read them, and how many answers the
    Board's figures count that they do not (0 when they read it whole, ``reads_whole_evaluation``):
    a page says so rather than show fewer answers than the dashboard counts."""
    answers = Questionnaire.objects.filter(attendee__session=session)
    if reads_whole_evaluation(user, session):
        return evaluation_of(answers), 0
    open_to = questionnaires_visible_to(user).filter(attendee__session=session)
    counted = answers.filter(COUNTED).aggregate(
        every=Count("pk"), open=Count("pk", filter=Q(pk__in=open_to.values("pk")))
    )
    return evaluation_of(open_to), counted["every"] - counted["open"]


def course_outcomes(user, course: Course) -> QuerySet:
    """The outcomes a course serves that ``user`` may see."""
    return outcomes_visible_to(user).filter(courses=course).select_related("theme")
