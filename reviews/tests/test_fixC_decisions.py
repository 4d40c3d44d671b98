"""A decision once the review has moved on from it, its date's place among the moves, the clocks
a changed decision would take away, and the reviews a decision opens (the tester's defects 1, 2,
4 and 5, demo data, Monday 7 December 2026)."""

import datetime
from html import unescape

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews import casefile, services
from reviews.models import ClockPause, Review, ReviewAct, ReviewClock
from reviews.tests.factories import at_decision, open_review

pytestmark = pytest.mark.django_db

D = datetime.date
K = Review.Kind
S = Review.Stage
DECISION = Review.Decision


@pytest.fixture(autouse=True)
def monday_7_december_2026():
    with time_machine.travel(datetime.datetime(2026, 12, 7, 12, 0), tick=False):
        yield


def _body(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def _timeline(page: str) -> str:
    return page.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]


def _decide(review, by, decision, on, reasons="Criteria met.", **fields):
    return services.review_record_decision(
        review=review,
        by=by,
        decision=decision,
        decided_on=on,
        decision_reasons=reasons,
        **fields,
    )


def _agreed_terms(review, by, on):
    casefile.terms_of_reference_add(
        review=review,
        by=by,
        scope_from=on - datetime.timedelta(days=300),
        scope_to=on,
        lines_of_enquiry="How did agencies share what they knew?",
        agreed_by="Case Review Panel",
        agreed_on=on,
    )


def _scr_2019(by, subgroup):
    """SCR-2019-001: referred and notified 1 May 2019, at its Decision stage from 20 May."""
    scr = open_review(
        by=by,
        kind=K.SCR,
        subgroup=subgroup,
        referred_on=D(2019, 5, 1),
        notified_on=D(2019, 5, 1),
    )
    return at_decision(scr, on=D(2019, 5, 20))


def _initiated_and_paused(by, subgroup):
    """Decided to initiate on 28 May 2019; its six months paused by hand for a trial."""
    scr = _scr_2019(by, subgroup)
    _decide(scr, by, DECISION.INITIATE, D(2019, 5, 28), abuse_or_neglect=True, child_died=True)
    clock = scr.clocks.get(kind=ReviewClock.Kind.SCR_COMPLETION)
    services.clock_pause(clock=clock, by=by, reason="Criminal trial", on=D(2019, 7, 1))
    services.clock_resume(clock=clock, by=by, on=D(2019, 10, 1))
    return scr


# Defect 1 ------------------------------------------------------------------------------------


def test_a_published_scrs_decision_is_corrected_never_emptied_or_reversed(client, bu_user, crp):
    scr = _initiated_and_paused(bu_user, crp)
    Review.objects.filter(pk=scr.pk).update(
        stage=S.PUBLISHED, completed_on=D(2020, 2, 10), published_on=D(2020, 3, 2)
    )
    scr.refresh_from_db()
    services.review_clocks_sync(review=scr)
    completion = scr.clocks.get(kind=ReviewClock.Kind.SCR_COMPLETION)
    assert completion.state == ReviewClock.State.MET_ON_TIME  # the pause moved it to 28 Feb

    client.force_login(bu_user)
    url = reverse("reviews:section", args=[scr.uuid, "decision"])
    page = _body(client.get(url))
    assert "Not yet decided" not in page and "Do not initiate" not in page
    assert "the decision stands: correct its date, reasons or criteria" in page
    response = client.post(url, {"decision": "pending", "decided_on": "", "decision_reasons": ""})
    assert response.status_code == 200 and "Decision saved." not in _body(response)

    for decision, route in ((DECISION.PENDING, ""), (DECISION.NOT_INITIATE, "learning_review")):
        with pytest.raises(ValidationError, match="cannot be emptied or reversed now"):
            _decide(scr, bu_user, decision, D(2019, 5, 28), alternative_route=route)
    scr.refresh_from_db()
    assert (scr.decision, scr.decided_on, scr.stage) == (
        DECISION.INITIATE,
        D(2019, 5, 28),
        S.PUBLISHED,
    )
    assert ClockPause.objects.filter(clock__review=scr).count() == 1
    assert not scr.clocks.filter(kind=ReviewClock.Kind.SCR_DECISION, met_on__isnull=True).exists()

    # Its date and reasons are corrected; the hand pause stays and still counts.
    _decide(scr, bu_user, DECISION.INITIATE, D(2019, 5, 27), reasons="Corrected reasons.")
    completion = scr.clocks.get(kind=ReviewClock.Kind.SCR_COMPLETION)
    assert completion.pauses.count() == 1
    assert (completion.due_on, completion.state) == (
        D(2020, 2, 27),  # 27 November 2019 and the 92 days paused
        ReviewClock.State.MET_ON_TIME,
    )


