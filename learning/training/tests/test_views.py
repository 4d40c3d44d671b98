"""Training's pages: the questionnaire by its token alone, used once; uploads that show each bad
row; every figure a link to its records; fixed queries whatever the number of rows."""

import datetime
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from learning.dashboard.outcomes import impact_by_outcome
from learning.dashboard.scope import make_scope
from sscb.dates import financial_year_of
from sscb.tests.factories import SubGroupFactory
from sscb.tests.reading import history_entries as _history

from .. import services
from ..models import Attendee, Questionnaire
from ..selectors import link_for_token
from .conftest import book, make_session

Stage = Questionnaire.Stage


def link_to(attendee, stage=Stage.IMMEDIATE):
    questionnaire, _ = Questionnaire.objects.get_or_create(attendee=attendee, stage=stage)
    return services.link_issue(questionnaire=questionnaire, sent_to=attendee.email)


def test_the_questionnaire_opens_by_its_token_alone_and_takes_one_answer(client, delivered):
    sam = delivered.attendees.get(name="Sam Patel")
    token = link_to(sam)
    page = client.get(reverse("training:answer", args=[token]))  # nobody signed in
    assert page.status_code == 200
    assert "Recording the child" in page.content.decode()  # the course's learning points
    submit = reverse("training:answer-submit", args=[token])
    missing = client.post(submit, {"point_1": "4"})
    assert missing.status_code == 400 and "Choose how confident you are" in missing.content.decode()
    done = client.post(
        submit, {"point_1": "4", "point_2": "5", "doing_differently": "Ask about the day."}
    )
    assert done.status_code == 200 and "have been received" in done.content.decode()
    again = client.get(reverse("training:answer", args=[token]))
    assert again.status_code == 200 and "already been answered" in again.content.decode()
    twice = client.post(submit, {"point_1": "1", "point_2": "1", "doing_differently": "x"})
    assert twice.status_code == 400
    answered = Questionnaire.objects.get(attendee=sam)
    assert list(answered.ratings.values_list("score", flat=True)) == [4, 5]
    assert client.get(reverse("training:answer", args=["not-a-token"])).status_code == 404


def test_an_answer_naming_a_child_is_refused_on_the_page_and_nothing_is_kept(client, delivered):
    token = link_to(delivered.attendees.get(name="Sam Patel"))
    response = client.post(
        reverse("training:answer-submit", args=[token]),
        {"point_1": "4", "point_2": "5", "doing_differently": "Child A born 02/03/2019"},
    )
    assert response.status_code == 400 and "date of birth" in response.content.decode()
    assert not Questionnaire.objects.filter(answered_at__isnull=False).exists()


