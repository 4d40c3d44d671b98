"""What the reminder sweep chases for audits: Section 11 / 175 returns newly opened, due soon
or overdue."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator

from sscb.models import Reminder, SubGroup
from sscb.reminders import (
    BUSINESS_UNIT_OWNS,
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

from .models import SelfAssessment
from .selectors import self_assessments_visible_to

Kind = Reminder.Kind


# A return sent back is told to its lead at the first sweep on the day it came back or the next
# (``returns_asked``); its other reminders wait until after that, so that it is listed once.
SENT_BACK_TOLD = datetime.timedelta(days=1)
# How much of what the agency is asked to change a line says: the rest is on the return.
REASON_SAID = 120


def chased_from(deadline: datetime.date, sent_back_on: datetime.date | None) -> datetime.date:
    """The day a return's reminders count from: its cycle's deadline or, for a return sent back
    to its agency after it, the day it was sent back. Its reminders then start again (new
    keys: the lead is reminded afresh, the chair and the Business Unit only after as many days
    as for any return), rather than escalating at once for the old deadline."""
    if sent_back_on is not None and sent_back_on > deadline:
        return sent_back_on
    return deadline


# What both return sources read of a return, in this order.
RETURN_COLUMNS = (
    "pk",
    "uuid",
    "agency_id",
    "agency__name",
    "cycle__title",
    "cycle__deadline",
    "sent_back_on",
)


@reminder_source
def returns(today, policy):
    """Returns not yet submitted as the cycle's deadline nears, then escalating once it passes.

    Reminders go to the agency's lead (the Business Unit completes returns for schools without
    one), then the QAP chair, then the Business Unit. A lead who cannot be emailed is passed
    over for the QAP chair, saying why; a QAP chair who may not open the return (an agency's
    lead, for another agency's) for the Business Unit. An archived agency's return is not
    chased. A return sent back to its agency is told to its lead that day (``returns_asked``),
    and chased from then (``chased_from``).
    """
    subject = content_type_id(SelfAssessment)
    leads, reach = agency_lead_ids(), Reach.load()
    qap_chair = _qap_chair_id()
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    due = SelfAssessment.objects.filter(
        policy.window(
            today,
            ("cycle__deadline", [-policy.due_soon_days, *policy.overdue_offsets]),
            ("sent_back_on", [SENT_BACK_TOLD.days + 1, *policy.overdue_offsets]),
        )
        # A cycle whose deadline moved: its returns are read again against the new one.
        | policy.changed("cycle__updated_at"),
        status__in=SelfAssessment.EDITABLE,
        cycle__deadline__lte=horizon,
        # An archived agency no longer exists: its return is not chased.
        agency__is_active=True,
    )
    closed = closed_to([qap_chair], due, self_assessments_visible_to)
    rows = due.values_list(*RETURN_COLUMNS).order_by("pk")
    for pk, uuid, agency_id, agency, cycle, deadline, sent_back_on in rows.iterator(
        chunk_size=2000
    ):
        if sent_back_on is not None and today <= sent_back_on + SENT_BACK_TOLD:
            continue  # its lead is being told it came back (returns_asked): one line for it
        due_on = chased_from(deadline, sent_back_on)
        overdue = (today - due_on).days
        kind = Kind.RETURN_OVERDUE if overdue > 0 else Kind.RETURN_DUE_SOON
        levels = policy.levels(overdue) if overdue > 0 else [Reminder.Level.OWNER]
        url = reverse("audits:return", args=[uuid])
        if due_on != deadline:
            agency = f"{agency}, sent back to the agency on {due_on:%-d %B %Y}, after its deadline"
        for level, recipient, why in escalate(
            owners=leads.get(agency_id, []),
            chair_id=qap_chair,
            levels=levels,
            reach=reach,
            who="its agency's lead",
            unowned=BUSINESS_UNIT_OWNS,
            closed=closed_for(closed, pk),
        ):
            yield Candidate(
                kind, subject, pk, recipient, due_on, f"{cycle}: {agency}{why}", url, level
            )


reminder_asked(Kind.RETURN_ASKED)


def _qap_chair_id() -> int | None:
    return (
        SubGroup.objects.filter(code=SubGroup.Code.QUALITY_ASSURANCE)
        .values_list("chair_id", flat=True)
        .first()
    )


@reminder_source
def returns_asked(today, policy):
    """A return newly opened for an agency, or sent back to it, told once to its leads (or,
    with none who can be emailed, the QAP chair, as a reminder would be). A newly opened one is
    not told when its deadline is already within the due-soon window, when its due-soon
    reminder is the first; a sent-back one is always told (its due-soon or overdue reminder
    may have gone before it was submitted). A school with no lead is not told: the Business
    Unit, which opened the cycle, completes its return."""
    subject = content_type_id(SelfAssessment)
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    items = SelfAssessment.objects.filter(
        Q(cycle__deadline__gt=horizon) | Q(sent_back_on__isnull=False),
        policy.asked(today),
        status__in=SelfAssessment.EDITABLE,
        agency__is_active=True,
    )
    # Asked of the agency again each day it is sent back to it.
    asked = asked_of(items, ("agency_id", "sent_back_on"), today)
    if not asked:
        return
    leads, reach, qap_chair = agency_lead_ids(), Reach.load(), _qap_chair_id()
    items = items.filter(pk__in=list(asked))
    closed = closed_to([qap_chair], items, self_assessments_visible_to)
    rows = items.values_list(*RETURN_COLUMNS, "sent_back_reason").order_by("pk")
    for pk, uuid, agency_id, agency, cycle, due_on, sent_back_on, reason in rows:
        if not leads.get(agency_id):
            continue
        url = reverse("audits:return", args=[uuid])
        due, asks = f"due {due_on:%-d %B %Y}", ""
        if sent_back_on is not None:
            due = (
                f"sent back to the agency on {sent_back_on:%-d %B %Y} to change and submit "
                f"again (deadline {due_on:%-d %B %Y})"
            )
            # Last, so that a long reason is what a line's length cuts, never who it is for.
            if reason:
                asks = f". What to change: {Truncator(' '.join(reason.split())).chars(REASON_SAID)}"
        for level, recipient, why in told_of(
            asked[pk],
            escalate(
                owners=leads[agency_id],
                chair_id=qap_chair,
                levels=[Reminder.Level.OWNER],
                reach=reach,
                who="its agency's lead",
                closed=closed_for(closed, pk),
            ),
        ):
            yield Candidate(
                Kind.RETURN_ASKED,
                subject,
                pk,
                recipient,
                asked[pk].on,
                f"{cycle}: {agency}, {due}{why}{asks}",
                url,
                level,
            )


@reminder_mask(Kind.RETURN_DUE_SOON, Kind.RETURN_OVERDUE, Kind.RETURN_ASKED)
def return_masks(user, return_ids) -> dict[int, str]:
    """Returns ``user`` may not open (``self_assessments_visible_to``) are not named to them."""
    seen = set(
        self_assessments_visible_to(user).filter(pk__in=return_ids).values_list("pk", flat=True)
    )
    return {pk: "A return you may not open" for pk in return_ids if pk not in seen}
