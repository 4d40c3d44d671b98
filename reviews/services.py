"""Every write to a review: creation, decision, people, publication, stage moves and clocks."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from sscb.access_log import Action, access_log_record
from sscb.dates import check_dates, happened_after, not_before

from . import lifecycle
from .clock import add_months, add_working_days
from .models import (
    ClockPause,
    Review,
    ReviewAct,
    ReviewClock,
    ReviewStageChange,
    event_order_errors,
)

K = Review.Kind
S = Review.Stage

REFERENCE_PREFIX = {
    K.SCR: "SCR",
    K.RAPID_REVIEW: "RR",
    K.LCSPR: "LCSPR",
    K.LEARNING_REVIEW: "LR",
    K.DEEP_DIVE: "DDA",
    K.CHILD_DEATH: "CDR",
    K.DOMESTIC_HOMICIDE: "DHR",
    K.NATIONAL: "NR",
}

# Working Together 2018 came into force on 29 June 2018; SCRs remain WT2015 reviews whenever
# they are recorded, rapid reviews and LCSPRs only exist under WT2018+.
WT2018_FROM = datetime.date(2018, 6, 29)


class ReviewMoveRefused(ValidationError):
    """A stage move the lifecycle does not allow; the message says why in plain words."""


def regime_for(kind: str, referred_on: datetime.date) -> str:
    if kind == K.SCR:
        return Review.Regime.WT2015
    if kind in (K.RAPID_REVIEW, K.LCSPR):
        return Review.Regime.WT2018
    return Review.Regime.WT2018 if referred_on >= WT2018_FROM else Review.Regime.WT2015


def review_next_reference(*, kind: str, year: int) -> str:
    """``<prefix>-<year>-<nnn>``: the next number for that kind and year."""
    prefix = f"{REFERENCE_PREFIX[kind]}-{year}-"
    taken = Review.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in taken if ref.rsplit("-", 1)[1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


# ---------------------------------------------------------------------------- statutory clocks


@dataclass(frozen=True)
class ClockRule:
    kind: str
    regime: str
    review_kinds: frozenset
    start: Callable[[Review], datetime.date | None]
    due: Callable[[datetime.date], datetime.date]
    met: Callable[[Review], datetime.date | None]
    describe: str


def _if_decided(decision):
    def start(review):
        return review.decided_on if review.decision == decision else None

    return start


CLOCK_RULES = [
    ClockRule(
        ReviewClock.Kind.NOTIFICATION,
        Review.Regime.WT2015,
        frozenset({K.SCR}),
        start=lambda r: r.incident_known_on,
        due=lambda d: add_working_days(d, 5),
        met=lambda r: r.notified_on,
        describe="5 working days from the incident becoming known",
    ),
    ClockRule(
        ReviewClock.Kind.SCR_DECISION,
        Review.Regime.WT2015,
        frozenset({K.SCR}),
        start=lambda r: r.notified_on or r.referred_on,
        due=lambda d: add_months(d, 1),
        met=lambda r: r.decided_on,
        describe="1 month from notification",
    ),
    ClockRule(
        ReviewClock.Kind.PANEL_NOT_INITIATED,
        Review.Regime.WT2015,
        frozenset({K.SCR}),
        start=_if_decided(Review.Decision.NOT_INITIATE),
        due=lambda d: d + datetime.timedelta(days=14),
        met=lambda r: r.national_panel_told_on,
        describe="14 days from the decision not to initiate",
    ),
    ClockRule(
        ReviewClock.Kind.SCR_COMPLETION,
        Review.Regime.WT2015,
        frozenset({K.SCR}),
        start=_if_decided(Review.Decision.INITIATE),
        due=lambda d: add_months(d, 6),
        met=lambda r: r.completed_on,
        describe="6 months from the decision to initiate",
    ),
    ClockRule(
        ReviewClock.Kind.NOTIFICATION,
        Review.Regime.WT2018,
        frozenset({K.RAPID_REVIEW}),
        start=lambda r: r.incident_known_on,
        due=lambda d: add_working_days(d, 5),
        met=lambda r: r.notified_on,
        describe="5 working days from the incident becoming known",
    ),
    ClockRule(
        ReviewClock.Kind.RAPID_REVIEW,
        Review.Regime.WT2018,
        frozenset({K.RAPID_REVIEW}),
        start=lambda r: r.notified_on or r.referred_on,
        due=lambda d: add_working_days(d, 15),
        met=lambda r: r.decided_on,
        describe="15 working days from notification",
    ),
    ClockRule(
        ReviewClock.Kind.LCSPR_PUBLICATION,
        Review.Regime.WT2018,
        frozenset({K.LCSPR}),
        start=_if_decided(Review.Decision.INITIATE),
        due=lambda d: add_months(d, 6),
        met=lambda r: r.published_on,
        describe="6 months from the decision to initiate",
    ),
]

RULE_DESCRIPTIONS = {(rule.regime, rule.kind): rule.describe for rule in CLOCK_RULES}


def review_clocks_sync(*, review: Review) -> list[ReviewClock]:
    """Create, move or retire the review's clocks so they match its dates and decision."""
    existing = {clock.kind: clock for clock in ReviewClock.objects.filter(review=review)}
    kept = []
    for rule in CLOCK_RULES:
        if review.kind not in rule.review_kinds or review.regime != rule.regime:
            continue
        start = rule.start(review)
        clock = existing.pop(rule.kind, None)
        if start is None:
            if clock is not None:
                clock.delete()
            continue
        base_due = rule.due(start)
        allowed = (base_due - start).days
        paused = clock.paused_days if clock else 0
        due_on = base_due + datetime.timedelta(days=paused)
        values = {
            "regime": rule.regime,
            "started_on": start,
            "due_on": due_on,
            # Amber when 20% or less of the allowed time is left (DESIGN.md "Clock state").
            "amber_on": due_on - datetime.timedelta(days=allowed // 5),
            "met_on": rule.met(review),
        }
        if clock is None:
            clock = ReviewClock.objects.create(review=review, kind=rule.kind, **values)
        elif any(getattr(clock, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(clock, name, value)
            clock.save()
        kept.append(clock)
    for clock in existing.values():
        clock.delete()
    return kept


def clock_pause(
    *, clock: ReviewClock, by, reason: str, on: datetime.date | None = None
) -> ReviewClock:
    """Stop a clock while a parallel process (a trial, an inquest) runs."""
    on = on or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": "Say why the clock is paused, e.g. a criminal trial."})
    if clock.met_on:
        raise ValidationError("This clock has been met; there is nothing to pause.")
    if clock.paused_on:
        raise ValidationError(f"This clock is already paused (since {clock.paused_on:%d %b %Y}).")
    if on < clock.started_on:
        raise ValidationError({"on": "A clock cannot be paused before it started."})
    pause = ClockPause(clock=clock, paused_on=on, reason=reason.strip(), paused_by=by)
    pause.full_clean()
    with transaction.atomic():
        clock.paused_on = on
        clock.pause_reason = pause.reason
        clock.save()
        pause.save()
    return clock


def clock_resume(*, clock: ReviewClock, by, on: datetime.date | None = None) -> ReviewClock:
    """Restart a paused clock; its due date moves later by the time it was paused."""
    on = on or timezone.localdate()
    if not clock.paused_on:
        raise ValidationError("This clock is not paused.")
    if on < clock.paused_on:
        raise ValidationError({"on": "A clock cannot be resumed before it was paused."})
    days = datetime.timedelta(days=(on - clock.paused_on).days)
    with transaction.atomic():
        ClockPause.objects.filter(clock=clock, resumed_on__isnull=True).update(
            resumed_on=on, resumed_by=by
        )
        clock.paused_days += days.days
        clock.due_on += days
        clock.amber_on += days
        clock.paused_on = None
        clock.pause_reason = ""
        clock.save()
    return clock


# ------------------------------------------------------------------------------ the register


def can_restrict_review(user) -> bool:
    """Only the Business Unit restricts a review or names its panel (who may open it)."""
    return user.is_business_unit


def review_record_opening(*, request, review: Review) -> None:
    """Log an opening of a restricted review in the access log; unrestricted ones are not logged."""
    if review.is_restricted:
        access_log_record(request, review, Action.VIEW, label=review.reference)


def _panel_ids(members) -> set:
    return {getattr(member, "pk", member) for member in members}


def review_record_access_changes(review, *, by, request, restriction: bool, panel: bool) -> None:
    """Put a change of restriction or panel in the access log, with the new value."""
    if restriction:
        access_log_record(
            request,
            review,
            Action.RESTRICTION_CHANGED,
            label=review.reference,
            detail="restricted" if review.is_restricted else "not restricted",
            user=by,
        )
    if panel:
        names = sorted(member.get_username() for member in review.panel_members.all())
        access_log_record(
            request,
            review,
            Action.PANEL_CHANGED,
            label=review.reference,
            detail="panel: " + (", ".join(names) or "nobody"),
            user=by,
        )


def _change_reason(restriction: bool, panel: bool, review: Review) -> str | None:
    parts = []
    if restriction:
        parts.append("restricted" if review.is_restricted else "restriction lifted")
    if panel:
        parts.append("panel changed")
    return ("Business Unit: " + ", ".join(parts)) if parts else None


def _record_move(review, from_stage, to_stage, by, note="", on=None):
    change = ReviewStageChange(
        review=review,
        from_stage=from_stage,
        to_stage=to_stage,
        moved_by=by,
        note=note,
        happened_on=on or timezone.localdate(),
    )
    change.full_clean()
    change.save()
    return change


def _record_act(review, kind, on, by, summary=""):
    """Put a decision, telling the panel or a publication on the timeline with its own date."""
    act = ReviewAct(review=review, kind=kind, happened_on=on, recorded_by=by, summary=summary)
    act.full_clean()
    act.save()
    return act


def _stage_label(stage) -> str:
    return f"“{Review.Stage(stage).label}”"


def _move_into(review, stages) -> ReviewStageChange | None:
    """The first recorded move of ``review`` into one of ``stages``."""
    return review.stage_changes.filter(to_stage__in=stages).order_by("happened_on", "pk").first()


def _move_out_of(review, stage) -> ReviewStageChange | None:
    return review.stage_changes.filter(from_stage=stage).order_by("happened_on", "pk").first()


@transaction.atomic
def review_create(
    *,
    by,
    kind: str,
    title: str,
    subgroup,
    pseudonym: str = "",
    summary: str = "",
    is_restricted: bool = False,
    referred_on: datetime.date | None = None,
    incident_known_on: datetime.date | None = None,
    notified_on: datetime.date | None = None,
    panel_members: Iterable = (),
    source_review: Review | None = None,
    request=None,
    **extra,
) -> Review:
    """Open a review at the first stage of its kind, with a generated reference and its clocks.

    Only the Business Unit may restrict it or name its panel, except that a follow-on review
    (``source_review``) keeps its source's restriction and panel whoever records the decision.
    """
    referred_on = referred_on or timezone.localdate()
    panel_members = list(panel_members)
    inherited = source_review is not None and (
        is_restricted == source_review.is_restricted
        and _panel_ids(panel_members) == _panel_ids(source_review.panel_members.all())
    )
    if (is_restricted or panel_members) and not (inherited or can_restrict_review(by)):
        raise PermissionDenied("Only the Business Unit may restrict a review or name its panel.")
    review = Review(
        kind=kind,
        regime=regime_for(kind, referred_on),
        title=title,
        subgroup=subgroup,
        pseudonym=pseudonym,
        summary=summary,
        is_restricted=is_restricted,
        referred_on=referred_on,
        incident_known_on=incident_known_on,
        notified_on=notified_on,
        source_review=source_review,
        stage=lifecycle.first_stage(kind),
        **extra,
    )
    review.full_clean(exclude=["reference", "regime"])
    for _attempt in range(5):
        review.reference = review_next_reference(kind=kind, year=referred_on.year)
        try:
            with transaction.atomic():
                review.save()
            break
        except IntegrityError:
            # Someone took that number a moment ago: take the next one.
            continue
    else:
        raise IntegrityError("Could not give the review a unique reference.")
    if panel_members:
        review._change_reason = _change_reason(False, True, review)
        review.panel_members.set(panel_members)
        del review._change_reason
    review_record_access_changes(
        review, by=by, request=request, restriction=is_restricted, panel=bool(panel_members)
    )
    # The review was opened when it was referred, whenever that is recorded.
    _record_move(review, "", review.stage, by, note="Review opened.", on=referred_on)
    review_clocks_sync(review=review)
    return review


REGISTER_FIELDS = {
    "title",
    "pseudonym",
    "summary",
    "subgroup",
    "is_restricted",
    "referred_on",
    "incident_known_on",
    "notified_on",
}
METHOD_FIELDS = ("method", "method_rationale")
# Practitioners' and the family's involvement, in the order the form and the admin show them.
INVOLVEMENT_FIELDS = (
    "practitioners_invited_on",
    "practitioner_event_on",
    "practitioner_involvement",
    "family_invited_on",
    "family_response",
    "family_contribution",
    "family_expectations",
    "surviving_children",
)


@transaction.atomic
def review_update(
    *, review: Review, by, panel_members: Iterable | None = None, request=None, **fields
) -> Review:
    """Change the register, method or involvement details of a review.

    A change of restriction or panel is refused unless ``by`` is the Business Unit; one that is
    made goes in the review's history (with a reason) and in the access log.
    """
    unknown = set(fields) - {*REGISTER_FIELDS, *METHOD_FIELDS, *INVOLVEMENT_FIELDS}
    if unknown:
        raise ValueError(f"review_update cannot change {', '.join(sorted(unknown))}")
    # Compared with the stored values: a ModelForm has already set the new ones on ``review``.
    stored_restriction, stored_referral = Review.objects.values_list(
        "is_restricted", "referred_on"
    ).get(pk=review.pk)
    restriction = "is_restricted" in fields and fields["is_restricted"] != stored_restriction
    panel = False
    if panel_members is not None:
        panel_members = list(panel_members)
        panel = _panel_ids(panel_members) != _panel_ids(review.panel_members.all())
    if (restriction or panel) and not can_restrict_review(by):
        raise PermissionDenied("Only the Business Unit may restrict a review or change its panel.")
    for name, value in fields.items():
        setattr(review, name, value)
    review.full_clean()
    if review.referred_on != stored_referral:
        _check_referral_before_moves(review)
    review._change_reason = _change_reason(restriction, panel, review)
    review.save()
    if review.referred_on != stored_referral:
        # The review was opened when it was referred: its opening follows a corrected referral.
        for opening in review.stage_changes.filter(from_stage=""):
            opening.happened_on = review.referred_on
            opening.save(update_fields=["happened_on"])
    if panel:
        review.panel_members.set(panel_members)
    del review._change_reason
    review_record_access_changes(
        review, by=by, request=request, restriction=restriction, panel=panel
    )
    review_clocks_sync(review=review)
    return review


def _check_referral_before_moves(review: Review) -> None:
    """A corrected referral date cannot come after the first move the review made."""
    first = review.stage_changes.exclude(from_stage="").order_by("happened_on", "pk").first()
    if first:
        check_dates(
            referred_on=not_before(
                first.happened_on,
                review.referred_on,
                what=f"The move to {_stage_label(first.to_stage)}",
                than="the referral",
            )
        )


def _follow_on_kind(review: Review) -> str | None:
    if review.kind == K.RAPID_REVIEW and review.decision == Review.Decision.INITIATE:
        return K.LCSPR
    if review.decision == Review.Decision.NOT_INITIATE:
        return {
            Review.AlternativeRoute.LEARNING_REVIEW: K.LEARNING_REVIEW,
            Review.AlternativeRoute.DEEP_DIVE: K.DEEP_DIVE,
        }.get(review.alternative_route)
    return None


@transaction.atomic
def review_record_decision(
    *,
    review: Review,
    by,
    decision: str,
    decided_on: datetime.date | None,
    decision_reasons: str = "",
    alternative_route: str = "",
    national_panel_told_on: datetime.date | None = None,
    abuse_or_neglect: bool = False,
    child_died: bool = False,
    seriously_harmed: bool = False,
    concern_working_together: bool = False,
    died_in_custody: bool = False,
    suspected_suicide: bool = False,
) -> Review:
    """Record the criteria and the decision; open the follow-on review the decision calls for.

    The decision and telling the national panel go on the timeline with the day they happened.
    """
    if decision != Review.Decision.PENDING and not decision_reasons.strip():
        raise ValidationError({"decision_reasons": "Give the reasons for the decision."})
    # Compared with the stored values: a ModelForm has already set the new ones on ``review``.
    stored = Review.objects.values("decision", "decided_on", "national_panel_told_on").get(
        pk=review.pk
    )
    review.abuse_or_neglect = abuse_or_neglect
    review.child_died = child_died
    review.seriously_harmed = seriously_harmed
    review.concern_working_together = concern_working_together
    review.died_in_custody = died_in_custody
    review.suspected_suicide = suspected_suicide
    review.decision = decision
    review.decided_on = decided_on if decision != Review.Decision.PENDING else None
    review.decision_reasons = decision_reasons
    review.alternative_route = alternative_route if decision == Review.Decision.NOT_INITIATE else ""
    review.national_panel_told_on = national_panel_told_on
    review.full_clean()
    moved_on = _move_out_of(review, S.DECISION)
    if moved_on and review.decided_on:
        check_dates(
            decided_on=not_before(
                moved_on.happened_on,
                review.decided_on,
                what=f"The move to {_stage_label(moved_on.to_stage)}",
                than="the decision",
            )
        )
    review.save()
    if review.decided_on and (review.decision, review.decided_on) != (
        stored["decision"],
        stored["decided_on"],
    ):
        summary = review.get_decision_display()
        if review.alternative_route:
            summary += f": instead, {review.get_alternative_route_display().lower()}"
        _record_act(review, ReviewAct.Kind.DECISION, review.decided_on, by, summary)
    told = review.national_panel_told_on
    if told and told != stored["national_panel_told_on"]:
        _record_act(review, ReviewAct.Kind.PANEL_TOLD, told, by)
    review_clocks_sync(review=review)

    follow_on = _follow_on_kind(review)
    if follow_on and not review.follow_on_reviews.filter(kind=follow_on).exists():
        extra = {}
        if follow_on == K.LCSPR:
            # The rapid review's decision is the LCSPR's decision to initiate.
            extra = {
                "decision": Review.Decision.INITIATE,
                "decided_on": review.decided_on,
                "decision_reasons": f"Decided by rapid review {review.reference}: "
                + review.decision_reasons,
            }
        review_create(
            by=by,
            kind=follow_on,
            title=review.title,
            subgroup=review.subgroup,
            pseudonym=review.pseudonym,
            summary=review.summary,
            is_restricted=review.is_restricted,
            referred_on=review.decided_on,
            panel_members=list(review.panel_members.all()),
            source_review=review,
            **extra,
        )
    return review


@transaction.atomic
def review_appoint_reviewer(
    *,
    review: Review,
    by,
    lead_reviewer,
    independence_declared_on: datetime.date | None = None,
    independence_statement: str = "",
) -> Review:
    """Appoint the independent lead reviewer and record their independence declaration."""
    if independence_declared_on and not independence_statement.strip():
        raise ValidationError(
            {
                "independence_statement": "Record the reviewer's declaration that they are "
                "independent of the case and of the agencies reviewed."
            }
        )
    review.lead_reviewer = lead_reviewer
    review.independence_declared_on = independence_declared_on if lead_reviewer else None
    review.independence_statement = independence_statement if lead_reviewer else ""
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def review_record_publication(
    *,
    review: Review,
    by,
    published_on: datetime.date | None = None,
    published_where: str = "",
    board_response: str = "",
    not_published_reason: str = "",
) -> Review:
    """Publication and the Board's response, or the recorded reason for not publishing."""
    # Compared with the stored value: a ModelForm has already set the new one on ``review``.
    stored_on = Review.objects.values_list("published_on", flat=True).get(pk=review.pk)
    if published_on and not published_where.strip():
        raise ValidationError({"published_where": "Say where the report is published."})
    if published_on and not board_response.strip():
        raise ValidationError(
            {"board_response": "A published report carries the Board's written response."}
        )
    review.published_on = published_on
    review.published_where = published_where
    review.board_response = board_response
    review.not_published_reason = not_published_reason
    # The report stays on the website for at least 12 months (DESIGN.md clock table).
    review.publication_window_ends_on = add_months(published_on, 12) if published_on else None
    review.full_clean()
    moved_on = _move_into(review, [S.PUBLISHED])
    if moved_on and published_on:
        check_dates(
            published_on=not_before(
                moved_on.happened_on,
                published_on,
                what=f"The move to {_stage_label(S.PUBLISHED)}",
                than="the publication",
            )
        )
    review.save()
    if published_on and published_on != stored_on:
        _record_act(review, ReviewAct.Kind.PUBLICATION, published_on, by, published_where)
    review_clocks_sync(review=review)
    return review


# The move that completes a review: Board sign-off, or closing for the kinds the Board does not
# sign off (CDOP's review of a death, adopting national research).
_COMPLETES = {K.CHILD_DEATH: (S.CLOSED,), K.NATIONAL: (S.CLOSED,)}


@transaction.atomic
def review_move(
    *, review: Review, to_stage: str, by, note: str = "", on: datetime.date | None = None
) -> ReviewStageChange:
    """Move a review to another stage on the day it happened (today unless given), or refuse
    with the reason in plain words. Board sign-off completes the review on that day."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    refusal = lifecycle.move_refusal(review, to_stage)
    if refusal:
        raise ReviewMoveRefused(refusal)
    on = on or timezone.localdate()
    what = f"The move to {_stage_label(to_stage)}"
    last = review.stage_changes.order_by("-happened_on", "-pk").first()
    refusals = happened_after(
        on,
        last and last.happened_on,
        what=what,
        than=f"the move to {_stage_label(last.to_stage)}"
        if last and last.from_stage
        else "the referral",
    )
    if review.stage == S.DECISION:
        refusals.append(not_before(on, review.decided_on, what=what, than="the decision"))
    if to_stage == S.PUBLISHED:
        refusals.append(not_before(on, review.published_on, what=what, than="the publication"))
    from_stage = review.stage
    review.stage = to_stage
    update = ["stage", "updated_at"]
    if to_stage in _COMPLETES.get(review.kind, (S.BOARD_SIGNOFF,)) and not review.completed_on:
        review.completed_on = on
        update.append("completed_on")
    if to_stage == S.CLOSED:
        review.closed_on = on
        update.append("closed_on")
    in_order = event_order_errors(review)
    refusals += [message for name in update for message in in_order.get(name, [])]
    refusals = [message for message in refusals if message]
    if refusals:
        raise ReviewMoveRefused(refusals)
    review.save(update_fields=update)
    change = _record_move(review, from_stage, to_stage, by, note, on=on)
    review_clocks_sync(review=review)
    return change


@transaction.atomic
def review_related_save(*, review: Review, by, formset) -> None:
    """Save a validated formset of a review's agencies or parallel processes."""
    formset.instance = review
    formset.save()
