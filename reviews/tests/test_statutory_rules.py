"""What the guidance asks of a review before each step, as a Business Unit officer meets it: a
refused change saves nothing; an LCSPR is published after its Board sign-off and after its final
report went to the Panel and the Secretary of State; a closed review's clocks are not chased; an
LCSPR starts from its decision to initiate; a rapid review decides after its notification and at
its Decision stage; a review closes once its actions are done (the tester's findings fs 1-10)."""

import datetime
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from learning.dashboard.overview import dashboard_figures
from learning.tests.factories import ActionFactory
from reviews import casefile, services
from reviews.models import Review, ReviewAct, ReviewClock
from reviews.tests.factories import at_decision, open_review, signed_off
from sscb.reminders import reminders_sweep

pytestmark = pytest.mark.django_db

D = datetime.date
K = Review.Kind
S = Review.Stage
State = ReviewClock.State


def _body(response) -> str:
    return " ".join(unescape(response.content.decode()).split())


def _lcspr(by, subgroup=None, decided_on=D(2026, 1, 5), **fields):
    """An LCSPR opened with its decision to initiate: six months to publication from it."""
    return open_review(
        by=by,
        kind=K.LCSPR,
        subgroup=subgroup,
        referred_on=decided_on,
        decision=Review.Decision.INITIATE,
        decided_on=decided_on,
        decision_reasons="The rapid review recommended it.",
        **fields,
    )


def _rapid_review(by, subgroup=None, **fields):
    fields.setdefault("referred_on", D(2026, 10, 1))
    return open_review(by=by, kind=K.RAPID_REVIEW, subgroup=subgroup, **fields)


def _publish(review, by, on, **fields):
    return services.review_record_publication(
        review=review,
        by=by,
        published_on=on,
        published_where="Partnership website",
        board_response="The Board accepts the findings.",
        **fields,
    )


def _agreed_terms(review, by, on):
    """Terms of reference agreed on ``on``: the scoping may end."""
    casefile.terms_of_reference_add(
        review=review,
        by=by,
        scope_from=on - datetime.timedelta(days=365),
        scope_to=on,
        lines_of_enquiry="How did agencies work together?",
        agreed_by="Case Review Panel",
        agreed_on=on,
    )


def _clock(review, kind) -> ReviewClock:
    return ReviewClock.objects.select_related("review").get(review=review, kind=kind)


# 1. A refused decision change saves nothing ------------------------------------------------


def test_a_refused_change_of_a_rapid_reviews_decision_saves_nothing(
    client, bu_user, crp, reviewer_user
):
    rapid = _rapid_review(
        bu_user, crp, incident_known_on=D(2026, 10, 1), notified_on=D(2026, 10, 2)
    )
    at_decision(rapid)
    services.review_record_decision(
        review=rapid,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=D(2026, 10, 20),
        decision_reasons="Learning for the partnership.",
    )
    lcspr = rapid.follow_on_reviews.get()
    services.review_update(
        review=lcspr, by=bu_user, method="systems", method_rationale="Proportionate."
    )
    services.review_appoint_reviewer(review=lcspr, by=bu_user, lead_reviewer=reviewer_user)
    _agreed_terms(lcspr, bu_user, D(2026, 10, 20))
    services.review_move(
        review=lcspr, to_stage=S.REVIEWER_APPOINTED, by=bu_user, on=D(2026, 10, 21)
    )
    acts, versions = ReviewAct.objects.count(), rapid.history.count()

    client.force_login(bu_user)
    response = client.post(
        reverse("reviews:section", args=[rapid.uuid, "decision"]),
        {
            "decision": "not_initiate",
            "decided_on": "2026-10-20",
            "decision_reasons": "On reflection, learning already known.",
            "alternative_route": "none",
        },
    )
    assert response.status_code == 200
    assert f"{lcspr.reference}, which has moved on to “Reviewer appointed” since" in _body(response)
    rapid.refresh_from_db()
    assert (rapid.decision, rapid.decision_reasons, rapid.alternative_route) == (
        Review.Decision.INITIATE,
        "Learning for the partnership.",
        "",
    )
    assert ReviewAct.objects.count() == acts and rapid.history.count() == versions
    lcspr.refresh_from_db()
    assert (lcspr.decision, lcspr.stage) == (Review.Decision.INITIATE, S.REVIEWER_APPOINTED)