def test_a_closed_rapid_reviews_decision_cannot_be_set_back_to_not_yet_decided(bu_user, crp):
    rapid = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        subgroup=crp,
        referred_on=D(2026, 11, 2),
        notified_on=D(2026, 11, 2),
    )
    at_decision(rapid, on=D(2026, 11, 16))
    _decide(rapid, bu_user, DECISION.INITIATE, D(2026, 11, 17))
    services.review_move(review=rapid, to_stage=S.CLOSED, by=bu_user, on=D(2026, 11, 18))
    rapid.refresh_from_db()
    lcspr = rapid.follow_on_reviews.get()
    for decision in (DECISION.PENDING, DECISION.NOT_INITIATE):
        with pytest.raises(ValidationError, match="cannot be emptied or reversed now"):
            _decide(rapid, bu_user, decision, D(2026, 11, 17), alternative_route="none")
    lcspr.refresh_from_db()
    assert lcspr.stage == S.SCOPING and lcspr.decision == DECISION.INITIATE
    # A correction still reaches its LCSPR.
    _decide(rapid, bu_user, DECISION.INITIATE, D(2026, 11, 17), reasons="Corrected.")
    lcspr.refresh_from_db()
    assert lcspr.decision_reasons.endswith(": Corrected.")


def test_a_changed_decision_never_takes_away_a_clock_paused_by_hand(bu_user, crp):
    scr = _initiated_and_paused(bu_user, crp)  # still at its Decision stage
    with pytest.raises(ValidationError, match="paused by hand on 1 July 2019 .Criminal trial."):
        _decide(
            scr,
            bu_user,
            DECISION.NOT_INITIATE,
            D(2019, 5, 28),
            alternative_route="single_agency",
        )
    scr.refresh_from_db()
    assert scr.decision == DECISION.INITIATE
    clock = scr.clocks.get(kind=ReviewClock.Kind.SCR_COMPLETION)
    assert [(pause.paused_on, pause.resumed_on) for pause in clock.pauses.all()] == [
        (D(2019, 7, 1), D(2019, 10, 1))
    ]


# Defect 2 ------------------------------------------------------------------------------------


def test_a_decision_cannot_be_dated_before_the_move_into_the_decision_stage(bu_user, crp):
    rapid = open_review(
        by=bu_user,
        kind=K.RAPID_REVIEW,
        subgroup=crp,
        referred_on=D(2026, 4, 1),
        incident_known_on=D(2026, 3, 31),
        notified_on=D(2026, 4, 1),
    )
    at_decision(rapid, on=D(2026, 4, 30))
    _decide(rapid, bu_user, DECISION.INITIATE, D(2026, 4, 30))
    clock = rapid.clocks.get(kind=ReviewClock.Kind.RAPID_REVIEW)
    assert (clock.due_on, clock.state) == (D(2026, 4, 24), ReviewClock.State.MET_LATE)

    with pytest.raises(ValidationError) as refused:
        _decide(rapid, bu_user, DECISION.INITIATE, D(2026, 4, 9))
    assert refused.value.message_dict["decided_on"] == [
        "The decision date (9 April 2026) cannot be before the move to “Decision” (30 April 2026)."
    ]
    rapid.refresh_from_db()
    assert rapid.decided_on == D(2026, 4, 30)
    assert rapid.clocks.get(kind=ReviewClock.Kind.RAPID_REVIEW).state == (
        ReviewClock.State.MET_LATE
    )
    assert rapid.follow_on_reviews.get().decided_on == D(2026, 4, 30)


# Defect 4 ------------------------------------------------------------------------------------


def test_an_scr_initiated_after_all_withdraws_its_learning_review(client, bu_user, crp):
    scr = _scr_2019(bu_user, crp)
    _decide(
        scr,
        bu_user,
        DECISION.NOT_INITIATE,
        D(2019, 5, 21),
        reasons="Criteria not met.",
        alternative_route="learning_review",
        national_panel_told_on=D(2019, 5, 24),
    )
    learning = scr.follow_on_reviews.get()
    assert (learning.kind, learning.stage) == (K.LEARNING_REVIEW, S.REFERRAL)
    client.force_login(bu_user)
    page = _body(client.get(reverse("reviews:detail", args=[scr.uuid])))
    assert "national panel told the SCR is not initiated" in _timeline(page)
    assert "scr is not initiated" not in page

    _decide(scr, bu_user, DECISION.INITIATE, D(2019, 5, 28), reasons="New information.")
    learning.refresh_from_db()
    assert learning.stage == S.CLOSED
    assert learning.stage_changes.get(to_stage=S.CLOSED).note == (
        "Withdrawn: the serious case review it arose from changed its decision to "
        "“initiate the review”."
    )
    scr.refresh_from_db()
    assert scr.national_panel_told_on is None
    assert not ReviewAct.objects.filter(review=scr, kind=ReviewAct.Kind.PANEL_TOLD).exists()
    kinds = set(scr.clocks.values_list("kind", flat=True))
    assert ReviewClock.Kind.PANEL_NOT_INITIATED not in kinds
    assert ReviewClock.Kind.SCR_COMPLETION in kinds
    page = _body(client.get(reverse("reviews:detail", args=[scr.uuid])))
    assert "national panel told" not in _timeline(page)
    assert "National panel told the SCR is not initiated" not in page  # the Panel's steps
    assert "(Learning Review, closed)" in page