def test_a_register_upload_with_a_bad_row_shows_the_row_and_adds_nobody(
    client, trainer, course, agency
):
    session = make_session(course, days=7)
    client.force_login(trainer)
    text = (
        "name,work email,agency,manager email,status\r\n"
        "Sam Patel,sam@police.example,Police,jo@police.example,\r\n"
        "Jo Khan,jo@police.example,Nowhere,boss@police.example,\r\n"
    )
    response = client.post(
        reverse("training:register-upload", args=[session.uuid]),
        {"file": SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")},
    )
    assert response.status_code == 400
    assert response.context["row_errors"] == ["Row 3: no agency is called “Nowhere”."]
    assert not session.attendees.exists()


def _grow(session, agency, csc, start, n):
    for i in range(start, start + n):
        attendee = book(session, agency if i % 2 else csc, f"P{i:03d} Smith")
        services.questionnaire_answer(
            link=link_for_token(link_to(attendee)),
            ratings=[3, 4],
            doing_differently="Listen.",
        )


@pytest.mark.parametrize(
    "url",
    [
        lambda s: reverse("training:session", args=[s.uuid]),
        lambda s: reverse("training:rates"),
        lambda s: reverse("training:attendees"),
        lambda s: reverse("training:answers"),
        lambda s: reverse("training:course", args=[s.course.uuid]),
        lambda s: reverse("training:list"),
        lambda s: reverse("dashboard:index"),
        lambda s: reverse("dashboard:annual-report"),
    ],
)
def test_pages_run_the_same_queries_for_2_or_40_attendees(
    client, bu_user, course, agency, csc, count_queries, django_assert_max_num_queries, url
):
    client.force_login(bu_user)
    session = make_session(course, places=100)
    _grow(session, agency, csc, 0, 2)
    services.session_deliver(session=session)
    small = count_queries(url(session))
    _grow(session, agency, csc, 2, 38)
    with django_assert_max_num_queries(small):
        assert client.get(url(session)).status_code == 200


def test_each_outcome_shows_its_delivery_evaluation_and_assurance_each_linked(
    delivered, outcome, agency
):
    from learning.tests.factories import EvidenceFactory
    from sscb.tests.factories import UserFactory

    sam = delivered.attendees.get(name="Sam Patel")
    services.questionnaire_answer(
        link=link_for_token(link_to(sam)),
        ratings=[4, 4],
        doing_differently="Listen.",
    )
    judge = UserFactory(role="business_unit")
    EvidenceFactory(
        outcome=outcome,
        agency=agency,
        received_on=timezone.localdate(),
        judgement="assured",
        judged_by=judge,
        judged_on=timezone.localdate(),
    )
    scope = make_scope(judge, year=financial_year_of(timezone.localdate()))
    [row] = impact_by_outcome(scope)["rows"]
    assert row["outcome"] == outcome
    assert (row["delivered"].value, row["reach"].value, row["answers"].value) == (1, 3, 1)
    assert row["evaluation"].confidence_after == 4.0
    assert row["judgements"]["assured"].value == 1
    assert f"outcome={outcome.uuid}" in row["answers"].url
    assert row["delivered"].url.startswith(reverse("learning:activities"))
    assert row["judgements"]["assured"].url.startswith(reverse("learning:evidence_list"))
    # The links open exactly those records.
    from django.test import Client

    client = Client()
    client.force_login(judge)
    assert client.get(row["answers"].url).context["page_obj"].paginator.count == 1
    assert client.get(row["delivered"].url).context["page_obj"].paginator.count == 1
    assert client.get(row["judgements"]["assured"].url).context["page_obj"].paginator.count == 1


def test_the_annual_reports_evaluation_stages_count_answers_beside_hand_recorded_ones(
    delivered, outcome, agency
):
    """Attendees' questionnaire answers (confidence out of 5) are counted at their stage beside
    the evaluations agencies recorded by hand (out of 10), never added to them, and the same
    answers as the impact by outcome."""
    from learning import services as learning_services
    from learning.dashboard.loop import practice
    from learning.models import PracticeCheck, TrainingEvaluationStage
    from sscb.tests.factories import UserFactory

    sam = delivered.attendees.get(name="Sam Patel")
    services.questionnaire_answer(
        link=link_for_token(link_to(sam)), ratings=[4, 5], doing_differently="Listen."
    )
    today = timezone.localdate()
    check = learning_services.practice_check_save(
        outcome=outcome,
        agency=agency,
        way=PracticeCheck.Way.TRAINING_EVALUATION,
        baseline_on=today,
    )
    learning_services.evaluation_stage_complete(
        stage=check.stages.get(stage=1), completed_on=today, responses=12, confidence=6
    )
    scope = make_scope(UserFactory(role="business_unit"), year=financial_year_of(today))
    stages = {row["stage"]: row for row in practice(scope)["evaluation"]}
    baseline, after = (stages[stage.label] for stage in list(TrainingEvaluationStage.Stage)[:2])
    assert (baseline["count"], baseline["responses"], baseline["confidence"]) == (1, 12, 6)
    assert (baseline["answers"], baseline["answers_confidence"]) == (0, None)
    assert (after["count"], after["responses"], after["answers"]) == (0, 0, 1)
    assert after["answers_confidence"] == 4.5
    [row] = impact_by_outcome(scope)["rows"]
    assert row["answers"].value == sum(stage["answers"] for stage in stages.values())


def test_an_agency_lead_reads_only_their_agencys_register(client, agency_user, delivered):
    client.force_login(agency_user)
    page = client.get(reverse("training:session", args=[delivered.uuid])).content.decode()
    assert "Sam Patel" in page and "Alex Morgan" not in page
    assert "Record as delivered" not in page and "Upload a register" not in page
    rates = client.get(reverse("training:rates")).context["rates"]
    assert [row["agency"] for row in rates] == ["West Mercia Police"]
    assert (rates[0]["attended"].value, rates[0]["missed"].value) == (2, 1)
    assert rates[0]["attended_percent"] == 67


def test_the_baseline_links_go_by_email_once(
    client, trainer, course, agency, mailoutbox, django_capture_on_commit_callbacks
):
    session = make_session(course, days=3)
    book(session, agency, "Sam Patel", Attendee.Status.BOOKED)
    client.force_login(trainer)
    send = reverse("training:send", args=[session.uuid])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send, {"stage": "1"})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["sam@police.example"]
    path = next(line for line in mailoutbox[0].body.splitlines() if "/training/answer/" in line)
    assert client.get(path.split("127.0.0.1:8000", 1)[-1].strip()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(send, {"stage": "1"}, follow=True)
    assert len(mailoutbox) == 1
    assert "already been sent" in again.content.decode()
    assert session.held_on == timezone.localdate() + datetime.timedelta(days=3)


def test_a_booking_comes_off_the_register_and_a_recorded_attendance_stays(
    client, trainer, course, agency, delivered, django_capture_on_commit_callbacks
):
    upcoming = make_session(course, days=3)
    sent = book(upcoming, agency, "Jo Khan", Attendee.Status.BOOKED)
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:send", args=[upcoming.uuid]), {"stage": "1"})
    cancelled = book(upcoming, agency, "Sam Patel", Attendee.Status.BOOKED)
    page = client.get(upcoming.get_absolute_url()).content.decode()
    assert reverse("training:attendee-remove", args=[cancelled.uuid]) in page

    removed = client.post(reverse("training:attendee-remove", args=[cancelled.uuid]), follow=True)
    assert "Sam Patel is no longer on the register." in removed.content.decode()
    assert not Attendee.objects.filter(pk=cancelled.pk).exists()
    assert Attendee.history.filter(id=cancelled.pk, history_type="-").exists()
    for attendee, why in (
        (sent, "has been sent a questionnaire"),
        (delivered.attendees.get(name="Sam Patel"), "attendance is recorded"),
    ):
        refused = client.post(
            reverse("training:attendee-remove", args=[attendee.uuid]), follow=True
        )
        assert why in refused.content.decode()
        assert Attendee.objects.filter(pk=attendee.pk).exists()


def test_one_attendee_is_emailed_a_new_link_to_the_same_questionnaire(
    client, trainer, delivered, mailoutbox, django_capture_on_commit_callbacks
):
    sam = delivered.attendees.get(name="Sam Patel")
    client.force_login(trainer)
    resend = reverse("training:link-resend", args=[sam.uuid])
    refused = client.post(resend, {"stage": "2"}, follow=True)
    assert "has not been sent this questionnaire yet" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:send", args=[delivered.uuid]), {"stage": "2"})
    first = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(resend, {"stage": "2"}, follow=True)
    assert "A new link emailed to Sam Patel." in again.content.decode()
    assert len(mailoutbox) == first + 1 and mailoutbox[-1].to == [sam.email]
    path = next(line for line in mailoutbox[-1].body.splitlines() if "/training/answer/" in line)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert link_for_token(token).questionnaire == sam.questionnaires.get(stage=Stage.IMMEDIATE)
    services.questionnaire_answer(link=link_for_token(token), ratings=[4, 4])
    answered = client.post(resend, {"stage": "2"}, follow=True)
    assert "has already answered this questionnaire" in answered.content.decode()
    assert len(mailoutbox) == first + 1


def test_a_number_out_of_range_is_refused_in_words_not_by_a_constraints_name(course):
    """A session needs a place; the database's rule keeps it too, but never speaks to a person."""
    from django.core.exceptions import ValidationError

    from learning.training.models import Session

    session = Session(
        course=course, held_on=datetime.date(2025, 6, 3), places=0, venue="Hall", trainer="Jo"
    )
    with pytest.raises(ValidationError) as refused:
        session.full_clean()
    assert refused.value.message_dict["places"] == ["Give a number of 1 or more."]
    # Were a rule of the database's ever reached with nothing to explain it first:
    with pytest.raises(ValidationError) as refused:
        session.validate_constraints()
    assert "Constraint" not in " ".join(refused.value.messages)
    assert "cannot be saved together" in " ".join(refused.value.messages)


def test_the_answers_list_says_how_many_answers_the_figures_count_that_it_cannot_show(
    client, executive_user, delivered
):
    """The Board's figures count every answer; the executive reads none of them, and the list
    opened from a figure says how many, as a number only."""
    sam = delivered.attendees.get(name="Sam Patel")
    services.questionnaire_answer(
        link=link_for_token(link_to(sam)), ratings=[4, 4], doing_differently="Listen first."
    )
    client.force_login(executive_user)
    page = client.get(reverse("training:answers")).content.decode()
    assert "Listen first." not in page and "Sam Patel" not in page
    assert "1 more answer matches these filters and is counted in the Board's figures" in page


# What the session's page offers to email ------------------------------------------------------


def _page(client, session):
    return unescape(client.get(reverse("training:session", args=[session.uuid])).content.decode())


def _send_choices(page):
    form = re.search(r'data-testid="send-form">(.*?)</form>', page, re.S)
    return re.findall(r'<option value="(\d)">', form.group(1)) if form else []


def test_a_delivered_session_offers_only_the_questionnaire_for_straight_after(
    client, trainer, delivered
):
    client.force_login(trainer)
    page = _page(client, delivered)
    assert _send_choices(page) == [str(Stage.IMMEDIATE)]
    assert 'data-testid="send-again"' not in page  # nobody has been sent a link yet


def test_more_than_a_week_after_a_session_nothing_is_offered_and_the_page_says_why(
    client, trainer, course, agency, mailoutbox
):
    session = make_session(course, days=-10)
    sam = book(session, agency, "Sam Patel")
    services.session_deliver(session=session)
    link_to(sam)  # sent straight after, never answered
    client.force_login(trainer)
    page = _page(client, session)
    ended = session.held_on + datetime.timedelta(days=7)
    assert _send_choices(page) == []
    assert 'data-testid="send-again"' not in page
    why = re.search(r'data-testid="nothing-to-send">(.*?)</p>', page, re.S).group(1)
    assert "The baseline is taken before the session, not after it" in why
    assert f"The week after the session ended on {ended.day} {ended:%B %Y}" in why
    refused = client.post(
        reverse("training:link-resend", args=[sam.uuid]), {"stage": "2"}, follow=True
    )
    assert f"The week after the session ended on {ended.day} {ended:%B %Y}" in unescape(
        refused.content.decode()
    )
    assert not mailoutbox


def test_before_a_session_the_baseline_is_offered_until_everyone_has_it_then_again_each(
    client, trainer, course, agency, django_capture_on_commit_callbacks
):
    session = make_session(course, days=3)
    jo = book(session, agency, "Jo Khan", Attendee.Status.BOOKED)
    client.force_login(trainer)
    page = _page(client, session)
    assert _send_choices(page) == [str(Stage.BASELINE)]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("training:send", args=[session.uuid]), {"stage": "1"})
    page = _page(client, session)
    assert _send_choices(page) == []
    assert "Everyone booked has already been sent the questionnaire" in page
    again = re.search(r'data-testid="send-again">(.*?)</form>', page, re.S).group(1)
    assert reverse("training:link-resend", args=[jo.uuid]) in page
    assert re.findall(r'<option value="(\d)">', again) == [str(Stage.BASELINE)]


