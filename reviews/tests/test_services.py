"""References, the statutory clocks by regime, pause and resume, decisions and publication."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import casefile, services
from reviews.models import ClockPause, Review, ReviewClock
from reviews.tests.factories import at_decision, open_review, signed_off

pytestmark = pytest.mark.django_db
D = datetime.date
K = Review.Kind


def test_references_count_per_kind_and_year(bu_user):
    first = open_review(by=bu_user, kind=K.LCSPR, referred_on=D(2025, 5, 1))
    second = open_review(by=bu_user, kind=K.LCSPR, referred_on=D(2025, 9, 1))
    other_kind = open_review(by=bu_user, kind=K.SCR, referred_on=D(2025, 9, 1))
    next_year = open_review(by=bu_user, kind=K.LCSPR, referred_on=D(2026, 1, 5))
    assert [first.reference, second.reference] == ["LCSPR-2025-001", "LCSPR-2025-002"]
    assert other_kind.reference == "SCR-2025-001"
    assert next_year.reference == "LCSPR-2026-001"


def test_a_new_review_starts_at_its_kinds_first_stage_and_the_timeline_says_so(bu_user):
    review = open_review(by=bu_user, kind=K.LCSPR)
    assert review.stage == Review.Stage.SCOPING
    change = review.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.moved_by) == ("", "scoping", bu_user)


def test_wt2015_scr_clocks_run_from_the_incident_and_notification(bu_user):
    # Incident known on Tuesday 22 Dec 2020: 5 working days skip Christmas, Boxing Day
    # (observed Monday 28) and New Year's Day.
    review = open_review(
        by=bu_user,
        kind=K.SCR,
        referred_on=D(2020, 12, 23),
        incident_known_on=D(2020, 12, 22),
        notified_on=D(2020, 12, 23),
    )
    clocks = {clock.kind: clock for clock in review.clocks.all()}
    assert review.regime == Review.Regime.WT2015
    assert clocks["notification"].regime == "wt2015"
    assert clocks["notification"].due_on == D(2020, 12, 31)
    assert clocks["notification"].met_on == D(2020, 12, 23)
    assert clocks["scr_decision"].due_on == D(2021, 1, 23)  # one calendar month


def test_wt2018_rapid_review_clock_is_15_working_days_across_christmas(bu_user):
    review = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        referred_on=D(2025, 12, 10),
        incident_known_on=D(2025, 12, 8),
        notified_on=D(2025, 12, 10),
    )
    clocks = {clock.kind: clock for clock in review.clocks.all()}
    assert review.regime == Review.Regime.WT2018
    assert clocks["notification"].due_on == D(2025, 12, 15)
    # 11 Dec .. : 11,12,15,16,17,18,19,22,23,24,29,30,31, 2 Jan, 5 Jan.
    assert clocks["rapid_review"].due_on == D(2026, 1, 5)
    assert clocks["rapid_review"].met_on is None


def test_easter_moves_the_notification_clock(bu_user):
    review = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        referred_on=D(2025, 4, 17),
        incident_known_on=D(2025, 4, 17),
    )
    # Good Friday 18 and Easter Monday 21 April 2025 are not working days.
    assert review.clocks.get(kind="notification").due_on == D(2025, 4, 28)  # 22,23,24,25,28


def test_scr_decision_starts_the_completion_or_the_not_initiated_clock(bu_user):
    review = open_review(
        by=bu_user, kind=K.SCR, referred_on=D(2016, 9, 1), notified_on=D(2016, 9, 1)
    )
    at_decision(review)
    services.review_record_decision(
        review=review,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=D(2016, 9, 20),
        decision_reasons="Criteria met.",
        abuse_or_neglect=True,
        child_died=True,
    )
    kinds = {clock.kind: clock for clock in review.clocks.all()}
    assert kinds["scr_completion"].due_on == D(2017, 3, 20)
    assert kinds["scr_decision"].met_on == D(2016, 9, 20)
    assert "panel_not_initiated" not in kinds

    services.review_record_decision(
        review=review,
        by=bu_user,
        decision=Review.Decision.NOT_INITIATE,
        decided_on=D(2016, 9, 20),
        decision_reasons="On reflection the criteria are not met.",
        alternative_route="single_agency",
    )
    kinds = {clock.kind: clock for clock in review.clocks.all()}
    assert "scr_completion" not in kinds
    assert kinds["panel_not_initiated"].due_on == D(2016, 10, 4)


def test_a_decision_needs_reasons_and_changes_nothing_without_them(bu_user):
    review = at_decision(open_review(by=bu_user, kind=K.SCR))
    with pytest.raises(ValidationError, match="Give the reasons"):
        services.review_record_decision(
            review=review, by=bu_user, decision="initiate", decided_on=review.referred_on
        )
    review.refresh_from_db()
    assert review.decision == Review.Decision.PENDING


def test_a_rapid_review_deciding_on_an_lcspr_opens_it_with_its_publication_clock(bu_user):
    rapid = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        referred_on=D(2025, 3, 3),
        notified_on=D(2025, 3, 3),
        pseudonym="Baby C",
    )
    at_decision(rapid)
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=D(2025, 3, 20),
        decision_reasons="Learning for the partnership.",
    )
    lcspr = rapid.follow_on_reviews.get()
    assert lcspr.kind == K.LCSPR
    assert lcspr.reference == "LCSPR-2025-001"
    assert lcspr.pseudonym == "Baby C"
    assert lcspr.clocks.get().due_on == D(2025, 9, 20)
    # Recording the decision again does not open a second LCSPR.
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=D(2025, 3, 20),
        decision_reasons="Learning for the partnership.",
    )
    assert rapid.follow_on_reviews.count() == 1


def _rapid_review_with_lcspr(bu_user, decided_on=D(2025, 3, 20)):
    rapid = open_review(
        by=bu_user, kind=K.RAPID_REVIEW, referred_on=D(2025, 3, 3), notified_on=D(2025, 3, 3)
    )
    at_decision(rapid)
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=decided_on,
        decision_reasons="First reasons.",
    )
    return rapid, rapid.follow_on_reviews.get()


def _decide_not_to_initiate(rapid, bu_user):
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=Review.Decision.NOT_INITIATE,
        decided_on=D(2025, 3, 20),
        decision_reasons="On reflection the criteria are not met.",
        alternative_route="single_agency",
    )


def test_the_lcspr_a_rapid_review_opens_involves_its_agencies_still_asked(
    client, bu_user, make_user
):
    """Its agencies' leads go on opening the case; what was asked and has not come is still
    asked of them on the LCSPR, what came stays the rapid review's."""
    from reviews.models import ReviewAgency
    from sscb.tests.factories import AgencyFactory

    police, csc = AgencyFactory(name="Police"), AgencyFactory(name="Social care")
    rapid = open_review(
        by=bu_user, kind=K.RAPID_REVIEW, referred_on=D(2025, 3, 3), notified_on=D(2025, 3, 3)
    )
    ReviewAgency.objects.create(review=rapid, agency=police, chronology_requested_on=D(2025, 3, 4))
    ReviewAgency.objects.create(
        review=rapid,
        agency=csc,
        chronology_requested_on=D(2025, 3, 4),
        chronology_received_on=D(2025, 3, 10),
    )
    at_decision(rapid)
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=D(2025, 3, 20),
        decision_reasons="Learning for the partnership.",
    )
    lcspr = rapid.follow_on_reviews.get()
    carried = {
        row.agency.name: (row.chronology_requested_on, row.chronology_received_on)
        for row in lcspr.agencies.all()
    }
    assert carried == {"Police": (D(2025, 3, 4), None), "Social care": (None, None)}
    client.force_login(make_user(role="agency_lead", agency=police, username="policelead"))
    assert client.get(reverse("reviews:detail", args=[lcspr.uuid])).status_code == 200


