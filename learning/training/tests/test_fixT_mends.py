"""What a tester found in training, mended: delivery follows the outcomes a course serves now;
a catch-up sweep sends no follow-up already closed; a moved session's links move with it; an
address is once on a register whatever its capitals; the chair sees who was sent and who
answered, resends the follow-up and corrects an attendee; a session's figures are the Board's
for whoever reads the Board's figures; the follow-up says its last day; no child's name on a
register; one message for places and one for an archived agency."""

import datetime
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from learning.models import DeliveryActivity, LearningOutcome, PracticeCheck
from learning.tests.factories import CheckFactory, OutcomeFactory
from sscb.models import Reminder
from sscb.reminders import reminders_sweep
from sscb.tests.factories import AgencyFactory
from sscb.tests.reading import history_entries

from .. import reminders, selectors, services
from ..models import Attendee, Questionnaire, QuestionnaireLink
from ..selectors import link_for_token
from .conftest import book, make_session

Stage = Questionnaire.Stage


def answer(attendee, stage, ratings, **text):
    questionnaire, _ = Questionnaire.objects.get_or_create(attendee=attendee, stage=stage)
    token = services.link_issue(questionnaire=questionnaire, sent_to=attendee.email)
    return services.questionnaire_answer(link=link_for_token(token), ratings=ratings, **text)


def tokens_in(mail):
    return re.findall(r"/training/answer/([\w-]+)/", mail.body)


# 2. Delivery follows the outcomes the course serves now ----------------------------------------


def _serve(course, *outcomes):
    return services.course_save(
        course=course,
        title=course.title,
        kind=course.kind,
        subgroup=course.subgroup,
        learning_points=course.learning_points,
        outcomes=list(outcomes),
    )


def test_an_outcome_taken_off_a_course_is_no_longer_delivered_by_its_sessions(
    course, outcome, agency, csc
):
    pending = OutcomeFactory(title="Agencies escalate when a plan is not working")
    _serve(course, outcome, pending)
    session = make_session(course)
    assert DeliveryActivity.objects.filter(outcome=pending, training_sessions=session).exists()
    _serve(course, outcome)  # the pending outcome taken off
    book(session, agency, "Sam Patel")
    book(session, csc, "Alex Morgan")
    services.session_deliver(session=session)
    assert not DeliveryActivity.objects.filter(outcome=pending).exists()
    assert not PracticeCheck.objects.filter(outcome=pending).exists()
    assert PracticeCheck.objects.filter(outcome=outcome, from_answers=True).count() == 2


def test_switching_a_delivered_course_to_another_outcome_moves_its_delivery_and_checks(
    client, bu_user, delivered, outcome, time_machine
):
    other = OutcomeFactory(
        title="Practitioners read the history", decision="agreed", decided_on=outcome.decided_on
    )
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    sam = delivered.attendees.get(name="Sam Patel")
    answer(sam, Stage.FOLLOW_UP, [4, 5], practice_changed="yes")
    assert PracticeCheck.objects.filter(outcome=outcome, from_answers=True).count() == 2

    _serve(delivered.course, other)
    # The old outcome keeps nothing of the session: no activity, no answer-based checks.
    assert not DeliveryActivity.objects.filter(outcome=outcome).exists()
    assert not PracticeCheck.objects.filter(outcome=outcome).exists()
    moved = DeliveryActivity.objects.get(outcome=other, training_sessions=delivered)
    assert (moved.delivered_on, moved.reach) == (delivered.held_on, 3)
    police = PracticeCheck.objects.get(outcome=other, agency__short_name="Police")
    assert police.result == PracticeCheck.Result.IMPROVED  # from the answers already given
    # Later answers update the outcome served now, and only it.
    jo = delivered.attendees.get(name="Jo Khan")
    answer(jo, Stage.FOLLOW_UP, [3, 3], practice_changed="no")
    police.refresh_from_db()
    assert police.result == PracticeCheck.Result.PARTLY
    assert not PracticeCheck.objects.filter(outcome=outcome).exists()
    # Each history says so: the session's, the outcome's, the removed records' own.
    session_history = [str(v.history_change_reason) for v in delivered.history.all()]
    assert any("no longer delivery of a learning outcome" in r for r in session_history)
    reasons = [v.history_change_reason for v in outcome.history.all()]
    assert any(r and "no longer its delivery" in r for r in reasons)
    assert DeliveryActivity.history.filter(outcome_id=outcome.pk, history_type="-").exists()
    assert PracticeCheck.history.filter(outcome_id=outcome.pk, history_type="-").count() == 2
    client.force_login(bu_user)
    page = client.get(outcome.get_absolute_url())
    assert "no longer its delivery: its course stopped serving it" in page.content.decode()


