"""Stage moves: every allowed move is made and recorded; every other one is refused, saying why."""

import datetime

import pytest

from reviews import lifecycle, services
from reviews.lifecycle import TRANSITIONS
from reviews.models import Review, ReviewStageChange, TermsOfReference
from reviews.tests.factories import ReviewFactory, panel_reviewed

S = Review.Stage
K = Review.Kind

ALLOWED = [
    (kind, here, there)
    for kind, moves in TRANSITIONS.items()
    for here, targets in moves.items()
    for there in targets
]
REFUSED = [
    (kind, here, there)
    for kind in K.values
    for here in lifecycle.stages_for(kind)
    for there in S.values
    if there not in TRANSITIONS[kind][here]
]


def _ready(kind, here, there, reviewer):
    """A review at ``here`` with everything the move to ``there`` needs."""
    fields = {
        "kind": kind,
        "stage": here,
        "lead_reviewer": reviewer,
        "independence_declared_on": datetime.date(2025, 5, 2),
        "method": Review.Method.SYSTEMS,
        "method_rationale": "Proportionate.",
        "decision": Review.Decision.INITIATE,
        "decided_on": datetime.date(2025, 5, 2),
        "board_response": "The Board accepts the findings.",
    }
    if here == S.DECISION and there == S.CLOSED and kind != K.RAPID_REVIEW:
        fields.update(decision=Review.Decision.NOT_INITIATE, alternative_route="deep_dive")
    if lifecycle.before_decision(kind, there):
        # Not decided yet: the decision follows the referral and the rapid review.
        fields.update(decision=Review.Decision.PENDING, decided_on=None)
    if there == S.PUBLISHED:
        fields.update(
            published_on=datetime.date(2025, 6, 1),
            published_where="Website",
            final_report_sent_on=datetime.date(2025, 5, 20),
        )
    if here == S.BOARD_SIGNOFF and there == S.ACTION_PLAN:
        fields["not_published_reason"] = "Publishing would identify the surviving children."
    review = ReviewFactory(**fields)
    if here == S.SCOPING:
        # Scoping ends with agreed terms of reference.
        TermsOfReference.objects.create(
            review=review,
            version=1,
            scope_from=datetime.date(2024, 5, 1),
            scope_to=datetime.date(2025, 5, 1),
            lines_of_enquiry="How did agencies work together?",
            agreed_by="Case Review Panel",
            agreed_on=datetime.date(2025, 5, 2),
            recorded_by=reviewer,
        )
    if kind == K.CHILD_DEATH and there == S.CLOSED:
        panel_reviewed(review)
    return review


def test_the_table_matches_the_design():
    assert TRANSITIONS[K.SCR][S.REFERRAL] == (S.DECISION,)
    assert set(TRANSITIONS[K.SCR][S.DECISION]) == {S.SCOPING, S.CLOSED}
    assert TRANSITIONS[K.RAPID_REVIEW][S.RAPID_REVIEW] == (S.DECISION,)
    assert lifecycle.first_stage(K.LCSPR) == S.SCOPING
    assert lifecycle.stages_for(K.CHILD_DEATH) == [S.REFERRAL, S.ANALYSIS, S.CLOSED]
    assert TRANSITIONS[K.SCR][S.CLOSED] == ()


@pytest.mark.django_db
@pytest.mark.parametrize("kind, here, there", ALLOWED)
def test_every_allowed_move_is_made_and_recorded(kind, here, there, bu_user, reviewer_user):
    review = _ready(kind, here, there, reviewer_user)
    change = services.review_move(review=review, to_stage=there, by=bu_user, note="Agreed at panel")
    review.refresh_from_db()
    assert review.stage == there
    assert (change.from_stage, change.to_stage, change.moved_by) == (here, there, bu_user)
    assert change.note == "Agreed at panel"


@pytest.mark.parametrize("kind, here, there", REFUSED)
def test_every_other_move_is_refused_with_a_reason(kind, here, there):
    review = Review(kind=kind, stage=here)
    refusal = lifecycle.move_refusal(review, there)
    assert refusal
    assert "cannot move from" in refusal or "does not have" in refusal


def test_a_stage_the_kind_does_not_have_is_named():
    review = Review(kind=K.CHILD_DEATH, stage=S.REFERRAL)
    assert lifecycle.move_refusal(review, S.SCOPING) == (
        "A Child Death Review does not have a 'scoping and terms of reference' stage."
    )


