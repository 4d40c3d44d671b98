import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from learning import selectors, services
from learning.models import Action, PracticeCheck, TrainingEvaluationStage
from learning.tests.factories import (
    ActionFactory,
    ActivityFactory,
    OutcomeFactory,
    ReviewFactory,
)
from sscb.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)


def test_training_evaluation_schedules_the_later_stages_from_the_first(agency):
    activity = ActivityFactory(
        way="core_training", planned_on=datetime.date(2025, 6, 10), delivered_on=None
    )
    check = services.practice_check_save(
        outcome=activity.outcome,
        activity=activity,
        agency=agency,
        way=PracticeCheck.Way.TRAINING_EVALUATION,
        baseline_on=datetime.date(2025, 6, 3),
    )
    stages = {s.stage: (s.due_on, s.due_by) for s in check.stages.all()}
    assert stages == {
        TrainingEvaluationStage.Stage.BASELINE: (
            datetime.date(2025, 6, 3),
            datetime.date(2025, 6, 10),
        ),
        TrainingEvaluationStage.Stage.IMMEDIATE: (
            datetime.date(2025, 6, 10),
            datetime.date(2025, 6, 17),
        ),
        TrainingEvaluationStage.Stage.FOLLOW_UP: (
            datetime.date(2025, 7, 22),
            datetime.date(2025, 8, 5),
        ),
    }
    # Each stage's history starts with it.
    assert all(
        list(stage.history.values_list("history_type", "due_on")) == [("+", stage.due_on)]
        for stage in check.stages.all()
    )


def test_training_evaluation_needs_a_baseline_before_the_training(agency):
    activity = ActivityFactory(planned_on=datetime.date(2025, 6, 10))
    with pytest.raises(ValidationError, match="baseline is taken before the training"):
        services.practice_check_save(
            outcome=activity.outcome,
            activity=activity,
            agency=agency,
            way=PracticeCheck.Way.TRAINING_EVALUATION,
            baseline_on=datetime.date(2025, 6, 20),
        )
    with pytest.raises(ValidationError):
        services.practice_check_save(
            outcome=activity.outcome, agency=agency, way=PracticeCheck.Way.TRAINING_EVALUATION
        )
    assert PracticeCheck.objects.count() == 0


def test_evaluation_stages_are_completed_in_order(agency):
    outcome = OutcomeFactory()
    check = services.practice_check_save(
        outcome=outcome,
        agency=agency,
        way=PracticeCheck.Way.TRAINING_EVALUATION,
        baseline_on=datetime.date(2025, 6, 3),
    )
    baseline, immediate, follow_up = check.stages.all()
    with pytest.raises(ValidationError, match="earlier stages"):
        services.evaluation_stage_complete(
            stage=follow_up, completed_on=TODAY, responses=10, confidence=7
        )
    services.evaluation_stage_complete(
        stage=baseline, completed_on=TODAY, responses=12, confidence=4
    )
    services.evaluation_stage_complete(
        stage=immediate, completed_on=TODAY, responses=12, confidence=8
    )
    assert follow_up.completed_on is None


def test_actions_are_numbered_within_their_plan(agency, li):
    review, other = ReviewFactory(), ReviewFactory()
    due = datetime.date.today() + datetime.timedelta(days=40)
    common = {"owner_agency": agency, "subgroup": li, "due_on": due}
    first = services.action_create(review=review, title="One", **common)
    second = services.action_create(review=review, title="Two", **common)
    elsewhere = services.action_create(review=other, title="Other plan", **common)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert second.reference == f"{review.reference}/2"


def test_an_outcomes_actions_are_numbered_by_the_outcomes_place_in_its_year(agency, li):
    """ "LO-2026-2/1", never the outcome's database key (fn #7); kept by the data migration for
    actions added before, a standard's too."""
    import importlib

    from django.apps import apps

    first, second = OutcomeFactory(), OutcomeFactory()
    year = timezone.localtime(second.created_at).year
    due = datetime.date.today() + datetime.timedelta(days=40)
    common = {"owner_agency": agency, "subgroup": li, "due_on": due}
    action = services.action_create(outcome=second, title="One", **common)
    assert action.reference == f"LO-{year}-2/1"
    services.action_create(outcome=first, title="Two", **common)
    Action.objects.update(plan_label="")  # as before the migration
    assert Action.objects.get(pk=action.pk).reference == "Outcome/1"
    migration = importlib.import_module("learning.migrations.0021_action_plan_labels_filled")
    migration.fill(apps, None)
    labels = dict(Action.objects.values_list("title", "plan_label"))
    assert labels == {"One": f"LO-{year}-2", "Two": f"LO-{year}-1"}


