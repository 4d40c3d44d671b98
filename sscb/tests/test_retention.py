"""Retention and disposal: the schedule, the monthly sweep, the Business Unit's page, disposal."""

import datetime
from dataclasses import is_dataclass

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models
from django.urls import reverse

from audits.models import Audit, CaseAuditEntry, SelfAssessment, StandardAssessment
from audits.tests.factories import (
    AuditCycleFactory,
    AuditFactory,
    CaseAuditEntryFactory,
    SelfAssessmentFactory,
)
from learning.dashboard.annual_report import annual_report
from learning.models import Action, AssuranceEvidence, Attachment, Finding, PriorityTheme
from learning.tests.factories import ActionFactory, EvidenceFactory, FindingFactory, ThemeFactory
from reviews.models import ClockPause, Review, ReviewAgency, ReviewClock, ReviewStageChange
from reviews.tests.factories import ReviewFactory
from sscb import retention
from sscb.models import DisposalCandidate, DisposalRecord, Reminder, RetentionRule
from sscb.tasks import list_disposals
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

DISPOSAL_DAY = datetime.date(2033, 1, 3)  # 15 years after the 2017 closure, and some
MARKER = "[disposed on 2033-01-03]"


def _migrations():
    """The data migrations that install the default schedule."""
    from importlib import import_module

    return [
        import_module(f"sscb.migrations.{name}")
        for name in ("0008_default_retention_rules", "0017_training_register_retention_rule")
    ]


DEFAULT_RULES = [rule for migration in _migrations() for rule in migration.DEFAULTS]


@pytest.fixture
def schedule(db):
    """The default schedule, as the data migration installs it (a flushed database may have
    lost the migration's rows)."""
    _migrations()[0].install(django_apps, None, rules=DEFAULT_RULES)
    return {rule.kind: rule for rule in RetentionRule.objects.all()}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def old_review(bu_user, agency):
    """A 2016 SCR: referred, completed and published in 2016/17, closed in March 2017, with
    text everywhere a person could type it."""
    review = ReviewFactory(
        reference="SCR-2016-001",
        kind=Review.Kind.SCR,
        regime=Review.Regime.WT2015,
        title="Serious injury to Baby C",
        pseudonym="Baby C",
        summary="Baby C was taken to hospital with injuries.",
        referred_on=datetime.date(2016, 5, 3),
        decision=Review.Decision.INITIATE,
        decided_on=datetime.date(2016, 5, 20),
        decision_reasons="Baby C was seriously harmed and agencies did not share information.",
        completed_on=datetime.date(2016, 12, 15),
        published_on=datetime.date(2017, 1, 20),
        publication_window_ends_on=datetime.date(2018, 1, 20),
        published_where="The Board's website",
        board_response="The Board accepts every recommendation about Baby C.",
        closed_on=datetime.date(2017, 3, 1),
        stage=Review.Stage.CLOSED,
    )
    ReviewStageChange.objects.create(
        review=review,
        from_stage=Review.Stage.ACTION_PLAN,
        to_stage=Review.Stage.CLOSED,
        moved_by=bu_user,
        note="Closed: every action for Baby C signed off.",
    )
    ReviewAgency.objects.create(review=review, agency=agency, notes="Police knew Baby C's father.")
    clock = ReviewClock.objects.create(
        review=review,
        kind=ReviewClock.Kind.SCR_COMPLETION,
        regime=Review.Regime.WT2015,
        started_on=datetime.date(2016, 5, 20),
        due_on=datetime.date(2016, 12, 20),
        amber_on=datetime.date(2016, 11, 20),
        met_on=datetime.date(2016, 12, 15),
        pause_reason="Trial of Baby C's father",
    )
    ClockPause.objects.create(
        clock=clock,
        paused_on=datetime.date(2016, 7, 1),
        resumed_on=datetime.date(2016, 7, 10),
        reason="Trial of Baby C's father",
        paused_by=bu_user,
    )
    review.panel_members.add(bu_user)  # a tracked many-to-many history row too
    return review


