"""The statutory clocks as a Board would check them: regime by date, met on time or late, the
final report before publication, parallel processes that hold the clock (issue 13)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning.dashboard.exports import dashboard_tables
from learning.dashboard.overview import dashboard_figures
from reviews import clocks, services
from reviews.models import ClockPause, ParallelProcess, Review, ReviewClock
from reviews.selectors import clock_state_condition
from reviews.tests.factories import at_decision, open_review, signed_off
from sscb.models import SubGroup
from sscb.reminders import reminders_sweep
from sscb.tests.factories import SubGroupFactory

pytestmark = pytest.mark.django_db

D = datetime.date
K = Review.Kind
S = ReviewClock.State


def _crp():
    return SubGroupFactory(code=SubGroup.Code.CASE_REVIEW_PANEL)


# Regime by date -------------------------------------------------------------------------------


def test_an_scr_referred_after_the_lscbs_ended_is_refused_naming_the_date(bu_user):
    with pytest.raises(ValidationError) as refused:
        services.review_create(
            by=bu_user, kind=K.SCR, title="Late SCR", subgroup=_crp(), referred_on=D(2026, 11, 2)
        )
    message = " ".join(refused.value.message_dict["regime_reason"])
    assert "referred on 2 November 2026" in message
    assert "29 September 2019" in message and "Rapid Review" in message
    assert not Review.objects.exists()


def test_a_rapid_review_referred_in_2016_is_refused(bu_user):
    with pytest.raises(ValidationError) as refused:
        services.review_create(
            by=bu_user,
            kind=K.RAPID_REVIEW,
            title="Too early",
            subgroup=_crp(),
            referred_on=D(2016, 5, 3),
        )
    assert "29 June 2018" in " ".join(refused.value.message_dict["regime_reason"])


def test_an_out_of_regime_review_is_accepted_with_its_reason_in_history(bu_user):
    review = services.review_create(
        by=bu_user,
        kind=K.SCR,
        title="Back-entered",
        subgroup=_crp(),
        referred_on=D(2019, 10, 14),
        regime_reason="Started by the LSCB before it closed; referral date taken from the file.",
    )
    assert review.regime == Review.Regime.WT2015
    assert review.history.first().regime_reason.startswith("Started by the LSCB")


@pytest.mark.parametrize(
    "kind, referred_on, regime",
    [
        (K.SCR, D(2016, 9, 12), "wt2015"),
        (K.SCR, D(2019, 9, 28), "wt2015"),  # the last day a Board could start one
        (K.RAPID_REVIEW, D(2018, 6, 29), "wt2018"),  # the first day of the 2018 regulations
        (K.LEARNING_REVIEW, D(2018, 6, 28), "wt2015"),
        (K.LEARNING_REVIEW, D(2018, 6, 29), "wt2018"),
    ],
)
def test_the_regime_follows_the_kind_and_the_referral_date(kind, referred_on, regime):
    assert clocks.regime_for(kind, referred_on) == regime
    assert clocks.regime_refusal(kind, referred_on) is None


def test_correcting_the_referral_date_changes_the_regime_of_a_kind_without_clocks(bu_user):
    review = open_review(by=bu_user, kind=K.LEARNING_REVIEW, referred_on=D(2019, 3, 1))
    assert review.regime == Review.Regime.WT2018
    services.review_update(review=review, by=bu_user, referred_on=D(2017, 3, 1))
    review.refresh_from_db()
    assert review.regime == Review.Regime.WT2015


# Met on time / met late ---------------------------------------------------------------------------


def test_a_clock_met_on_time_is_not_red_in_the_model_the_selectors_or_the_dashboard(bu_user):
    review = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        referred_on=D(2025, 6, 2),
        incident_known_on=D(2025, 6, 2),
        notified_on=D(2025, 6, 4),  # 2 working days: on time
    )
    met = review.clocks.get(kind=ReviewClock.Kind.NOTIFICATION)
    assert met.state == S.MET_ON_TIME and met.state_label == "Met on time"
    late = review.clocks.get(kind=ReviewClock.Kind.RAPID_REVIEW)
    assert late.state == S.RED  # still open, long past due
    in_state = ReviewClock.objects.filter
    assert not in_state(clock_state_condition(S.RED), pk=met.pk).exists()
    assert in_state(clock_state_condition(S.MET_ON_TIME), pk=met.pk).exists()

    at_decision(review)
    services.review_record_decision(
        review=review,
        by=bu_user,
        decision=Review.Decision.NOT_INITIATE,
        decided_on=D(2025, 7, 30),
        decision_reasons="Learning shared through a briefing.",
        alternative_route=Review.AlternativeRoute.NO_FURTHER_REVIEW,
    )
    late.refresh_from_db()
    assert late.state == S.MET_LATE and not late.met_in_time

    figures = dashboard_figures(bu_user, 2025, today=D(2026, 1, 5))
    assert figures["reviews"]["clock_met_on_time"].value == 1
    assert figures["reviews"]["clock_met_late"].value == 1
    assert figures["reviews"]["clock_red"].value == 0
    rows = dict(next(rows for title, _h, rows in dashboard_tables(figures) if title == "Reviews"))
    assert rows["Statutory deadlines met late in the year"] == 1


def test_the_register_lists_reviews_with_a_deadline_met_late(client, bu_user):
    on_time = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        title="On time",
        referred_on=D(2025, 6, 2),
        incident_known_on=D(2025, 6, 2),
        notified_on=D(2025, 6, 3),
    )
    late = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        title="Notified late",
        referred_on=D(2025, 6, 20),
        incident_known_on=D(2025, 6, 2),
        notified_on=D(2025, 6, 20),
    )
    client.force_login(bu_user)
    page = client.get(reverse("reviews:list"), {"clock": "met_late"}).content.decode()
    assert late.reference in page and on_time.reference not in page
    page = client.get(
        reverse("reviews:list"), {"clock": "met_late", "clock_met_year": 2024}
    ).content.decode()
    assert late.reference not in page
    detail = client.get(reverse("reviews:detail", args=[late.uuid])).content.decode()
    assert "Met late" in detail


# The final report before publication ----------------------------------------------------------


def _lcspr(by, **fields):
    return open_review(
        by=by,
        kind=K.LCSPR,
        referred_on=D(2026, 1, 5),
        decision=Review.Decision.INITIATE,
        decided_on=D(2026, 1, 5),
        decision_reasons="Rapid review recommended it.",
        **fields,
    )


def test_the_final_report_is_due_seven_working_days_before_planned_publication(bu_user):
    review = _lcspr(bu_user)
    assert not review.clocks.filter(kind=ReviewClock.Kind.FINAL_REPORT).exists()
    # Publication on Tuesday 7 April 2026: Easter Monday and Good Friday are not working days.
    services.review_plan_final_report(
        review=review, by=bu_user, planned_publication_on=D(2026, 4, 7), final_report_sent_on=None
    )
    clock = review.clocks.get(kind=ReviewClock.Kind.FINAL_REPORT)
    assert clock.due_on == D(2026, 3, 25)
    assert clocks.rule_of(clock).describe == "7 working days before publication"

    with pytest.raises(ValidationError):
        services.clock_pause(clock=clock, by=bu_user, reason="Trial", on=D(2026, 3, 1))

    signed_off(review, D(2026, 3, 20))  # the final report goes once the Board signed it off
    services.review_plan_final_report(
        review=review,
        by=bu_user,
        planned_publication_on=D(2026, 4, 7),
        final_report_sent_on=D(2026, 3, 26),
    )
    clock.refresh_from_db()
    assert clock.state == S.MET_LATE


def test_the_final_report_clock_is_reminded(bu_user):
    review = _lcspr(bu_user)
    services.review_plan_final_report(
        review=review, by=bu_user, planned_publication_on=D(2026, 4, 7), final_report_sent_on=None
    )
    clock = review.clocks.get(kind=ReviewClock.Kind.FINAL_REPORT)
    reminders_sweep(today=clock.amber_on)
    assert any(
        "Send the final report to the Panel and the Secretary of State" in m.body
        for m in mail.outbox
    )


def test_an_scr_has_no_final_report_clock():
    assert not clocks.plans_final_report(K.SCR)
    assert clocks.plans_final_report(K.LCSPR)


# Pauses in the clock's own unit ---------------------------------------------------------------


def test_a_resumed_month_clock_moves_by_the_calendar_days_it_was_paused(bu_user):
    review = _lcspr(bu_user)
    clock = review.clocks.get(kind=ReviewClock.Kind.LCSPR_PUBLICATION)
    assert clock.due_on == D(2026, 7, 5)
    services.clock_pause(clock=clock, by=bu_user, reason="Inquest opened", on=D(2026, 3, 2))
    services.clock_resume(clock=clock, by=bu_user, on=D(2026, 3, 12))
    clock.refresh_from_db()
    assert clock.due_on == D(2026, 7, 15) and clock.paused_days == 10


# The notification and the rapid review are never paused --------------------------------------


def _unnotified_rapid_review(by):
    """A rapid review whose incident became known on Monday 23 November 2026, not notified."""
    return open_review(
        by=by,
        kind=K.RAPID_REVIEW,
        referred_on=D(2026, 11, 23),
        incident_known_on=D(2026, 11, 23),
    )


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        (ReviewClock.Kind.NOTIFICATION, "The notification deadline (5 working days"),
        (ReviewClock.Kind.RAPID_REVIEW, "The rapid review deadline (15 working days"),
    ],
)
def test_the_notification_and_rapid_review_clocks_cannot_be_paused_by_hand(bu_user, kind, says):
    review = _unnotified_rapid_review(bu_user)
    clock = review.clocks.get(kind=kind)
    due = clock.due_on
    with pytest.raises(ValidationError) as refused:
        services.clock_pause(clock=clock, by=bu_user, reason="Police investigation")
    assert says in refused.value.messages[0]
    assert "the law does not suspend it for a police investigation" in refused.value.messages[0]
    clock.refresh_from_db()
    assert (clock.paused_on, clock.due_on) == (None, due)
    assert not ClockPause.objects.exists()


def test_a_police_investigation_does_not_hold_the_notification_or_the_rapid_review(client, bu_user):
    review = _unnotified_rapid_review(bu_user)
    _hold(
        review,
        bu_user,
        kind=ParallelProcess.Kind.CRIMINAL,
        holds_clock=True,
        started_on=D(2026, 11, 24),
    )
    notification = review.clocks.get(kind=ReviewClock.Kind.NOTIFICATION)
    assert not ClockPause.objects.exists()
    assert (notification.paused_on, notification.due_on) == (None, D(2026, 11, 30))
    assert notification.state_on(D(2026, 12, 7)) == S.RED
    assert review.clocks.get(kind=ReviewClock.Kind.RAPID_REVIEW).paused_on is None
    # Still chased after the process started: past due, it escalates as any other.
    reminders_sweep(today=D(2026, 12, 7))
    assert any(
        f"{review.reference}: Notify Ofsted / the national Panel and the Board" in m.body
        for m in mail.outbox
    )
    # The page offers no pause on either clock, and says why.
    client.force_login(bu_user)
    page = client.get(reverse("reviews:detail", args=[review.uuid])).content.decode()
    assert "Pause this clock" not in page
    assert "the law does not suspend it" in page


def test_a_pause_recorded_before_the_rule_no_longer_moves_a_rapid_review_clock(bu_user):
    review = _unnotified_rapid_review(bu_user)
    clock = review.clocks.get(kind=ReviewClock.Kind.RAPID_REVIEW)
    due = clock.due_on
    ClockPause.objects.create(
        clock=clock, paused_on=D(2026, 11, 24), reason="Trial", paused_by=bu_user
    )
    services.review_clocks_sync(review=review)
    clock.refresh_from_db()
    assert (clock.paused_on, clock.due_on, clock.paused_days) == (None, due, 0)


# Parallel processes hold the clock ------------------------------------------------------------


def _hold(review, by, **fields):
    """Save the review's processes as the parallel-processes page does."""
    fields.setdefault("kind", ParallelProcess.Kind.CORONER)
    process = ParallelProcess(review=review, **fields)
    process.full_clean()
    process.save()
    services.review_clocks_sync(review=review)
    return process


