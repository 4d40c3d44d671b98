"""Meetings: scheduling, the proposed agenda, minutes and decisions applied to their records."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from learning import services as learning_services
from learning.models import Action, LearningOutcome, PriorityTheme
from learning.tests.factories import OutcomeFactory, ThemeFactory
from reviews.models import Review, ReviewAct
from sscb.tests.factories import AgencyFactory

from .. import agenda, services
from ..models import AgendaItem, Attendance, Meeting
from .factories import ItemFactory, MeetingFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def hold(meeting, on=None):
    """Bring a meeting to "held" on ``on`` (default: today), as the Business Unit would."""
    meeting.held_on = on or timezone.localdate()
    meeting.save()
    services.meeting_move(meeting=meeting, to=Meeting.Status.HELD)
    return meeting


def test_a_series_shares_an_id_and_its_papers_deadline(crp):
    first = timezone.localdate() + datetime.timedelta(days=10)
    meetings = services.meeting_schedule_series(
        body=crp, first_on=first, every_weeks=6, count=3, papers_days_before=7, place="Shirehall"
    )
    assert [m.held_on for m in meetings] == [
        first + datetime.timedelta(weeks=6 * n) for n in range(3)
    ]
    assert len({m.series for m in meetings}) == 1
    assert meetings[2].papers_due_on == meetings[2].held_on - datetime.timedelta(days=7)


def test_a_series_refuses_too_many(crp):
    with pytest.raises(ValidationError, match="between 1 and 24"):
        services.meeting_schedule_series(
            body=crp, first_on=TODAY(), every_weeks=4, count=30, place="Shirehall"
        )


def test_the_panel_is_offered_the_referral_waiting_for_its_decision(
    bu_user, referral, panel_meeting
):
    proposals = agenda.proposals(bu_user, panel_meeting)
    referrals = [p for p in proposals if p.subject == AgendaItem.Subject.REFERRAL]
    assert [p.record for p in referrals] == [referral]
    assert referrals[0].title == f"{referral.reference}: Neglect of two brothers"


def test_a_proposal_already_on_the_agenda_is_marked_and_not_added_twice(
    bu_user, referral, panel_meeting
):
    chosen = agenda.proposals(bu_user, panel_meeting)
    services.items_add_proposed(meeting=panel_meeting, chosen=chosen)
    again = agenda.proposals(bu_user, panel_meeting)
    assert all(p.on_agenda for p in again)
    services.items_add_proposed(meeting=panel_meeting, chosen=again)
    assert panel_meeting.items.count() == len(chosen)


def test_the_executive_is_offered_outcomes_and_themes_waiting_for_it(bu_user, executive_body):
    pending = OutcomeFactory()
    OutcomeFactory(decision="agreed", decided_on=TODAY())
    proposed = ThemeFactory(status=PriorityTheme.Status.PROPOSED)
    meeting = MeetingFactory(body=executive_body)
    found = {(p.subject, p.record) for p in agenda.proposals(bu_user, meeting)}
    assert found == {("outcome", pending), ("theme", proposed)}


def test_items_are_reordered_one_step_at_a_time(panel_meeting):
    first, second = (
        ItemFactory(meeting=panel_meeting, position=1),
        ItemFactory(meeting=panel_meeting, position=2),
    )
    services.item_move(item=second, up=True)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.position, first.position) == (1, 2)
    with pytest.raises(ValidationError, match="Item 1 is already first on the agenda"):
        services.item_move(item=second, up=True)  # already first: stays, and says so
    second.refresh_from_db()
    assert second.position == 1


def test_a_paper_is_checked_like_evidence(panel_meeting, bu_user, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    item = ItemFactory(meeting=panel_meeting)
    with pytest.raises(ValidationError):
        services.paper_add(
            item=item,
            upload=SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>"),
            uploaded_by=bu_user,
        )
    paper = services.paper_add(
        item=item, upload=SimpleUploadedFile("Report.txt", b"Plain words."), uploaded_by=bu_user
    )
    assert paper.name == "Report.txt"
    assert paper.file.name != "Report.txt"


def test_a_meeting_is_not_held_before_its_date(panel_meeting):
    with pytest.raises(ValidationError, match="future"):
        services.meeting_move(meeting=panel_meeting, to=Meeting.Status.HELD)


def test_the_panels_decision_is_recorded_on_the_review_with_the_minutes(
    bu_user, referral, panel_meeting
):
    item = services.item_add(
        meeting=panel_meeting,
        subject=AgendaItem.Subject.REFERRAL,
        title="Referral",
        review=referral,
    )
    held = hold(panel_meeting, on=timezone.localdate())
    services.item_decide_referral(
        item=item, by=bu_user, decision=Review.Decision.INITIATE, reasons="Criteria met."
    )
    referral.refresh_from_db()
    assert referral.decision == Review.Decision.INITIATE
    assert referral.decided_on == held.held_on
    act = ReviewAct.objects.get(review=referral, kind=ReviewAct.Kind.DECISION)
    assert act.minutes_label == (
        f"decided at the Case Review Panel, {held.date_label}, item {item.position}"
    )
    assert act.minutes_url == f"/meetings/{held.uuid}/#item-{item.position}"
    latest = referral.history.first()
    assert latest.history_change_reason.startswith("Decided at the Case Review Panel")
    item.refresh_from_db()
    assert item.decided_on == held.held_on and "Criteria met." in item.decision
    with pytest.raises(ValidationError, match="already recorded"):
        services.item_decide_referral(
            item=item, by=bu_user, decision=Review.Decision.INITIATE, reasons="Again."
        )


def test_no_decision_before_the_meeting_is_held(bu_user, referral, panel_meeting):
    item = services.item_add(meeting=panel_meeting, title="Referral", review=referral)
    with pytest.raises(ValidationError, match="not possible"):
        services.item_decide_referral(
            item=item, by=bu_user, decision=Review.Decision.INITIATE, reasons="Criteria met."
        )
    referral.refresh_from_db()
    assert referral.decision == Review.Decision.PENDING


def test_the_executives_decision_is_recorded_on_the_outcome(bu_user, executive_body):
    outcome = OutcomeFactory()
    meeting = MeetingFactory(body=executive_body)
    item = services.item_add(meeting=meeting, title=outcome.title, outcome=outcome)
    hold(meeting)
    services.item_decide_outcome(item=item, by=bu_user, decision="agreed", notes="Go ahead.")
    outcome.refresh_from_db()
    assert outcome.decision == LearningOutcome.Decision.AGREED
    assert outcome.minutes_label == f"decided at the Executive, {meeting.date_label}, item 1"
    assert outcome.minutes_url == item.get_absolute_url()


def test_a_theme_is_agreed_on_the_meetings_date(bu_user, executive_body):
    theme = ThemeFactory(status=PriorityTheme.Status.PROPOSED)
    meeting = MeetingFactory(body=executive_body)
    item = services.item_add(meeting=meeting, title=theme.title, theme=theme)
    hold(meeting, on=timezone.localdate() - datetime.timedelta(days=2))
    services.item_agree_theme(item=item, by=bu_user)
    theme.refresh_from_db()
    assert (theme.status, theme.agreed_on) == (PriorityTheme.Status.AGREED, meeting.held_on)
    assert theme.minutes_label == f"agreed at the Executive, {meeting.date_label}, item 1"
    assert theme.minutes_url == item.get_absolute_url()


def test_minutes_are_approved_at_a_later_meeting(bu_user, crp):
    earlier = hold(MeetingFactory(body=crp), on=timezone.localdate() - datetime.timedelta(days=30))
    ItemFactory(meeting=earlier, notes="Notifications discussed.")
    later = MeetingFactory(body=crp)
    # Not circulated yet: nothing to approve.
    assert not [p for p in agenda.proposals(bu_user, later) if p.subject == "minutes"]
    services.meeting_move(meeting=earlier, to=Meeting.Status.MINUTES_CIRCULATED)
    [minutes] = [p for p in agenda.proposals(bu_user, later) if p.subject == "minutes"]
    [item] = services.items_add_proposed(meeting=later, chosen=[minutes])
    hold(later)
    services.item_approve_minutes(item=item, by=bu_user)
    earlier.refresh_from_db()
    assert earlier.status == Meeting.Status.MINUTES_APPROVED
    assert earlier.minutes_approved_at == later


def test_an_action_arising_joins_the_reviews_plan(bu_user, referral, panel_meeting):
    item = services.item_add(meeting=panel_meeting, title="Referral", review=referral)
    hold(panel_meeting)
    action = services.item_action_arising(
        item=item,
        subgroup=panel_meeting.body,
        title="Ask health for the chronology",
        owner_agency=AgencyFactory(),
        due_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    assert action.review == referral
    assert list(item.actions_arising.all()) == [action]
    assert Action.objects.count() == 1


def test_an_action_arising_needs_a_record(panel_meeting):
    item = services.item_add(meeting=panel_meeting, title="Any other business")
    hold(panel_meeting)
    with pytest.raises(ValidationError, match="joins a plan"):
        services.item_action_arising(item=item, title="x")


def test_attendance_is_recorded_once_per_person(panel_meeting, bu_user, member_user):
    hold(panel_meeting)
    agency = AgencyFactory()
    rows = [
        {"person": bu_user, "agency": None, "status": "present", "deputy": ""},
        {"person": member_user, "agency": agency, "status": "apologies", "deputy": "A deputy"},
    ]
    services.attendance_record(meeting=panel_meeting, rows=rows)
    rows[1]["status"] = "absent"
    with pytest.raises(ValidationError, match="nobody deputised for them"):
        services.attendance_record(meeting=panel_meeting, rows=rows)  # absent, yet a deputy
    assert Attendance.objects.get(person=member_user).status == "apologies"
    rows[1]["deputy"] = ""
    services.attendance_record(meeting=panel_meeting, rows=rows)
    assert Attendance.objects.filter(meeting=panel_meeting).count() == 2
    assert Attendance.objects.get(person=member_user).status == "absent"


def test_attendance_recorded_again_gives_only_the_rows_that_changed_a_new_version(
    panel_meeting, bu_user, member_user
):
    """The meeting's history lists who changed whose attendance, not every member again."""
    hold(panel_meeting)
    rows = [
        {"person": bu_user, "agency": None, "status": "present", "deputy": ""},
        {"person": member_user, "agency": AgencyFactory(), "status": "present", "deputy": ""},
    ]
    services.attendance_record(meeting=panel_meeting, rows=rows)
    rows[1] |= {"status": "apologies", "deputy": "A deputy"}
    assert services.attendance_record(meeting=panel_meeting, rows=rows) == 2
    versions = Attendance.history.filter(meeting_id=panel_meeting.pk)
    assert versions.filter(person=bu_user).count() == 1
    assert [v.status for v in versions.filter(person=member_user)] == ["apologies", "present"]


