"""The learning loop's acts in their order: a theme agreed, then its outcome, then delivered,
then practice checked (with a complete audit looking after the delivery); a closed theme takes
no new outcome; an action's follow-up comes on its day, and a "No" reopens the action."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit
from audits.tests.factories import AuditFactory
from learning import services
from learning.models import Action, LearningOutcome, PracticeCheck, PriorityTheme
from learning.tests.factories import (
    ActionFactory,
    ActivityFactory,
    FindingFactory,
    OutcomeFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC), tick=False):
        yield


def days(n):
    return TODAY + datetime.timedelta(days=n)


def body(response):
    return response.content.decode()


def _agreed_outcome(agreed_on, executive_user, theme_agreed_on=None):
    theme = ThemeFactory(agreed_on=theme_agreed_on or agreed_on - datetime.timedelta(days=30))
    outcome = OutcomeFactory(theme=theme)
    return services.outcome_decide(
        outcome=outcome,
        decision="agreed",
        notes="Agreed.",
        decided_by=executive_user,
        decided_on=agreed_on,
    )


# 1. An Executive decision follows the theme's agreement -----------------------------------


def test_an_outcome_is_not_agreed_before_its_theme_was(executive_user):
    outcome = OutcomeFactory(theme=ThemeFactory(agreed_on=days(-10)))
    with pytest.raises(ValidationError, match="cannot be before the agreement of its theme"):
        services.outcome_decide(
            outcome=outcome,
            decision="agreed",
            notes="Agreed.",
            decided_by=executive_user,
            decided_on=datetime.date(2026, 1, 1),
        )
    outcome.refresh_from_db()
    assert outcome.decision == LearningOutcome.Decision.PENDING
    services.outcome_decide(
        outcome=outcome, decision="agreed", notes="Agreed.", decided_by=executive_user
    )
    outcome.refresh_from_db()
    assert (outcome.decision, outcome.decided_on) == ("agreed", TODAY)


def test_the_decide_page_refuses_an_agreement_dated_before_the_theme(client, executive_user):
    outcome = OutcomeFactory(theme=ThemeFactory(agreed_on=days(-10)))
    client.force_login(executive_user)
    response = client.post(
        reverse("learning:outcome_decide", args=[outcome.uuid]),
        {"decision": "agreed", "notes": "Agreed.", "decided_on": "2026-01-01"},
        follow=True,
    )
    assert "cannot be before the agreement of its theme" in body(response)
    assert "The Executive's decision is recorded." not in body(response)
    outcome.refresh_from_db()
    assert outcome.decision == LearningOutcome.Decision.PENDING


def test_the_executive_agreeing_an_outcome_of_a_proposed_theme_agrees_the_theme_that_day(
    executive_user,
):
    """Never an outcome agreed under a theme nobody agreed: the Executive's agreement of the
    outcome agrees its theme with it (its history says so); not agreeing leaves it proposed."""
    theme = ThemeFactory(status=PriorityTheme.Status.PROPOSED)
    outcome = OutcomeFactory(theme=theme)
    services.outcome_decide(
        outcome=outcome, decision="not_agreed", notes="Not yet.", decided_by=executive_user
    )
    theme.refresh_from_db()
    assert theme.status == PriorityTheme.Status.PROPOSED
    services.outcome_decide(
        outcome=outcome, decision="amended", notes="Yes.", decided_by=executive_user
    )
    theme.refresh_from_db()
    outcome.refresh_from_db()
    assert outcome.decision == LearningOutcome.Decision.AGREED_WITH_CHANGES
    assert (theme.status, theme.agreed_on) == (PriorityTheme.Status.AGREED, outcome.decided_on)
    assert (
        theme.history.first().history_change_reason
        == "Agreed with its learning outcome by the Executive"
    )


# 2. Delivery follows the agreement; a practice check follows the delivery -------------------


def test_learning_is_not_delivered_before_the_executive_agreed_it(executive_user):
    outcome = _agreed_outcome(days(-20), executive_user)
    activity = ActivityFactory(outcome=outcome, planned_on=days(-60))
    with pytest.raises(ValidationError, match="cannot be before the Executive's agreement"):
        services.activity_save(activity=activity, delivered_on=datetime.date(2025, 6, 1), reach=9)
    activity.refresh_from_db()
    assert activity.delivered_on is None
    services.activity_save(activity=activity, delivered_on=days(-20), reach=9)
    activity.refresh_from_db()
    assert activity.delivered_on == days(-20)


def test_agreed_with_changes_later_keeps_the_first_agreement_for_delivery(executive_user):
    outcome = _agreed_outcome(days(-60), executive_user)
    services.outcome_decide(
        outcome=outcome, decision="amended", notes="Changed.", decided_by=executive_user
    )
    activity = services.activity_save(
        outcome=outcome,
        way="briefing",
        title="Briefing",
        planned_on=days(-50),
        delivered_on=days(-40),
        reach=20,
    )
    assert activity.delivered_on == days(-40)


def test_a_practice_check_is_not_dated_before_the_delivery(executive_user, agency):
    outcome = _agreed_outcome(days(-60), executive_user)
    ActivityFactory(outcome=outcome, planned_on=days(-50), delivered_on=days(-30), reach=5)
    with pytest.raises(ValidationError, match="cannot be before the delivery of the learning"):
        services.practice_check_save(
            outcome=outcome,
            agency=agency,
            way=PracticeCheck.Way.PERFORMANCE,
            checked_on=days(-40),
            result="improved",
        )
    assert not outcome.checks.exists()


# 5. A check cites a complete audit that looked after the delivery --------------------------


@pytest.mark.parametrize(
    ("stage", "period_end", "refusal"),
    [
        (Audit.Stage.PLANNED, -1, "is planned, not complete"),
        (Audit.Stage.COMPLETE, -31, "before the learning was delivered"),
    ],
)
def test_a_check_cites_only_a_complete_audit_after_the_delivery(
    executive_user, agency, stage, period_end, refusal
):
    outcome = _agreed_outcome(days(-60), executive_user)
    ActivityFactory(outcome=outcome, planned_on=days(-50), delivered_on=days(-30), reach=5)
    audit = AuditFactory(stage=stage, period_start=days(-90), period_end=days(period_end))
    with pytest.raises(ValidationError, match=refusal):
        services.practice_check_save(
            outcome=outcome,
            agency=agency,
            way=PracticeCheck.Way.MULTI_AGENCY_AUDIT,
            audit=audit,
            checked_on=days(-1),
            result="improved",
        )
    assert not outcome.checks.exists()


def test_the_outcome_page_names_the_audit_a_check_cites(client, bu_user, executive_user, agency):
    outcome = _agreed_outcome(days(-60), executive_user)
    ActivityFactory(outcome=outcome, planned_on=days(-50), delivered_on=days(-30), reach=5)
    audit = AuditFactory(
        stage=Audit.Stage.COMPLETE, period_start=days(-40), period_end=days(-2), title="Neglect"
    )
    services.practice_check_save(
        outcome=outcome,
        agency=agency,
        way=PracticeCheck.Way.MULTI_AGENCY_AUDIT,
        audit=audit,
        checked_on=days(-1),
        result="improved",
    )
    client.force_login(bu_user)
    page = body(client.get(reverse("learning:outcome", args=[outcome.uuid])))
    assert f'audit cited: <a href="{reverse("audits:detail", args=[audit.uuid])}">' in page
    assert audit.reference in page


# 4. A closed theme takes no new outcome; closing says what is left open ---------------------


def test_a_closed_theme_takes_no_new_outcome(client, bu_user):
    theme = ThemeFactory(status=PriorityTheme.Status.CLOSED)
    with pytest.raises(ValidationError, match="is closed"):
        services.outcome_save(theme=theme, title="T", schedule="S", impact_measure="I")
    client.force_login(bu_user)
    page = body(client.get(reverse("learning:theme", args=[theme.uuid])))
    assert reverse("learning:outcome_new", args=[theme.uuid]) not in page
    url = reverse("learning:outcome_new", args=[theme.uuid])
    response = client.post(url, {"title": "T", "schedule": "S", "impact_measure": "I"})
    assert response.status_code == 302
    assert not theme.outcomes.exists()


def test_closing_a_theme_says_how_many_actions_remain_open(client, bu_user):
    theme = ThemeFactory(status=PriorityTheme.Status.ACTIVE)
    outcome = OutcomeFactory(theme=theme)
    ActionFactory(outcome=outcome, review=None, plan=f"outcome:{outcome.pk}", number=1)
    ActionFactory(outcome=outcome, review=None, plan=f"outcome:{outcome.pk}", number=2)
    client.force_login(bu_user)
    page = body(client.get(reverse("learning:theme", args=[theme.uuid])))
    assert "2 actions of this theme's learning outcomes are still open" in page
    response = client.post(
        reverse("learning:theme_move", args=[theme.uuid]), {"to": "closed"}, follow=True
    )
    assert "The theme is now closed." in body(response)
    assert "2 actions of its learning outcomes are still open" in body(response)


# 3. The follow-up: within reach, on its day, and a "No" reopens the action --------------------


def _complete_action(**fields):
    return ActionFactory(
        status=Action.Status.COMPLETE,
        due_on=days(-10),
        completed_on=days(-12),
        completion_evidence="Template in use",
        **fields,
    )


def test_a_follow_up_date_is_within_two_years_of_sign_off(bu_user):
    action = _complete_action()
    for far in (datetime.date(2100, 12, 31), datetime.date(2028, 12, 8)):
        with pytest.raises(ValidationError, match="more than 2 years after sign-off"):
            services.action_sign_off(action=action, signed_off_by=bu_user, follow_up_on=far)
        action.refresh_from_db()
        assert action.status == Action.Status.COMPLETE
    services.action_sign_off(
        action=action, signed_off_by=bu_user, follow_up_on=datetime.date(2028, 12, 7)
    )
    action.refresh_from_db()
    assert action.status == Action.Status.SIGNED_OFF


def test_the_follow_up_is_not_recorded_before_its_day(client, bu_user):
    action = _complete_action()
    services.action_sign_off(action=action, signed_off_by=bu_user, follow_up_on=days(90))
    with pytest.raises(ValidationError, match="is due on 7 March 2027: record it then"):
        services.action_record_follow_up(action=action, lasted=True, result="Still in use")
    client.force_login(bu_user)
    page = body(client.get(reverse("learning:action", args=[action.uuid])))
    assert "is due on 7 March 2027: record it then" in page
    assert "Record the follow-up" not in page
    response = client.post(
        reverse("learning:action_follow_up", args=[action.uuid]),
        {"lasted": "no", "result": "Not in use"},
    )
    assert response.status_code == 200
    action.refresh_from_db()
    assert (action.status, action.followed_up_on) == (Action.Status.SIGNED_OFF, None)


def test_a_change_that_has_not_lasted_reopens_the_action(client, bu_user):
    action = _complete_action()
    services.action_sign_off(action=action, signed_off_by=bu_user, follow_up_on=days(90))
    assert Action.objects.with_completion().get(pk=action.pk).completion == "on_time"
    with time_machine.travel(datetime.datetime(2027, 3, 8, 12, tzinfo=datetime.UTC), tick=False):
        client.force_login(bu_user)  # a session started three months ago has ended
        response = client.post(
            reverse("learning:action_follow_up", args=[action.uuid]),
            {"lasted": "no", "result": "Dip sample: 2 of 10 used it", "due_on": "2027-06-30"},
            follow=True,
        )
        assert "the change has not lasted, so the action is reopened" in body(response)
        action.refresh_from_db()
        assert action.status == Action.Status.IN_PROGRESS
        assert (action.completed_on, action.signed_off_on) == (None, None)
        assert action.due_on == datetime.date(2027, 6, 30)
        assert "Dip sample: 2 of 10 used it" in action.sent_back_reason
        assert Action.objects.with_completion().get(pk=action.pk).completion == "not_done"
        assert action.rag(timezone.localdate()) == Action.Rag.GREEN
        # The history keeps the follow-up that reopened it.
        assert action.history.filter(followed_up_on=datetime.date(2027, 3, 8)).exists()


def test_a_change_that_has_lasted_is_recorded_and_stays_signed_off(bu_user):
    action = _complete_action()
    services.action_sign_off(action=action, signed_off_by=bu_user, follow_up_on=days(90))
    with time_machine.travel(datetime.datetime(2027, 3, 7, 12, tzinfo=datetime.UTC), tick=False):
        services.action_record_follow_up(action=action, lasted=True, result="9 of 10 used it")
    action.refresh_from_db()
    assert action.status == Action.Status.SIGNED_OFF
    assert action.followed_up_on == datetime.date(2027, 3, 7)


# 6. A finding is not identified before its source; it may move to another theme -------------


def test_a_finding_is_not_identified_before_its_audits_period(bu_user):
    audit = AuditFactory(period_start=days(-100), period_end=days(-10))
    finding = FindingFactory(audit=audit, identified_on=days(-5))
    with pytest.raises(ValidationError, match="cannot be before the start of the period"):
        services.finding_save(finding=finding, recorded_by=bu_user, identified_on=days(-200))
    finding.refresh_from_db()
    assert finding.identified_on == days(-5)