def test_an_outcome_whose_check_was_recorded_by_hand_against_a_session_stays_served(
    delivered, outcome, agency
):
    activity = DeliveryActivity.objects.get(outcome=outcome)
    CheckFactory(outcome=outcome, activity=activity, agency=agency)
    other = OutcomeFactory(decision="agreed", decided_on=outcome.decided_on)
    with pytest.raises(ValidationError, match="recorded by hand") as refused, transaction.atomic():
        _serve(delivered.course, other)
    assert "outcomes" in refused.value.message_dict
    assert list(delivered.course.outcomes.all()) == [outcome]
    assert DeliveryActivity.objects.filter(outcome=outcome).exists()


# 3. A catch-up sweep sends no follow-up whose window has closed -------------------------------


def test_a_catch_up_sweep_sends_no_follow_up_already_closed(course, agency, mailoutbox):
    today = timezone.localdate()
    closed = make_session(course, days=-60)  # its follow-up closed 4 days ago
    book(closed, agency, "Sam Patel")
    services.session_deliver(session=closed)
    still_open = make_session(course, days=-50)  # open until 6 days from now
    book(still_open, agency, "Jo Khan")
    services.session_deliver(session=still_open)
    # A sweep for the day both were open: only the one still open today goes.
    day = today - datetime.timedelta(days=5)
    assert reminders.follow_ups_closed_since(day) == 1
    reminders_sweep(today=day)
    sent_to = {to for mail in mailoutbox for to in mail.to}
    assert sent_to == {"jo@police.example", "manager.jo@police.example"}
    assert not Reminder.objects.filter(subject_id=closed.attendees.get().pk).exists()
    # What did go works.
    token = tokens_in(mailoutbox[0])[0]
    assert selectors.link_state(link_for_token(token)) == "open"


def test_a_catch_up_sweep_says_how_many_follow_ups_it_did_not_send(course, agency, mailoutbox):
    closed = make_session(course, days=-60)  # its follow-up closed 4 days ago
    book(closed, agency, "Sam Patel")
    services.session_deliver(session=closed)
    day = timezone.localdate() - datetime.timedelta(days=5)
    out = io.StringIO()
    call_command("send_reminders", date=day.isoformat(), stdout=out)
    assert (
        f"Not sent: 1 training follow-up(s) open on {day:%-d %B %Y} whose 6–8-week window has "
        "closed since (their links would have expired on arrival)."
    ) in out.getvalue()
    # Today's sweep has nothing to say about it: nothing is caught up.
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "Not sent" not in out.getvalue()


# 4. A moved session moves its open links' windows ----------------------------------------------