def test_a_corrected_decision_moves_the_lcspr_it_opened_and_its_six_months(bu_user):
    rapid, lcspr = _rapid_review_with_lcspr(bu_user)
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=D(2025, 3, 14),
        decision_reasons="Corrected reasons.",
    )
    lcspr.refresh_from_db()
    assert (lcspr.decided_on, lcspr.referred_on) == (D(2025, 3, 14), D(2025, 3, 14))
    assert lcspr.decision_reasons == "Decided by the rapid review it arose from: Corrected reasons."
    assert lcspr.clocks.get().due_on == D(2025, 9, 14)
    assert lcspr.stage_changes.get().happened_on == D(2025, 3, 14)
    assert lcspr.history.count() == 2


def test_a_decision_no_longer_to_initiate_withdraws_the_lcspr_it_opened(client, bu_user):
    rapid, lcspr = _rapid_review_with_lcspr(bu_user)
    _decide_not_to_initiate(rapid, bu_user)
    lcspr.refresh_from_db()
    assert lcspr.stage == Review.Stage.CLOSED and not lcspr.clocks.exists()
    withdrawn = lcspr.stage_changes.get(to_stage=Review.Stage.CLOSED)
    assert withdrawn.note == (
        "Withdrawn: the rapid review it arose from changed its decision to “do not initiate”."
    )
    client.force_login(bu_user)
    page = client.get(reverse("reviews:detail", args=[rapid.uuid])).content.decode()
    assert "(Local Child Safeguarding Practice Review, closed)" in page
    # The withdrawn LCSPR's decision stands: nothing offers to record another.
    page = client.get(reverse("reviews:detail", args=[lcspr.uuid])).content.decode()
    assert "Record the decision" not in page
    decision = reverse("reviews:section", args=[lcspr.uuid, "decision"])
    detail = reverse("reviews:detail", args=[lcspr.uuid])
    assert client.get(decision, follow=True).redirect_chain[-1][0] == detail
    with pytest.raises(ValidationError, match="is closed, so its decision stands"):
        services.review_record_decision(
            review=lcspr,
            by=bu_user,
            decision=Review.Decision.INITIATE,
            decided_on=D(2025, 3, 21),
            decision_reasons="Reopened by hand.",
        )
    # Deciding to initiate after all opens a new one; the withdrawn one stays on the record.
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=D(2025, 3, 21),
        decision_reasons="New information.",
    )
    assert rapid.follow_on_reviews.exclude(stage=Review.Stage.CLOSED).get().decided_on == D(
        2025, 3, 21
    )