def test_the_demo_has_meetings_with_agendas_built_from_what_is_due(settings):
    import io

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # idempotent
    assert Meeting.objects.filter(body__code="board").count() == 4
    panel = Meeting.objects.filter(body__code="crp").order_by("held_on")
    assert [m.status for m in panel] == ["circulated", "agenda_published"]
    upcoming = panel.last()
    subjects = set(upcoming.items.values_list("subject", flat=True))
    assert "minutes" in subjects and subjects & {"referral", "rapid_review", "clock"}
    assert panel.first().attendance.filter(deputy__gt="").exists()
    [challenge] = Meeting.objects.filter(body__code="qap")
    [item] = challenge.items.all()
    assert item.decided_on == challenge.held_on
    answer = item.self_assessment.answers.get(standard__number=5)
    assert (answer.moderated_score, answer.minutes_url) == (2, item.get_absolute_url())


def _submitted_return(bu_user):
    """A Section 11 return its agency has submitted, waiting for QAP's moderation."""
    from audits import services as audits_services
    from audits.tests.conftest import full_answers
    from audits.tests.factories import section_11

    agency = AgencyFactory(name="West Mercia Police", short_name="Police")
    cycle = audits_services.audit_cycle_open(
        framework=section_11(),
        title="Section 11 audit",
        financial_year=2025,
        opened_on=datetime.date(2025, 5, 1),
        deadline=datetime.date(2025, 7, 31),
        agencies=[agency],
        by=bu_user,
    )
    self_assessment = cycle.returns.get()
    audits_services.self_assessment_save_draft(
        self_assessment=self_assessment, answers=full_answers(self_assessment), by=bu_user
    )
    return audits_services.self_assessment_submit(self_assessment=self_assessment, by=bu_user)


