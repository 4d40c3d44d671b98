"""What the learning loop asks the reminder sweep to chase: actions, follow-ups and evidence,
and to tell: an action newly given to someone, evidence newly requested of an agency."""

import datetime

from django.db.models import Q
from django.utils import timezone

from sscb.models import Reminder, SubGroup
from sscb.record_urls import url_for
from sscb.reminders import (
    Candidate,
    Reach,
    agency_lead_ids,
    asked_of,
    closed_for,
    closed_to,
    content_type_id,
    escalate,
    reminder_asked,
    reminder_mask,
    reminder_source,
    told_of,
)

from .models import Action, AssuranceEvidence, LearningOutcome
from .selectors import actions_visible_to, evidence_visible_to, outcomes_visible_to

Kind = Reminder.Kind
OWNER_ONLY = [Reminder.Level.OWNER]


def _chair_ids() -> set[int]:
    return set(SubGroup.objects.exclude(chair=None).values_list("chair_id", flat=True))


def _closed_to_chairs_and_owners(actions, chairs) -> dict[int, set[int]]:
    """Which of ``actions`` (a queryset) each chair, and each owner named on them, may not open
    (``closed_to``): an owner who has since moved agency or role is passed over, as a chair is.
    Each owner is asked only about their own actions: one query a chair, two an owner."""
    closed = closed_to(chairs, actions, actions_visible_to)
    owners = set(
        actions.exclude(owner=None).values_list("owner_id", flat=True).distinct().order_by()
    )
    for owner in sorted(owners - set(chairs)):
        closed |= closed_to([owner], actions.filter(owner_id=owner), actions_visible_to)
    return closed


# What an action back in progress says, by the step it came back from.
SENT_BACK = "sent back"
REOPENED = "reopened"


def _rounds(actions) -> dict[int, tuple[datetime.date, str]]:
    """Of ``actions`` (a queryset), those back in progress after their completion was sent back
    or their change was found not to have lasted: {pk: (the day, ``SENT_BACK`` or
    ``REOPENED``)}. Only those two steps give an action in progress a reason to show its owner
    (``sent_back_reason``; reporting completion clears it), and the day is in its history: the
    first version of its latest run in progress with a reason."""
    versions = (
        Action.history.filter(id__in=actions.exclude(sent_back_reason="").values("pk"))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_date", "status", "sent_back_reason")
    )
    rounds, last = {}, {}  # last: pk -> (in a round, status) of its latest version so far
    for pk, when, status, reason in versions.iterator(chunk_size=2000):
        again = bool(reason) and status in Action.OPEN
        was_again, was = last.get(pk, (False, None))
        if again and not was_again:
            rounds[pk] = (
                timezone.localdate(when),
                REOPENED if was == Action.Status.SIGNED_OFF else SENT_BACK,
            )
        last[pk] = (again, status)
    return {pk: held for pk, held in rounds.items() if last[pk][0]}


def _rounds_window(policy) -> Q:
    """Actions in a new round that may reach a level today though neither their due date nor
    an edit since the last sweep says so (a round's day is in their history, not a field):
    those changed since the last level of a round begun before the last sweep could be due."""
    first_day = policy.since - datetime.timedelta(days=max(policy.overdue_offsets) - 1)
    start = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
    return ~Q(sent_back_reason="") & Q(updated_at__gte=start)


def _owner_step(owner_id, agency_leads) -> dict:
    """``escalate``'s owner step for an action: its owner, or, with none named, its agency's
    leads; with neither, it says so."""
    return {
        "owners": [owner_id] if owner_id else agency_leads,
        "who": "its owner" if owner_id else "its agency's lead",
        "missing": "no owner named, and its agency has no lead",
    }