@pytest.fixture
def old_action(old_review, bu_user, agency, media):
    """A signed-off action in the review's plan, due in 2016/17, with a file."""
    action = ActionFactory(
        review=old_review,
        owner_agency=agency,
        title="Brief staff on Baby C's case",
        due_on=datetime.date(2016, 10, 1),
        status=Action.Status.SIGNED_OFF,
        completed_on=datetime.date(2016, 9, 20),
        completion_evidence="Attendance list for the Baby C briefing.",
        signed_off_by=bu_user,
        signed_off_on=datetime.date(2016, 10, 5),
    )
    attachment = Attachment(action=action, name="baby-c-briefing.pdf", uploaded_by=bu_user)
    attachment.file.save("briefing.pdf", ContentFile(b"%PDF-1.4 briefing"), save=True)
    return action


def figures(value, path="report"):
    """Every number (and the ids of the rows listed) in an annual report, by where it is."""
    found = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "scope":
                found |= figures(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found |= figures(item, f"{path}[{index}]")
    elif isinstance(value, models.Model):
        found[path] = value.pk
    elif is_dataclass(value) and hasattr(value, "value"):
        found[path] = value.value
    elif isinstance(value, int | float | datetime.date) or value is None:
        found[path] = value
    return found


# The schedule ---------------------------------------------------------------------------------


def test_default_rules_name_registered_kinds_and_their_events():
    for rule in DEFAULT_RULES:
        assert rule["counted_from"] in retention.events_of(rule["kind"]), rule
        assert rule["source"], rule
    kinds = {rule["kind"] for rule in DEFAULT_RULES}
    assert kinds == {kind for kind, _ in retention.kind_choices()}


def test_a_rule_must_count_from_one_of_its_kinds_events(schedule):
    rule = schedule["review"]
    rule.counted_from = "action_closed"
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "counted_from" in error.value.message_dict


def test_a_rule_keeps_records_a_plausible_time_so_every_listing_can_count_back(schedule):
    rule = schedule["review"]
    rule.years, rule.months = 5000, 12
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert error.value.message_dict == {
        "years": ["Give a number of 100 or less."],
        "months": ["Give a number of 11 or less."],
    }
    with pytest.raises(IntegrityError):
        RetentionRule.objects.filter(pk=rule.pk).update(years=5000)


def test_changes_to_the_schedule_are_kept_in_its_history(schedule):
    rule = schedule["audit"]
    rule.years = 7
    rule.save()
    assert rule.history.first().years == 7


def test_add_months_keeps_the_end_of_the_month():
    assert retention.add_months(datetime.date(2024, 3, 31), -1) == datetime.date(2024, 2, 29)
    assert retention.add_months(datetime.date(2017, 3, 1), 15 * 12) == datetime.date(2032, 3, 1)


# Disposal keeps past years' figures -------------------------------------------------------------


def test_a_disposed_review_still_counts_in_its_years_annual_report(
    schedule, old_review, old_action, bu_user, django_capture_on_commit_callbacks
):
    before = figures(annual_report(bu_user, year=2016))
    assert before["report.reviews.started"] >= 1
    assert before["report.reviews.completed"] >= 1
    assert before["report.reviews.published"] >= 1
    stored = old_action.attachments.get().file.name
    assert default_storage.exists(stored)
    panel_history = Review.history.model.panel_members.model
    assert panel_history.objects.filter(review_id=old_review.pk).exists()
    assert ClockPause.history.exists() and Attachment.history.exists()

    with django_capture_on_commit_callbacks(execute=True):
        retention.record_dispose(
            kind="review", object_id=old_review.pk, by=bu_user, today=DISPOSAL_DAY
        )
        retention.record_dispose(
            kind="action", object_id=old_action.pk, by=bu_user, today=DISPOSAL_DAY
        )

    assert figures(annual_report(bu_user, year=2016)) == before
    review = Review.objects.get(pk=old_review.pk)  # emptied, not deleted
    assert review.reference == "SCR-2016-001"
    assert (review.kind, review.stage, review.closed_on) == (
        Review.Kind.SCR,
        Review.Stage.CLOSED,
        datetime.date(2017, 3, 1),
    )
    for text in ("title", "pseudonym", "summary", "decision_reasons", "board_response"):
        assert getattr(review, text) == MARKER, text
    assert review.not_published_reason == ""  # empty stays empty
    assert ReviewStageChange.objects.get(review=review).note == MARKER
    assert ReviewAgency.objects.get(review=review).notes == MARKER
    assert ReviewClock.objects.get(review=review).pause_reason == MARKER
    assert ClockPause.objects.get(clock__review=review).reason == MARKER
    action = Action.objects.get(pk=old_action.pk)
    assert (action.title, action.completion_evidence) == (MARKER, MARKER)
    assert action.status == Action.Status.SIGNED_OFF
    # Files, and history rows (many-to-many ones too) of the records and their child rows.
    assert not default_storage.exists(stored)
    assert not Attachment.objects.filter(action=action).exists()
    assert not Attachment.history.filter(action_id=action.pk).exists()
    assert not Review.history.filter(id=review.pk).exists()
    assert not panel_history.objects.filter(review_id=review.pk).exists()
    for model in (ReviewStageChange, ReviewAgency, ReviewClock):
        assert not model.history.filter(review_id=review.pk).exists(), model
    assert not ClockPause.history.exists()
    assert not Action.history.filter(id=action.pk).exists()


def test_the_disposal_log_keeps_no_content(schedule, old_review, bu_user):
    retention.record_dispose(kind="review", object_id=old_review.pk, by=bu_user, today=DISPOSAL_DAY)
    entry = DisposalRecord.objects.get()
    assert (entry.kind, entry.object_id, entry.reference) == (
        "review",
        old_review.pk,
        "SCR-2016-001",
    )
    assert (entry.disposed_on, entry.disposed_by, entry.username) == (DISPOSAL_DAY, bu_user, "bu")
    assert entry.rule == "15 years from the review was closed"
    everything = " ".join(str(getattr(entry, f.attname)) for f in DisposalRecord._meta.fields)
    for content in ("Baby C", "Serious injury", "hospital"):
        assert content not in everything
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        DisposalRecord.objects.update(reference="x")
    with pytest.raises(TypeError):
        DisposalRecord.objects.all().delete()


def test_reminders_about_a_disposed_record_lose_its_title(schedule, old_review, bu_user):
    from django.contrib.contenttypes.models import ContentType

    reminder = Reminder.objects.create(
        key="old",
        recipient=bu_user,
        kind=Reminder.Kind.CLOCK_OVERDUE,
        subject_type=ContentType.objects.get_for_model(Review),
        subject_id=old_review.pk,
        title="SCR-2016-001 Serious injury to Baby C",
        url="/",
        due_on=datetime.date(2016, 12, 20),
    )
    retention.record_dispose(kind="review", object_id=old_review.pk, by=bu_user, today=DISPOSAL_DAY)
    reminder.refresh_from_db()
    assert reminder.title == MARKER


# Nothing goes before it is due ----------------------------------------------------------------


def test_a_record_not_yet_due_is_refused(schedule, old_review, bu_user):
    with pytest.raises(retention.DisposalRefused, match="not due"):
        retention.record_dispose(
            kind="review", object_id=old_review.pk, by=bu_user, today=datetime.date(2031, 1, 1)
        )
    open_review = ReviewFactory(referred_on=datetime.date(2010, 4, 1))
    with pytest.raises(retention.DisposalRefused, match="not due"):
        retention.record_dispose(
            kind="review", object_id=open_review.pk, by=bu_user, today=DISPOSAL_DAY
        )
    assert not DisposalRecord.objects.exists()
    assert Review.objects.get(pk=old_review.pk).title == "Serious injury to Baby C"


def test_a_published_report_is_kept_for_its_window(schedule, old_review, bu_user):
    schedule["review"].years, schedule["review"].months = 0, 1
    schedule["review"].save()
    # A month after closure is past the rule, but the report's 12 months are not over.
    with pytest.raises(retention.DisposalRefused):
        retention.record_dispose(
            kind="review", object_id=old_review.pk, by=bu_user, today=datetime.date(2017, 6, 1)
        )
    retention.record_dispose(
        kind="review", object_id=old_review.pk, by=bu_user, today=datetime.date(2018, 2, 1)
    )


def test_a_record_is_disposed_of_once_and_only_by_the_business_unit(
    schedule, old_review, bu_user, member_user
):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        retention.record_dispose(
            kind="review", object_id=old_review.pk, by=member_user, today=DISPOSAL_DAY
        )
    retention.record_dispose(kind="review", object_id=old_review.pk, by=bu_user, today=DISPOSAL_DAY)
    with pytest.raises(retention.DisposalRefused, match="already"):
        retention.record_dispose(
            kind="review", object_id=old_review.pk, by=bu_user, today=DISPOSAL_DAY
        )


def test_a_kind_without_a_rule_is_kept(schedule, old_review, bu_user):
    schedule["review"].delete()
    with pytest.raises(retention.DisposalRefused, match="no rule"):
        retention.record_dispose(
            kind="review", object_id=old_review.pk, by=bu_user, today=DISPOSAL_DAY
        )


# Every kind ------------------------------------------------------------------------------------


def test_a_complete_audit_keeps_its_grades_and_numbers_its_cases(schedule, bu_user):
    audit = AuditFactory(
        kind=Audit.Kind.CASE_FILE, stage=Audit.Stage.COMPLETE, scope="Neglect of Child A"
    )
    police, health = AgencyFactory(), AgencyFactory()
    for agency in (police, health):
        CaseAuditEntryFactory(
            audit=audit, pseudonym="Child A", agency=agency, grade="inadequate", concerns="Late"
        )
    CaseAuditEntryFactory(audit=audit, pseudonym="Child B", agency=police, grade="good")
    with time_machine.travel(datetime.date(2040, 1, 1)):
        retention.record_dispose(kind="audit", object_id=audit.pk, by=bu_user)
    audit.refresh_from_db()
    assert (audit.scope, audit.stage, audit.reference != MARKER) == (
        "[disposed on 2040-01-01]",
        Audit.Stage.COMPLETE,
        True,
    )
    entries = CaseAuditEntry.objects.filter(audit=audit)
    assert sorted(entries.values_list("pseudonym", flat=True)) == [
        "[disposed on 2040-01-01] case 1",
        "[disposed on 2040-01-01] case 1",
        "[disposed on 2040-01-01] case 2",
    ]
    assert entries.filter(grade="good").count() == 1
    assert not CaseAuditEntry.history.filter(audit_id=audit.pk).exists()
    assert not Audit.history.filter(id=audit.pk).exists()


def test_a_submitted_return_keeps_its_scores(schedule, bu_user):
    from audits.tests.factories import section_11

    framework = section_11()
    cycle = AuditCycleFactory(framework=framework, financial_year=2016)
    submitted = SelfAssessmentFactory(
        cycle=cycle,
        status=SelfAssessment.Status.SUBMITTED,
        submitted_at=datetime.datetime(2016, 11, 1, 12, tzinfo=datetime.UTC),
        head_teacher="Mrs Head",
    )
    answer = StandardAssessment.objects.create(
        self_assessment=submitted,
        standard=framework.standards.first(),
        self_score=2,
        narrative="We audit files monthly.",
    )
    retention.record_dispose(
        kind="self_assessment", object_id=submitted.pk, by=bu_user, today=DISPOSAL_DAY
    )
    answer.refresh_from_db()
    submitted.refresh_from_db()
    assert (submitted.head_teacher, submitted.status) == (MARKER, SelfAssessment.Status.SUBMITTED)
    assert (answer.narrative, answer.self_score) == (MARKER, 2)
    assert not StandardAssessment.history.filter(id=answer.pk).exists()


def test_judged_evidence_loses_its_files_and_keeps_its_judgement(
    schedule, bu_user, media, django_capture_on_commit_callbacks
):
    evidence = EvidenceFactory(
        received_on=datetime.date(2018, 1, 1),
        judgement=AssuranceEvidence.Judgement.ASSURED,
        judged_by=bu_user,
        judged_on=datetime.date(2018, 2, 1),
        summary="Audit of Child A's file",
    )
    attachment = Attachment(evidence=evidence, name="child-a.pdf", uploaded_by=bu_user)
    attachment.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        retention.record_dispose(
            kind="evidence", object_id=evidence.pk, by=bu_user, today=DISPOSAL_DAY
        )
    evidence.refresh_from_db()
    assert (evidence.summary, evidence.judgement) == (MARKER, "assured")
    assert not default_storage.exists(attachment.file.name)


def test_findings_wait_for_their_theme_to_close(schedule, bu_user):
    theme = ThemeFactory(status=PriorityTheme.Status.ACTIVE)
    themed = FindingFactory(theme=theme, review=None, identified_on=datetime.date(2016, 6, 1))
    loose = FindingFactory(theme=None, review=None, identified_on=datetime.date(2016, 6, 1))
    with pytest.raises(retention.DisposalRefused):
        retention.record_dispose(
            kind="finding", object_id=themed.pk, by=bu_user, today=DISPOSAL_DAY
        )
    retention.record_dispose(kind="finding", object_id=loose.pk, by=bu_user, today=DISPOSAL_DAY)
    assert Finding.objects.get(pk=loose.pk).detail == MARKER
    theme.status = PriorityTheme.Status.CLOSED
    theme.save()
    retention.record_dispose(kind="finding", object_id=themed.pk, by=bu_user, today=DISPOSAL_DAY)


# The monthly sweep ---------------------------------------------------------------------------


def test_the_monthly_sweep_lists_what_is_due_once_and_tells_the_business_unit_once(
    schedule, old_review, old_action, bu_user, member_user
):
    ReviewFactory(referred_on=datetime.date(2016, 4, 1))  # open: never listed
    with time_machine.travel(DISPOSAL_DAY):
        first = list_disposals()
    assert first == {"listed": 2, "withdrawn": 0, "notified": 2}
    listed = set(DisposalCandidate.objects.values_list("kind", "object_id", "reference"))
    assert listed == {
        ("review", old_review.pk, "SCR-2016-001"),
        ("action", old_action.pk, f"Action {old_action.reference}"),
    }
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [bu_user.email]
    assert "2 records" in email.subject
    assert reverse("retention:due") in email.body
    assert "Baby C" not in email.body + email.subject
    # Nothing is disposed of by the sweep.
    assert Review.objects.get(pk=old_review.pk).title == "Serious injury to Baby C"

    with time_machine.travel(DISPOSAL_DAY + datetime.timedelta(days=31)):
        again = list_disposals()
    assert again == {"listed": 0, "withdrawn": 0, "notified": 0}
    assert len(mail.outbox) == 1
    assert DisposalCandidate.objects.count() == 2


def test_the_sweep_withdraws_what_is_no_longer_due(schedule, old_review, bu_user):
    retention.disposal_candidates_list(today=DISPOSAL_DAY)
    schedule["review"].years = 30
    schedule["review"].save()
    assert retention.disposal_candidates_list(today=DISPOSAL_DAY) == {"listed": 0, "withdrawn": 1}
    assert not DisposalCandidate.objects.exists()


def test_a_failed_email_is_sent_again_next_time(schedule, old_review, bu_user, monkeypatch):
    retention.disposal_candidates_list(today=DISPOSAL_DAY)

    def broken(**kwargs):
        raise ConnectionError("no mail server")

    monkeypatch.setattr(retention, "send_mail", broken)
    with pytest.raises(ConnectionError):
        retention.disposal_notify()
    monkeypatch.undo()
    assert retention.disposal_notify() == 1
    assert len(mail.outbox) == 1


# The page -----------------------------------------------------------------------------------


@pytest.fixture
def listed(schedule, old_review):
    retention.disposal_candidates_list(today=DISPOSAL_DAY)
    return DisposalCandidate.objects.get(kind="review")


def test_only_the_business_unit_sees_the_page_and_the_menu_item(client, users_by_role, listed):
    url = reverse("retention:due")
    assert client.get(url).status_code == 302  # sign in first
    for role, user in users_by_role.items():
        client.force_login(user)
        response = client.get(url)
        home = client.get(reverse("home")).content.decode()
        if role == "business_unit":
            assert response.status_code == 200
            body = response.content.decode()
            assert "SCR-2016-001" in body and "retention schedule" in body
            assert url in home and "1 record due for disposal" in home
        else:
            assert response.status_code == 403, role
            assert url not in home, role


def test_only_the_business_unit_confirms_and_only_by_post(client, users_by_role, listed):
    url = reverse("retention:dispose")
    data = {"only": listed.pk, "confirm": "on"}
    for role, user in users_by_role.items():
        client.force_login(user)
        assert client.get(url, data).status_code == 405, role
        if role != "business_unit":
            assert client.post(url, data).status_code == 403, role
    assert not DisposalRecord.objects.exists()


@time_machine.travel(DISPOSAL_DAY)
def test_the_business_unit_confirms_before_anything_goes(client, bu_user, listed, old_review):
    client.force_login(bu_user)
    url = reverse("retention:dispose")
    response = client.post(url, {"selected": [listed.pk]}, follow=True)
    assert "Tick the confirmation first" in response.content.decode()
    assert not DisposalRecord.objects.exists()

    response = client.post(url, {"selected": [listed.pk], "confirm": "on"}, follow=True)
    assert "Disposed of 1 record: SCR-2016-001" in response.content.decode()
    assert Review.objects.get(pk=old_review.pk).title == MARKER
    assert not DisposalCandidate.objects.exists()
    assert DisposalRecord.objects.get().disposed_by == bu_user
    page = client.get(reverse("reviews:detail", args=[old_review.uuid]))
    assert page.status_code == 200 and MARKER in page.content.decode()


@time_machine.travel(DISPOSAL_DAY)
def test_a_listed_record_no_longer_due_is_refused_on_the_page(client, bu_user, listed):
    Review.objects.filter(pk=listed.object_id).update(stage=Review.Stage.ACTION_PLAN)  # reopened
    client.force_login(bu_user)
    response = client.post(
        reverse("retention:dispose"), {"only": listed.pk, "confirm": "on"}, follow=True
    )
    assert "was not disposed of" in response.content.decode()
    assert not DisposalRecord.objects.exists()


def test_the_sweep_runs_from_cron_too(schedule, old_review, bu_user):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("list_disposals", "--date", DISPOSAL_DAY.isoformat(), stdout=out)
    assert "Listed 1 newly due" in out.getvalue()
    assert DisposalCandidate.objects.filter(object_id=old_review.pk).exists()


def _list(n, start=0):
    DisposalCandidate.objects.bulk_create(
        DisposalCandidate(
            kind="review",
            object_id=start + i,
            reference=f"SCR-2016-{start + i:03d}",
            url="/",
            counted_from_on=datetime.date(2017, 3, 1),
            due_on=datetime.date(2032, 3, 1),
        )
        for i in range(n)
    )
    DisposalRecord.objects.bulk_create(
        DisposalRecord(
            kind="finding",
            object_id=start + i,
            reference=f"Finding {start + i}",
            rule="6 years",
            counted_from_on=datetime.date(2016, 1, 1),
            disposed_on=datetime.date(2022, 1, 1),
            username="bu",
        )
        for i in range(n)
    )


def test_the_page_runs_the_same_queries_for_2_or_50_rows(
    client, bu_user, schedule, count_queries, django_assert_max_num_queries
):
    client.force_login(bu_user)
    _list(2)
    small = count_queries(reverse("retention:due"))
    _list(48, start=100)
    with django_assert_max_num_queries(small):
        response = client.get(reverse("retention:due"))
    assert response.content.decode().count("Dispose of this one") == 50
