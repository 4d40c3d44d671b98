"""The admin is not a second, weaker way to change what the product's services govern
(sscb/admin_records.py: RecordAdmin's governed_fields, made_on, read_only and deletable): a
Business Unit officer there can neither delete a case record, nor move its lifecycle, nor
revert it to an earlier version, nor add a record the product makes with side effects."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditCycle, Framework
from learning.briefings.models import Briefing, Cascade
from learning.meetings.models import Meeting
from learning.models import Action, AssuranceEvidence, LearningOutcome, PracticeCheck
from learning.training.models import Questionnaire, Session
from reviews.models import Review, ReviewClock, ReviewStageChange
from sscb.admin_records import RecordAdmin
from sscb.models import Agency, Reminder
from sscb.tests.factories import AgencyFactory, UserFactory
from sscb.tests.posting import as_posted
from sscb.tests.world import world_with_admin_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with world_with_admin_rows(django_db_blocker, str(tmp_path_factory.mktemp("media"))) as built:
        yield built


@pytest.fixture
def bu(client, world):
    client.force_login(world.users["business_unit"])
    return client


def url(obj, page="change", *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[obj.pk, *args])


def list_url(model, page="changelist"):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}")


def post_changed(client, obj, **changes):
    """Post the admin's change form of ``obj`` as shown, with ``changes``; the response."""
    shown = client.get(url(obj))
    assert shown.status_code == 200
    formsets = [inline.formset for inline in shown.context["inline_admin_formsets"]]
    data = {**as_posted(shown.context["adminform"].form, formsets=formsets), **changes}
    return client.post(url(obj), data)


def form_fields(client, obj):
    return set(client.get(url(obj)).context["adminform"].form.fields)


def row(model, pk):
    """What is stored, every field."""
    return model._default_manager.filter(pk=pk).values().get()


# 1. Case records are not deleted here: they go through Disposals --------------------------


CASE_RECORD_KINDS = [
    "reviews.Review",
    "reviews.ReviewClock",
    "reviews.ReviewStageChange",
    "reviews.ClockPause",
    "reviews.ChronologyEntry",
    "reviews.TermsOfReference",
    "reviews.ReviewTeamMember",
    "reviews.CaseDocument",
    "reviews.DocumentVersion",
    "reviews.ChildDeathDetails",
    "audits.Audit",
    "audits.CaseAuditEntry",
    "audits.AuditCycle",
    "audits.SelfAssessment",
    "audits.StandardAssessment",
    "performance.IndicatorValue",
    "learning.Finding",
    "learning.PriorityTheme",
    "learning.LearningOutcome",
    "learning.DeliveryActivity",
    "learning.PracticeCheck",
    "learning.AssuranceEvidence",
    "learning.Action",
    "meetings.Meeting",
    "meetings.AgendaItem",
    "meetings.Paper",
    "meetings.Attendance",
    "briefings.Briefing",
    "briefings.BriefingVersion",
    "briefings.Cascade",
    "scrutiny.Inspection",
    "scrutiny.Recommendation",
    "training.Session",
    "training.Attendee",
    "training.Questionnaire",
    "sscb.Reminder",
    "sscb.ReminderSweep",
    "sscb.AccessLogEntry",
    "sscb.DisposalRecord",
]


def _admin_of(label):
    (model,) = [m for m in admin.site._registry if m._meta.label == label]
    return model, admin.site._registry[model]