def test_the_decision_cannot_be_undone_once_the_lcspr_has_moved_on(bu_user, reviewer_user):
    rapid, lcspr = _rapid_review_with_lcspr(bu_user)
    lcspr.method = "systems"
    lcspr.method_rationale = "Proportionate."
    lcspr.save()
    casefile.terms_of_reference_add(
        review=lcspr,
        by=bu_user,
        scope_from=D(2024, 3, 1),
        scope_to=D(2025, 3, 1),
        lines_of_enquiry="How did agencies work together?",
        agreed_by="Case Review Panel",
        agreed_on=D(2025, 3, 25),
    )
    services.review_appoint_reviewer(review=lcspr, by=bu_user, lead_reviewer=reviewer_user)
    services.review_move(
        review=lcspr, to_stage=Review.Stage.REVIEWER_APPOINTED, by=bu_user, on=D(2025, 4, 1)
    )
    with pytest.raises(ValidationError, match="which has moved on to “Reviewer appointed” since"):
        _decide_not_to_initiate(rapid, bu_user)
    lcspr.refresh_from_db()
    assert lcspr.stage == Review.Stage.REVIEWER_APPOINTED


def test_an_alternative_route_opens_the_follow_on_review(bu_user):
    scr = open_review(by=bu_user, kind=K.SCR, referred_on=D(2017, 1, 9))
    at_decision(scr)
    services.review_record_decision(
        review=scr,
        by=bu_user,
        decision=Review.Decision.NOT_INITIATE,
        decided_on=D(2017, 1, 30),
        decision_reasons="No serious harm.",
        alternative_route="deep_dive",
        abuse_or_neglect=True,
    )
    assert scr.follow_on_reviews.get().kind == K.DEEP_DIVE


def _clock(**fields):
    review = open_review(kind=K.LCSPR, referred_on=D(2025, 1, 1))
    services.review_record_decision(
        review=review,
        by=review.stage_changes.get().moved_by,
        decision="initiate",
        decided_on=D(2025, 1, 1),
        decision_reasons="Rapid review recommended it.",
    )
    return review.clocks.get()


def test_clock_turns_amber_at_20_percent_left_and_red_after_the_due_date():
    clock = _clock()
    # 1 Jan to 1 Jul 2025: 181 days allowed; amber with 36 days or fewer left.
    assert clock.due_on == D(2025, 7, 1)
    assert clock.state_on(D(2025, 5, 25)) == "green"  # 37 days left
    assert clock.state_on(D(2025, 5, 26)) == "amber"  # 36 days left
    assert clock.state_on(D(2025, 7, 1)) == "amber"  # due today
    assert clock.state_on(D(2025, 7, 2)) == "red"


def test_a_clock_met_on_its_due_date_is_met_on_time_and_a_day_later_late():
    clock = _clock()
    clock.met_on = clock.due_on
    assert clock.state_on(D(2025, 8, 1)) == "met_on_time"
    clock.met_on = clock.due_on + datetime.timedelta(days=1)
    assert clock.state_on(D(2025, 8, 1)) == "met_late"