def test_a_process_that_holds_pauses_the_clock_and_its_end_restarts_it(client, bu_user):
    review = _lcspr(bu_user)
    clock = review.clocks.get(kind=ReviewClock.Kind.LCSPR_PUBLICATION)
    assert clock.due_on == D(2026, 7, 5)
    process = _hold(review, bu_user, holds_clock=True, started_on=D(2026, 3, 2))
    clock.refresh_from_db()
    assert clock.is_paused and clock.pause_reason == "Held by Coroner's inquest"
    assert clock.due_on == D(2026, 7, 5)  # read as it stood the day the inquest opened

    with pytest.raises(ValidationError) as refused:
        services.clock_resume(clock=clock, by=bu_user, on=D(2026, 4, 1))
    assert "Parallel processes" in " ".join(refused.value.messages)
    client.force_login(bu_user)
    held = client.get(reverse("reviews:detail", args=[review.uuid])).content.decode()
    assert "Held by Coroner&#x27;s inquest: it restarts when you record" in held
    assert "Resume clock" not in held  # the page offers no resume the service would refuse

    process.ended_on = D(2026, 4, 1)
    process.save()
    services.review_clocks_sync(review=review)
    clock.refresh_from_db()
    assert not clock.is_paused
    assert clock.due_on == D(2026, 8, 4) and clock.paused_days == 30

    client.force_login(bu_user)
    page = client.get(reverse("reviews:detail", args=[review.uuid])).content.decode()
    assert "held: Held by Coroner&#x27;s inquest" in page
    assert "resumed: Coroner&#x27;s inquest ended" in page

    reminders_sweep(today=clock.amber_on)
    [reminder] = [m for m in mail.outbox if "Publish the LCSPR" in m.body]
    assert "held by Coroner's inquest until 1 Apr 2026" in reminder.body


