"""What the learning loop asks the reminder sweep to chase: actions, follow-ups and evidence."""

import datetime

from sscb.models import Reminder
from sscb.record_urls import url_for
from sscb.reminders import (
    Candidate,
    active_chair_ids,
    agency_lead_ids,
    business_unit_ids,
    chair_or_business_unit,
    content_type_id,
    escalate,
    reminder_mask,
    reminder_source,
)

from .models import Action, AssuranceEvidence, LearningOutcome
from .selectors import actions_visible_to, evidence_visible_to, outcomes_visible_to

Kind = Reminder.Kind
OWNER_ONLY = [Reminder.Level.OWNER]


@reminder_source
def actions(today, policy):
    """Open actions due soon or overdue (escalating), and signed-off actions due a follow-up."""
    subject = content_type_id(Action)
    leads, business_unit = agency_lead_ids(), business_unit_ids()
    active_chairs = active_chair_ids()
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    rows = (
        Action.objects.exclude(status__in=[*Action.DONE, Action.Status.CANCELLED])
        .filter(due_on__lte=horizon)
        .filter(policy.window(today, ("due_on", [-policy.due_soon_days, *policy.overdue_offsets])))
        .values_list(
            "pk", "uuid", "title", "due_on", "owner_id", "owner_agency_id", "subgroup__chair_id"
        )
        .order_by("pk")
    )
    for pk, uuid, title, due_on, owner_id, agency_id, chair_id in rows.iterator(chunk_size=2000):
        overdue = (today - due_on).days
        kind = Kind.ACTION_OVERDUE if overdue > 0 else Kind.ACTION_DUE_SOON
        levels = policy.levels(overdue) if overdue > 0 else OWNER_ONLY
        owners = [owner_id] if owner_id else leads.get(agency_id, [])
        url = url_for("learning:action", args=[uuid])
        for level, recipient, why in escalate(
            owners=owners,
            chair_id=chair_id,
            business_unit=business_unit,
            levels=levels,
            active_chairs=active_chairs,
        ):
            yield Candidate(kind, subject, pk, recipient, due_on, title + why, url, level)

    follow_ups = (
        Action.objects.filter(
            status=Action.Status.SIGNED_OFF, follow_up_on__lte=today, followed_up_on__isnull=True
        )
        .filter(policy.window(today, ("follow_up_on", [0])))
        .values_list(
            "pk", "uuid", "title", "follow_up_on", "subgroup__chair_id", "signed_off_by_id"
        )
        .order_by("pk")
    )
    for pk, uuid, title, due_on, chair_id, signed_off_by in follow_ups.iterator(chunk_size=2000):
        url = url_for("learning:action", args=[uuid])
        for recipient in {chair_id or signed_off_by}:
            yield Candidate(Kind.ACTION_FOLLOW_UP, subject, pk, recipient, due_on, title, url)


@reminder_source
def outcomes(today, policy):
    """Learning outcomes whose follow-up date has come: is the change lasting?"""
    subject = content_type_id(LearningOutcome)
    business_unit, active_chairs = business_unit_ids(), active_chair_ids()
    rows = LearningOutcome.objects.filter(
        policy.window(today, ("follow_up_on", [0])), follow_up_on__lte=today
    ).values_list("pk", "uuid", "title", "follow_up_on", "theme__subgroup__chair_id")
    for pk, uuid, title, due_on, chair_id in rows.iterator(chunk_size=2000):
        url = url_for("learning:outcome", args=[uuid])
        recipients, why = chair_or_business_unit(chair_id, active_chairs, business_unit)
        for recipient in recipients:
            yield Candidate(
                Kind.OUTCOME_FOLLOW_UP, subject, pk, recipient, due_on, title + why, url
            )


@reminder_source
def evidence(today, policy):
    """Evidence requested from an agency and not received, as its due date nears and passes."""
    subject = content_type_id(AssuranceEvidence)
    leads, business_unit = agency_lead_ids(), business_unit_ids()
    active_chairs = active_chair_ids()
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    rows = AssuranceEvidence.objects.filter(
        policy.window(today, ("due_on", [-policy.due_soon_days, *policy.overdue_offsets])),
        requested_on__isnull=False,
        received_on__isnull=True,
        due_on__lte=horizon,
    ).values_list(
        "pk", "uuid", "title", "due_on", "agency_id", "outcome__theme__subgroup__chair_id"
    )
    for pk, uuid, title, due_on, agency_id, chair_id in rows.iterator(chunk_size=2000):
        overdue = (today - due_on).days
        kind = Kind.EVIDENCE_OVERDUE if overdue > 0 else Kind.EVIDENCE_DUE_SOON
        levels = policy.levels(overdue) if overdue > 0 else OWNER_ONLY
        owners = (
            leads.get(agency_id, [])
            or chair_or_business_unit(chair_id, active_chairs, business_unit)[0]
        )
        url = url_for("learning:evidence", args=[uuid])
        for level, recipient, why in escalate(
            owners=owners,
            chair_id=chair_id,
            business_unit=business_unit,
            levels=levels,
            active_chairs=active_chairs,
        ):
            yield Candidate(kind, subject, pk, recipient, due_on, title + why, url, level)


def _not_seen(visible, ids, title) -> dict[int, str]:
    seen = set(visible.filter(pk__in=ids).values_list("pk", flat=True))
    return {pk: title for pk in ids if pk not in seen}


@reminder_mask(Kind.ACTION_DUE_SOON, Kind.ACTION_OVERDUE, Kind.ACTION_FOLLOW_UP)
def action_masks(user, action_ids) -> dict[int, str]:
    """Actions ``user`` may not open (``actions_visible_to``) are not named to them."""
    return _not_seen(actions_visible_to(user), action_ids, "An action you may not open")


@reminder_mask(Kind.OUTCOME_FOLLOW_UP)
def outcome_masks(user, outcome_ids) -> dict[int, str]:
    return _not_seen(outcomes_visible_to(user), outcome_ids, "A learning outcome you may not open")


@reminder_mask(Kind.EVIDENCE_DUE_SOON, Kind.EVIDENCE_OVERDUE)
def evidence_masks(user, evidence_ids) -> dict[int, str]:
    return _not_seen(evidence_visible_to(user), evidence_ids, "Evidence you may not open")