def test_an_action_needs_a_plan(agency, li):
    with pytest.raises(ValidationError, match="belongs to a review"):
        services.action_create(title="Orphan", owner_agency=agency, subgroup=li, due_on=TODAY)
    assert Action.objects.count() == 0


@time_machine.travel(datetime.datetime(2025, 6, 2, 9, 0), tick=False)
@pytest.mark.parametrize(
    "due, status, at_risk, rag",
    [
        (TODAY + datetime.timedelta(days=15), "open", False, "green"),
        (TODAY + datetime.timedelta(days=14), "open", False, "amber"),
        (TODAY, "in_progress", False, "amber"),
        (TODAY + datetime.timedelta(days=60), "in_progress", True, "amber"),
        (TODAY - datetime.timedelta(days=1), "in_progress", False, "red"),
        (TODAY - datetime.timedelta(days=30), "complete", False, "green"),
        (TODAY - datetime.timedelta(days=30), "signed_off", False, "green"),
    ],
)
def test_rag_follows_the_shared_definition_in_python_and_sql(due, status, at_risk, rag, bu_user):
    extra = {"completed_on": TODAY} if status in ("complete", "signed_off") else {}
    if status == "signed_off":
        extra |= {"signed_off_by": bu_user, "signed_off_on": TODAY}
    action = ActionFactory(due_on=due, status=status, at_risk=at_risk, **extra)
    assert action.rag(TODAY) == rag
    assert selectors.action_list(bu_user).get(pk=action.pk).rag_state == rag


def test_completion_needs_evidence_then_sign_off_then_follow_up(bu_user):
    action = ActionFactory()
    with pytest.raises(ValidationError):
        services.action_report_progress(
            action=action, progress="Done", at_risk=False, completed_on=datetime.date.today()
        )
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN

    services.action_report_progress(action=action, progress="Drafting", at_risk=True)
    action.refresh_from_db()  # what was saved, not the object the service was handed
    assert action.status == Action.Status.IN_PROGRESS and action.at_risk

    with pytest.raises(ValidationError, match="Only an action reported complete"):
        services.action_sign_off(action=action, signed_off_by=bu_user, follow_up_on=None)

    services.action_report_progress(
        action=action,
        progress="Template live",
        at_risk=False,
        completed_on=datetime.date.today(),
        completion_evidence="New template in use since 1 May",
    )
    action.refresh_from_db()
    assert action.status == Action.Status.COMPLETE

    with pytest.raises(ValidationError, match="cannot be on or before sign-off"):
        services.action_sign_off(
            action=action, signed_off_by=bu_user, follow_up_on=datetime.date.today()
        )
    follow_up = datetime.date.today() + datetime.timedelta(days=90)
    services.action_sign_off(action=action, signed_off_by=bu_user, follow_up_on=follow_up)
    action.refresh_from_db()
    assert action.status == Action.Status.SIGNED_OFF
    assert (action.signed_off_by, action.follow_up_on) == (bu_user, follow_up)

    with pytest.raises(ValidationError, match="only its follow-up"):
        services.action_update(action=action, title="Rewritten after the fact")

    # The check that it lasted is recorded on its day, not before.
    with pytest.raises(ValidationError, match="record it then"):
        services.action_record_follow_up(action=action, lasted=True, result="Too early")
    with time_machine.travel(datetime.datetime.combine(follow_up, datetime.time(9)), tick=False):
        services.action_record_follow_up(
            action=action, lasted=True, result="Dip sample: 9 of 10 used it"
        )
    action.refresh_from_db()
    assert action.followed_up_on == follow_up
    # Each step is in the history, in order, down to the follow-up.
    history = list(action.history.order_by("history_date"))
    assert list(dict.fromkeys(entry.status for entry in history)) == [
        Action.Status.OPEN,
        Action.Status.IN_PROGRESS,
        Action.Status.COMPLETE,
        Action.Status.SIGNED_OFF,
    ]
    assert history[-1].followed_up_on == follow_up


def test_attachments_are_stored_privately(settings, tmp_path, bu_user):
    settings.MEDIA_ROOT = tmp_path
    action = ActionFactory(owner_agency=AgencyFactory())
    upload = SimpleUploadedFile("audit.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
    attachment = services.attachment_add(parent=action, upload=upload, uploaded_by=bu_user)
    assert attachment.file.path.startswith(str(tmp_path))
    assert not attachment.file.url.startswith(settings.STATIC_URL)