# 2 and 3. The final report goes to the Panel before publication -----------------------------


def test_an_lcspr_is_published_only_once_its_final_report_went_to_the_panel(bu_user):
    review = signed_off(_lcspr(bu_user), D(2026, 6, 1))
    with pytest.raises(ValidationError) as refused:
        _publish(review, bu_user, D(2026, 6, 30))
    assert refused.value.message_dict["published_on"][0].startswith(
        "Record the day the final report was sent to the national Panel and the Secretary of "
        "State first, under “Plan publication” in the Publication section"
    )
    review.refresh_from_db()
    assert review.published_on is None
    assert not ReviewAct.objects.filter(review=review, kind=ReviewAct.Kind.PUBLICATION).exists()
    assert _clock(review, ReviewClock.Kind.LCSPR_PUBLICATION).met_on is None

    # A publication recorded before this rule does not take the review to "Published" either.
    Review.objects.filter(pk=review.pk).update(
        published_on=D(2026, 6, 30), published_where="Website", board_response="Accepted."
    )
    review.refresh_from_db()
    with pytest.raises(services.ReviewMoveRefused) as refused:
        services.review_move(review=review, to_stage=S.PUBLISHED, by=bu_user, on=D(2026, 6, 30))
    assert "Record the day the final report was sent" in refused.value.messages[0]
    Review.objects.filter(pk=review.pk).update(
        published_on=None, published_where="", board_response=""
    )
    review.refresh_from_db()

    services.review_plan_final_report(
        review=review,
        by=bu_user,
        planned_publication_on=D(2026, 6, 30),
        final_report_sent_on=D(2026, 6, 15),
    )
    _publish(review, bu_user, D(2026, 6, 30))
    services.review_move(review=review, to_stage=S.PUBLISHED, by=bu_user, on=D(2026, 6, 30))
    clock = _clock(review, ReviewClock.Kind.FINAL_REPORT)
    assert clock.due_on == D(2026, 6, 19) and clock.state == State.MET_ON_TIME

    # Once published, the day it was sent stays recorded.
    with pytest.raises(ValidationError) as refused:
        services.review_plan_final_report(
            review=review,
            by=bu_user,
            planned_publication_on=D(2026, 6, 30),
            final_report_sent_on=None,
        )
    assert "stays recorded" in refused.value.message_dict["final_report_sent_on"][0]
    review.refresh_from_db()
    assert review.final_report_sent_on == D(2026, 6, 15)


def test_a_final_report_sent_the_day_before_publication_is_late(client, bu_user):
    review = signed_off(_lcspr(bu_user), D(2026, 11, 2))
    services.review_plan_final_report(
        review=review,
        by=bu_user,
        planned_publication_on=D(2026, 11, 30),
        final_report_sent_on=D(2026, 11, 18),
    )
    clock = _clock(review, ReviewClock.Kind.FINAL_REPORT)
    # Seven working days before the planned Monday 30 November: in time, for now.
    assert clock.due_on == D(2026, 11, 19) and clock.state == State.MET_ON_TIME

    _publish(review, bu_user, D(2026, 11, 19))  # a day after it was sent, not as planned
    clock = _clock(review, ReviewClock.Kind.FINAL_REPORT)
    assert clock.due_on == D(2026, 11, 10)  # seven working days before Thursday 19 November
    assert clock.state == State.MET_LATE
    client.force_login(bu_user)
    page = _body(client.get(reverse("reviews:detail", args=[review.uuid])))
    assert "7 working days before publication" in page and "Met late" in page


def test_with_no_publication_planned_or_recorded_there_is_no_deadline_yet(bu_user):
    review = signed_off(_lcspr(bu_user), D(2026, 11, 2))
    services.review_plan_final_report(
        review=review, by=bu_user, planned_publication_on=None, final_report_sent_on=D(2026, 11, 18)
    )
    assert not review.clocks.filter(kind=ReviewClock.Kind.FINAL_REPORT).exists()
    _publish(review, bu_user, D(2026, 11, 27))
    clock = _clock(review, ReviewClock.Kind.FINAL_REPORT)
    assert clock.due_on == D(2026, 11, 18) and clock.state == State.MET_ON_TIME


