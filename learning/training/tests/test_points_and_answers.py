"""A course's learning points, fixed once asked about and refused in words when they cannot be
rated; a baseline closed once the session is delivered; before and after counted over the same
people; the course form's sub-group; the baseline's email; the Training tabs."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sscb.tests.factories import SubGroupFactory, SubGroupMembershipFactory
from sscb.tests.reading import history_entries

from .. import figures, services
from ..models import Attendee, Course, Questionnaire
from ..selectors import link_for_token
from .conftest import book, make_session

Stage = Questionnaire.Stage


def body(response):
    return unescape(response.content.decode())


def link_to(attendee, stage):
    questionnaire, _ = Questionnaire.objects.get_or_create(attendee=attendee, stage=stage)
    return services.link_issue(questionnaire=questionnaire, sent_to=attendee.email)


def course_data(course, **changed):
    return {
        "title": course.title,
        "kind": course.kind,
        "subgroup": course.subgroup_id,
        "summary": course.summary,
        "learning_points": course.learning_points,
        "outcomes": [outcome.pk for outcome in course.outcomes.all()],
    } | changed


# 2. Learning points are fixed once a questionnaire about them has gone out ---------------------


def test_once_a_questionnaire_has_gone_out_the_points_cannot_change_and_the_form_says_why(
    client, trainer, course, agency
):
    session = make_session(course, days=3)
    link_to(book(session, agency, "Sam Patel", Attendee.Status.BOOKED), Stage.BASELINE)
    client.force_login(trainer)
    edit = reverse("training:course-edit", args=[course.uuid])
    form = body(client.get(edit))
    assert "Questionnaires about this course have been sent" in form
    response = client.post(
        edit, course_data(course, learning_points="Asking about daily life", title="Renamed")
    )
    course.refresh_from_db()
    # The points as they were (the field is fixed), the rest of the change kept.
    assert response.status_code == 302 and course.title == "Renamed"
    assert course.points == ["Recording the child's own words", "Asking about daily life"]
    with pytest.raises(ValidationError, match="can no longer change"):
        services.course_save(
            course=Course.objects.get(pk=course.pk),
            outcomes=list(course.outcomes.all()),
            learning_points="Asking about daily life\nRecording the child's own words",
        )


def test_a_change_of_points_is_in_the_history_old_and_new(client, trainer, course):
    client.force_login(trainer)
    client.post(
        reverse("training:course-edit", args=[course.uuid]),
        course_data(course, learning_points="Asking about daily life\nRecording the words"),
    )
    entries = history_entries(client.get(course.get_absolute_url()), "course-history")
    assert entries[0].endswith(
        f"{trainer}: learning points Recording the child's own words / Asking about daily "
        "life → Asking about daily life / Recording the words"
    )


# 8. Points that cannot be rated are refused in words --------------------------------------------


@pytest.mark.parametrize(
    ("points", "said"),
    [
        ("A\nA\n\n\n   \nB", "Line 3 is empty"),
        ("Escalating concerns\nescalating concerns", "“escalating concerns” is given twice"),
        ("x" * 2000, "Learning point 1 has 2000 characters: keep each to 200 at most"),
        ("\n  \n", "Give the learning points"),
    ],
)
def test_points_given_twice_empty_or_too_long_are_refused_in_words(
    client, trainer, course, training_group, points, said
):
    client.force_login(trainer)
    response = client.post(
        reverse("training:course-new"),
        course_data(course, title="Another", learning_points=points),
    )
    assert response.status_code == 400 and said in body(response)
    assert Course.objects.count() == 1


# 7. No sub-group chosen for a person without their say ---------------------------------------


def test_a_new_course_starts_with_the_training_sub_group_of_someone_on_it(
    client, trainer, training_group
):
    SubGroupMembershipFactory(subgroup=SubGroupFactory(name="Case Review Panel"), user=trainer)
    client.force_login(trainer)
    form = client.get(reverse("training:course-new")).context["form"]
    assert form["subgroup"].value() == training_group.pk


def test_someone_not_on_the_training_sub_group_chooses_and_is_told_to(
    client, bu_user, course, training_group
):
    SubGroupFactory(name="Case Review Panel")
    client.force_login(bu_user)
    create = reverse("training:course-new")
    form = client.get(create).context["form"]
    assert form["subgroup"].value() is None
    assert "Choose the sub-group that runs it" in str(form["subgroup"])
    response = client.post(create, course_data(course, title="Another", subgroup=""))
    assert response.status_code == 400
    assert "Choose the sub-group that runs the course." in body(response)


# 3. The baseline closes when the session is delivered; the figures count those who attended ----


def test_a_baseline_link_takes_no_answer_once_the_session_is_delivered(client, course, agency):
    session = make_session(course, days=0)
    sam = book(session, agency, "Sam Patel", Attendee.Status.BOOKED)
    token = link_to(sam, Stage.BASELINE)
    services.attendee_mark(attendee=sam, status=Attendee.Status.ATTENDED)
    services.session_deliver(session=session)
    page = client.get(reverse("training:answer", args=[token]))
    assert "it closed when the session was recorded as delivered" in body(page)
    assert 'name="point_1"' not in body(page)
    sent = client.post(
        reverse("training:answer-submit", args=[token]), {"point_1": "1", "point_2": "1"}
    )
    assert sent.status_code == 400
    with pytest.raises(ValidationError, match="closed when the session was recorded"):
        services.questionnaire_answer(link=link_for_token(token), ratings=[1, 1])
    assert not Questionnaire.objects.filter(answered_at__isnull=False).exists()


def test_before_and_after_count_only_those_who_attended(client, course, agency, bu_user):
    session = make_session(course, days=0)
    sam = book(session, agency, "Sam Patel", Attendee.Status.BOOKED)
    lee = book(session, agency, "Lee Wong", Attendee.Status.BOOKED)
    for attendee, score in ((sam, 2), (lee, 5)):
        services.questionnaire_answer(
            link=link_for_token(link_to(attendee, Stage.BASELINE)), ratings=[score, score]
        )
    # Before the session is delivered, everyone booked counts.
    assert figures.evaluation_of(Questionnaire.objects.all()).baseline == 2
    services.attendee_mark(attendee=sam, status=Attendee.Status.ATTENDED)
    services.attendee_mark(attendee=lee, status=Attendee.Status.DID_NOT_ATTEND)
    services.session_deliver(session=session)
    services.questionnaire_answer(
        link=link_for_token(link_to(sam, Stage.IMMEDIATE)), ratings=[4, 4], doing_differently="x"
    )
    evaluation = figures.evaluation_of(Questionnaire.objects.all())
    assert (evaluation.baseline, evaluation.after) == (1, 1)
    assert (evaluation.confidence_before, evaluation.confidence_change) == (2.0, 2.0)
    # The answers list behind the figure lists what it counts.
    client.force_login(bu_user)
    listed = client.get(reverse("training:answers"), {"session": session.uuid, "stage": 1})
    assert listed.context["page_obj"].paginator.count == 1


# 9. The baseline's email is sent ahead of the session --------------------------------------------


def test_the_baseline_email_asks_ahead_of_the_session_and_does_not_thank_for_taking_part(
    client, trainer, course, agency, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(course, days=3)
    book(session, agency, "Sam Patel", Attendee.Status.BOOKED)
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:send", args=[session.uuid]), {"stage": "1"})
    [email] = mailoutbox
    assert "Ahead of the session" in email.body
    assert "Thank you for taking part" not in email.body


# 10. The registers and the answers show Training's tabs ----------------------------------------


@pytest.mark.parametrize("page", ["training:attendees", "training:answers"])
def test_the_registers_and_answers_show_the_training_tabs(client, bu_user, page):
    client.force_login(bu_user)
    shown = body(client.get(reverse(page)))
    assert 'aria-label="Training sections"' in shown
    assert "Courses and sessions" in shown and "Themes and the loop" not in shown


def test_a_session_date_out_of_range_gets_one_message_with_the_narrower_range(course):
    from ..forms import SessionForm
    from ..models import Session

    form = SessionForm(
        {"held_on": "1850-01-01", "trainer": "Jo", "venue": "Shirehall", "places": 20},
        instance=Session(course=course),
    )
    assert not form.is_valid()
    [message] = form.errors["held_on"]
    assert message.startswith("The session's date (1 January 1850)") and "1900" not in message