def test_a_register_file_naming_someone_twice_names_both_rows(client, trainer, course, agency):
    session = make_session(course, days=7)
    client.force_login(trainer)
    text = (
        "name,work email,agency,manager email,status\r\n"
        "Sam Patel,sam@police.example,Police,jo@police.example,\r\n"
        "Jo Khan,jo@police.example,Police,boss@police.example,\r\n"
        "Sam Patel,SAM@police.example,Police,jo@police.example,\r\n"
    )
    response = client.post(
        reverse("training:register-upload", args=[session.uuid]),
        {"file": SimpleUploadedFile("register.csv", text.encode(), content_type="text/csv")},
    )
    assert response.context["row_errors"] == [
        "Row 4: SAM@police.example appears twice in the file, in rows 2 and 4: keep one of them."
    ]
    assert not session.attendees.exists()


@pytest.mark.parametrize(
    "name, content",
    [
        ("minutes.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"),
        ("register.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("register.csv", b"\x00\x01\x02binary"),
    ],
)
def test_a_file_that_is_not_a_register_is_refused_as_a_file_with_no_rows_to_put_right(
    client, trainer, course, name, content
):
    session = make_session(course, days=7)
    client.force_login(trainer)
    response = client.post(
        reverse("training:register-upload", args=[session.uuid]),
        {"file": SimpleUploadedFile(name, content)},
    )
    page = unescape(response.content.decode())
    assert response.status_code == 400
    assert f"“{name}” is not a CSV or an Excel (.xlsx) file." in page
    assert "Upload a PDF" not in page and "Put these rows right" not in page
    assert response.context["form"].errors["file"]
    assert not session.attendees.exists()


def test_a_register_in_the_wrong_shape_is_said_of_the_file_not_of_its_rows(client, trainer, course):
    session = make_session(course, days=7)
    client.force_login(trainer)
    response = client.post(
        reverse("training:register-upload", args=[session.uuid]),
        {"file": SimpleUploadedFile("register.csv", b"who,when\r\nSam,today\r\n")},
    )
    page = unescape(response.content.decode())
    assert response.status_code == 400
    assert "The first row must name the template's columns" in page
    assert "Put these rows right" not in page


@pytest.mark.parametrize("day", [datetime.date(1901, 5, 5), datetime.date(2099, 1, 1)])
def test_a_session_is_dated_within_a_few_years_of_today(client, trainer, course, day):
    client.force_login(trainer)
    response = client.post(
        reverse("training:session-new", args=[course.uuid]),
        {"held_on": day.isoformat(), "trainer": "Dana Reid", "venue": "Shirehall", "places": "20"},
    )
    page = unescape(response.content.decode())
    today = timezone.localdate()
    assert response.status_code == 400
    assert (
        f"The session's date ({day.day} {day:%B %Y}) is more than 3 years from today "
        f"({today.day} {today:%B %Y}): give a date between" in page
    )
    assert not course.sessions.exists()


def test_the_course_page_names_the_sub_group_once_and_counts_places_in_words(
    client, trainer, course, training_group
):
    type(training_group).objects.filter(pk=training_group.pk).update(name="Training sub-group")
    make_session(course, days=5, places=1)
    client.force_login(trainer)
    page = unescape(client.get(reverse("training:course", args=[course.uuid])).content.decode())
    assert "run by the Training sub-group: the outcomes" in page
    assert "sub-group sub-group" not in page
    listing = unescape(client.get(reverse("training:list")).content.decode())
    assert "0 of 1 place booked" in listing


def test_a_session_still_to_come_offers_neither_delivery_nor_attendance_and_says_why(
    client, trainer, course, agency
):
    session = make_session(course, days=3)
    jo = book(session, agency, "Jo Khan", Attendee.Status.BOOKED)
    client.force_login(trainer)
    page = _page(client, session)
    day = f"{session.held_on.day} {session.held_on:%B %Y}"
    assert reverse("training:deliver", args=[session.uuid]) not in page
    assert f"this one is on {day}" in page
    assert reverse("training:attendee-mark", args=[jo.uuid]) not in page
    assert f"Attendance is recorded on or after the day of the session ({day})." in page
    yesterday = make_session(course, days=-1)
    book(yesterday, agency, "Sam Patel", Attendee.Status.BOOKED)
    page = _page(client, yesterday)
    assert "Mark who attended on the register, then record the session as delivered." in page
    assert reverse("training:deliver", args=[yesterday.uuid]) not in page
    assert reverse("training:attendee-mark", args=[yesterday.attendees.get().uuid]) in page


# History ---------------------------------------------------------------------------------------


def test_a_courses_history_says_who_changed_what_and_names_no_outcome(
    client, trainer, bu_user, course, outcome, training_group
):
    from learning.tests.factories import OutcomeFactory

    other = OutcomeFactory(
        title="Managers ask what the child said",
        decision="agreed",
        decided_on=datetime.date(2024, 4, 1),
    )
    client.force_login(trainer)
    response = client.post(
        reverse("training:course-edit", args=[course.uuid]),
        {
            "title": "Hearing the child",
            "kind": "themed_event",
            "subgroup": training_group.pk,
            "summary": "",
            "learning_points": "Recording the child's own words",
            "outcomes": [outcome.pk, other.pk],
        },
    )
    assert response.status_code == 302
    client.force_login(bu_user)
    entries = _history(client.get(course.get_absolute_url()), "course-history")
    assert entries[0].endswith(f"{trainer}: changed the learning outcomes it serves")
    assert entries[1].endswith(
        f"{trainer}: title Hearing the child: core module → Hearing the child; kind Core "
        "multi-agency training module → Event for key practitioners / managers; learning "
        "points Recording the child's own words / Asking about daily life → Recording the "
        "child's own words"
    ), entries[1]
    assert entries[-1].endswith("recorded it")
    assert entries[-2].endswith("changed the learning outcomes it serves")  # first chosen
    said = " ".join(entries)
    assert outcome.title not in said and other.title not in said


def test_a_sessions_history_holds_the_register_each_reader_may_read(
    client, trainer, bu_user, agency_user, course, outcome, agency, csc
):
    """Who changed the session and its register, and what: an agency's lead reads only their
    own agency's attendees in it, as on the register, and nobody reads an address or the
    outcome the session delivers."""
    session = make_session(course)
    sam = book(session, agency, "Sam Patel", Attendee.Status.BOOKED)
    book(session, agency, "Jo Khan", Attendee.Status.BOOKED)
    alex = book(session, csc, "Alex Morgan", Attendee.Status.BOOKED)
    client.force_login(trainer)
    edit = {"held_on": session.held_on.isoformat(), "trainer": "Dana Reid", "places": "25"}
    client.post(reverse("training:session-edit", args=[session.uuid]), edit | {"venue": "Online"})
    client.post(reverse("training:attendee-mark", args=[sam.uuid]), {"status": "attended"})
    client.post(reverse("training:attendee-mark", args=[alex.uuid]), {"status": "attended"})
    jo = session.attendees.get(name="Jo Khan")
    client.post(reverse("training:attendee-remove", args=[jo.uuid]))
    assert not session.attendees.filter(name="Jo Khan").exists()

    client.force_login(bu_user)
    entries = _history(client.get(session.get_absolute_url()), "session-history")
    assert entries[0].endswith(f"{trainer}: register (Jo Khan): deleted it")
    assert entries[1].endswith(f"{trainer}: register (Alex Morgan): status Booked → Attended")
    assert entries[2].endswith(f"{trainer}: register (Sam Patel): status Booked → Attended")
    assert entries[3].endswith(f"{trainer}: venue or link Shirehall → Online; places 30 → 25")
    assert entries[-2].endswith("recorded as delivery of a learning outcome")
    assert entries[-1].endswith("recorded it")
    history = " ".join(entries)
    assert "@" not in history and outcome.title not in history
    assert "saved it unchanged" not in history

    client.force_login(trainer)  # the course's sub-group reads all of the register
    history = " ".join(_history(client.get(session.get_absolute_url()), "session-history"))
    assert "register (Alex Morgan)" in history and "register (Jo Khan): deleted it" in history

    client.force_login(agency_user)
    history = " ".join(_history(client.get(session.get_absolute_url()), "session-history"))
    assert "register (Sam Patel): status Booked → Attended" in history
    assert "register (Jo Khan): deleted it" in history
    assert "Alex Morgan" not in history


def test_a_sessions_history_runs_the_same_queries_for_few_or_many_versions(
    client, bu_user, course, agency, csc, count_queries, django_assert_num_queries
):
    session = make_session(course, places=100)

    def change(booked):
        for n, attendee in enumerate(booked):
            services.session_save(session=session, venue=f"Room {n}")
            services.attendee_mark(attendee=attendee, status=Attendee.Status.DID_NOT_ATTEND)
            services.attendee_mark(attendee=attendee, status=Attendee.Status.ATTENDED)

    client.force_login(bu_user)
    change([book(session, agency, "P000 Smith", Attendee.Status.BOOKED)])
    url = session.get_absolute_url()
    count_queries(url)  # the first page after signing in also saves the session
    few = count_queries(url)
    change([book(session, csc, f"P{i:03d} Smith", Attendee.Status.BOOKED) for i in range(1, 40)])
    with django_assert_num_queries(few):
        response = client.get(url)
    history = _history(response, "session-history")
    assert len(history) == 20
    assert "venue or link Room 37 → Room 38" in " ".join(history)
    assert "register (P039 Smith): status Did not attend → Attended" in history[0]


def test_a_courses_history_runs_the_same_queries_for_few_or_many_versions(
    client, bu_user, course, training_group, count_queries, django_assert_num_queries
):
    def change(times):
        for n in range(times):
            services.course_save(
                course=course,
                outcomes=list(course.outcomes.all()),
                title=f"Hearing the child {n}",
                learning_points=course.learning_points,
                subgroup=SubGroupFactory() if n % 2 else training_group,
            )

    client.force_login(bu_user)
    change(2)
    url = course.get_absolute_url()
    count_queries(url)  # the first page after signing in also saves the session
    few = count_queries(url)
    change(40)
    with django_assert_num_queries(few):
        response = client.get(url)
    assert len(_history(response, "course-history")) == 20


def test_attendance_by_agency_is_for_a_financial_year_this_one_first(client, bu_user, delivered):
    """fr #10: as the annual report gives it; each figure lists that year's register entries."""
    from sscb.dates import financial_year_label, financial_year_of

    year = financial_year_of(delivered.delivered_on)
    client.force_login(bu_user)
    page = client.get(reverse("training:rates"))
    assert page.context["year"] == year
    assert f"sessions delivered in the financial year {financial_year_label(year)}" in (
        page.content.decode()
    )
    police = next(row for row in page.context["rates"] if row["agency"] == "West Mercia Police")
    listed = client.get(police["attended"].url).context["page_obj"].paginator.count
    assert f"year={year}" in police["attended"].url and listed == police["attended"].value == 2
    earlier = client.get(reverse("training:rates"), {"year": year - 1})
    assert earlier.context["rates"] == []


def test_a_title_pasted_with_a_line_break_is_kept_on_one_line(
    client, trainer, course, outcome, training_group
):
    """Such a title once broke every questionnaire email's subject ("try again later")."""
    client.force_login(trainer)
    response = client.post(
        reverse("training:course-edit", args=[course.uuid]),
        {
            "title": "Safer sleep\r\nX-Extra: y\tmore",
            "kind": "themed_event",
            "subgroup": training_group.pk,
            "summary": "",
            "learning_points": "Recording the child's own words",
            "outcomes": [outcome.pk],
        },
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.title == "Safer sleep X-Extra: y more"
