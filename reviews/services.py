"""Every write to a review: creation, decision, people, publication, stage moves and clocks."""

import contextlib
import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from sscb.access_log import Action, access_log_record
from sscb.dates import check_dates, happened_after, not_before, not_future, say
from sscb.history import saying

from . import clocks, lifecycle
from .clock import add_months
from .models import (
    EVENT_NAMES,
    EVENT_ORDER,
    ChildDeathDetails,
    ClockPause,
    ParallelProcess,
    Review,
    ReviewAct,
    ReviewAgency,
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


class ReviewMoveRefused(ValidationError):
    """A stage move the lifecycle does not allow; the message says why in plain words."""


def review_next_reference(*, kind: str, year: int) -> str:
    """``<prefix>-<year>-<nnn>``: the next number for that kind and year."""
    prefix = f"{REFERENCE_PREFIX[kind]}-{year}-"
    taken = Review.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
    numbers = [int(ref.rsplit("-", 1)[1]) for ref in taken if ref.rsplit("-", 1)[1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


# ---------------------------------------------------------------------------- statutory clocks


def _pauses_by_clock(clocks_: list[ReviewClock]) -> dict[int, list[ClockPause]]:
    """Each stored clock's pauses, oldest first, in one query."""
    found = {clock.pk: [] for clock in clocks_ if clock.pk}
    for pause in ClockPause.objects.filter(clock__in=list(found)).order_by("paused_on", "pk"):
        found[pause.clock_id].append(pause)
    return found


def _clock_refresh(
    clock: ReviewClock, review: Review, rule: clocks.ClockRule, pauses=None
) -> ReviewClock:
    """Store what the one clock function says of ``clock``: start, due and amber dates, pauses.

    ``pauses`` are the clock's pauses when the caller has loaded them (see _pauses_by_clock)."""
    if not rule.pausable:
        # A deadline nothing suspends (a pause recorded before that was the rule stays in the
        # history, but does not move it).
        pauses = []
    elif pauses is None:
        pauses = _pauses_by_clock([clock]).get(clock.pk, [])
    met_on = rule.met(review)
    # A met clock is never paused: a pause still running when it was met ends that day.
    start, dates = rule.dates(
        review, [(pause.paused_on, pause.resumed_on or met_on) for pause in pauses]
    )
    running_pause = None
    if met_on is None:
        running_pause = next((pause for pause in pauses if pause.resumed_on is None), None)
    values = {
        "regime": rule.regime,
        "started_on": start,
        "due_on": dates.due_on,
        "amber_on": dates.amber_on,
        "paused_days": dates.moved_days,
        "met_on": met_on,
        # A paused clock is read as it stood the day it paused (DESIGN.md "Clock state").
        "paused_on": running_pause.paused_on if running_pause else None,
        "pause_reason": running_pause.reason if running_pause else "",
    }
    if clock.pk is None or any(getattr(clock, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(clock, name, value)
        clock.save()
    return clock


def _hold_reason(process: ParallelProcess) -> str:
    reason = f"Held by {process.get_kind_display()}"
    if process.description:
        reason += f": {process.description}"
    return reason[:300]


def _holds_sync(review: Review, kept: list[ReviewClock]) -> None:
    """Pause the clocks each parallel process holds, from its start to its end (issue 13 item 7).

    A process holds every pausable clock that was running when it started or started while it
    ran, until the process ended or the clock was met, whichever came first (a met clock is
    never paused); a clock met before the process started is not held, nor the notification and
    rapid review deadlines, which nothing suspends (``ClockRule.never_paused``). Pauses of
    processes that no longer hold (unticked, removed, dates changed) are taken away, so the
    clocks show what is true.
    """
    processes = [
        process
        for process in ParallelProcess.objects.filter(review=review, holds_clock=True)
        if process.started_on
    ]
    wanted = {}
    for clock in kept:
        rule = clocks.rule_of(clock)
        if rule is None or not rule.pausable:
            continue
        for process in processes:
            paused_on = max(process.started_on, clock.started_on)
            if process.ended_on and process.ended_on <= clock.started_on:
                continue
            if clock.met_on and clock.met_on <= paused_on:
                continue
            resumed_on = process.ended_on
            if clock.met_on and (resumed_on is None or resumed_on > clock.met_on):
                resumed_on = clock.met_on
            wanted[(clock.pk, process.pk)] = (paused_on, resumed_on, _hold_reason(process))
    held = ClockPause.objects.filter(clock__review=review, process__isnull=False)
    for pause in held:
        values = wanted.pop((pause.clock_id, pause.process_id), None)
        if values is None:
            pause.delete()
        elif (pause.paused_on, pause.resumed_on, pause.reason) != values:
            pause.paused_on, pause.resumed_on, pause.reason = values
            pause.save()
    for (clock_id, process_id), (paused_on, resumed_on, reason) in wanted.items():
        ClockPause.objects.create(
            clock_id=clock_id,
            process_id=process_id,
            paused_on=paused_on,
            resumed_on=resumed_on,
            reason=reason,
        )


def _clock_retire(clock: ReviewClock, pauses: list[ClockPause]) -> None:
    """Take away a clock that no longer applies (the decision that started it changed), or
    refuse in words when someone paused it by hand: those pauses are the record of why it
    stopped, and a clock started again would count without them. A parallel process's pauses
    follow the process and come back with the clock."""
    by_hand = [pause for pause in pauses if pause.process_id is None]
    if by_hand:
        first = by_hand[0]
        raise ValidationError(
            f"This change would stop the clock “{clock.get_kind_display()}”, which was paused "
            f"by hand on {say(first.paused_on)} ({first.reason}), and lose its pauses. Nothing "
            "was saved: the clock and its pauses stand while what started it stands."
        )
    clock.delete()


def review_clocks_sync(*, review: Review) -> list[ReviewClock]:
    """Create, move or retire the review's clocks so they match its dates, decision and holds."""
    existing = {clock.kind: clock for clock in ReviewClock.objects.filter(review=review)}
    pauses = _pauses_by_clock(list(existing.values()))
    kept = []
    for rule in clocks.rules_for(review):
        clock = existing.pop(rule.kind, None)
        if rule.dates(review) is None:
            if clock is not None:
                _clock_retire(clock, pauses.get(clock.pk, []))
            continue
        clock = clock or ReviewClock(review=review, kind=rule.kind)
        kept.append((_clock_refresh(clock, review, rule, pauses.get(clock.pk, [])), rule))
    for clock in existing.values():
        _clock_retire(clock, pauses.get(clock.pk, []))
    _holds_sync(review, [clock for clock, _rule in kept])
    # The holds may have added, moved or removed pauses: read them again, once for all clocks.
    pauses = _pauses_by_clock([clock for clock, _rule in kept])
    return [_clock_refresh(clock, review, rule, pauses[clock.pk]) for clock, rule in kept]


def _rule(clock: ReviewClock) -> clocks.ClockRule:
    rule = clocks.rule_of(clock)
    if rule is None:
        raise ValidationError("This clock no longer applies to the review; it cannot change.")
    return rule


def _refuse_if_review_closed(clock: ReviewClock) -> None:
    review = clock.review
    if not review.is_open:
        closed = f" on {review.closed_on:%-d %B %Y}" if review.closed_on else ""
        raise ValidationError(
            f"{review.reference} closed{closed}: its clocks no longer run, so there is nothing "
            "to pause or resume."
        )


def clock_pause(
    *, clock: ReviewClock, by, reason: str, on: datetime.date | None = None
) -> ReviewClock:
    """Stop a clock by hand; a parallel process recorded as holding the clock does this itself."""
    on = on or timezone.localdate()
    rule = _rule(clock)
    if not rule.pausable:
        raise ValidationError(rule.pause_refusal)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the clock is paused, e.g. a criminal trial."})
    if clock.met_on:
        raise ValidationError("This clock has been met; there is nothing to pause.")
    _refuse_if_review_closed(clock)
    if clock.paused_on:
        raise ValidationError(
            f"This clock is already paused (since {clock.paused_on:%d %b %Y}: "
            f"{clock.pause_reason})."
        )
    if on < clock.started_on:
        raise ValidationError({"on": "A clock cannot be paused before it started."})
    # Pauses come one after another: a new one starts no earlier than the last one ended.
    restarted = ClockPause.objects.filter(clock=clock).aggregate(last=Max("resumed_on"))["last"]
    what = "The day the clock was paused"
    check_dates(
        on=[
            not_future(on, what=what),
            not_before(on, restarted, what=what, than="the day it last restarted"),
        ]
    )
    pause = ClockPause(clock=clock, paused_on=on, reason=reason.strip(), paused_by=by)
    pause.full_clean()
    with transaction.atomic():
        pause.save()
        _clock_refresh(clock, clock.review, rule)
    return clock


def clock_resume(*, clock: ReviewClock, by, on: datetime.date | None = None) -> ReviewClock:
    """Restart a paused clock; it counts on in its own unit from the day it restarts."""
    on = on or timezone.localdate()
    rule = _rule(clock)
    if not clock.paused_on:
        raise ValidationError("This clock is not paused.")
    _refuse_if_review_closed(clock)
    running = list(
        ClockPause.objects.filter(clock=clock, resumed_on__isnull=True).select_related("process")
    )
    held = [pause.process for pause in running if pause.process_id]
    if held:
        raise ValidationError(
            f"This clock is held by a parallel process ({held[0]}). It restarts when you record "
            "the day that process ended, under Parallel processes."
        )
    what = "The day the clock restarted"
    check_dates(
        on=[
            not_future(on, what=what),
            not_before(on, clock.paused_on, what=what, than="the day it was paused"),
        ]
    )
    with transaction.atomic():
        for pause in running:
            pause.resumed_on, pause.resumed_by = on, by
        bulk_update_with_history(running, ClockPause, ["resumed_on", "resumed_by"], default_user=by)
        _clock_refresh(clock, clock.review, rule)
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


def review_record_act(review, kind, on, by, summary="", **minutes):
    """Put an act (a decision, telling the panel, a publication, closing or reopening the
    chronology) on the timeline with its own date."""
    act = ReviewAct(
        review=review, kind=kind, happened_on=on, recorded_by=by, summary=summary, **minutes
    )
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
        regime=clocks.regime_for(kind, referred_on),
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
    clocks.regime_check(review)
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
        with saying(review, _change_reason(False, True, review)):
            review.panel_members.set(panel_members)
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
    "regime_reason",
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
    stored_restriction, stored_referral, stored_notified = Review.objects.values_list(
        "is_restricted", "referred_on", "notified_on"
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
    if review.notified_on != stored_notified:
        unnotified = rapid_review_notification_refusal(review)
        if unnotified:
            raise ValidationError({"notified_on": notification_stays(review)})
    review.full_clean()
    if review.referred_on != stored_referral or "regime_reason" in fields:
        # The regime follows the referral date (reviews.clocks.REGIME_PERIODS).
        review.regime = clocks.regime_for(review.kind, review.referred_on)
        clocks.regime_check(review)
    if review.referred_on != stored_referral:
        _check_referral_before_moves(review)
    if panel:
        # Set before the save, which records the panel with the rest in one version: the
        # links' own versions would make one entry for those removed and one for those added.
        review.skip_history_when_saving = True
        try:
            review.panel_members.set(panel_members)
        finally:
            del review.skip_history_when_saving
    with saying(review, _change_reason(restriction, panel, review)):
        review.save()
    if review.referred_on != stored_referral:
        # The review was opened when it was referred: its opening follows a corrected referral.
        for opening in review.stage_changes.filter(from_stage=""):
            opening.happened_on = review.referred_on
            opening.save(update_fields=["happened_on"])
    review_record_access_changes(
        review, by=by, request=request, restriction=restriction, panel=panel
    )
    review_clocks_sync(review=review)
    return review


def _check_referral_before_moves(review: Review) -> None:
    """A corrected referral date cannot come after the first move the review made, nor after
    its terms of reference were agreed."""
    first = review.stage_changes.exclude(from_stage="").order_by("happened_on", "pk").first()
    agreed = (
        review.terms_versions.filter(agreed_on__isnull=False).order_by("agreed_on", "pk").first()
    )
    check_dates(
        referred_on=[
            first
            and not_before(
                first.happened_on,
                review.referred_on,
                what=f"The move to {_stage_label(first.to_stage)}",
                than="the referral",
            ),
            agreed
            and not_before(
                agreed.agreed_on,
                review.referred_on,
                what=f"Agreeing the terms of reference (version {agreed.version})",
                than="the referral",
            ),
        ]
    )


# The kinds of review a decision opens: a rapid review's LCSPR, an alternative route's review.
FOLLOW_ON_KINDS = (K.LCSPR, K.LEARNING_REVIEW, K.DEEP_DIVE)


def _follow_on_kind(review: Review) -> str | None:
    """The kind of review ``review``'s decision opens, if any."""
    if review.kind == K.RAPID_REVIEW and review.decision == Review.Decision.INITIATE:
        return K.LCSPR
    if review.decision == Review.Decision.NOT_INITIATE:
        return {
            Review.AlternativeRoute.LEARNING_REVIEW: K.LEARNING_REVIEW,
            Review.AlternativeRoute.DEEP_DIVE: K.DEEP_DIVE,
        }.get(review.alternative_route)
    return None


# The LCSPR's own words for where its decision came from: never the rapid review's reference,
# which a reader of the LCSPR may not be allowed to see (the page's "Arose from" links it,
# through the reader's visibility).
FROM_RAPID_REVIEW = "Decided by the rapid review it arose from"


def _lcspr_reasons(rapid_review: Review) -> str:
    return f"{FROM_RAPID_REVIEW}: {rapid_review.decision_reasons}"


def _moved_on(review: Review) -> bool:
    """Whether a review has made a move since it was opened."""
    return review.stage_changes.exclude(from_stage="").exists()


@contextlib.contextmanager
def _refused_on(follow_on: Review, field: str, why: str, fix: str):
    """A follow-on review's refusal of what its source's decision would change, said on the
    source's decision form: which review refuses, why it changes at all, and what to do."""
    try:
        yield
    except ValidationError as error:
        raise ValidationError(
            {
                field: [
                    f"This decision opened {follow_on.reference}, {why}, and "
                    f"{follow_on.reference} cannot follow: {message[:1].lower()}{message[1:]} "
                    f"{fix}"
                    for message in error.messages
                ]
            }
        ) from error


def _follow_on_correct(source: Review, follow_on: Review, old_day) -> None:
    """A corrected decision date or reasons reach the review the decision opened: it was
    referred on the day of the decision, so its referral (and its opening) move with it, when
    nothing on it comes earlier; an LCSPR's decision is its rapid review's (its six months count
    from the corrected day)."""
    new_day = source.decided_on
    before = (follow_on.referred_on, follow_on.decided_on, follow_on.decision_reasons)
    if new_day != old_day and (follow_on.referred_on == old_day or not _moved_on(follow_on)):
        follow_on.referred_on = new_day
    if follow_on.kind == K.LCSPR:
        follow_on.decided_on = new_day
        follow_on.decision_reasons = _lcspr_reasons(source)
    if (follow_on.referred_on, follow_on.decided_on, follow_on.decision_reasons) == before:
        return
    with _refused_on(
        follow_on,
        "decided_on",
        "which takes its referral date from it",
        f"Correct {follow_on.reference} first, or give another date.",
    ):
        follow_on.regime = clocks.regime_for(follow_on.kind, follow_on.referred_on)
        follow_on.full_clean()
        clocks.regime_check(follow_on)
        _check_referral_before_moves(follow_on)
        _decision_in_its_place(follow_on)
        follow_on.save()
        if follow_on.referred_on != before[0]:
            follow_on.stage_changes.filter(from_stage="").update(happened_on=follow_on.referred_on)
        review_clocks_sync(review=follow_on)


def _follow_on_withdraw(source: Review, follow_on: Review, by, decided: str) -> None:
    """A decision that no longer calls for the review it opened withdraws it (closed today,
    saying why, its clocks gone) while it is at its first stage with nothing in its plan, and is
    refused once it has moved on."""
    if _moved_on(follow_on) or lifecycle.open_actions(follow_on):
        where = (
            f"has moved on to {_stage_label(follow_on.stage)} since"
            if _moved_on(follow_on)
            else "has actions in its plan"
        )
        raise ValidationError(
            {
                "decision": f"This {source.get_kind_display().lower()}'s decision opened "
                f"{follow_on.reference}, which {where}. The decision can no longer change "
                f"here: record on {follow_on.reference} why it does not go ahead."
            }
        )
    today = timezone.localdate()
    if follow_on.kind == K.LCSPR:
        # Its decision was the rapid review's: it follows it.
        follow_on.decision = source.decision
        follow_on.decided_on = source.decided_on
        follow_on.alternative_route = source.alternative_route
        follow_on.decision_reasons = _lcspr_reasons(source)
    from_stage, follow_on.stage, follow_on.closed_on = follow_on.stage, S.CLOSED, today
    with _refused_on(
        follow_on,
        "decision",
        "which the changed decision withdraws",
        f"Correct {follow_on.reference} first.",
    ):
        follow_on.full_clean()
        follow_on.save()
        _record_move(
            follow_on,
            from_stage,
            S.CLOSED,
            by,
            note=f"Withdrawn: the {source.get_kind_display().lower()} it arose from changed its "
            f"decision to “{decided}”.",
            on=today,
        )
        review_clocks_sync(review=follow_on)


def _decision_reaches_follow_ons(review: Review, by, stored: dict) -> None:
    """One way for every review a decision opens (a rapid review's LCSPR, the learning review
    or deep-dive audit chosen instead of a review): the one the decision calls for is opened,
    or corrected with it; one it no longer calls for is withdrawn, or the change refused."""
    wanted = _follow_on_kind(review)
    standing = list(
        review.follow_on_reviews.filter(kind__in=FOLLOW_ON_KINDS)
        .exclude(stage=S.CLOSED)
        .order_by("pk")
    )
    decided = review.get_decision_display().lower()
    if review.decision == stored["decision"] and review.alternative_route:
        decided += f": instead, {review.get_alternative_route_display().lower()}"
    for follow_on in standing:
        if follow_on.kind == wanted:
            _follow_on_correct(review, follow_on, stored["decided_on"])
        else:
            _follow_on_withdraw(review, follow_on, by, decided)
    if wanted is None or any(follow_on.kind == wanted for follow_on in standing):
        return
    extra = {}
    if wanted == K.LCSPR:
        # The rapid review's decision is the LCSPR's decision to initiate.
        extra = {
            "decision": Review.Decision.INITIATE,
            "decided_on": review.decided_on,
            "decision_reasons": _lcspr_reasons(review),
        }
    follow_on = review_create(
        by=by,
        kind=wanted,
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
    _agencies_carried(review, follow_on)


def _agencies_carried(source: Review, follow_on: Review) -> None:
    """The follow-on involves the agencies its source did (their leads go on opening the case),
    still waiting for what was asked of them and has not come; what came stays the source's
    (its chronology and reports), and the follow-on asks afresh if it needs more."""
    for involved in source.agencies.order_by("pk"):
        waiting = {
            f"{document}_requested_on": getattr(involved, f"{document}_requested_on")
            for document in ("chronology", "report")
            if not getattr(involved, f"{document}_received_on")
        }
        ReviewAgency.objects.create(
            review=follow_on, agency_id=involved.agency_id, notes=involved.notes, **waiting
        )


def review_reach_decision(*, review: Review, by, on: datetime.date, note: str = "") -> Review:
    """Move a review waiting at its referral into its Decision stage on ``on``, when that is its
    next move: a meeting that decides a referral is its Decision stage. Otherwise it stays where
    it is, and recording the decision says why it cannot be recorded yet."""
    if review.stage != S.DECISION and S.DECISION in lifecycle.allowed_moves(
        review.kind, review.stage
    ):
        review_move(review=review, to_stage=S.DECISION, by=by, note=note, on=on)
        review.stage = S.DECISION
    return review


def decision_stands(review: Review) -> str:
    if not lifecycle.decides(review.kind):
        return f"A {review.get_kind_display().lower()} has no decision to initiate to record."
    return (
        f"{review.reference} is closed, so its decision stands as recorded. If the case is to be "
        "reviewed after all, open a new review from the register."
    )


def _outcome_refusal(review: Review, stored: dict, decision: str, route: str) -> str | None:
    """Why the decision's outcome cannot change: once the review has moved on from the stage it
    was decided at, what was decided (to initiate or not, and what instead) stands; its date,
    reasons and criteria may still be corrected. None when it may change."""
    if stored["decision"] == Review.Decision.PENDING or not lifecycle.decision_acted_on(review):
        return None
    route = route if decision == Review.Decision.NOT_INITIATE else ""
    if (decision, route) == (stored["decision"], stored["alternative_route"]):
        return None
    recorded = Review.Decision(stored["decision"]).label
    if stored["alternative_route"]:
        instead = Review.AlternativeRoute(stored["alternative_route"]).label.lower()
        recorded += f": instead, {instead}"
    return (
        f"{review.reference} has moved on from its decision (it is at "
        f"{_stage_label(review.stage)}), so the decision “{recorded}” stands: it cannot be "
        "emptied or reversed now. Its date, reasons and criteria may still be corrected."
    )


def _panel_told_act(review: Review, told, by) -> None:
    """The timeline's one entry for telling the national panel the SCR is not initiated: it
    follows the date (corrected, it moves; removed with a decision to initiate, it goes; the
    review's history keeps every version)."""
    ReviewAct.objects.filter(review=review, kind=ReviewAct.Kind.PANEL_TOLD).delete()
    if told:
        review_record_act(review, ReviewAct.Kind.PANEL_TOLD, told, by)


def notification_stays(review: Review) -> str:
    return (
        f"This rapid review was decided on {review.decided_on:%-d %B %Y}, after its serious "
        "incident notification: the notification's date stays recorded. Correct it rather "
        "than remove it."
    )


def rapid_review_notification_refusal(review: Review) -> str | None:
    """Why a rapid review's decision cannot stand without the serious incident notification
    (WT2018 and later: the Panel's rapid review follows a notification, and its 15 working
    days count from it); None when it can."""
    if (
        review.kind == K.RAPID_REVIEW
        and review.regime == Review.Regime.WT2018
        and review.decision != Review.Decision.PENDING
        and not review.notified_on
    ):
        return (
            "A rapid review is decided only after the serious incident notification has gone "
            "to the national Panel. Record the day it was sent under “The national Panel and "
            "Ofsted” (or in the register) on the review's page first: the rapid review's 15 "
            "working days count from that day."
        )
    return None


def _decision_in_its_place(review: Review) -> None:
    """The decision comes after the move into the stage it is taken at and before the move
    out of it (an LCSPR's, before it leaves scoping)."""
    if not review.decided_on:
        return
    path = lifecycle.stages_for(review.kind)
    decided_at = S.DECISION if S.DECISION in path else lifecycle.first_stage(review.kind)
    moved_in = _move_into(review, [S.DECISION]) if decided_at == S.DECISION else None
    moved_on = _move_out_of(review, decided_at)
    check_dates(
        decided_on=[
            moved_in
            and not_before(
                review.decided_on,
                moved_in.happened_on,
                what="The decision date",
                than=f"the move to {_stage_label(S.DECISION)}",
            ),
            moved_on
            and not_before(
                moved_on.happened_on,
                review.decided_on,
                what=f"The move to {_stage_label(moved_on.to_stage)}",
                than="the decision",
            ),
        ]
    )


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
    minutes_label: str = "",
    minutes_url: str = "",
) -> Review:
    """Record the criteria and the decision; open, correct or withdraw the follow-on review the
    decision calls for.

    Once the review has moved on from the stage it was decided at, the decision stands: it is
    corrected (its date, reasons, criteria), never emptied or reversed. The decision and telling
    the national panel go on the timeline with the day they happened; a decision taken at a
    meeting carries where (``minutes_label``) and its minutes' address.
    """
    if not lifecycle.decision_may_change(review):
        raise ValidationError(decision_stands(review))
    not_yet = lifecycle.decision_refusal(review)
    if not_yet:
        raise ValidationError({"decision": not_yet})
    if decision != Review.Decision.PENDING and not decision_reasons.strip():
        raise ValidationError({"decision_reasons": "Give the reasons for the decision."})
    # Compared with the stored values: a ModelForm has already set the new ones on ``review``.
    stored = Review.objects.values(
        "decision", "decided_on", "alternative_route", "national_panel_told_on"
    ).get(pk=review.pk)
    stands = _outcome_refusal(review, stored, decision, alternative_route)
    if stands:
        raise ValidationError({"decision": stands})
    review.abuse_or_neglect = abuse_or_neglect
    review.child_died = child_died
    review.seriously_harmed = seriously_harmed
    review.concern_working_together = concern_working_together
    review.died_in_custody = died_in_custody
    review.suspected_suicide = suspected_suicide
    review.decision = decision
    review.decided_on = decided_on if decision != Review.Decision.PENDING else None
    review.decision_reasons = decision_reasons
    not_initiated = decision == Review.Decision.NOT_INITIATE
    review.alternative_route = alternative_route if not_initiated else ""
    # The national panel is told only of an SCR not initiated.
    review.national_panel_told_on = national_panel_told_on if not_initiated else None
    unnotified = rapid_review_notification_refusal(review)
    if unnotified:
        raise ValidationError({"decision": unnotified})
    review.full_clean()
    _decision_in_its_place(review)
    review.save()
    if review.decided_on and (review.decision, review.decided_on) != (
        stored["decision"],
        stored["decided_on"],
    ):
        summary = review.get_decision_display()
        if review.alternative_route:
            summary += f": instead, {review.get_alternative_route_display().lower()}"
        review_record_act(
            review,
            ReviewAct.Kind.DECISION,
            review.decided_on,
            by,
            summary,
            minutes_label=minutes_label,
            minutes_url=minutes_url,
        )
    if review.national_panel_told_on != stored["national_panel_told_on"]:
        _panel_told_act(review, review.national_panel_told_on, by)
    review_clocks_sync(review=review)
    _decision_reaches_follow_ons(review, by, stored)
    return review


def no_reviewer(review: Review) -> str:
    """Why a kind of review without the "reviewer appointed" stage takes no lead reviewer."""
    return (
        f"A {review.get_kind_display().lower()} has no independent lead reviewer: its path has "
        f"no {_stage_label(S.REVIEWER_APPOINTED)} stage. Nothing was saved."
    )


@transaction.atomic
def review_appoint_reviewer(
    *,
    review: Review,
    by,
    lead_reviewer,
    independence_declared_on: datetime.date | None = None,
    independence_statement: str = "",
) -> Review:
    """Appoint the independent lead reviewer and record their independence declaration, on a
    kind of review that has one (appointing one gives them the review to open)."""
    if not lifecycle.has_reviewer(review.kind):
        raise ValidationError(no_reviewer(review))
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


def _completing_stage(review: Review) -> str:
    return _COMPLETES.get(review.kind, (S.BOARD_SIGNOFF,))[0]


def no_publication(review: Review) -> str:
    """Why a kind of review with no report of the Board's has no publication to record."""
    return (
        f"A {review.get_kind_display().lower()} has no report for the Board to sign off and "
        "publish, so there is no publication, written response or reason for not publishing to "
        "record. Nothing was saved."
    )


def no_final_report(review: Review) -> str:
    """Why a kind of review sends no final report to the Panel before publication."""
    return (
        f"A {review.get_kind_display().lower()} sends no final report to the national Panel "
        "and the Secretary of State before publication: there is nothing to plan. Nothing was "
        "saved."
    )


def _move_without_publication(review: Review) -> ReviewStageChange | None:
    """The move from Board sign-off to action plan monitoring without publication of a review
    whose report must be published (``lifecycle.MUST_PUBLISH``): made on the strength of the
    Board's reason for not publishing."""
    if review.kind not in lifecycle.MUST_PUBLISH:
        return None
    return (
        review.stage_changes.filter(from_stage=S.BOARD_SIGNOFF, to_stage=S.ACTION_PLAN)
        .order_by("happened_on", "pk")
        .first()
    )


def _publication_stands(review: Review, published_on, not_published_reason: str) -> dict:
    """Once the review has moved into Published, or out of Board sign-off without publication,
    what it moved on (the publication, or the reason for not publishing) stands: corrected,
    never emptied, and a publication never swapped for a reason (a report held back may be
    published later, on or after that move). Per field, why not; empty when it may change."""
    refusals = {}
    published = _move_into(review, [S.PUBLISHED])
    if published:
        moved = (
            f"{review.reference} moved to {_stage_label(S.PUBLISHED)} on "
            f"{say(published.happened_on)}"
        )
        if not published_on:
            refusals["published_on"] = (
                f"{moved}: its publication stays recorded. Correct its date, where it is "
                "published or the Board's written response rather than remove them."
            )
        if not_published_reason.strip():
            refusals["not_published_reason"] = (
                f"{moved}: its report was published, so it has no reason for not publishing."
            )
    without = _move_without_publication(review)
    if without:
        moved = (
            f"{review.reference} moved from {_stage_label(S.BOARD_SIGNOFF)} to "
            f"{_stage_label(S.ACTION_PLAN)} without publication on {say(without.happened_on)}, "
            "on the strength of the Board's reason for not publishing"
        )
        # A report held back (a criminal trial, say) may be published later: its publication
        # then takes the reason's place (the history keeps the reason), never dated before.
        if published_on and published_on < without.happened_on:
            refusals["published_on"] = (
                f"{moved}: a report held back is published after that day. Give the day it "
                "was published."
            )
        elif not published_on and not not_published_reason.strip():
            refusals["not_published_reason"] = (
                f"{moved}: the reason stays recorded. Correct it rather than remove it, or "
                "record the publication once the report has been published."
            )
    return refusals


def _publication_act(review: Review, published_on, published_where: str, by) -> None:
    """The timeline's one entry for the publication: it follows the date and place (corrected,
    it moves; removed, it goes; the review's history keeps every version)."""
    ReviewAct.objects.filter(review=review, kind=ReviewAct.Kind.PUBLICATION).delete()
    if published_on:
        review_record_act(review, ReviewAct.Kind.PUBLICATION, published_on, by, published_where)


def _publication_refusal(review: Review) -> str | None:
    """Why ``review``'s report cannot be recorded as published yet; None when it can.

    A report is published once the review is completed (its Board sign-off), and an LCSPR's
    final report goes to the Panel and the Secretary of State before it is published (a report
    sent late is recorded, and its clock says it was late)."""
    if not review.completed_on:
        return (
            "A report is published once the review is completed: move the review to "
            f"{_stage_label(_completing_stage(review))} first (that records the day it was "
            "completed), then record the publication."
        )
    if clocks.needs_final_report(review) and not review.final_report_sent_on:
        return (
            "Record the day the final report was sent to the national Panel and the Secretary "
            "of State first, under “Plan publication” in the Publication section of the "
            "review's page. It goes to them at least 7 working days before publication; a "
            "report sent later than that is recorded as sent late."
        )
    return None


def _not_publishing_refusal(review: Review) -> str | None:
    """Why the Board's decision not to publish cannot be recorded yet; None when it can.

    An LCSPR's full report still goes to the national Panel and the Secretary of State when the
    Board decides not to publish it (WT2018 ch. 4, WT2023 ch. 5): that day ends its clock to
    publication, so it is recorded first."""
    if clocks.needs_final_report(review) and not review.final_report_sent_on:
        return (
            "The full report still goes to the national Panel and the Secretary of State when "
            "the Board decides not to publish it. Record the day it was sent first, under “Plan "
            "publication” in the Publication section of the review's page: that day ends the "
            "six months to publication."
        )
    return None


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
    """Publication and the Board's response, or the recorded reason for not publishing, on a
    kind of review whose report the Board signs off (``lifecycle.publishes``). Once the review
    has moved on them (into Published, or to action plan monitoring without publication) they
    are corrected, never emptied nor swapped."""
    if not lifecycle.publishes(review.kind):
        raise ValidationError(no_publication(review))
    # Compared with the stored values: a ModelForm has already set the new ones on ``review``.
    stored_on, stored_where = Review.objects.values_list("published_on", "published_where").get(
        pk=review.pk
    )
    stands = _publication_stands(review, published_on, not_published_reason)
    if stands:
        raise ValidationError(stands)
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
    if published_on:
        not_yet = _publication_refusal(review)
        if not_yet:
            raise ValidationError({"published_on": not_yet})
    if review.not_published_reason.strip() and not published_on:
        not_yet = _not_publishing_refusal(review)
        if not_yet:
            raise ValidationError({"not_published_reason": not_yet})
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
    if (published_on, published_where) != (stored_on, stored_where):
        _publication_act(review, published_on, published_where, by)
    review_clocks_sync(review=review)
    return review


# The move that completes a review: Board sign-off, or closing for the kinds the Board does not
# sign off (CDOP's review of a death, adopting national research).
_COMPLETES = {K.CHILD_DEATH: (S.CLOSED,), K.NATIONAL: (S.CLOSED,)}


# Where on the review's page each act that a move's date may come after is recorded.
_RECORDED_UNDER = {
    "national_panel_told_on": "“Record the decision”",
    "final_report_sent_on": "“Plan publication” in the Publication section",
    "published_on": "“Record publication”",
}
_MOVE_SETS = {"completed_on": "completes the review", "closed_on": "closes the review"}


def _later_acts_refusals(review: Review, update: list[str], *, what: str, on) -> list[str]:
    """The acts already recorded that a date this move sets would come after (a publication
    recorded before the review was completed), each named with its date and where to correct
    it; the database would refuse them too, but without words."""
    refusals = []
    for field, _subject, name, after in EVENT_ORDER:
        day = getattr(review, field)
        if day is None or field in update:
            continue
        for earlier in after:
            if earlier in update and getattr(review, earlier) and getattr(review, earlier) > day:
                where = _RECORDED_UNDER.get(field)
                fix = (
                    f"Correct (or remove) the date of {name} under {where} on the review's "
                    "page, or give the day the move really happened."
                    if where
                    else "Give the day the move really happened."
                )
                refusals.append(
                    f"{what} ({say(on)}) {_MOVE_SETS.get(earlier, 'comes')} after {name} "
                    f"already recorded ({say(day)}), which cannot come before "
                    f"{EVENT_NAMES[earlier]}. {fix}"
                )
                break
    return refusals


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
    if lifecycle.before_decision(review.kind, to_stage):
        # A stage the decision follows (the rapid review itself) cannot come after it.
        refusals.append(
            not_before(
                review.decided_on,
                on,
                what="The decision",
                than=f"the move to {_stage_label(to_stage)}",
            )
        )
    if to_stage == S.PUBLISHED:
        refusals.append(not_before(on, review.published_on, what=what, than="the publication"))
    if review.stage == S.SCOPING:
        terms = lifecycle.latest_terms(review)
        refusals.append(
            not_before(
                on,
                terms and terms.agreed_on,
                what=what,
                than="the day the terms of reference were agreed",
            )
        )
    if review.kind == K.CHILD_DEATH and to_stage == S.CLOSED:
        # CDOP closes the review once its panel has reviewed the death, not before.
        details = ChildDeathDetails.objects.filter(review=review).select_related("meeting")
        details = details.first()
        refusals.append(
            not_before(
                on,
                details and details.meeting_id and details.meeting.held_on,
                what=what,
                than="the CDOP meeting that reviewed the death",
            )
        )
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
    refusals += _later_acts_refusals(review, update, what=what, on=on)
    refusals = [message for message in refusals if message]
    if refusals:
        raise ReviewMoveRefused(refusals)
    review.save(update_fields=update)
    change = _record_move(review, from_stage, to_stage, by, note, on=on)
    review_clocks_sync(review=review)
    return change


@transaction.atomic
def review_related_save(*, review: Review, by, formset) -> None:
    """Save a validated formset of a review's agencies or parallel processes.

    A parallel process that holds the clock pauses them from its start and restarts them at its
    end, so the clocks follow every change to the processes.
    """
    formset.instance = review
    if formset.model is ParallelProcess and not review.is_open and _holds_changed(formset):
        closed = f" on {say(review.closed_on)}" if review.closed_on else ""
        raise ValidationError(
            f"{review.reference} closed{closed}: its clocks no longer run, so no parallel "
            "process can start or stop holding them now, and the days each held them stay as "
            "recorded. Nothing was saved. Record the process without ticking “holds the "
            "review's clocks”; what it is and its description may still be changed."
        )
    formset.save()
    if formset.model is ParallelProcess:
        review_clocks_sync(review=review)


HOLD_FIELDS = ("holds_clock", "started_on", "ended_on")


def _holds_changed(formset) -> bool:
    """Whether a validated formset of parallel processes changes which hold the review's clocks
    or the days they hold them: one added or ticked to hold them, a holding one removed,
    unticked or given other dates."""
    removed = set(formset.deleted_forms)
    for form in formset.forms:
        stored = form.instance.pk and {name: form.initial.get(name) for name in HOLD_FIELDS}
        if form in removed:
            if stored and stored["holds_clock"]:
                return True
            continue
        if not form.has_changed():
            continue
        new = {name: form.cleaned_data.get(name) for name in HOLD_FIELDS}
        if (new["holds_clock"] or (stored and stored["holds_clock"])) and new != stored:
            return True
    return False


@transaction.atomic
def review_plan_final_report(
    *,
    review: Review,
    by,
    planned_publication_on: datetime.date | None,
    final_report_sent_on: datetime.date | None,
) -> Review:
    """The planned publication date (it sets the pre-publication clock) and when it was sent,
    for a kind of review that sends its final report before publication. Once the report is
    published, or the review moved on without publication, the day it was sent is corrected,
    never emptied."""
    if not clocks.plans_final_report(review.kind):
        raise ValidationError(no_final_report(review))
    # Compared with the stored value: a ModelForm has already set the new one on ``review``.
    stored_sent = Review.objects.values_list("final_report_sent_on", flat=True).get(pk=review.pk)
    errors = {}
    if final_report_sent_on and final_report_sent_on > timezone.localdate():
        errors["final_report_sent_on"] = "The report cannot have been sent on a day still to come."
    elif final_report_sent_on and not review.completed_on:
        errors["final_report_sent_on"] = (
            "The final report goes to the Panel once the review is completed: move the review "
            f"to {_stage_label(_completing_stage(review))} first, then record the day it was "
            "sent."
        )
    elif (
        stored_sent
        and not final_report_sent_on
        and review.published_on
        and clocks.needs_final_report(review)
    ):
        errors["final_report_sent_on"] = (
            f"The report is recorded as published on {review.published_on:%-d %B %Y}, after "
            "its final report went to the Panel and the Secretary of State: that day stays "
            "recorded. Correct it rather than remove it."
        )
    elif (
        stored_sent
        and not final_report_sent_on
        and review.not_published_reason
        and clocks.needs_final_report(review)
    ):
        errors["final_report_sent_on"] = (
            "The Board decided not to publish the report, and the day its full report went to "
            "the Panel and the Secretary of State ended the six months to publication: that "
            "day stays recorded. Correct it rather than remove it."
        )
    elif stored_sent and not final_report_sent_on and clocks.needs_final_report(review):
        moved = _move_into(review, [S.PUBLISHED]) or _move_without_publication(review)
        if moved:
            errors["final_report_sent_on"] = (
                f"{review.reference} moved to {_stage_label(moved.to_stage)} on "
                f"{say(moved.happened_on)}, after its final report went to the Panel and the "
                "Secretary of State: that day stays recorded. Correct it rather than remove it."
            )
    if planned_publication_on and review.decided_on and planned_publication_on < review.decided_on:
        errors["planned_publication_on"] = (
            f"The planned publication ({planned_publication_on:%-d %b %Y}) cannot be before the "
            f"decision to initiate the review ({review.decided_on:%-d %b %Y})."
        )
    if errors:
        raise ValidationError(errors)
    review.planned_publication_on = planned_publication_on
    review.final_report_sent_on = final_report_sent_on
    review.full_clean()
    review.save()
    review_clocks_sync(review=review)
    return review


def child_death_record(*, review: Review, by, **fields) -> ChildDeathDetails:
    """Record (or correct) what CDOP holds of a child's death, on its child death review."""
    if review.kind != Review.Kind.CHILD_DEATH:
        raise ValidationError("Only a child death review holds CDOP's record of a death.")
    details = ChildDeathDetails.objects.filter(review=review).first()
    details = details or ChildDeathDetails(review=review)
    for name, value in fields.items():
        setattr(details, name, value)
    details.full_clean()
    details.save()
    return details