def test_a_process_that_does_not_hold_pauses_nothing_and_unticking_removes_the_hold(bu_user):
    review = _lcspr(bu_user)
    _hold(review, bu_user, started_on=D(2026, 3, 2))
    assert not ClockPause.objects.exists()
    process = ParallelProcess.objects.get()
    process.holds_clock = True
    process.save()
    services.review_clocks_sync(review=review)
    assert ClockPause.objects.count() == 1
    process.holds_clock = False
    process.save()
    services.review_clocks_sync(review=review)
    clock = review.clocks.get()
    assert not ClockPause.objects.exists() and not clock.is_paused


def test_a_process_holds_the_clock_only_once_it_has_started(bu_user):
    review = _lcspr(bu_user)
    with pytest.raises(ValidationError) as refused:
        _hold(review, bu_user, holds_clock=True)
    assert "started_on" in refused.value.message_dict


def test_the_parallel_processes_page_holds_the_clock(client, bu_user):
    review = _lcspr(bu_user)
    client.force_login(bu_user)
    url = reverse("reviews:formset", args=[review.uuid, "processes"])
    response = client.post(
        url,
        {
            "parallel_processes-TOTAL_FORMS": "1",
            "parallel_processes-INITIAL_FORMS": "0",
            "parallel_processes-0-kind": "criminal",
            "parallel_processes-0-description": "Crown Court trial",
            "parallel_processes-0-started_on": "2026-02-02",
            "parallel_processes-0-holds_clock": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    clock = review.clocks.get()
    assert clock.paused_on == D(2026, 2, 2)
    assert clock.pause_reason.startswith("Held by Police investigation")