def test_pause_and_resume_move_the_due_date_by_the_paused_time(bu_user):
    clock = _clock()
    with time_machine.travel(D(2025, 6, 1), tick=False):
        services.clock_pause(clock=clock, by=bu_user, reason="Criminal trial listed")
        clock.refresh_from_db()
        assert clock.state == "amber"
        assert clock.days_left == 30
    with time_machine.travel(D(2025, 9, 1), tick=False):
        # Paused: it shows the state it had when paused, not "past due".
        clock.refresh_from_db()
        assert clock.is_paused and clock.state == "amber" and clock.days_left == 30
        services.clock_resume(clock=clock, by=bu_user)
        clock.refresh_from_db()
        assert clock.due_on == D(2025, 7, 1) + datetime.timedelta(days=92)
        assert clock.paused_days == 92
        assert clock.state == "amber" and clock.days_left == 30
    pause = ClockPause.objects.get(clock=clock)
    assert (pause.paused_on, pause.resumed_on, pause.reason) == (
        D(2025, 6, 1),
        D(2025, 9, 1),
        "Criminal trial listed",
    )


def test_a_pause_survives_a_change_of_dates(bu_user):
    clock = _clock()
    services.clock_pause(clock=clock, by=bu_user, reason="Inquest", on=D(2025, 2, 1))
    services.clock_resume(clock=clock, by=bu_user, on=D(2025, 2, 11))
    review = clock.review
    review.decided_on = D(2025, 1, 2)
    review.save()
    services.review_clocks_sync(review=review)
    clock.refresh_from_db()
    assert clock.due_on == D(2025, 7, 12)  # 2 Jan + 6 months + 10 paused days


@pytest.mark.parametrize(
    "setup, message",
    [
        ("paused", "already paused"),
        ("met", "has been met"),
    ],
)
def test_pause_is_refused_when_it_makes_no_sense(bu_user, setup, message):
    clock = _clock()
    if setup == "paused":
        services.clock_pause(clock=clock, by=bu_user, reason="Trial", on=D(2025, 2, 1))
    else:
        ReviewClock.objects.filter(pk=clock.pk).update(met_on=D(2025, 3, 1))
        clock.refresh_from_db()
    with pytest.raises(ValidationError, match=message):
        services.clock_pause(clock=clock, by=bu_user, reason="Again", on=D(2025, 3, 2))


def test_pause_needs_a_reason_and_resume_needs_a_pause(bu_user):
    clock = _clock()
    with pytest.raises(ValidationError):
        services.clock_pause(clock=clock, by=bu_user, reason="  ")
    with pytest.raises(ValidationError, match="not paused"):
        services.clock_resume(clock=clock, by=bu_user)
    clock.refresh_from_db()
    assert clock.paused_on is None and clock.paused_days == 0


def test_publication_sets_the_12_month_window_and_meets_the_lcspr_clock(bu_user):
    clock = _clock()
    review = signed_off(clock.review, D(2025, 6, 2), final_report_sent_on=D(2025, 6, 18))
    services.review_record_publication(
        review=review,
        by=bu_user,
        published_on=D(2025, 6, 30),
        published_where="Partnership website",
        board_response="The Board accepts the findings.",
    )
    review.refresh_from_db()
    clock.refresh_from_db()
    assert review.publication_window_ends_on == D(2026, 6, 30)
    assert clock.met_on == D(2025, 6, 30) and clock.met_in_time


def test_publication_without_a_board_response_is_refused(bu_user):
    review = open_review(by=bu_user, kind=K.LCSPR)
    with pytest.raises(ValidationError):
        services.review_record_publication(
            review=review, by=bu_user, published_on=D(2025, 6, 30), published_where="Website"
        )
    review.refresh_from_db()
    assert review.published_on is None


def test_independence_declaration_needs_its_words(bu_user, reviewer_user):
    review = open_review(by=bu_user, kind=K.LCSPR)
    with pytest.raises(ValidationError):
        services.review_appoint_reviewer(
            review=review,
            by=bu_user,
            lead_reviewer=reviewer_user,
            independence_declared_on=D(2025, 6, 1),
        )


def test_resuming_a_clock_is_in_its_pause_history(bu_user):
    clock = _clock()
    with time_machine.travel(D(2025, 6, 1), tick=False):
        services.clock_pause(clock=clock, by=bu_user, reason="Criminal trial listed")
    with time_machine.travel(D(2025, 9, 1), tick=False):
        services.clock_resume(clock=clock, by=bu_user)
    pause = ClockPause.objects.get(clock=clock)
    newest = pause.history.first()
    assert pause.history.count() == 2
    assert (newest.resumed_on, newest.resumed_by_id, newest.history_user_id) == (
        D(2025, 9, 1),
        bu_user.pk,
        bu_user.pk,
    )
