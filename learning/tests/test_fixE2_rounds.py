"""An action sent back, or reopened because its change did not last, is chased again like any
action in progress: from its owner, then its chair, then the Business Unit, counting from the
day it came back when its due date had already passed, each reminder once."""

import datetime

import pytest
import time_machine
from django.core import mail

from learning import services
from learning.tests.factories import ReviewFactory
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 2)  # a Monday


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def frozen(settings):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 28
    with time_machine.travel(datetime.datetime(2025, 6, 2, 7, 0), tick=False) as traveller:
        yield traveller


def sweep(frozen, day):
    """Sweep on ``day`` at 07:00 (never a day after today); what it emailed, to whom."""
    frozen.move_to(datetime.datetime.combine(day, datetime.time(7, 0)))
    mail.outbox.clear()
    reminders_sweep(today=day)
    return {message.to[0]: message.body for message in mail.outbox}


@pytest.fixture
def people(make_user, agency_user, bu_user):
    chair = make_user(username="chair", role="subgroup_member")
    group = SubGroupFactory(code=SubGroup.Code.LEARNING_IMPROVEMENT, chair=chair)
    return {"chair": chair, "lead": agency_user, "bu": bu_user, "group": group}


def overdue_action(people, due_on, title):
    return services.action_create(
        review=ReviewFactory(),
        title=title,
        owner_agency=people["lead"].agency,
        owner=people["lead"],
        subgroup=people["group"],
        due_on=due_on,
    )


def report_complete(action, on):
    services.action_report_progress(
        action=action,
        progress="Done.",
        at_risk=False,
        completed_on=on,
        completion_evidence="The policy is published.",
    )


def test_an_action_sent_back_after_its_due_date_is_chased_again_from_its_owner(frozen, people):
    lead, chair, bu = people["lead"], people["chair"], people["bu"]
    action = overdue_action(people, days(-60), "Publish the escalation policy")
    first = sweep(frozen, TODAY)  # 60 days overdue: owner, chair and Business Unit
    assert set(first) == {lead.email, chair.email, bu.email}

    report_complete(action, TODAY)
    action.refresh_from_db()
    services.action_send_back(action=action, reason="No evidence attached.")

    # The next day its owner is chased again, and told why it is back; nobody else yet.
    next_day = sweep(frozen, days(1))
    assert set(next_day) == {lead.email}
    assert "Action overdue" in next_day[lead.email]
    assert "Publish the escalation policy, sent back on 2 June 2025" in next_day[lead.email]
    assert sweep(frozen, days(1)) == {}  # once
    assert sweep(frozen, days(6)) == {}
    # A week after it came back, its chair; four weeks after, the Business Unit.
    week = sweep(frozen, days(7))
    assert set(week) == {chair.email}
    assert "Publish the escalation policy, sent back on 2 June 2025" in week[chair.email]
    assert sweep(frozen, days(27)) == {}
    assert set(sweep(frozen, days(28))) == {bu.email}
    assert sweep(frozen, days(29)) == {}
    again = Reminder.objects.filter(subject_id=action.pk, title__contains="sent back")
    assert sorted(again.values_list("level", flat=True)) == [0, 1, 2]


def test_an_action_sent_back_before_its_due_date_is_reminded_as_it_falls_due_again(frozen, people):
    lead = people["lead"]
    action = overdue_action(people, days(5), "Train the front door")
    assert "Train the front door" in sweep(frozen, TODAY)[lead.email]  # due soon
    report_complete(action, TODAY)
    action.refresh_from_db()
    services.action_send_back(action=action, reason="Half the team is still to be trained.")
    # Its due-soon reminder again: the first round's went before it was reported complete.
    again = sweep(frozen, days(1))
    assert set(again) == {lead.email}
    assert "Action due soon" in again[lead.email]
    assert "Train the front door, sent back on 2 June 2025" in again[lead.email]
    assert sweep(frozen, days(2)) == {}
    assert "Action overdue" in sweep(frozen, days(6))[lead.email]


def test_an_action_reopened_on_its_old_date_is_chased_again(frozen, people):
    lead, chair, bu = people["lead"], people["chair"], people["bu"]
    action = overdue_action(people, days(-10), "Use the neglect toolkit")
    assert set(sweep(frozen, TODAY)) == {lead.email, chair.email}  # 10 days overdue
    report_complete(action, TODAY)
    action.refresh_from_db()
    services.action_sign_off(action=action, signed_off_by=bu, follow_up_on=days(3))
    sweep(frozen, days(3))  # the chair is asked whether the change lasted
    action.refresh_from_db()
    services.action_record_follow_up(
        action=action, lasted=False, result="Only two of ten files used it."
    )
    action.refresh_from_db()
    assert action.due_on == days(-10)  # no new date: overdue on its old one

    back = sweep(frozen, days(4))
    assert set(back) == {lead.email}
    assert "Use the neglect toolkit, reopened on 5 June 2025" in back[lead.email]
    assert sweep(frozen, days(4)) == {}
    assert sweep(frozen, days(9)) == {}
    assert set(sweep(frozen, days(10))) == {chair.email}


def test_an_action_sent_back_twice_is_chased_in_each_round(frozen, people):
    lead = people["lead"]
    action = overdue_action(people, days(-30), "Audit the strategy meetings")
    sweep(frozen, TODAY)
    for day in (0, 3):
        frozen.move_to(datetime.datetime.combine(days(day), datetime.time(12, 0)))
        report_complete(action, days(day))
        action.refresh_from_db()
        services.action_send_back(action=action, reason="The audit has no sample.")
        action.refresh_from_db()
        chased = sweep(frozen, days(day + 1))
        assert set(chased) == {lead.email}
        assert f"sent back on {days(day):%-d June 2025}" in chased[lead.email]
