"""Which stage may follow which, per kind of review (DESIGN.md "Lifecycle"), held as data."""

from django.apps import apps

from . import clocks
from .models import Review, TermsOfReference

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
    # review is about excellent practice; an independent reviewer is possible, not required
    # (the framework's "Who": "Possible Independent Reviewer"), so scoping may lead straight to
    # the agencies' chronologies.
    K.LEARNING_REVIEW: _path(
        _FULL_PATH,
        extra=[
            (S.DECISION, S.CLOSED),
            (S.SCOPING, S.CHRONOLOGIES),
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


def decides(kind) -> bool:
    """Whether a kind of review records a decision to initiate: at its Decision stage, or (an
    LCSPR) before it is opened, by its rapid review or the safeguarding partners."""
    return S.DECISION in TRANSITIONS[kind] or kind == K.LCSPR


def scopes(kind) -> bool:
    """Whether a kind of review is scoped (its method chosen, its terms of reference agreed)."""
    return S.SCOPING in TRANSITIONS[kind]


def reviewer_optional(kind) -> bool:
    """Whether a kind of review may go on without an independent lead reviewer: its path has
    the "reviewer appointed" stage and a way round it (a learning review's "possible"
    independent reviewer)."""
    moves = TRANSITIONS[kind]
    return S.REVIEWER_APPOINTED in moves and S.CHRONOLOGIES in moves.get(S.SCOPING, ())


# The kinds whose final report must be published: they leave Board sign-off for action plan
# monitoring without publication only on the strength of the Board's recorded reason.
MUST_PUBLISH = (K.SCR, K.LCSPR)


def publishes(kind) -> bool:
    """Whether a kind of review has a report the Board publishes, or decides not to: its path
    has the "Published" stage, or leaves Board sign-off for action plan monitoring (a rapid
    review, CDOP's review of a death and national research have no report of the Board's)."""
    return S.PUBLISHED in TRANSITIONS[kind] or S.ACTION_PLAN in allowed_moves(kind, S.BOARD_SIGNOFF)


def has_reviewer(kind) -> bool:
    """Whether a kind of review may have an independent lead reviewer: its path has the
    "reviewer appointed" stage (possible, not required, for a learning review)."""
    return S.REVIEWER_APPOINTED in TRANSITIONS[kind]


def decision_acted_on(review: Review) -> bool:
    """Whether ``review`` has left the stage its decision was taken at (an LCSPR is opened by
    its decision): the decision then stands as initiated or not, and only its date, reasons and
    criteria may be corrected."""
    path = stages_for(review.kind)
    if S.DECISION not in path:
        return review.kind == K.LCSPR
    return review.stage in path and path.index(review.stage) > path.index(S.DECISION)


def decision_may_change(review: Review) -> bool:
    """Whether ``review``'s decision may be recorded or corrected at all: a kind that decides,
    still open, except a rapid review (closing is its last step after deciding, and a corrected
    date or reasons reach the LCSPR it opened)."""
    return decides(review.kind) and (review.is_open or review.kind == K.RAPID_REVIEW)


def _label(stage) -> str:
    return S(stage).label.lower() if stage in S.values else stage


def _quoted(stage) -> str:
    return f"“{S(stage).label}”"


def before_decision(kind, stage) -> bool:
    """Whether ``stage`` comes before the Decision stage on the kind's path (the referral, the
    rapid review itself); never for a kind whose path has no Decision stage."""
    path = stages_for(kind)
    return S.DECISION in path and stage in path and path.index(stage) < path.index(S.DECISION)


def decision_refusal(review: Review) -> str | None:
    """Why the decision cannot be recorded yet: the review has not reached its Decision stage
    (a correction afterwards is allowed); None when it can be."""
    if not before_decision(review.kind, review.stage):
        return None
    path = stages_for(review.kind)
    steps = path[path.index(review.stage) + 1 : path.index(S.DECISION) + 1]
    moves = ", then to ".join(_quoted(stage) for stage in steps)
    return (
        f"The decision is recorded at the {_quoted(S.DECISION)} stage, and this "
        f"{review.get_kind_display().lower()} is at {_quoted(review.stage)}: move it to "
        f"{moves} first."
    )


def open_actions(review: Review) -> int:
    """How many actions of the review's action plan are not done (not started or in
    progress). The learning app owns actions and sits above reviews: its model is found by
    name, never imported."""
    if not review.pk:
        return 0
    action = apps.get_model("learning", "Action")
    return action.objects.filter(review=review, status__in=action.OPEN).count()


def latest_terms(review: Review) -> TermsOfReference | None:
    """The review's terms of reference as they now stand: the latest version, if any."""
    if not review.pk:
        return None
    return TermsOfReference.objects.filter(review=review).order_by("-version").first()


def terms_refusal(review: Review, latest: TermsOfReference | None = None) -> str | None:
    """Why the scoping of ``review`` is not finished for want of agreed terms of reference (the
    stage is "Scoping and terms of reference"); None when the latest version is agreed."""
    latest = latest or latest_terms(review)
    if latest is not None and latest.agreed_on:
        return None
    if latest is not None:
        return (
            "The terms of reference are not agreed yet: record who agreed them and when, on "
            "the “Terms of reference” tab, before the scoping is finished."
        )
    return (
        "Write the terms of reference (the scope period and the key lines of enquiry) and "
        "record who agreed them and when, on the “Terms of reference” tab, before the scoping "
        "is finished."
    )


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
    if (
        review.kind == K.LCSPR
        and here == S.SCOPING
        and not (review.decision == Review.Decision.INITIATE and review.decided_on)
    ):
        return (
            "Record the decision to initiate this review and the day it was made under "
            "“Record the decision” in the Decision section of this page before the scoping is "
            "finished: the six months to publication count from that day."
        )
    if to_stage == S.REVIEWER_APPOINTED and not review.lead_reviewer_id:
        return "Appoint the independent lead reviewer before moving to 'reviewer appointed'."
    if here == S.REVIEWER_APPOINTED and not review.has_declared_independence:
        return (
            "A review cannot move past 'reviewer appointed' until the lead reviewer has "
            "declared their independence."
        )
    if (
        here == S.SCOPING
        and to_stage != S.REVIEWER_APPOINTED
        and review.lead_reviewer_id
        and not review.has_declared_independence
    ):
        # Going on without the "reviewer appointed" stage (a learning review's reviewer is
        # possible, not required): a reviewer who is named still declares their independence.
        return (
            "An independent lead reviewer is named but has not declared their independence: "
            "record their declaration under “Independent lead reviewer”, move to 'reviewer "
            "appointed', or take the reviewer off if the review goes on without one."
        )
    if here == S.SCOPING and not review.method:
        return (
            "Choose the review method and say why it is proportionate before the scoping "
            "is finished."
        )
    if here == S.SCOPING:
        unagreed = terms_refusal(review)
        if unagreed:
            return unagreed
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
        to_stage == S.PUBLISHED
        and clocks.needs_final_report(review)
        and not review.final_report_sent_on
    ):
        return (
            "Record the day the final report was sent to the national Panel and the Secretary "
            "of State (“Plan publication” in the Publication section) before moving to "
            "'published'."
        )
    if (
        here == S.BOARD_SIGNOFF
        and to_stage == S.ACTION_PLAN
        and review.kind in MUST_PUBLISH
        and not review.not_published_reason
    ):
        return (
            "Final reports must be published. Record the reason for not publishing before "
            "moving to action plan monitoring without publication."
        )
    if to_stage == S.CLOSED:
        still_open = open_actions(review)
        if still_open:
            those = "1 action" if still_open == 1 else f"{still_open} actions"
            return (
                f"This review's action plan has {those} not yet complete (not started or in "
                "progress): complete, sign off or cancel each before closing the review. See "
                "them under “The golden thread and action plan” in “Learning from this "
                "review” on this page."
            )
    return None
