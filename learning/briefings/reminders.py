"""What briefings ask the daily reminder sweep to send (sscb.reminders: one digest per person,
each reminder planned once under a unique key): a newly published briefing to each agency's
lead, to cascade; and, from the day its confirmation is due, a chase of each agency that has
not confirmed, escalating to the owning sub-group's chair and then the Business Unit."""

from sscb.models import Reminder, SubGroup
from sscb.record_urls import url_for
from sscb.reminders import (
    BUSINESS_UNIT_OWNS,
    Candidate,
    Reach,
    agency_lead_ids,
    closed_for,
    closed_to,
    content_type_id,
    escalate,
    reminder_heading,
    reminder_mask,
    reminder_source,
)

from .models import Briefing, Cascade
from .selectors import cascades_visible_to

Kind = Reminder.Kind


def _unconfirmed(today, policy, field, offsets):
    return Cascade.objects.filter(
        policy.window(today, (field, offsets)),
        briefing__status=Briefing.Status.PUBLISHED,
        confirmed_at__isnull=True,
        # An archived agency no longer exists: there is nobody to cascade to.
        agency__is_active=True,
        **{f"{field}__lte": today},
    )


def _rows(cascades):
    return cascades.values_list(
        "pk",
        "uuid",
        "agency_id",
        "agency__name",
        "sent_on",
        "confirm_by",
        "briefing__title",
        "briefing__uuid",
        "briefing__subgroup__chair_id",
    ).order_by("pk")


def _url(cascade_uuid, briefing_uuid, *, to_lead: bool) -> str:
    """An agency lead confirms on their page; anyone else reads the briefing's cascade table."""
    if to_lead:
        return url_for("briefings:confirm", args=[cascade_uuid])
    return url_for("briefings:detail", args=[briefing_uuid]) + "#cascade"


def _title(briefing_title: str, agency: str) -> str:
    """One line per agency's cascade: the briefing, and whose staff it is to reach."""
    return f"{briefing_title} — cascade to {agency}"


@reminder_source
def briefings_to_cascade(today, policy):
    """A briefing published: its agency's leads (or, with none who can be emailed, the Business
    Unit) are sent it, each line naming the agency, due by the day its cascade is to be
    confirmed."""
    subject = content_type_id(Cascade)
    leads, reach = agency_lead_ids(), Reach.load()
    rows = _rows(_unconfirmed(today, policy, "sent_on", [0]))
    for pk, uuid, agency_id, agency, _, confirm_by, title, briefing, _ in rows.iterator(
        chunk_size=2000
    ):
        owners = leads.get(agency_id, [])
        to_lead = reach.reachable(owners)
        why = ""
        if owners and not to_lead:
            why = f" ({reach.why_not('its lead', owners)}: sent to the Business Unit instead)"
        url = _url(uuid, briefing, to_lead=bool(to_lead))
        for recipient in to_lead or reach.business_unit:
            yield Candidate(
                Kind.BRIEFING_TO_CASCADE,
                subject,
                pk,
                recipient,
                confirm_by,
                _title(title, agency) + why,
                url,
            )


@reminder_heading(Kind.BRIEFING_TO_CASCADE)
def cascade_heading(reader) -> str:
    """An agency's lead cascades to their own staff; the Business Unit cascades for an agency
    with no lead who can, to staff who are not its own."""
    if reader is not None and reader.is_agency_lead:
        return Kind.BRIEFING_TO_CASCADE.label
    return "Briefing to cascade on an agency's behalf"


@reminder_source
def cascades_not_confirmed(today, policy):
    """A cascade not confirmed by its date: the agency's leads, then the chair, then the BU. A
    chair who may not open the cascade (an agency's lead, another agency's) is passed over for
    the Business Unit."""
    subject = content_type_id(Cascade)
    leads, reach = agency_lead_ids(), Reach.load()
    # Chased from the day it is due (offset 0), as the rows read are those due by today: a
    # daily sweep would otherwise first see it the day after, unless it had changed.
    due = _unconfirmed(today, policy, "confirm_by", [0, *policy.overdue_offsets])
    chairs = SubGroup.objects.exclude(chair=None).values_list("chair_id", flat=True)
    closed = closed_to(set(chairs), due, cascades_visible_to)
    rows = _rows(due)
    for pk, uuid, agency_id, agency, _, due_on, title, briefing, chair_id in rows.iterator(
        chunk_size=2000
    ):
        owners = leads.get(agency_id, [])
        levels = policy.levels((today - due_on).days)
        for level, recipient, why in escalate(
            owners=owners,
            chair_id=chair_id,
            levels=levels,
            reach=reach,
            who="its lead",
            unowned=BUSINESS_UNIT_OWNS,
            closed=closed_for(closed, pk),
        ):
            to_lead = recipient in owners and level == Reminder.Level.OWNER
            url = _url(uuid, briefing, to_lead=to_lead)
            yield Candidate(
                Kind.CASCADE_NOT_CONFIRMED,
                subject,
                pk,
                recipient,
                due_on,
                _title(title, agency) + why,
                url,
                level,
            )


@reminder_mask(Kind.BRIEFING_TO_CASCADE, Kind.CASCADE_NOT_CONFIRMED)
def cascade_masks(user, cascade_ids) -> dict[int, str]:
    """Cascades ``user`` may not see (``cascades_visible_to``) are not named to them."""
    seen = set(cascades_visible_to(user).filter(pk__in=cascade_ids).values_list("pk", flat=True))
    return {pk: "A briefing cascade you may not open" for pk in cascade_ids if pk not in seen}