@pytest.mark.parametrize("label", CASE_RECORD_KINDS)
def test_a_case_record_cannot_be_deleted_in_the_admin(label, world, bu):
    model, model_admin = _admin_of(label)
    record = model._default_manager.order_by("pk").first()
    assert record is not None, label
    assert bu.get(url(record, "delete")).status_code == 403
    assert bu.post(url(record, "delete"), {"post": "yes"}).status_code == 403
    chosen = {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
    bu.post(list_url(model), chosen)
    assert model._default_manager.filter(pk=record.pk).exists()
    assert "delete_selected" not in bu.get(list_url(model)).content.decode()


def test_a_review_and_its_case_file_survive_a_delete_in_the_admin(world, bu):
    review = world.reviews["open_A"]
    before = (review.clocks.count(), review.stage_changes.count(), review.chronology.count())
    assert bu.post(url(review, "delete"), {"post": "yes"}).status_code == 403
    after = (review.clocks.count(), review.stage_changes.count(), review.chronology.count())
    assert Review.objects.filter(pk=review.pk).exists() and after == before


def test_a_person_with_records_is_deactivated_not_deleted(world, bu):
    person = world.users["business_unit"]
    sent = Reminder.objects.filter(recipient=person).count()
    assert sent  # the reminder the world sent them
    page = bu.get(url(person, "delete"))
    assert page.status_code == 200
    assert "users with records (untick Active instead)" in page.content.decode()
    assert bu.post(url(person, "delete"), {"post": "yes"}).status_code in (200, 403)
    chosen = {"action": "delete_selected", "_selected_action": [person.pk]}
    page = bu.post(list_url(type(person)), chosen).content.decode()
    assert "users with records (untick Active instead)" in page
    response = bu.post(list_url(type(person)), {**chosen, "post": "yes"})
    assert response.status_code in (200, 403)  # the refusal page again, or refused outright
    assert type(person).objects.filter(pk=person.pk).exists()
    assert Reminder.objects.filter(recipient=person).count() == sent


def test_an_account_made_in_error_is_still_deleted(world, bu):
    mistake = UserFactory(username="made-in-error")
    assert bu.post(url(mistake, "delete"), {"post": "yes"}).status_code == 302
    assert not type(mistake).objects.filter(pk=mistake.pk).exists()


def test_an_unused_agency_is_still_deleted(world, bu):
    unused = AgencyFactory(name="Defunct trust")
    assert bu.post(url(unused, "delete"), {"post": "yes"}).status_code == 302
    assert not Agency.objects.filter(pk=unused.pk).exists()


# 2, 5. A review's kind, lifecycle, decision, publication and panel ---------------------------

REVIEW_GOVERNED = [
    "kind",
    "subgroup",
    "is_restricted",
    "panel_members",
    "decision",
    "decided_on",
    "decision_reasons",
    "alternative_route",
    "completed_on",
    "published_on",
    "closed_on",
    "published_where",
    "board_response",
]


def test_a_reviews_kind_and_lifecycle_are_not_in_its_admin_form(world, bu):
    review = world.reviews["open_A"]
    assert not set(REVIEW_GOVERNED) & form_fields(bu, review)
    page = bu.get(url(review)).content.decode()
    assert "They change only on the tracker's own pages (the review's page" in page


def test_a_review_posted_with_another_kind_decision_and_panel_is_unchanged(world, bu):
    review = world.reviews["restricted"]
    lead, executive = world.users["agency_lead"], world.users["executive"]
    before = row(Review, review.pk)
    panel = set(review.panel_members.values_list("pk", flat=True))
    changes = {
        "kind": Review.Kind.LCSPR,
        "decision": Review.Decision.choices[-1][0],
        "decision_reasons": "",
        "closed_on": "2030-01-01",
        "published_on": timezone.localdate().isoformat(),
        "panel_members": [lead.pk, executive.pk],
        "is_restricted": "",
        "subgroup": world.subgroups["li"].pk,
    }
    response = post_changed(bu, review, **changes)
    assert response.status_code == 302
    after = row(Review, review.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    assert set(review.panel_members.values_list("pk", flat=True)) == panel


# 3. Reverting to an earlier version ---------------------------------------------------------


def test_a_review_is_not_reverted_to_an_earlier_version(world, bu):
    review = world.reviews["open_A"]
    first = review.history.order_by("history_id").first()
    review.save()  # a later version
    version_url = url(review, "simple_history", first.history_id)
    page = bu.get(version_url)
    assert page.status_code == 200 and 'value="Revert"' not in page.content.decode()
    before = row(Review, review.pk)
    data = as_posted(page.context["adminform"].form)
    assert bu.post(version_url, data).status_code == 403
    assert row(Review, review.pk) == before


# 4. Stage changes, acts and clocks ----------------------------------------------------------


def test_stage_changes_are_not_added_in_the_admin(world, bu):
    review = world.reviews["open_A"]
    moves = review.stage_changes.count()
    add = list_url(ReviewStageChange, "add")
    assert bu.get(add).status_code == 403
    data = {"review": review.pk, "to_stage": "closed", "happened_on": "2020-01-01"}
    assert bu.post(add, data).status_code == 403
    assert review.stage_changes.count() == moves
    move = review.stage_changes.first()
    assert bu.post(url(move), {"to_stage": "referral"}).status_code == 403


def test_a_clocks_dates_are_not_changed_in_the_admin(world, bu):
    clock = world.clocks["open_A"]
    before = row(ReviewClock, clock.pk)
    data = {"met_on": "2030-01-01", "paused_days": "99", "paused_on": "2020-01-01"}
    assert bu.post(url(clock), data).status_code == 403
    assert row(ReviewClock, clock.pk) == before
    inline = bu.get(url(world.reviews["open_A"])).context["inline_admin_formsets"]
    clocks = [each for each in inline if each.formset.model is ReviewClock]
    assert clocks and not clocks[0].formset.forms[0].fields.get("met_on")


# 6. Learning, audits, meetings, training and briefings --------------------------------------


def test_an_action_is_not_signed_off_or_reopened_in_the_admin(world, bu):
    action = world.actions["own"]
    before = row(Action, action.pk)
    changes = {
        "status": Action.Status.choices[-1][0],
        "signed_off_by": world.users["agency_lead"].pk,
        "signed_off_on": timezone.localdate().isoformat(),
    }
    assert post_changed(bu, action, **changes).status_code == 302
    after = row(Action, action.pk)
    governed = ("status", "signed_off_by_id", "signed_off_on", "completed_on")
    assert [after[name] for name in governed] == [before[name] for name in governed]


def test_a_practice_check_from_answers_keeps_its_result(world, bu):
    check = world.checks["own"]
    PracticeCheck.objects.filter(pk=check.pk).update(from_answers=True)
    assert not {"result", "checked_on", "way"} & form_fields(bu, check)
    before = row(PracticeCheck, check.pk)
    post_changed(bu, check, result=PracticeCheck.Result.choices[-1][0])
    assert row(PracticeCheck, check.pk)["result"] == before["result"]
    assert bu.get(list_url(PracticeCheck, "add")).status_code == 403


def test_questionnaire_answers_are_only_read_in_the_admin(world, bu):
    answers = Questionnaire.objects.order_by("pk").first()
    before = row(Questionnaire, answers.pk)
    data = {"doing_differently": "Invented", "practice_changed": "yes"}
    assert bu.post(url(answers), data).status_code == 403
    assert row(Questionnaire, answers.pk) == before
    assert bu.get(list_url(Questionnaire, "add")).status_code == 403


def test_an_audit_cycle_keeps_its_framework(world, bu):
    cycle = world.cycle
    other = Framework.objects.exclude(pk=cycle.framework_id).first()
    before = row(AuditCycle, cycle.pk)
    post_changed(bu, cycle, framework=other.pk, financial_year="2020")
    after = row(AuditCycle, cycle.pk)
    assert (after["framework_id"], after["financial_year"]) == (
        before["framework_id"],
        before["financial_year"],
    )


def test_an_items_presenter_is_chosen_on_the_meetings_page_not_in_the_admin(world, bu):
    """The presenter must be able to open the item, and their reminders name it: the service
    that checks it is the way to choose one."""
    from learning.meetings.models import AgendaItem

    item = AgendaItem.objects.order_by("pk").first()
    assert "presenter" not in form_fields(bu, item)
    before = row(AgendaItem, item.pk)
    post_changed(bu, item, presenter=world.users["agency_lead"].pk)
    assert row(AgendaItem, item.pk)["presenter_id"] == before["presenter_id"]


def test_a_meetings_status_is_not_moved_in_the_admin(world, bu):
    meeting = Meeting.objects.filter(status=Meeting.Status.PLANNED).order_by("pk").first()
    assert "status" not in form_fields(bu, meeting)
    post_changed(bu, meeting, status=Meeting.Status.HELD)
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED


def test_a_delivered_sessions_date_is_not_moved_in_the_admin(world, bu):
    session = world.training.sessions["delivered"]
    before = Session.objects.get(pk=session.pk).held_on
    post_changed(bu, session, held_on="2030-01-01")
    assert Session.objects.get(pk=session.pk).held_on == before


def test_a_cascade_is_not_confirmed_in_the_admin(world, bu):
    cascade = world.cascades["own"]
    before = row(Cascade, cascade.pk)
    data = {
        "cascaded_on": timezone.localdate().isoformat(),
        "method": Cascade.Method.choices[0][0],
        "staff_reached": "40",
        "confirmed_by": world.users["agency_lead"].pk,
    }
    assert bu.post(url(cascade), data).status_code == 403
    assert row(Cascade, cascade.pk) == before


# 7. What ended in a 500 (IntegrityError) ---------------------------------------------------


def test_a_briefing_is_not_published_in_the_admin(world, bu):
    briefing = world.briefings["approved"]
    before = row(Briefing, briefing.pk)
    response = post_changed(bu, briefing, status=Briefing.Status.PUBLISHED)
    assert response.status_code == 302
    assert row(Briefing, briefing.pk)["status"] == before["status"]


def test_minutes_are_not_approved_in_the_admin(world, bu):
    meeting = Meeting.objects.filter(status=Meeting.Status.PLANNED).order_by("pk").first()
    response = post_changed(bu, meeting, status=Meeting.Status.MINUTES_APPROVED)
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED


def _inline_prefix(response, model):
    (formset,) = [
        each.formset
        for each in response.context["inline_admin_formsets"]
        if each.formset.model is model
    ]
    return formset


def test_an_outcome_is_not_agreed_inline_on_its_themes_page(world, bu):
    theme = world.themes["own"]
    outcome = theme.outcomes.order_by("pk").first()
    shown = bu.get(url(theme))
    formset = _inline_prefix(shown, LearningOutcome)
    assert "decision" not in formset.forms[0].fields
    number = [form.instance.pk for form in formset.forms].index(outcome.pk)
    key = f"{formset.prefix}-{number}-decision"
    response = post_changed(bu, theme, **{key: LearningOutcome.Decision.AGREED})
    assert response.status_code == 302
    assert LearningOutcome.objects.get(pk=outcome.pk).decision == outcome.decision


def test_evidence_is_not_judged_inline_on_its_outcomes_page(world, bu):
    outcome = world.outcomes["own"]
    evidence = world.evidence["own"]
    shown = bu.get(url(outcome))
    formset = _inline_prefix(shown, AssuranceEvidence)
    assert "judgement" not in formset.forms[0].fields
    number = [form.instance.pk for form in formset.forms].index(evidence.pk)
    key = f"{formset.prefix}-{number}-judgement"
    response = post_changed(bu, outcome, **{key: AssuranceEvidence.Judgement.ASSURED})
    assert response.status_code == 302
    assert AssuranceEvidence.objects.get(pk=evidence.pk).judgement == evidence.judgement
    page = bu.get(url(evidence)).content.decode()
    assert "judgement" not in bu.get(url(evidence)).context["adminform"].form.fields
    assert "These values cannot be saved together" not in page


# 8. Records the product makes with side effects ---------------------------------------------


def test_an_audit_cycle_is_opened_on_the_products_page_not_added_here(world, bu):
    cycles = AuditCycle.objects.count()
    add = list_url(AuditCycle, "add")
    assert bu.get(add).status_code == 403
    data = {"framework": world.frameworks["section_11"].pk, "title": "Empty", "opened_on": "x"}
    assert bu.post(add, data).status_code == 403
    assert AuditCycle.objects.count() == cycles
    page = bu.get(list_url(AuditCycle)).content.decode()
    assert "Added on the Section 11 / 175 page (Open a cycle)" in page


def test_every_governed_field_is_shown_not_offered(world, bu):
    """Each admin's governed fields are fields of its model, and none is in its change form."""
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, RecordAdmin) or not model_admin.governed_fields:
            continue
        for name in model_admin.governed_fields:
            model._meta.get_field(name)
        record = model._default_manager.order_by("pk").first()
        offered = form_fields(bu, record)
        assert not set(model_admin.governed_fields) & offered, model.__name__


def test_a_persons_django_groups_and_permissions_are_not_offered(client, bu_user, member_user):
    """Access follows role, agency and sub-groups: a change to Django's groups or permissions
    would escape the person's history, so the admin does not offer them (nor the staff and
    superuser flags, which open nothing: sscb/tests/test_admin_same_rules.py)."""
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Everything")
    client.force_login(bu_user)
    fields = form_fields(client, member_user)
    assert "groups" not in fields and "user_permissions" not in fields
    assert {"is_active", "role"} <= fields
    joined = timezone.localtime(member_user.date_joined)  # the admin splits it in two
    changes = {"date_joined_0": f"{joined:%d/%m/%Y}", "date_joined_1": f"{joined:%H:%M:%S}"}
    assert post_changed(client, member_user, groups=[group.pk], **changes).status_code == 302
    assert not member_user.groups.exists()