def test_scores_moderated_at_qap_are_recorded_on_the_return_with_the_minutes(bu_user):
    from audits.models import SelfAssessment
    from sscb.models import SubGroup
    from sscb.tests.factories import SubGroupFactory

    qap = SubGroupFactory(code=SubGroup.Code.QUALITY_ASSURANCE, name="QAP")
    submitted = _submitted_return(bu_user)
    meeting = MeetingFactory(body=qap)
    [proposal] = [p for p in agenda.proposals(bu_user, meeting) if p.subject == "return"]
    [item] = services.items_add_proposed(meeting=meeting, chosen=[proposal])
    answers = list(submitted.answers.select_related("standard").order_by("standard__number"))
    scores = {answer.pk: (3, "") for answer in answers}
    scores[answers[0].pk] = (1, "No senior lead named.")
    with pytest.raises(ValidationError, match="not possible while the meeting is"):
        services.item_moderate_return(item=item, by=bu_user, scores=scores)
    hold(meeting)
    with pytest.raises(ValidationError, match="every standard"):
        services.item_moderate_return(item=item, by=bu_user, scores={answers[0].pk: (1, "")})
    services.item_moderate_return(item=item, by=bu_user, scores=scores)

    submitted.refresh_from_db()
    assert submitted.status == SelfAssessment.Status.MODERATED
    first = submitted.answers.get(pk=answers[0].pk)
    assert (first.moderated_score, first.moderation_comment) == (1, "No senior lead named.")
    assert first.minutes_label == f"decided at the QAP, {meeting.date_label}, item 1"
    assert first.minutes_url == item.get_absolute_url()
    assert first.history.first().history_change_reason.startswith("Decided at the QAP")
    item.refresh_from_db()
    assert item.decided_on == meeting.held_on
    assert item.decision.startswith("Moderated scores: standard 1 not met; 2 met")
    with pytest.raises(ValidationError, match="already recorded"):
        services.item_moderate_return(item=item, by=bu_user, scores=scores)