def test_postponing_a_session_keeps_the_baseline_links_open_until_its_new_day(
    client, trainer, course, agency, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    session = make_session(course, days=30, places=10)
    book(session, agency, "Sam Patel", Attendee.Status.BOOKED)
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluation_send(session=session, stage=Stage.BASELINE)
    [token] = tokens_in(mailoutbox[0])
    new_day = session.held_on + datetime.timedelta(days=14)
    client.force_login(trainer)
    response = client.post(
        reverse("training:session-edit", args=[session.uuid]),
        {"held_on": new_day, "trainer": "Dana Reid", "venue": "Shirehall", "places": 10},
        follow=True,
    )
    said = response.content.decode()
    assert "still work" in said and f"{new_day.day} {new_day:%B %Y}" in said
    link = QuestionnaireLink.objects.get()
    assert timezone.localdate(link.expires_at) == new_day
    # Four days after the first date: the link is open, and it can be sent again.
    time_machine.move_to(timezone.now() + datetime.timedelta(days=34))
    session.refresh_from_db()
    assert selectors.link_state(link_for_token(token)) == "open"
    assert services.stage_closed(session=session, stage=Stage.BASELINE) is None
    assert Stage.BASELINE in services.evaluation_offer(session=session).again


# 6. An address is once on a register, whatever its capitals ------------------------------------


def test_the_same_address_in_other_capitals_is_refused_as_the_upload_refuses_it(
    client, trainer, course, agency
):
    session = make_session(course, days=7)
    fields = {"agency": agency, "name": "Kate Jones", "manager_email": "boss@police.example"}
    services.attendee_add(session=session, email="kate.jones@police.example", **fields)
    with pytest.raises(ValidationError, match="KATE.JONES@police.example is already on"):
        services.attendee_add(session=session, email="KATE.JONES@police.example", **fields)
    client.force_login(trainer)
    response = client.post(
        reverse("training:attendee-add", args=[session.uuid]),
        {
            "name": "Kate Jones",
            "email": "Kate.Jones@Police.example",
            "agency": agency.pk,
            "manager_email": "boss@police.example",
            "status": "booked",
        },
    )
    assert response.status_code == 400
    assert "Kate.Jones@Police.example is already on this register" in response.content.decode()
    # And the database holds the rule, whatever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendee.objects.create(session=session, email="Kate.JONES@police.example", **fields)
    assert session.attendees.count() == 1


# 7. Who was sent and who answered; the follow-up sent again; an attendee corrected -------------


def test_the_session_page_says_who_was_sent_each_stage_and_resends_the_follow_up(
    client, trainer, delivered, mailoutbox, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    reminders_sweep()
    assert len(mailoutbox) == 6
    sam = delivered.attendees.get(name="Sam Patel")
    answer(sam, Stage.FOLLOW_UP, [4, 4], practice_changed="yes")
    client.force_login(trainer)
    page = client.get(delivered.get_absolute_url())
    html = page.content.decode()
    until = delivered.held_on + datetime.timedelta(weeks=8)
    assert f"open until {until.day} {until:%B %Y}" in html
    assert "once six weeks have passed" not in html
    follow_up = page.context["progress"][2]
    assert follow_up["sent"] == 3  # the three who attended
    assert [a.name for a in follow_up["answered"]] == ["Sam Patel"]
    assert {a.name for a in follow_up["waiting"]} == {"Jo Khan", "Alex Morgan"}
    jo = delivered.attendees.get(name="Jo Khan")
    assert (Stage.FOLLOW_UP, Stage.FOLLOW_UP.label) in next(
        a for a in page.context["register"] if a.pk == jo.pk
    ).send_again
    # Sent again: to Jo and to Jo's manager, each a link that opens it.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("training:link-resend", args=[jo.uuid]),
            {"stage": Stage.FOLLOW_UP},
            follow=True,
        )
    assert "and another to their manager" in response.content.decode()
    assert {m.to[0] for m in mailoutbox} == {jo.email, jo.manager_email}
    manager_mail = next(m for m in mailoutbox if m.to == [jo.manager_email])
    assert "answer the follow-up with them" in manager_mail.body
    assert f"open until {until.day} {until:%B %Y}" in manager_mail.body
    for mail in mailoutbox:
        assert selectors.link_state(link_for_token(tokens_in(mail)[0])) == "open"
    # Once the window has closed, it is no longer offered, and refused if asked.
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=2))
    assert Stage.FOLLOW_UP not in services.evaluation_offer(session=delivered).again
    with pytest.raises(ValidationError, match="closed on"):
        services.link_resend(attendee=jo, stage=Stage.FOLLOW_UP)
    # The follow-up is never among those emailed to everyone from the page.
    with pytest.raises(ValidationError):
        services.evaluation_send(session=delivered, stage=Stage.FOLLOW_UP)