# 5. Publication after completion; moves that would break the order are refused in words ----


def test_a_publication_waits_for_the_review_to_be_completed(client, bu_user, crp):
    review = _lcspr(bu_user, crp)  # still at scoping
    client.force_login(bu_user)
    response = client.post(
        reverse("reviews:section", args=[review.uuid, "publication"]),
        {
            "published_on": "2026-11-20",
            "published_where": "Partnership website",
            "board_response": "Accepted.",
            "not_published_reason": "",
        },
    )
    assert response.status_code == 200
    assert (
        "A report is published once the review is completed: move the review to “Board "
        "sign-off and written response” first" in _body(response)
    )
    review.refresh_from_db()
    assert review.published_on is None
    assert _clock(review, ReviewClock.Kind.LCSPR_PUBLICATION).met_on is None


def test_the_final_report_is_recorded_as_sent_once_the_review_is_completed(bu_user):
    review = _lcspr(bu_user)
    with pytest.raises(ValidationError) as refused:
        services.review_plan_final_report(
            review=review,
            by=bu_user,
            planned_publication_on=D(2026, 12, 21),
            final_report_sent_on=D(2026, 12, 1),
        )
    assert (
        "goes to the Panel once the review is completed"
        in (refused.value.message_dict["final_report_sent_on"][0])
    )
    review.refresh_from_db()
    assert (review.planned_publication_on, review.final_report_sent_on) == (None, None)


@pytest.mark.parametrize(
    ("recorded", "says"),
    [
        (
            {"published_on": D(2026, 7, 1), "published_where": "Website"},
            "completes the review after the publication already recorded (1 July 2026), which "
            "cannot come before the completion. Correct (or remove) the date of the publication "
            "under “Record publication”",
        ),
        (
            {"final_report_sent_on": D(2026, 7, 1)},
            "completes the review after sending the final report to the Panel already recorded "
            "(1 July 2026)",
        ),
    ],
)
def test_a_sign_off_after_a_publication_already_recorded_is_refused_in_words(
    client, bu_user, crp, recorded, says
):
    """An LCSPR published (or its report sent) at an earlier stage, as the product allowed: the
    move to Board sign-off is refused, saying what to correct, never a server error."""
    review = _lcspr(bu_user, crp)
    Review.objects.filter(pk=review.pk).update(stage=S.ANALYSIS, **recorded)
    client.force_login(bu_user)
    response = client.post(
        reverse("reviews:move", args=[review.uuid]),
        {"to_stage": S.BOARD_SIGNOFF, "on": "2026-11-20"},
        follow=True,
    )
    assert response.status_code == 200
    body = _body(response)
    assert "The move to “Board sign-off and written response” (20 November 2026) " + says in body
    review.refresh_from_db()
    assert (review.stage, review.completed_on) == (S.ANALYSIS, None)


# 6. A closed review's clocks are not met, not past due -------------------------------------