# An outcome goes to the Executive on the date of the Executive meeting whose agenda holds it.


def test_an_outcome_on_the_executives_agenda_goes_to_it_on_the_meetings_date(executive_body):
    outcome = OutcomeFactory(executive_on=timezone.localdate() + datetime.timedelta(days=3))
    meeting = MeetingFactory(body=executive_body)
    services.item_add(meeting=meeting, title=outcome.title, outcome=outcome)
    outcome.refresh_from_db()
    assert outcome.executive_on == meeting.held_on
    assert outcome.history.first().history_change_reason == f"On the agenda of the {meeting}"

    moved = meeting.held_on + datetime.timedelta(days=7)
    services.meeting_update(meeting=meeting, held_on=moved)
    outcome.refresh_from_db()
    assert outcome.executive_on == moved


def test_an_outcome_on_the_executives_agenda_keeps_that_date_until_it_is_taken_off(
    executive_body,
):
    outcome = OutcomeFactory()
    meeting = MeetingFactory(body=executive_body)
    item = services.item_add(meeting=meeting, title=outcome.title, outcome=outcome)
    outcome.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        learning_services.outcome_save(
            outcome=outcome, executive_on=meeting.held_on + datetime.timedelta(days=1)
        )
    assert refused.value.message_dict["executive_on"] == [
        f"This outcome is on the agenda of the {meeting}: it goes to the Executive then. Move "
        "that meeting, or take the outcome off its agenda first."
    ]
    learning_services.outcome_save(outcome=outcome, title="Renamed")  # its date is kept

    later = MeetingFactory(
        body=executive_body, held_on=meeting.held_on + datetime.timedelta(days=28)
    )
    with pytest.raises(ValidationError):  # on the earlier meeting's agenda: said, nothing kept
        services.item_add(meeting=later, title=outcome.title, outcome=outcome)
    assert not later.items.exists()

    item.delete()
    learning_services.outcome_save(outcome=outcome, executive_on=later.held_on)


def test_only_an_executive_meeting_not_yet_held_sets_an_undecided_outcomes_date(
    executive_body, crp
):
    planned = timezone.localdate() + datetime.timedelta(days=3)
    outcome = OutcomeFactory(executive_on=planned)
    services.item_add(meeting=MeetingFactory(body=crp), title=outcome.title, outcome=outcome)
    decided = OutcomeFactory(
        executive_on=planned, decision=LearningOutcome.Decision.AGREED, decided_on=planned
    )
    services.item_add(meeting=MeetingFactory(body=executive_body), title="A", outcome=decided)
    for record in (outcome, decided):
        record.refresh_from_db()
        assert record.executive_on == planned