def test_a_changed_alternative_route_withdraws_one_follow_on_and_opens_the_other(bu_user, crp):
    scr = _scr_2019(bu_user, crp)
    _decide(
        scr,
        bu_user,
        DECISION.NOT_INITIATE,
        D(2019, 5, 21),
        alternative_route="learning_review",
    )
    _decide(
        scr,
        bu_user,
        DECISION.NOT_INITIATE,
        D(2019, 5, 21),
        alternative_route="deep_dive",
    )
    stages = dict(scr.follow_on_reviews.values_list("kind", "stage"))
    assert stages == {K.LEARNING_REVIEW: S.CLOSED, K.DEEP_DIVE: S.REFERRAL}
    withdrawn = scr.follow_on_reviews.get(kind=K.LEARNING_REVIEW)
    assert withdrawn.stage_changes.get(to_stage=S.CLOSED).note.endswith(
        "changed its decision to “do not initiate: instead, deep-dive audit of practice”."
    )


def test_a_learning_review_that_has_moved_on_keeps_the_decision_that_opened_it(bu_user, crp):
    scr = _scr_2019(bu_user, crp)
    _decide(
        scr,
        bu_user,
        DECISION.NOT_INITIATE,
        D(2019, 5, 21),
        alternative_route="learning_review",
    )
    learning = scr.follow_on_reviews.get()
    services.review_move(review=learning, to_stage=S.DECISION, by=bu_user, on=D(2019, 5, 30))
    with pytest.raises(ValidationError, match=f"opened {learning.reference}, which has moved on"):
        _decide(scr, bu_user, DECISION.INITIATE, D(2019, 5, 28))
    learning.refresh_from_db()
    scr.refresh_from_db()
    assert learning.stage == S.DECISION and scr.decision == DECISION.NOT_INITIATE


# Defect 5 ------------------------------------------------------------------------------------


def _rapid_with_lcspr_moved_on(by, subgroup, reviewer, *, referred, decided, moved):
    rapid = open_review(
        by=by, kind=K.RAPID_REVIEW, subgroup=subgroup, referred_on=referred, notified_on=referred
    )
    at_decision(rapid, on=referred)
    _decide(rapid, by, DECISION.INITIATE, decided)
    lcspr = rapid.follow_on_reviews.get()
    services.review_update(review=lcspr, by=by, method="systems", method_rationale="Fits.")
    _agreed_terms(lcspr, by, decided)
    services.review_appoint_reviewer(review=lcspr, by=by, lead_reviewer=reviewer)
    services.review_move(review=lcspr, to_stage=S.REVIEWER_APPOINTED, by=by, on=moved)
    return rapid, lcspr


def test_an_earlier_decision_date_moves_the_lcspr_it_opened(bu_user, crp, reviewer_user):
    rapid, lcspr = _rapid_with_lcspr_moved_on(
        bu_user,
        crp,
        reviewer_user,
        referred=D(2026, 12, 3),
        decided=D(2026, 12, 7),
        moved=D(2026, 12, 7),
    )
    _decide(rapid, bu_user, DECISION.INITIATE, D(2026, 12, 5))
    lcspr.refresh_from_db()
    assert (lcspr.referred_on, lcspr.decided_on) == (D(2026, 12, 5), D(2026, 12, 5))
    assert lcspr.stage_changes.get(from_stage="").happened_on == D(2026, 12, 5)
    assert lcspr.clocks.get(kind=ReviewClock.Kind.LCSPR_PUBLICATION).due_on == D(2027, 6, 5)


def test_a_decision_date_its_lcspr_cannot_follow_is_refused_naming_it(
    client, bu_user, crp, reviewer_user
):
    rapid, lcspr = _rapid_with_lcspr_moved_on(
        bu_user,
        crp,
        reviewer_user,
        referred=D(2026, 11, 2),
        decided=D(2026, 11, 20),
        moved=D(2026, 11, 23),
    )
    client.force_login(bu_user)
    response = client.post(
        reverse("reviews:section", args=[rapid.uuid, "decision"]),
        {"decision": "initiate", "decided_on": "2026-11-25", "decision_reasons": "Criteria met."},
    )
    assert response.status_code == 200
    assert (
        f"This decision opened {lcspr.reference}, which takes its referral date from it, and "
        f"{lcspr.reference} cannot follow: the move to “Reviewer appointed” (23 November 2026) "
        "cannot be before the referral (25 November 2026)."
    ) in _body(response)
    rapid.refresh_from_db()
    lcspr.refresh_from_db()
    assert rapid.decided_on == lcspr.referred_on == D(2026, 11, 20)