def test_a_closed_reviews_clock_is_not_met_and_nobody_chases_or_counts_it(client, bu_user, crp):
    """An SCR not initiated, closed before the national panel was told: its 14 days to tell the
    panel were never met; it is not "past due" anywhere. (An LCSPR the Board decides not to
    publish ends its six months with the day its report went to the Panel: it cannot close with
    them unmet.)"""
    review = open_review(by=bu_user, kind=K.SCR, subgroup=crp, referred_on=D(2026, 9, 1))
    at_decision(review, on=D(2026, 9, 1))
    services.review_record_decision(
        review=review,
        by=bu_user,
        decision=Review.Decision.NOT_INITIATE,
        decided_on=D(2026, 9, 1),
        decision_reasons="The criteria are not met.",
        alternative_route="none",
    )
    client.force_login(bu_user)
    register = reverse("reviews:list")

    def past_due():
        figures = dashboard_figures(bu_user, 2026, today=D(2026, 12, 8))["reviews"]
        listed = review.reference in client.get(register, {"clock": "red"}).content.decode()
        return figures["clock_red"].value, listed

    assert past_due() == (1, True)  # still open: past due, and counted so

    services.review_move(review=review, to_stage=S.CLOSED, by=bu_user, on=D(2026, 9, 22))
    clock = _clock(review, ReviewClock.Kind.PANEL_NOT_INITIATED)
    assert clock.met_on is None and clock.state == State.NOT_MET_CLOSED
    assert past_due() == (0, False)
    with time_machine.travel(datetime.datetime(2026, 12, 8, 7, 0), tick=False):
        reminders_sweep(today=D(2026, 12, 8))  # a sweep is never for a day after today
    assert [m for m in mail.outbox if review.reference in m.body] == []

    page = _body(client.get(reverse("reviews:detail", args=[review.uuid])))
    assert 'data-testid="clock-state">Not met</span>' in page
    assert "the review closed on 22 Sep 2026" in page
    assert "Pause this clock" not in page and "past due" not in page.lower()
    with pytest.raises(ValidationError, match="closed on 22 September 2026: its clocks no longer"):
        services.clock_pause(clock=clock, by=bu_user, reason="Trial")


# 7. An LCSPR starts from its decision to initiate ------------------------------------------


def test_an_lcspr_cannot_leave_scoping_without_its_decision_to_initiate(bu_user, reviewer_user):
    review = open_review(by=bu_user, kind=K.LCSPR, referred_on=D(2026, 3, 2))
    services.review_update(
        review=review, by=bu_user, method="systems", method_rationale="Proportionate."
    )
    services.review_appoint_reviewer(review=review, by=bu_user, lead_reviewer=reviewer_user)
    with pytest.raises(services.ReviewMoveRefused) as refused:
        services.review_move(
            review=review, to_stage=S.REVIEWER_APPOINTED, by=bu_user, on=D(2026, 3, 10)
        )
    assert refused.value.messages == [
        "Record the decision to initiate this review and the day it was made under “Record "
        "the decision” in the Decision section of this page before the scoping is finished: "
        "the six months to publication count from that day."
    ]
    assert not review.clocks.exists()

    services.review_record_decision(
        review=review,
        by=bu_user,
        decision=Review.Decision.INITIATE,
        decided_on=D(2026, 3, 2),
        decision_reasons="The partners agreed an LCSPR.",
    )
    assert review.clocks.get().due_on == D(2026, 9, 2)
    _agreed_terms(review, bu_user, D(2026, 3, 9))
    services.review_move(
        review=review, to_stage=S.REVIEWER_APPOINTED, by=bu_user, on=D(2026, 3, 10)
    )


def test_an_lcspr_opened_from_the_register_asks_for_its_decision_to_initiate(
    client, crp_member, crp
):
    client.force_login(crp_member)
    url = reverse("reviews:create")
    fields = {
        "kind": "lcspr",
        "title": "Neglect of a baby",
        "subgroup": crp.pk,
        "referred_on": "2026-03-02",
    }
    response = client.post(url, fields)
    assert response.status_code == 200
    body = _body(response)
    assert "Give the day the decision to initiate this LCSPR was made" in body
    assert "Give the reasons for the decision." in body
    assert not Review.objects.exists()

    decided = {"decided_on": "2026-03-02", "decision_reasons": "The partners agreed an LCSPR."}
    assert client.post(url, fields | decided).status_code == 302
    review = Review.objects.get()
    assert (review.decision, review.decided_on) == (Review.Decision.INITIATE, D(2026, 3, 2))
    assert review.decision_reasons == "The partners agreed an LCSPR."
    assert review.clocks.get(kind=ReviewClock.Kind.LCSPR_PUBLICATION).due_on == D(2026, 9, 2)

    # Another kind of review is decided at its Decision stage: the LCSPR's fields are not read.
    other = fields | decided | {"kind": "learning_review", "title": "Good practice"}
    assert client.post(url, other).status_code == 302
    learning = Review.objects.get(kind=K.LEARNING_REVIEW)
    assert (learning.decision, learning.decided_on) == (Review.Decision.PENDING, None)