@reminder_source
def actions(today, policy):
    """Open actions due soon or overdue (escalating), and signed-off actions due a follow-up.

    An action goes to its owner, or, with none named, its agency's leads; with nobody there who
    can be emailed and may open it, on to its sub-group's chair, then the Business Unit, saying
    why. A chair who may not open an action (a restricted review's) is passed over for the
    Business Unit. Actions of an archived agency are not chased. An action sent back, or
    reopened because its change did not last, is chased again from its owner: from the day it
    came back, if its due date had passed by then (``_rounds``).
    """
    subject = content_type_id(Action)
    leads, reach = agency_lead_ids(), Reach.load()
    chairs = _chair_ids()
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    window = policy.window(today, ("due_on", [-policy.due_soon_days, *policy.overdue_offsets]))
    if policy.since is not None:
        window |= _rounds_window(policy)
    open_actions = (
        Action.objects.exclude(status__in=[*Action.DONE, Action.Status.CANCELLED])
        .filter(due_on__lte=horizon, owner_agency__is_active=True)
        .filter(window)
    )
    closed = _closed_to_chairs_and_owners(open_actions, chairs)
    rounds = _rounds(open_actions)
    rows = open_actions.values_list(
        "pk", "uuid", "title", "due_on", "owner_id", "owner_agency_id", "subgroup__chair_id"
    ).order_by("pk")
    for pk, uuid, title, due_on, owner_id, agency_id, chair_id in rows.iterator(chunk_size=2000):
        overdue = (today - due_on).days
        round_on, how = rounds.get(pk, (None, ""))
        if round_on is not None and round_on > today:
            round_on = None  # a sweep for an earlier day, before it came back
        if round_on is not None:
            title = f"{title}, {how} on {round_on:%-d %B %Y}"
        # Escalating counts from its due date or, back after it, from the day it came back.
        chased = (today - max(due_on, round_on)).days if round_on else overdue
        kind = Kind.ACTION_OVERDUE if overdue > 0 else Kind.ACTION_DUE_SOON
        levels = policy.levels(chased) if overdue > 0 else OWNER_ONLY
        url = url_for("learning:action", args=[uuid])
        for level, recipient, why in escalate(
            **_owner_step(owner_id, leads.get(agency_id, [])),
            chair_id=chair_id,
            levels=levels,
            reach=reach,
            closed=closed_for(closed, pk),
        ):
            yield Candidate(
                kind, subject, pk, recipient, due_on, title + why, url, level, round_on=round_on
            )

    signed_off = Action.objects.filter(
        status=Action.Status.SIGNED_OFF,
        follow_up_on__lte=today,
        followed_up_on__isnull=True,
        owner_agency__is_active=True,
    ).filter(policy.window(today, ("follow_up_on", [0])))
    closed = closed_to(chairs, signed_off, actions_visible_to)
    follow_ups = signed_off.values_list(
        "pk", "uuid", "title", "follow_up_on", "subgroup__chair_id", "signed_off_by_id"
    ).order_by("pk")
    for pk, uuid, title, due_on, chair_id, signed_off_by in follow_ups.iterator(chunk_size=2000):
        url = url_for("learning:action", args=[uuid])
        # Its sub-group's chair asks whether the change lasted (or, with no chair, whoever
        # signed it off); with neither to be emailed, the Business Unit.
        if chair_id:
            recipients, why = reach.chair_or_business_unit(chair_id, closed_for(closed, pk))
        elif reach.reachable([signed_off_by]):
            recipients, why = [signed_off_by], ""
        else:
            signer = signed_off_by and reach.why_not("its signer", [signed_off_by])
            recipients, why = reach.chair_or_business_unit(None, after=signer or "")
        for recipient in recipients:
            yield Candidate(Kind.ACTION_FOLLOW_UP, subject, pk, recipient, due_on, title + why, url)


reminder_asked(Kind.ACTION_ASKED, Kind.EVIDENCE_ASKED)


def _action_holder(owner_id, agency_id):
    """Whom an action is asked of: its owner, or, with none named, its agency (its leads)."""
    return (owner_id, None) if owner_id else (None, agency_id)


@reminder_source
def actions_asked(today, policy):
    """Open actions newly given to their owner (or, with none named, to their agency's leads),
    told once, with the same fallback as a reminder. One already due within the due-soon
    window is not: its due-soon (or overdue) reminder, in the same digest, is its first."""
    subject = content_type_id(Action)
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    items = Action.objects.exclude(status__in=[*Action.DONE, Action.Status.CANCELLED]).filter(
        policy.asked(today), due_on__gt=horizon, owner_agency__is_active=True
    )
    asked = asked_of(items, ("owner_id", "owner_agency_id"), today, _action_holder)
    if not asked:
        return
    items = items.filter(pk__in=list(asked))
    leads, reach = agency_lead_ids(), Reach.load()
    closed = _closed_to_chairs_and_owners(items, _chair_ids())
    rows = items.values_list(
        "pk", "uuid", "title", "due_on", "owner_id", "owner_agency_id", "subgroup__chair_id"
    ).order_by("pk")
    for pk, uuid, title, due_on, owner_id, agency_id, chair_id in rows:
        url = url_for("learning:action", args=[uuid])
        for level, recipient, why in told_of(
            asked[pk],
            escalate(
                **_owner_step(owner_id, leads.get(agency_id, [])),
                chair_id=chair_id,
                levels=OWNER_ONLY,
                reach=reach,
                closed=closed_for(closed, pk),
            ),
        ):
            yield Candidate(
                Kind.ACTION_ASKED,
                subject,
                pk,
                recipient,
                asked[pk].on,
                f"Action: {title}, due {due_on:%-d %B %Y}{why}",
                url,
                level,
            )


@reminder_source
def outcomes(today, policy):
    """Learning outcomes whose follow-up date has come: is the change lasting? To the chair, or
    the Business Unit if the chair cannot be emailed or may not open it. One the Executive did
    not agree has no change to follow up."""
    subject = content_type_id(LearningOutcome)
    reach = Reach.load()
    due = LearningOutcome.objects.filter(
        policy.window(today, ("follow_up_on", [0])), follow_up_on__lte=today
    ).exclude(decision=LearningOutcome.Decision.NOT_AGREED)
    closed = closed_to(_chair_ids(), due, outcomes_visible_to)
    rows = due.values_list("pk", "uuid", "title", "follow_up_on", "theme__subgroup__chair_id")
    for pk, uuid, title, due_on, chair_id in rows.order_by("pk").iterator(chunk_size=2000):
        url = url_for("learning:outcome", args=[uuid])
        recipients, why = reach.chair_or_business_unit(chair_id, closed_for(closed, pk))
        for recipient in recipients:
            yield Candidate(
                Kind.OUTCOME_FOLLOW_UP, subject, pk, recipient, due_on, title + why, url
            )


