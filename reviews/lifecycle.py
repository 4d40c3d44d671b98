"""Which stage may follow which, per kind of review (DESIGN.md "Lifecycle"), held as data."""

from .models import Review

K = Review.Kind
S = Review.Stage

# The full path of a serious review; other kinds take part of it.
_FULL_PATH = [
    S.REFERRAL,
    S.DECISION,
    S.SCOPING,
    S.REVIEWER_APPOINTED,
    S.CHRONOLOGIES,
    S.PRACTITIONER_EVENT,
    S.FAMILY_INVOLVEMENT,
    S.ANALYSIS,
    S.BOARD_SIGNOFF,
    S.PUBLISHED,
    S.ACTION_PLAN,
    S.CLOSED,
]


def _path(stages, extra=()):
    """Each stage may move to the next one, plus the extra (from, to) moves given."""
    moves = {stage: [] for stage in stages}
    for here, after in zip(stages, stages[1:], strict=False):
        moves[here].append(after)
    for here, there in extra:
        moves[here].append(there)
    return {stage: tuple(targets) for stage, targets in moves.items()}


TRANSITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    # An SCR decided "not initiated" closes (the alternative route is recorded); a report the
    # Board decides not to publish goes to action plan monitoring with the reason recorded.
    K.SCR: _path(
        _FULL_PATH,
        extra=[(S.DECISION, S.CLOSED), (S.BOARD_SIGNOFF, S.ACTION_PLAN)],
    ),
    K.RAPID_REVIEW: _path([S.REFERRAL, S.RAPID_REVIEW, S.DECISION, S.CLOSED]),
    # An LCSPR starts once the rapid review's decision is made.
    K.LCSPR: _path(_FULL_PATH[2:], extra=[(S.BOARD_SIGNOFF, S.ACTION_PLAN)]),
    # Learning reviews need not be published; family involvement may be skipped when the
    # review is about excellent practice.
    K.LEARNING_REVIEW: _path(
        _FULL_PATH,
        extra=[
            (S.DECISION, S.CLOSED),
            (S.PRACTITIONER_EVENT, S.ANALYSIS),
            (S.BOARD_SIGNOFF, S.ACTION_PLAN),
        ],
    ),
    K.DEEP_DIVE: _path(
        [S.REFERRAL, S.SCOPING, S.CHRONOLOGIES, S.PRACTITIONER_EVENT, S.ANALYSIS]
        + [S.BOARD_SIGNOFF, S.ACTION_PLAN, S.CLOSED]
    ),
    K.CHILD_DEATH: _path([S.REFERRAL, S.ANALYSIS, S.CLOSED]),
    K.DOMESTIC_HOMICIDE: _path(
        [S.REFERRAL, S.ANALYSIS, S.BOARD_SIGNOFF, S.ACTION_PLAN, S.CLOSED],
        extra=[(S.ANALYSIS, S.CLOSED)],
    ),
    K.NATIONAL: _path([S.REFERRAL, S.ANALYSIS, S.CLOSED]),
}


def stages_for(kind) -> list[str]:
    """The stages a kind of review goes through, in order."""
    return list(TRANSITIONS[kind])


def first_stage(kind) -> str:
    return stages_for(kind)[0]


def allowed_moves(kind, stage) -> tuple[str, ...]:
    return TRANSITIONS[kind].get(stage, ())


def _label(stage) -> str:
    return S(stage).label.lower() if stage in S.values else stage


def move_refusal(review: Review, to_stage: str) -> str | None:
    """Why ``review`` may not move to ``to_stage`` now, in plain words; None when it may."""
    here = review.stage
    if to_stage not in S.values:
        return "That is not a stage a review can be in."
    if to_stage not in allowed_moves(review.kind, here):
        if to_stage not in TRANSITIONS[review.kind]:
            return f"A {review.get_kind_display()} does not have a '{_label(to_stage)}' stage."
        return (
            f"A {review.get_kind_display()} cannot move from '{_label(here)}' to "
            f"'{_label(to_stage)}'."
        )
    if here == S.DECISION:
        if review.decision == Review.Decision.PENDING:
            return "Record the decision, its date and its reasons before moving on."
        # A rapid review closes once it has decided, either way: the LCSPR is its own record.
        if (
            to_stage == S.CLOSED
            and review.decision == Review.Decision.INITIATE
            and review.kind != K.RAPID_REVIEW
        ):
            return "The decision was to initiate the review, so it cannot be closed here."
        if to_stage != S.CLOSED and review.decision == Review.Decision.NOT_INITIATE:
            return (
                "The decision was not to initiate the review; close it and follow the "
                "alternative route instead."
            )
    if to_stage == S.REVIEWER_APPOINTED and not review.lead_reviewer_id:
        return "Appoint the independent lead reviewer before moving to 'reviewer appointed'."
    if here == S.REVIEWER_APPOINTED and not review.has_declared_independence:
        return (
            "A review cannot move past 'reviewer appointed' until the lead reviewer has "
            "declared their independence."
        )
    if here == S.SCOPING and not review.method:
        return (
            "Choose the review method and say why it is proportionate before the scoping "
            "is finished."
        )
    if review.kind == K.CHILD_DEATH and to_stage == S.CLOSED:
        details = getattr(review, "child_death", None) if review.pk else None
        if details is None or not (details.meeting_id and details.category_id):
            return (
                "A child death review closes once the Child Death Overview Panel has reviewed "
                "the death: record the panel meeting and the category of death in CDOP's "
                "record first."
            )
    if to_stage == S.PUBLISHED and not (review.published_on and review.published_where):
        return "Record when and where the report was published before moving to 'published'."
    if to_stage == S.PUBLISHED and not review.board_response:
        return "Record the Board's written response before publishing."
    if (
        here == S.BOARD_SIGNOFF
        and to_stage == S.ACTION_PLAN
        and review.kind in (K.SCR, K.LCSPR)
        and not review.not_published_reason
    ):
        return (
            "Final reports must be published. Record the reason for not publishing before "
            "moving to action plan monitoring without publication."
        )
    return None