# 8. A rapid review decides after its notification ------------------------------------------


def test_a_rapid_review_is_decided_only_after_its_notification(client, bu_user, crp):
    rapid = at_decision(_rapid_review(bu_user, crp, referred_on=D(2026, 11, 2)))
    decide = {
        "review": rapid,
        "by": bu_user,
        "decision": Review.Decision.INITIATE,
        "decided_on": D(2026, 11, 17),
        "decision_reasons": "Learning for the partnership.",
    }
    with pytest.raises(ValidationError) as refused:
        services.review_record_decision(**decide)
    assert refused.value.message_dict["decision"][0].startswith(
        "A rapid review is decided only after the serious incident notification has gone to "
        "the national Panel. Record the day it was sent under “The national Panel and Ofsted”"
    )
    rapid.refresh_from_db()
    assert rapid.decision == Review.Decision.PENDING and not rapid.follow_on_reviews.exists()
    client.force_login(bu_user)
    response = client.post(
        reverse("reviews:section", args=[rapid.uuid, "decision"]),
        {"decision": "initiate", "decided_on": "2026-11-17", "decision_reasons": "Learning."},
    )
    assert response.status_code == 200
    assert "decided only after the serious incident notification" in _body(response)

    casefile.review_record_panel_exchange(review=rapid, by=bu_user, notified_on=D(2026, 11, 3))
    assert rapid.clocks.get(kind=ReviewClock.Kind.RAPID_REVIEW).started_on == D(2026, 11, 3)
    services.review_record_decision(**decide)
    assert rapid.follow_on_reviews.get().kind == K.LCSPR

    # Decided, its notification stays recorded wherever it is changed.
    for change in (
        lambda: casefile.review_record_panel_exchange(review=rapid, by=bu_user, notified_on=None),
        lambda: services.review_update(review=rapid, by=bu_user, notified_on=None),
    ):
        with pytest.raises(ValidationError) as refused:
            change()
        assert (
            "the notification's date stays recorded" in refused.value.message_dict["notified_on"][0]
        )
    rapid.refresh_from_db()
    assert rapid.notified_on == D(2026, 11, 3)


# 9. The decision is recorded at the Decision stage -----------------------------------------


def test_a_decision_waits_for_the_decision_stage(client, bu_user, crp):
    rapid = _rapid_review(
        bu_user,
        crp,
        referred_on=D(2026, 12, 1),
        incident_known_on=D(2026, 12, 1),
        notified_on=D(2026, 12, 1),
    )
    decide = {
        "review": rapid,
        "by": bu_user,
        "decision": Review.Decision.INITIATE,
        "decided_on": D(2026, 12, 2),
        "decision_reasons": "Learning for the partnership.",
    }
    with pytest.raises(ValidationError) as refused:
        services.review_record_decision(**decide)
    says = (
        "The decision is recorded at the “Decision” stage, and this rapid review is at "
        "“Referral”: move it to “Rapid review”, then to “Decision” first."
    )
    assert refused.value.message_dict["decision"] == [says]
    rapid.refresh_from_db()
    assert rapid.decision == Review.Decision.PENDING and not rapid.follow_on_reviews.exists()

    client.force_login(bu_user)
    detail = reverse("reviews:detail", args=[rapid.uuid])
    response = client.get(reverse("reviews:section", args=[rapid.uuid, "decision"]), follow=True)
    assert response.redirect_chain[-1][0] == detail and says in _body(response)
    page = _body(client.get(detail))
    assert "Record the decision" not in page and "Recorded at the “Decision” stage" in page

    at_decision(rapid, on=D(2026, 12, 2))
    services.review_record_decision(**decide)
    services.review_move(review=rapid, to_stage=S.CLOSED, by=bu_user, on=D(2026, 12, 3))
    # A correction afterwards is still allowed.
    services.review_record_decision(**decide | {"decision_reasons": "Corrected reasons."})
    rapid.refresh_from_db()
    assert rapid.decision_reasons == "Corrected reasons."


