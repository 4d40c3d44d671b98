"""Training's writes: delivery as the outcome's activity, registers uploaded whole or not at
all, the evaluation's links used once, and figures that are the answers'."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from learning.models import DeliveryActivity, PracticeCheck

from .. import figures, services
from ..models import Attendee, Questionnaire, QuestionnaireLink
from ..selectors import link_for_token, token_hash
from .conftest import book, make_session

Stage = Questionnaire.Stage


def answer(attendee, stage, ratings, **text):
    questionnaire, _ = Questionnaire.objects.get_or_create(attendee=attendee, stage=stage)
    token = services.link_issue(questionnaire=questionnaire, sent_to=attendee.email)
    return services.questionnaire_answer(link=link_for_token(token), ratings=ratings, **text)


def test_a_delivered_session_is_each_outcomes_delivery_activity_reaching_those_who_attended(
    delivered, outcome
):
    activity = DeliveryActivity.objects.get(outcome=outcome)
    assert activity.way == DeliveryActivity.Way.CORE_TRAINING
    assert activity.delivered_on == delivered.held_on
    assert activity.reach == 3  # attended; the one who did not attend is not reached
    # One entry, not two: marking someone else as attended changes its reach, not its count.
    lee = delivered.attendees.get(name="Lee Wong")
    services.attendee_mark(attendee=lee, status=Attendee.Status.ATTENDED)
    assert DeliveryActivity.objects.filter(outcome=outcome).count() == 1
    assert DeliveryActivity.objects.get(outcome=outcome).reach == 4
    # Each attending agency's training evaluation is there, its figures to come from answers.
    checks = PracticeCheck.objects.filter(activity=activity)
    assert {c.agency.short_name for c in checks} == {"Police", "CSC"}
    assert all(c.from_answers and c.result == PracticeCheck.Result.PENDING for c in checks)


def test_a_session_is_a_planned_activity_until_it_is_delivered(course, outcome):
    session = make_session(course, days=10)
    activity = DeliveryActivity.objects.get(outcome=outcome)
    assert (activity.planned_on, activity.delivered_on, activity.reach) == (
        session.held_on,
        None,
        None,
    )
    with pytest.raises(ValidationError, match="on or after its date"):
        services.session_deliver(session=session)


def test_a_questionnaire_link_can_be_used_once(delivered):
    sam = delivered.attendees.get(name="Sam Patel")
    questionnaire = Questionnaire.objects.create(attendee=sam, stage=Stage.IMMEDIATE)
    token = services.link_issue(questionnaire=questionnaire, sent_to=sam.email)
    again = services.link_issue(questionnaire=questionnaire, sent_to=sam.email)
    # Unguessable, and stored only as a hash.
    assert len(token) >= 40 and token != again
    assert not QuestionnaireLink.objects.filter(token_hash=token).exists()
    assert QuestionnaireLink.objects.filter(token_hash=token_hash(token)).exists()
    services.questionnaire_answer(
        link=link_for_token(token), ratings=[4, 5], doing_differently="Ask about their day."
    )
    for used in (token, again):  # every link to it: the questionnaire takes one answer
        with pytest.raises(ValidationError, match="already been answered"):
            services.questionnaire_answer(link=link_for_token(used), ratings=[1, 1])
    questionnaire.refresh_from_db()
    assert list(questionnaire.ratings.values_list("score", flat=True)) == [4, 5]


def test_a_link_expires_with_its_stage(delivered, time_machine):
    sam = delivered.attendees.get(name="Sam Patel")
    questionnaire = Questionnaire.objects.create(attendee=sam, stage=Stage.IMMEDIATE)
    token = services.link_issue(questionnaire=questionnaire, sent_to=sam.email)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=9))
    with pytest.raises(ValidationError, match="expired"):
        services.questionnaire_answer(link=link_for_token(token), ratings=[3, 3])


def test_no_answer_may_identify_a_child(delivered):
    sam = delivered.attendees.get(name="Sam Patel")
    with pytest.raises(ValidationError) as refused:
        answer(sam, Stage.IMMEDIATE, [3, 4], doing_differently="Child A, NHS 943 476 5919")
    assert "NHS number" in str(refused.value)
    assert not Questionnaire.objects.filter(answered_at__isnull=False).exists()


def test_the_evaluation_figures_equal_the_answers(course, agency, csc, outcome, time_machine):
    # Before the session: the baseline; the day after: straight after; 6 weeks on: follow-up.
    session = make_session(course, days=1)
    sam, jo, alex = (
        book(session, where, name, Attendee.Status.BOOKED)
        for where, name in ((agency, "Sam Patel"), (agency, "Jo Khan"), (csc, "Alex Morgan"))
    )
    answer(sam, Stage.BASELINE, [2, 3])
    answer(jo, Stage.BASELINE, [1, 2])
    answer(alex, Stage.BASELINE, [3, 3])
    time_machine.move_to(timezone.now() + datetime.timedelta(days=2))
    for attendee in (sam, jo, alex):
        services.attendee_mark(attendee=attendee, status=Attendee.Status.ATTENDED)
    services.session_deliver(session=session)
    answer(sam, Stage.IMMEDIATE, [4, 5], doing_differently="Write down the child's words.")
    answer(jo, Stage.IMMEDIATE, [4, 4], doing_differently="Ask about daily life.")
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6))
    answer(sam, Stage.FOLLOW_UP, [5, 5], practice_changed="yes", practice_example="Recorded.")
    answer(jo, Stage.FOLLOW_UP, [4, 4], practice_changed="partly")
    answer(alex, Stage.FOLLOW_UP, [3, 3], practice_changed="no")

    all_of = figures.evaluation_of(Questionnaire.objects.all())
    assert (all_of.baseline, all_of.after, all_of.follow_up) == (3, 2, 3)
    # Half up, as a reader would (fr #7): 4.25 is 4.3.
    assert all_of.confidence_before == 2.3  # 14 / 6
    assert all_of.confidence_after == 4.3  # 17 / 4
    assert all_of.confidence_follow_up == 4.0  # 24 / 6
    assert all_of.confidence_change == 1.9  # of the means as answered: 17/4 - 14/6 = 1.92
    assert (all_of.yes, all_of.partly, all_of.no) == (1, 1, 1)

    by_agency = figures.evaluation_by(Questionnaire.objects.all(), "attendee__agency__short_name")
    assert by_agency["Police"].confidence_before == 2.0 and by_agency["CSC"].baseline == 1
    # The practice checks' results are the follow-up answers', never typed.
    results = {
        c.agency.short_name: (c.result, c.checked_on)
        for c in PracticeCheck.objects.filter(activity__outcome=outcome)
    }
    today = timezone.localdate()
    assert results == {
        "Police": (PracticeCheck.Result.PARTLY, today),  # yes and partly: not more than half yes
        "CSC": (PracticeCheck.Result.NO_CHANGE, today),
    }
    check = PracticeCheck.objects.get(agency__short_name="CSC")
    from learning import services as learning_services

    with pytest.raises(ValidationError, match="come from the attendees' answers"):
        learning_services.practice_check_save(check=check, result=PracticeCheck.Result.IMPROVED)


def _csv(text):
    return SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")


def test_a_register_with_a_bad_row_adds_nobody_and_says_which_row(course, agency):
    session = make_session(course, days=7)
    result = services.register_import(
        session=session,
        upload=_csv(
            "name,work email,agency,manager email,status\r\n"
            "Sam Patel,sam@police.example,Police,jo@police.example,booked\r\n"
            "Jo Khan,not-an-email,Fire Service,jo@police.example,maybe\r\n"
            "Lee Wong,lee@police.example,West Mercia Police,boss@police.example,\r\n"
        ),
    )
    assert result.created == 0
    assert len(result.errors) == 1 and result.errors[0].startswith("Row 3: ")
    assert "no agency is called “Fire Service”" in result.errors[0]
    assert "maybe" in result.errors[0] and "work email" in result.errors[0]
    assert not session.attendees.exists()


def test_a_register_in_the_template_is_added_whole_from_xlsx(course, agency):
    session = make_session(course, days=-2)
    book_ = Workbook()
    sheet = book_.active
    sheet.append([name for name, _ in services.REGISTER_COLUMNS])
    sheet.append(["Sam Patel", "sam@police.example", "police", "jo@police.example", "attended"])
    sheet.append(["Lee Wong", "lee@police.example", "Police", "jo@police.example", "DNA"])
    data = io.BytesIO()
    book_.save(data)
    upload = SimpleUploadedFile(
        "register.xlsx",
        data.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    result = services.register_import(session=session, upload=upload)
    assert (result.created, result.errors) == (2, [])
    assert dict(session.attendees.values_list("name", "status")) == {
        "Sam Patel": Attendee.Status.ATTENDED,
        "Lee Wong": Attendee.Status.DID_NOT_ATTEND,
    }
    assert all(a.history.count() == 1 for a in session.attendees.all())


def test_a_register_cannot_outgrow_its_places(course, agency):
    session = make_session(course, days=7, places=1)
    book(session, agency, "Sam Patel", Attendee.Status.BOOKED)
    with pytest.raises(ValidationError, match="The session has 1 place and 1 is taken: 0 left"):
        book(session, agency, "Jo Khan", Attendee.Status.BOOKED)
    with pytest.raises(ValidationError, match="1 person is already booked: give at least 1 place"):
        services.session_save(session=session, places=0)
    # A register file too long for the places left is refused whole, as a file: not its rows.
    with pytest.raises(ValidationError, match="0 left, so 1 cannot be added"):
        services.register_import(
            session=session,
            upload=_csv(
                "name,work email,agency,manager email,status\r\n"
                "Jo Khan,jo@police.example,Police,boss@police.example,\r\n"
            ),
        )
    assert session.attendees.count() == 1
    with pytest.raises(ValidationError, match="recorded on or after the day"):
        services.attendee_mark(attendee=session.attendees.get(), status=Attendee.Status.ATTENDED)
