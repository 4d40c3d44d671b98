"""Dates that cannot be true are refused, naming both dates, and nothing changes.

Each rule lives once, in the model's ``clean()`` (with sscb.dates), so the pages, the services and
the admin all refuse the same thing.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from learning import services
from learning.filters import (
    ActionFilter,
    ActivityFilter,
    EvidenceFilter,
    OutcomeFilter,
    PracticeCheckFilter,
)
from learning.models import Action, DeliveryActivity, LearningOutcome, TrainingEvaluationStage
from sscb.dates import financial_year_of, not_before, not_future, say

from .factories import (
    ActionFactory,
    ActivityFactory,
    CheckFactory,
    EvidenceFactory,
    FindingFactory,
    OutcomeFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days(n):
    return today() + datetime.timedelta(days=n)


def page_text(response):
    return response.content.decode()


@pytest.mark.parametrize(
    ("later", "earlier", "strictly", "refused"),
    [
        (datetime.date(2026, 1, 2), datetime.date(2026, 1, 1), False, False),
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 1), False, False),
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 1), True, True),
        (datetime.date(2025, 12, 31), datetime.date(2026, 1, 1), False, True),
        (None, datetime.date(2026, 1, 1), True, False),
        (datetime.date(2026, 1, 1), None, True, False),
    ],
)
def test_not_before_names_both_dates_when_they_are_out_of_order(later, earlier, strictly, refused):
    message = not_before(later, earlier, what="The follow-up", than="sign-off", strictly=strictly)
    if not refused:
        assert message is None
    else:
        assert say(later) in message and say(earlier) in message
        assert message.startswith("The follow-up (")


def test_not_future_refuses_tomorrow_and_names_today():
    assert not_future(today(), what="The completion date") is None
    message = not_future(days(1), what="The completion date")
    assert say(days(1)) in message and f"today is {say(today())}" in message


# Actions -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed_on", "other_date"),
    [
        (datetime.date(1900, 1, 1), "recorded"),  # before the action existed
        ("tomorrow", "today"),  # in the future
    ],
)
def test_an_action_cannot_be_completed_before_it_was_recorded_or_in_the_future(
    client, agency_user, completed_on, other_date
):
    action = ActionFactory(owner_agency=agency_user.agency)
    versions = action.history.count()
    completed_on = days(1) if completed_on == "tomorrow" else completed_on
    client.force_login(agency_user)
    response = client.post(
        reverse("learning:action_progress", args=[action.uuid]),
        {
            "progress": "All done",
            "completed_on": completed_on.isoformat(),
            "completion_evidence": "Audit of ten records",
        },
    )
    assert response.status_code == 200
    text = page_text(response)
    assert say(completed_on) in text
    assert say(today()) in text  # recorded today, and today is the limit
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN and action.completed_on is None
    assert action.history.count() == versions


def test_a_back_dated_action_may_be_completed_after_it_was_recorded(agency_user):
    review = ReviewFactory(referred_on=days(-90))
    action = ActionFactory(review=review, recorded_on=days(-60), due_on=days(-10))
    services.action_report_progress(
        action=action,
        progress="Done",
        at_risk=False,
        completed_on=days(-30),
        completion_evidence="New template in use",
    )
    assert action.status == Action.Status.COMPLETE and action.completed_on == days(-30)


def test_sign_off_follow_up_must_come_after_sign_off_and_the_due_date(client, bu_user):
    action = ActionFactory(
        recorded_on=days(-60),
        due_on=days(20),
        status=Action.Status.COMPLETE,
        completed_on=days(-5),
    )
    client.force_login(bu_user)
    url = reverse("learning:action_sign_off", args=[action.uuid])
    for follow_up_on, than in ((today(), "sign-off"), (days(10), "the due date")):
        response = client.post(url, {"follow_up_on": follow_up_on.isoformat()})
        assert response.status_code == 200
        text = page_text(response)
        assert f"cannot be on or before {than}" in text and say(follow_up_on) in text
        action.refresh_from_db()
        assert action.status == Action.Status.COMPLETE and action.signed_off_on is None
        # The refused page does not show the action as signed off.
        assert 'data-testid="action-status">Complete<' in text

    response = client.post(url, {"follow_up_on": days(90).isoformat()})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == Action.Status.SIGNED_OFF and action.follow_up_on == days(90)


def test_an_action_follow_up_cannot_come_before_its_due_date_on_the_edit_page(client, bu_user):
    action = ActionFactory(due_on=days(30))
    client.force_login(bu_user)
    response = client.post(
        reverse("learning:action_edit", args=[action.uuid]),
        {
            "title": action.title,
            "owner_agency": action.owner_agency_id,
            "subgroup": action.subgroup_id,
            "due_on": days(30).isoformat(),
            "follow_up_on": days(29).isoformat(),
        },
    )
    assert response.status_code == 400  # the form again, with its message
    assert say(days(29)) in page_text(response) and say(days(30)) in page_text(response)
    action.refresh_from_db()
    assert action.follow_up_on is None


# Delivery, evaluation, evidence ---------------------------------------------------------------


def test_an_activity_cannot_be_delivered_in_the_future_but_may_be_early(client, bu_user):
    """Delivered before the day planned is recorded as it happened, the plan kept (fn #9)."""
    activity = ActivityFactory(
        planned_on=days(-10),
        outcome=OutcomeFactory(decision="agreed", decided_on=days(-20)),
    )
    client.force_login(bu_user)
    url = reverse("learning:activity_edit", args=[activity.uuid])
    form = {
        "way": activity.way,
        "title": activity.title,
        "planned_on": days(-10).isoformat(),
        "reach": "40",
    }
    response = client.post(url, form | {"delivered_on": days(1).isoformat()})
    assert response.status_code == 400
    assert say(days(1)) in page_text(response) and say(today()) in page_text(response)
    activity.refresh_from_db()
    assert activity.delivered_on is None
    response = client.post(url, form | {"delivered_on": days(-11).isoformat()})
    assert response.status_code == 302
    saved = DeliveryActivity.objects.get(pk=activity.pk)
    assert (saved.planned_on, saved.delivered_on) == (days(-10), days(-11))


def test_learning_is_delivered_once_the_executive_has_agreed_its_outcome(client, bu_user):
    activity = ActivityFactory(planned_on=days(-10), outcome=OutcomeFactory())  # awaiting
    client.force_login(bu_user)
    url = reverse("learning:activity_edit", args=[activity.uuid])
    form = {"way": activity.way, "title": activity.title, "planned_on": days(-10).isoformat()}
    response = client.post(url, form | {"delivered_on": days(-5).isoformat(), "reach": "40"})
    assert response.status_code == 400
    assert "has not been agreed by the Executive" in page_text(response)
    assert client.post(url, form).status_code == 302  # planned meanwhile


def test_outcome_evaluation_and_follow_up_come_after_agreement_and_in_that_order(client, bu_user):
    outcome = OutcomeFactory(
        decision=LearningOutcome.Decision.AGREED, decided_on=datetime.date(2021, 3, 1)
    )
    client.force_login(bu_user)
    url = reverse("learning:outcome_edit", args=[outcome.uuid])
    form = {"title": outcome.title, "schedule": "s", "impact_measure": "m"}

    response = client.post(url, form | {"evaluate_on": "2020-06-01", "follow_up_on": "2019-06-01"})
    assert response.status_code == 400
    text = page_text(response)
    assert "The evaluation date (1 June 2020) cannot be before the Executive" in text
    assert "1 March 2021" in text
    assert "The follow-up date (1 June 2019) cannot be on or before the evaluation date" in text
    outcome.refresh_from_db()
    assert outcome.evaluate_on is None and outcome.follow_up_on is None

    # Set now, the dates are also not in the past (fn #8).
    assert "The evaluation date (1 September 2021) cannot be in the past" in page_text(
        client.post(url, form | {"evaluate_on": "2021-09-01", "follow_up_on": "2022-03-01"})
    )
    later = form | {"evaluate_on": days(60).isoformat(), "follow_up_on": days(200).isoformat()}
    assert client.post(url, later).status_code == 302


def test_an_executive_decision_is_refused_when_the_evaluation_was_planned_before_it(
    client, executive_user
):
    outcome = OutcomeFactory(evaluate_on=days(-30))
    client.force_login(executive_user)
    response = client.post(
        reverse("learning:outcome_decide", args=[outcome.uuid]),
        {"decision": "agreed", "notes": "Agreed at the Executive"},
        follow=True,
    )
    text = page_text(response)
    assert say(days(-30)) in text and say(today()) in text
    outcome.refresh_from_db()
    assert outcome.decision == LearningOutcome.Decision.PENDING and outcome.decided_on is None


def test_an_evaluation_stage_is_completed_after_the_one_before_it_and_not_in_the_future():
    check = services.practice_check_save(
        outcome=OutcomeFactory(),
        way="training_evaluation",
        agency=CheckFactory().agency,
        baseline_on=days(-60),
    )
    baseline, immediate, _ = check.stages.order_by("stage")
    services.evaluation_stage_complete(
        stage=baseline, completed_on=days(-50), responses=20, confidence=4
    )
    with pytest.raises(ValidationError, match="stage before it") as refused:
        services.evaluation_stage_complete(
            stage=immediate, completed_on=days(-55), responses=20, confidence=7
        )
    assert say(days(-50)) in str(refused.value) and say(days(-55)) in str(refused.value)
    with pytest.raises(ValidationError, match="cannot be in the future"):
        services.evaluation_stage_complete(
            stage=immediate, completed_on=days(2), responses=20, confidence=7
        )
    assert TrainingEvaluationStage.objects.get(pk=immediate.pk).completed_on is None


def test_evidence_is_received_after_it_was_requested_and_judged_after_it_arrived():
    evidence = EvidenceFactory(requested_on=days(-20))
    with pytest.raises(ValidationError, match="requested") as refused:
        services.evidence_provide(evidence=evidence, summary="Audit", received_on=days(-21))
    assert say(days(-21)) in str(refused.value) and say(days(-20)) in str(refused.value)
    with pytest.raises(ValidationError, match="future"):
        services.evidence_provide(evidence=evidence, summary="Audit", received_on=days(1))
    evidence.refresh_from_db()
    assert evidence.received_on is None and evidence.summary == ""


def test_evidence_due_date_cannot_be_before_it_was_requested(client, bu_user):
    evidence = EvidenceFactory(requested_on=days(-5))
    client.force_login(bu_user)
    response = client.post(
        reverse("learning:evidence_edit", args=[evidence.uuid]),
        {
            "way": evidence.way,
            "agency": evidence.agency_id,
            "title": evidence.title,
            "requested_on": days(-5).isoformat(),
            "due_on": days(-6).isoformat(),
        },
    )
    assert response.status_code == 400
    assert say(days(-6)) in page_text(response) and say(days(-5)) in page_text(response)
    evidence.refresh_from_db()
    assert evidence.due_on is None


@pytest.mark.parametrize("model", ["finding", "check"])
def test_a_finding_or_check_cannot_be_dated_in_the_future(model):
    record = (
        FindingFactory(identified_on=days(1))
        if model == "finding"
        else CheckFactory(result="improved", checked_on=days(1))
    )
    with pytest.raises(ValidationError, match="cannot be in the future"):
        record.full_clean()


def test_evidence_cannot_be_requested_on_a_day_that_has_not_come():
    evidence = EvidenceFactory(requested_on=today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        evidence.full_clean()
    assert "cannot be in the future" in " ".join(refused.value.message_dict["requested_on"])


def test_a_year_filter_offers_next_year_only_for_what_falls_due():
    this_year = str(financial_year_of(today()))
    next_year = str(int(this_year) + 1)

    def first_year(filterset, name):
        return filterset().form.fields[name].choices[1][0]  # after "---------"

    assert first_year(ActionFilter, "financial_year") == next_year  # due in
    for filterset, name in (
        (ActivityFilter, "delivered_year"),
        (PracticeCheckFilter, "checked_year"),
        (OutcomeFilter, "decided_year"),
        (EvidenceFilter, "judged_year"),
    ):
        assert first_year(filterset, name) == this_year, name
