"""What the learning loop asks the reminder sweep to chase: actions, follow-ups and evidence,
and to tell: an action newly given to someone, evidence newly requested of an agency."""

import datetime

from django.db.models import Q

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
    can be emailed, on to its sub-group's chair, then the Business Unit, saying why. A chair
    who may not open an action (a restricted review's) is passed over for the Business Unit.
    Actions of an archived agency are not chased.
    """
    subject = content_type_id(Action)
    leads, reach = agency_lead_ids(), Reach.load()
    chairs = _chair_ids()
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    open_actions = (
        Action.objects.exclude(status__in=[*Action.DONE, Action.Status.CANCELLED])
        .filter(due_on__lte=horizon, owner_agency__is_active=True)
        .filter(policy.window(today, ("due_on", [-policy.due_soon_days, *policy.overdue_offsets])))
    )
    closed = closed_to(chairs, open_actions, actions_visible_to)
    rows = open_actions.values_list(
        "pk", "uuid", "title", "due_on", "owner_id", "owner_agency_id", "subgroup__chair_id"
    ).order_by("pk")
    for pk, uuid, title, due_on, owner_id, agency_id, chair_id in rows.iterator(chunk_size=2000):
        overdue = (today - due_on).days
        kind = Kind.ACTION_OVERDUE if overdue > 0 else Kind.ACTION_DUE_SOON
        levels = policy.levels(overdue) if overdue > 0 else OWNER_ONLY
        url = url_for("learning:action", args=[uuid])
        for level, recipient, why in escalate(
            **_owner_step(owner_id, leads.get(agency_id, [])),
            chair_id=chair_id,
            levels=levels,
            reach=reach,
            closed=closed_for(closed, pk),
        ):
            yield Candidate(kind, subject, pk, recipient, due_on, title + why, url, level)

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
    closed = closed_to(_chair_ids(), items, actions_visible_to)
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
    """Learning outcomes whose follow-up date has come: is the change lasting?"""
    subject = content_type_id(LearningOutcome)
    reach = Reach.load()
    rows = LearningOutcome.objects.filter(
        policy.window(today, ("follow_up_on", [0])), follow_up_on__lte=today
    ).values_list("pk", "uuid", "title", "follow_up_on", "theme__subgroup__chair_id")
    for pk, uuid, title, due_on, chair_id in rows.iterator(chunk_size=2000):
        url = url_for("learning:outcome", args=[uuid])
        recipients, why = reach.chair_or_business_unit(chair_id)
        for recipient in recipients:
            yield Candidate(
                Kind.OUTCOME_FOLLOW_UP, subject, pk, recipient, due_on, title + why, url
            )


@reminder_source
def evidence(today, policy):
    """Evidence requested from an agency and not received, as its due date nears and passes:
    its agency's leads, or, with none who can be emailed, the chair, then the Business Unit.
    Evidence asked of an archived agency is not chased."""
    subject = content_type_id(AssuranceEvidence)
    leads, reach = agency_lead_ids(), Reach.load()
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    rows = (
        AssuranceEvidence.objects.filter(
            policy.window(today, ("due_on", [-policy.due_soon_days, *policy.overdue_offsets])),
            requested_on__isnull=False,
            received_on__isnull=True,
            due_on__lte=horizon,
        )
        .exclude(agency__is_active=False)
        .values_list(
            "pk", "uuid", "title", "due_on", "agency_id", "outcome__theme__subgroup__chair_id"
        )
    )
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
    leads, reach = agency_lead_ids(), Reach.load()
    rows = (
        items.filter(pk__in=list(asked))
        .values_list(
            "pk", "uuid", "title", "due_on", "agency_id", "outcome__theme__subgroup__chair_id"
        )
        .order_by("pk")
    )
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