def test_a_corrected_email_gets_a_new_link_only_when_it_is_sent_again(
    client, trainer, agency_user, csc, delivered, mailoutbox, django_capture_on_commit_callbacks
):
    sam = delivered.attendees.get(name="Sam Patel")
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluation_send(session=delivered, stage=Stage.IMMEDIATE)
    [old_token] = tokens_in(next(m for m in mailoutbox if m.to == [sam.email]))
    mailoutbox.clear()
    url = reverse("training:attendee-edit", args=[sam.uuid])
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    client.force_login(agency_user)  # reads Sam's row, does not run the course
    assert client.get(url).status_code == 403
    client.force_login(trainer)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "Samuel Patel",
            "email": "samuel.patel@police.example",
            "agency": csc.pk,
            "manager_email": "new.boss@police.example",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Details saved" in html and "Email the link again" in html
    sam.refresh_from_db()
    assert (sam.name, sam.email, sam.agency, sam.manager_email) == (
        "Samuel Patel",
        "samuel.patel@police.example",
        csc,
        "new.boss@police.example",
    )
    assert mailoutbox == []  # nothing sent by the correction itself
    # The old link still opens the questionnaire; the register's history keeps the change.
    assert selectors.link_state(link_for_token(old_token)) == "open"
    entries = " ".join(history_entries(response, "session-history"))
    assert "Sam Patel → Samuel Patel" in entries and "changed the work email" in entries
    # The agency's evaluation follows: CSC now has two attending, Police one.
    checks = PracticeCheck.objects.filter(from_answers=True)
    assert {c.agency.short_name for c in checks} == {"Police", "CSC"}
    # Sent again: to the new address.
    with django_capture_on_commit_callbacks(execute=True):
        services.link_resend(attendee=sam, stage=Stage.IMMEDIATE)
    assert [m.to for m in mailoutbox] == [["samuel.patel@police.example"]]
    # The address rule holds for a correction too.
    jo = delivered.attendees.get(name="Jo Khan")
    with pytest.raises(ValidationError, match="already on this register"):
        services.attendee_change(
            attendee=jo,
            name=jo.name,
            email="SAMUEL.PATEL@police.example",
            manager_email=jo.manager_email,
            agency=jo.agency,
        )


def test_an_agencys_evaluation_goes_when_nobody_from_it_attended_after_all(delivered, agency, csc):
    alex = delivered.attendees.get(name="Alex Morgan")  # the one social worker
    assert PracticeCheck.objects.filter(agency__short_name="CSC", from_answers=True).exists()
    services.attendee_change(
        attendee=alex,
        name=alex.name,
        email=alex.email,
        manager_email=alex.manager_email,
        agency=agency,  # a police officer after all
    )
    checks = PracticeCheck.objects.filter(from_answers=True)
    assert {c.agency.short_name for c in checks} == {"Police"}
    assert PracticeCheck.history.filter(agency_id=csc.pk, history_type="-").exists()


# 8. A session's figures: the Board's for whoever reads the Board's figures ---------------------


def test_the_executive_reads_the_sessions_figures_as_the_dashboard_counts_them(
    client, executive_user, agency_user, delivered
):
    for name, ratings in (("Sam Patel", [2, 3]), ("Alex Morgan", [4, 4])):
        answer(delivered.attendees.get(name=name), Stage.IMMEDIATE, ratings, doing_differently="x")
    client.force_login(executive_user)
    page = client.get(delivered.get_absolute_url())
    assert page.context["evaluation"].after == 2
    assert page.context["evaluation"].confidence_after == 3.3
    assert "Sam Patel" not in page.content.decode()  # the figures, never the register
    assert "as the Board's figures count them" in page.content.decode()
    # The Police lead reads Sam's answer, and is told of the one not open to them.
    client.force_login(agency_user)
    page = client.get(delivered.get_absolute_url())
    assert page.context["evaluation"].after == 1
    assert page.context["answers_not_open"] == 1
    assert "1 more answer to this session is counted" in page.content.decode()


# 9. The follow-up says its last day -------------------------------------------------------------