def test_skipping_stages_is_refused():
    review = Review(kind=K.SCR, stage=S.REFERRAL)
    assert lifecycle.move_refusal(review, S.PUBLISHED) == (
        "A Serious Case Review cannot move from 'referral' to 'published'."
    )


@pytest.mark.django_db
class TestGuards:
    def _refused(self, review, there, by):
        before = ReviewStageChange.objects.count()
        with pytest.raises(services.ReviewMoveRefused) as refusal:
            services.review_move(review=review, to_stage=there, by=by)
        review.refresh_from_db()
        assert ReviewStageChange.objects.count() == before  # nothing changed
        return refusal.value.messages[0]

    def test_no_move_past_reviewer_appointed_without_the_declaration(self, bu_user, reviewer_user):
        review = ReviewFactory(kind=K.SCR, stage=S.REVIEWER_APPOINTED, lead_reviewer=reviewer_user)
        message = self._refused(review, S.CHRONOLOGIES, bu_user)
        assert message == (
            "A review cannot move past 'reviewer appointed' until the lead reviewer has "
            "declared their independence."
        )
        assert review.stage == S.REVIEWER_APPOINTED

    def test_reviewer_must_be_appointed_first(self, bu_user):
        review = ReviewFactory(
            kind=K.LCSPR,
            stage=S.SCOPING,
            method="systems",
            decision=Review.Decision.INITIATE,
            decided_on=datetime.date(2025, 5, 2),
        )
        message = self._refused(review, S.REVIEWER_APPOINTED, bu_user)
        assert "Appoint the independent lead reviewer" in message

    def test_decision_must_be_recorded_before_moving_on(self, bu_user):
        review = ReviewFactory(kind=K.SCR, stage=S.DECISION)
        assert "Record the decision" in self._refused(review, S.SCOPING, bu_user)
        assert "Record the decision" in self._refused(review, S.CLOSED, bu_user)

    def test_a_review_not_initiated_can_only_close(self, bu_user):
        review = ReviewFactory(
            kind=K.SCR,
            stage=S.DECISION,
            decision=Review.Decision.NOT_INITIATE,
            decided_on=datetime.date(2025, 5, 2),
            alternative_route="learning_review",
        )
        assert "close it and follow the alternative route" in self._refused(
            review, S.SCOPING, bu_user
        )

    def test_an_initiated_scr_cannot_be_closed_at_decision(self, bu_user):
        review = ReviewFactory(
            kind=K.SCR,
            stage=S.DECISION,
            decision=Review.Decision.INITIATE,
            decided_on=datetime.date(2025, 5, 2),
        )
        assert "cannot be closed here" in self._refused(review, S.CLOSED, bu_user)

    def test_scoping_needs_a_proportionate_method(self, bu_user, reviewer_user):
        review = ReviewFactory(kind=K.SCR, stage=S.SCOPING, lead_reviewer=reviewer_user)
        assert "Choose the review method" in self._refused(review, S.REVIEWER_APPOINTED, bu_user)

    def test_publishing_needs_date_place_and_board_response(self, bu_user):
        review = ReviewFactory(kind=K.SCR, stage=S.BOARD_SIGNOFF)
        assert "when and where" in self._refused(review, S.PUBLISHED, bu_user)
        review.published_on = datetime.date(2025, 6, 1)
        review.published_where = "Website"
        review.save()
        assert "written response" in self._refused(review, S.PUBLISHED, bu_user)

    def test_an_scr_that_is_not_published_needs_a_recorded_reason(self, bu_user):
        review = ReviewFactory(kind=K.SCR, stage=S.BOARD_SIGNOFF)
        assert "Final reports must be published" in self._refused(review, S.ACTION_PLAN, bu_user)

    def test_moving_to_sign_off_records_completion_and_closing_records_the_date(self, bu_user):
        review = ReviewFactory(kind=K.DOMESTIC_HOMICIDE, stage=S.ANALYSIS)
        services.review_move(review=review, to_stage=S.BOARD_SIGNOFF, by=bu_user)
        review.refresh_from_db()
        assert review.completed_on is not None
        services.review_move(review=review, to_stage=S.ACTION_PLAN, by=bu_user)
        services.review_move(review=review, to_stage=S.CLOSED, by=bu_user)
        review.refresh_from_db()
        assert review.closed_on is not None