def test_a_meeting_that_decides_a_referral_brings_it_to_its_decision_stage(bu_user):
    """The Case Review Panel decides referrals at its meetings (learning.meetings): a referral
    it decides reaches its Decision stage on the meeting's day; a rapid review still needs its
    rapid review first."""
    referral = open_review(by=bu_user, kind=K.LEARNING_REVIEW, referred_on=D(2026, 11, 2))
    services.review_reach_decision(
        review=referral, by=bu_user, on=D(2026, 11, 12), note="Brought to the Panel's decision."
    )
    referral.refresh_from_db()
    assert referral.stage == S.DECISION
    move = referral.stage_changes.get(to_stage=S.DECISION)
    assert (move.happened_on, move.note) == (D(2026, 11, 12), "Brought to the Panel's decision.")
    rapid = _rapid_review(bu_user, referred_on=D(2026, 11, 2), notified_on=D(2026, 11, 2))
    services.review_reach_decision(review=rapid, by=bu_user, on=D(2026, 11, 12))
    rapid.refresh_from_db()
    assert rapid.stage == S.REFERRAL
    with pytest.raises(ValidationError, match="move it to “Rapid review”, then to “Decision”"):
        services.review_record_decision(
            review=rapid,
            by=bu_user,
            decision=Review.Decision.INITIATE,
            decided_on=D(2026, 11, 12),
            decision_reasons="Learning.",
        )


def test_a_stage_before_the_decision_cannot_be_entered_after_it(bu_user):
    """A rapid review decided at its referral, as the product allowed: the rapid review itself
    cannot be recorded as happening after that decision."""
    rapid = _rapid_review(bu_user, referred_on=D(2026, 12, 1), notified_on=D(2026, 12, 1))
    Review.objects.filter(pk=rapid.pk).update(
        decision=Review.Decision.INITIATE, decided_on=D(2026, 12, 2), decision_reasons="Early."
    )
    rapid.refresh_from_db()
    with pytest.raises(services.ReviewMoveRefused) as refused:
        services.review_move(review=rapid, to_stage=S.RAPID_REVIEW, by=bu_user, on=D(2026, 12, 3))
    assert refused.value.messages == [
        "The decision (2 December 2026) cannot be before the move to “Rapid review” "
        "(3 December 2026)."
    ]
    rapid.refresh_from_db()
    assert rapid.stage == S.REFERRAL
    services.review_move(review=rapid, to_stage=S.RAPID_REVIEW, by=bu_user, on=D(2026, 12, 2))


# 10. A review closes once its actions are done ---------------------------------------------


def test_a_review_closes_only_once_its_actions_are_done(client, bu_user, crp):
    review = open_review(by=bu_user, kind=K.DOMESTIC_HOMICIDE, subgroup=crp)
    for stage in (S.ANALYSIS, S.BOARD_SIGNOFF, S.ACTION_PLAN):
        services.review_move(review=review, to_stage=stage, by=bu_user)
    today = review.referred_on
    actions = [ActionFactory(review=review, status=status) for status in ("open", "in_progress")]
    ActionFactory(review=review, status="cancelled")
    ActionFactory(review=review, status="complete", completed_on=today)
    says = (
        "This review's action plan has 2 actions not yet complete (not started or in "
        "progress): complete, sign off or cancel each before closing the review. See them "
        "under “The golden thread and action plan” in “Learning from this review” on this page."
    )
    with pytest.raises(services.ReviewMoveRefused) as refused:
        services.review_move(review=review, to_stage=S.CLOSED, by=bu_user)
    assert refused.value.messages == [says]
    review.refresh_from_db()
    assert (review.stage, review.closed_on) == (S.ACTION_PLAN, None)
    client.force_login(bu_user)
    assert f"Not yet: {says}" in _body(client.get(reverse("reviews:detail", args=[review.uuid])))

    actions[0].status, actions[0].completed_on = "complete", today
    actions[0].save()
    with pytest.raises(services.ReviewMoveRefused, match="has 1 action not yet complete"):
        services.review_move(review=review, to_stage=S.CLOSED, by=bu_user)
    actions[1].status = "cancelled"
    actions[1].save()
    services.review_move(review=review, to_stage=S.CLOSED, by=bu_user)
    review.refresh_from_db()
    assert review.stage == S.CLOSED
