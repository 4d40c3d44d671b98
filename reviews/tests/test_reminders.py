"""Statutory clocks near or past due are chased by the daily reminder sweep."""

import datetime

import pytest
from django.core import mail

from reviews import services
from reviews.models import Review, ReviewClock
from reviews.tests.factories import open_review
from sscb.models import Reminder, SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(make_user):
    return make_user(username="crpchair", role="subgroup_member")


@pytest.fixture
def rapid_review(chair, bu_user):
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL, chair=chair)
    review = open_review(
        by=bu_user,
        kind=Review.Kind.RAPID_REVIEW,
        subgroup=crp,
        pseudonym="Child D",
        notified_on=datetime.date(2025, 6, 2),
        incident_known_on=datetime.date(2025, 6, 1),
    )
    return review, review.clocks.get(kind=ReviewClock.Kind.RAPID_REVIEW)


def test_a_clock_is_chased_once_near_due_and_once_past_due(rapid_review, chair, bu_user, settings):
    settings.REMINDER_ESCALATE_TO_CHAIR_DAYS = 7
    settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS = 21
    review, clock = rapid_review
    reminders_sweep(today=clock.amber_on - datetime.timedelta(days=1))
    assert mail.outbox == []

    reminders_sweep(today=clock.amber_on)
    [near] = mail.outbox
    assert near.to == [chair.email]
    assert "Statutory deadline near" in near.body
    assert f"{review.reference}: Send the rapid review to the national Panel" in near.body
    assert "Child D" not in near.body  # emails name the review, never the child

    reminders_sweep(today=clock.due_on)
    assert len(mail.outbox) == 1, "still the same near-due reminder: nothing new"

    reminders_sweep(today=clock.due_on + datetime.timedelta(days=1))
    assert "Statutory deadline passed" in mail.outbox[-1].body
    reminders_sweep(today=clock.due_on + datetime.timedelta(days=21))
    assert mail.outbox[-1].to == [bu_user.email]
    assert Reminder.objects.filter(subject_id=clock.pk).count() == 4  # near, overdue ×3 levels


def _lcspr(by, chair):
    crp = SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL, chair=chair)
    review = open_review(
        by=by,
        kind=Review.Kind.LCSPR,
        subgroup=crp,
        referred_on=datetime.date(2025, 6, 2),
        decision=Review.Decision.INITIATE,
        decided_on=datetime.date(2025, 6, 2),
        decision_reasons="The rapid review recommended it.",
    )
    return review, review.clocks.get(kind=ReviewClock.Kind.LCSPR_PUBLICATION)


def test_a_paused_clock_is_not_chased(bu_user, chair):
    review, clock = _lcspr(bu_user, chair)
    services.clock_pause(clock=clock, by=bu_user, reason="Criminal trial", on=clock.started_on)
    reminders_sweep(today=clock.due_on + datetime.timedelta(days=3))
    assert mail.outbox == []


def test_a_closed_reviews_clocks_are_not_chased(rapid_review, bu_user):
    """A rapid review closed before it was decided (as an old record may be): its clocks not
    met are "not met", not past due, and nobody is chased about them."""
    review, clock = rapid_review
    Review.objects.filter(pk=review.pk).update(
        stage=Review.Stage.CLOSED, closed_on=review.referred_on
    )
    reminders_sweep(today=clock.due_on + datetime.timedelta(days=30))
    assert mail.outbox == []
    assert not Reminder.objects.exists()
    clock = ReviewClock.objects.select_related("review").get(pk=clock.pk)
    assert clock.state == ReviewClock.State.NOT_MET_CLOSED


def test_a_reminder_planned_before_the_review_closed_is_not_sent(rapid_review, chair):
    review, clock = rapid_review
    reminders_sweep(today=clock.amber_on)
    assert len(mail.outbox) == 1
    Review.objects.filter(pk=review.pk).update(
        stage=Review.Stage.CLOSED, closed_on=review.referred_on
    )
    reminders_sweep(today=clock.due_on + datetime.timedelta(days=30))
    assert len(mail.outbox) == 1  # nothing about it since it closed


def test_the_panel_is_reminded_before_the_chair(rapid_review, make_user, chair):
    review, clock = rapid_review
    panel = make_user(username="panelmember")
    review.panel_members.add(panel)
    reminders_sweep(today=clock.amber_on)
    assert [m.to for m in mail.outbox] == [[panel.email]]


def test_the_review_page_lists_the_reminders_sent(client, rapid_review, bu_user):
    review, clock = rapid_review
    reminders_sweep(today=clock.amber_on)
    client.force_login(bu_user)
    page = client.get(f"/reviews/{review.uuid}/").content.decode()
    assert "Reminders sent about its deadlines" in page
    assert "Statutory deadline near" in page


def test_a_restricted_reviews_reference_reaches_only_those_who_may_open_it(
    rapid_review, chair, bu_user, make_user
):
    review, clock = rapid_review
    panellist = make_user(username="panellist", role="subgroup_member")
    review.is_restricted = True
    review.save()
    review.panel_members.add(panellist)
    reminders_sweep(today=clock.due_on + datetime.timedelta(days=7))
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert review.reference in by_recipient[panellist.email]
    assert review.reference in by_recipient[bu_user.email]
    # The chair, off the panel, may not open it: their escalation goes to the Business Unit,
    # which may, and says why; the chair is sent nothing about it.
    assert chair.email not in by_recipient
    assert (
        "(its chair may not open it: sent to the Business Unit instead)"
        in (by_recipient[bu_user.email])
    )
    reminders_sweep(today=clock.due_on + datetime.timedelta(days=30))
    assert chair.email not in {message.to[0] for message in mail.outbox}