@reminder_source
def evidence(today, policy):
    """Evidence requested from an agency and not received, as its due date nears and passes:
    its agency's leads, or, with none who can be emailed, the chair, then the Business Unit.
    Evidence asked of an archived agency is not chased. A chair who may not open it is passed
    over for the Business Unit."""
    subject = content_type_id(AssuranceEvidence)
    leads, reach = agency_lead_ids(), Reach.load()
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    due = AssuranceEvidence.objects.filter(
        policy.window(today, ("due_on", [-policy.due_soon_days, *policy.overdue_offsets])),
        requested_on__isnull=False,
        received_on__isnull=True,
        due_on__lte=horizon,
    ).exclude(agency__is_active=False)
    closed = closed_to(_chair_ids(), due, evidence_visible_to)
    rows = due.values_list(
        "pk", "uuid", "title", "due_on", "agency_id", "outcome__theme__subgroup__chair_id"
    ).order_by("pk")
    for pk, uuid, title, due_on, agency_id, chair_id in rows.iterator(chunk_size=2000):
        overdue = (today - due_on).days
        kind = Kind.EVIDENCE_OVERDUE if overdue > 0 else Kind.EVIDENCE_DUE_SOON
        levels = policy.levels(overdue) if overdue > 0 else OWNER_ONLY
        url = url_for("learning:evidence", args=[uuid])
        for level, recipient, why in escalate(
            owners=leads.get(agency_id, []),
            chair_id=chair_id,
            levels=levels,
            reach=reach,
            who="its agency's lead",
            missing="its agency has no lead" if agency_id else "no agency named",
            closed=closed_for(closed, pk),
        ):
            yield Candidate(kind, subject, pk, recipient, due_on, title + why, url, level)


@reminder_source
def evidence_asked(today, policy):
    """Evidence newly requested of an agency, told once to its leads (with the same fallback as
    a reminder), whether or not it has a due date; but not when it is already due within the
    due-soon window, whose reminder is then its first."""
    subject = content_type_id(AssuranceEvidence)
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    items = (
        AssuranceEvidence.objects.filter(
            policy.asked(today), requested_on__isnull=False, received_on__isnull=True
        )
        .filter(Q(due_on__isnull=True) | Q(due_on__gt=horizon))
        .exclude(agency__is_active=False)
    )
    asked = asked_of(
        items,
        ("agency_id", "requested_on"),
        today,
        lambda agency_id, requested_on: (agency_id, requested_on is not None),
    )
    if not asked:
        return
    items = items.filter(pk__in=list(asked))
    leads, reach = agency_lead_ids(), Reach.load()
    closed = closed_to(_chair_ids(), items, evidence_visible_to)
    rows = items.values_list(
        "pk", "uuid", "title", "due_on", "agency_id", "outcome__theme__subgroup__chair_id"
    ).order_by("pk")
    for pk, uuid, title, due_on, agency_id, chair_id in rows:
        due = f", due {due_on:%-d %B %Y}" if due_on else ""
        url = url_for("learning:evidence", args=[uuid])
        for level, recipient, why in told_of(
            asked[pk],
            escalate(
                owners=leads.get(agency_id, []),
                chair_id=chair_id,
                levels=OWNER_ONLY,
                reach=reach,
                who="its agency's lead",
                missing="its agency has no lead" if agency_id else "no agency named",
                closed=closed_for(closed, pk),
            ),
        ):
            yield Candidate(
                Kind.EVIDENCE_ASKED,
                subject,
                pk,
                recipient,
                asked[pk].on,
                f"Evidence: {title}{due}{why}",
                url,
                level,
            )


def _not_seen(visible, ids, title) -> dict[int, str]:
    seen = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
    return {pk: title for pk in ids if pk not in seen}


@reminder_mask(Kind.ACTION_DUE_SOON, Kind.ACTION_OVERDUE, Kind.ACTION_FOLLOW_UP, Kind.ACTION_ASKED)
def action_masks(user, action_ids) -> dict[int, str]:
    """Actions ``user`` may not open (``actions_visible_to``) are not named to them."""
    return _not_seen(actions_visible_to(user), action_ids, "An action you may not open")


@reminder_mask(Kind.OUTCOME_FOLLOW_UP)
def outcome_masks(user, outcome_ids) -> dict[int, str]:
    return _not_seen(outcomes_visible_to(user), outcome_ids, "A learning outcome you may not open")


@reminder_mask(Kind.EVIDENCE_DUE_SOON, Kind.EVIDENCE_OVERDUE, Kind.EVIDENCE_ASKED)
def evidence_masks(user, evidence_ids) -> dict[int, str]:
    return _not_seen(evidence_visible_to(user), evidence_ids, "Evidence you may not open")