def test_the_follow_up_reminder_says_its_last_day(delivered, mailoutbox, time_machine):
    time_machine.move_to(timezone.now() + datetime.timedelta(weeks=6, days=1))
    reminders_sweep()
    until = delivered.held_on + datetime.timedelta(weeks=8)
    sam = delivered.attendees.get(name="Sam Patel")
    to_manager = next(m for m in mailoutbox if m.to == [sam.manager_email])
    assert f"to answer with Sam Patel by {until.day} {until:%B %Y}" in to_manager.body


# 10. No child's name, nor a pseudonym, where an adult is named ----------------------------------


@pytest.mark.parametrize("name", ["Baby Oliver", "baby oliver", "Young person Jayden", "Child A"])
def test_a_childs_name_or_a_pseudonym_is_refused_on_a_register(course, agency, name):
    session = make_session(course, days=7)
    with pytest.raises(ValidationError) as refused:
        services.attendee_add(
            session=session,
            agency=agency,
            name=name,
            email="someone@police.example",
            manager_email="boss@police.example",
        )
    assert "name" in refused.value.message_dict
    result = services.register_import(
        session=session,
        upload=SimpleUploadedFile(
            "register.csv",
            (
                "name,work email,agency,manager email,status\r\n"
                f"{name},someone@police.example,Police,boss@police.example,\r\n"
            ).encode(),
        ),
    )
    assert result.created == 0 and "give the adult's own name" in result.errors[0]
    assert not session.attendees.exists()


@pytest.mark.parametrize("name", ["Sam Patel", "Lee Child", "Olivia Baby-Jones", "JO KHAN"])
def test_an_adults_name_is_accepted_on_a_register(course, agency, name):
    session = make_session(course, days=7)
    services.attendee_add(
        session=session,
        agency=agency,
        name=name,
        email="someone@police.example",
        manager_email="boss@police.example",
    )
    assert session.attendees.get().name == name


def test_a_trainer_is_an_adult_too(course):
    with pytest.raises(ValidationError, match="reads as a child's name"):
        services.session_save(
            course=course,
            held_on=timezone.localdate(),
            trainer="Baby Oliver",
            venue="Shirehall",
            places=10,
        )


# 11. One message for places; an archived agency said to be archived -----------------------------


@pytest.mark.parametrize("places", ["-1", "0"])
def test_too_few_places_is_one_message(client, trainer, course, places):
    client.force_login(trainer)
    response = client.post(
        reverse("training:session-new", args=[course.uuid]),
        {
            "held_on": timezone.localdate().isoformat(),
            "trainer": "Dana Reid",
            "venue": "Shirehall",
            "places": places,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["places"] == ["Give a number of 1 or more."]


def test_an_archived_agency_in_an_upload_is_said_to_be_archived(course):
    AgencyFactory(name="Shropshire Youth Service", short_name="SYS", is_active=False)
    session = make_session(course, days=7)
    result = services.register_import(
        session=session,
        upload=SimpleUploadedFile(
            "register.csv",
            b"name,work email,agency,manager email,status\r\n"
            b"Sam Patel,sam@sys.example,SYS,boss@sys.example,\r\n",
        ),
    )
    assert result.errors == [
        "Row 2: “SYS” is archived: the partnership no longer lists it. Give the agency the "
        "practitioner works for now."
    ]


def test_outcomes_stay_as_they_were_for_other_courses(course, outcome):
    """A guard on the mend of 2: another course's session of the same outcome is untouched."""
    other = services.course_save(
        title="Hearing the child: themed event",
        kind="themed_event",
        subgroup=course.subgroup,
        learning_points="Listening",
        outcomes=[outcome],
    )
    theirs = make_session(other, days=5)
    ours = make_session(course, days=6)
    spare = LearningOutcome.objects.create(
        theme=outcome.theme, title="Spare", schedule="x", impact_measure="y"
    )
    _serve(course, spare)
    assert DeliveryActivity.objects.filter(outcome=outcome, training_sessions=theirs).exists()
    assert not DeliveryActivity.objects.filter(outcome=outcome, training_sessions=ours).exists()
