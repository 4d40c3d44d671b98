"""What the reminder sweep chases for audits: Section 11 / 175 returns due soon or overdue."""

import datetime

from django.urls import reverse

from sscb.models import Reminder, SubGroup
from sscb.reminders import (
    Candidate,
    active_user_ids,
    agency_lead_ids,
    business_unit_ids,
    content_type_id,
    escalate,
    reminder_mask,
    reminder_source,
)

from .models import SelfAssessment
from .selectors import self_assessments_visible_to

Kind = Reminder.Kind


@reminder_source
def returns(today, policy):
    """Returns not yet submitted as the cycle's deadline nears, then escalating once it passes.

    Reminders go to the agency's lead (the Business Unit completes returns for schools without
    one), then the QAP chair, then the Business Unit.
    """
    subject = content_type_id(SelfAssessment)
    leads, business_unit = agency_lead_ids(), business_unit_ids()
    qap_chair = (
        SubGroup.objects.filter(code=SubGroup.Code.QUALITY_ASSURANCE)
        .values_list("chair_id", flat=True)
        .first()
    )
    active_chairs = active_user_ids([qap_chair])
    horizon = today + datetime.timedelta(days=policy.due_soon_days)
    rows = (
        SelfAssessment.objects.filter(
            policy.window(
                today, ("cycle__deadline", [-policy.due_soon_days, *policy.overdue_offsets])
            )
            # A cycle whose deadline moved: its returns are read again against the new one.
            | policy.changed("cycle__updated_at"),
            status__in=SelfAssessment.EDITABLE,
            cycle__deadline__lte=horizon,
        )
        .values_list("pk", "uuid", "agency_id", "agency__name", "cycle__title", "cycle__deadline")
        .order_by("pk")
    )
    for pk, uuid, agency_id, agency, cycle, due_on in rows.iterator(chunk_size=2000):
        overdue = (today - due_on).days
        kind = Kind.RETURN_OVERDUE if overdue > 0 else Kind.RETURN_DUE_SOON
        levels = policy.levels(overdue) if overdue > 0 else [Reminder.Level.OWNER]
        url = reverse("audits:return", args=[uuid])
        for level, recipient, why in escalate(
            owners=leads.get(agency_id) or business_unit,
            chair_id=qap_chair,
            business_unit=business_unit,
            levels=levels,
            active_chairs=active_chairs,
        ):
            yield Candidate(
                kind, subject, pk, recipient, due_on, f"{cycle}: {agency}{why}", url, level
            )


@reminder_mask(Kind.RETURN_DUE_SOON, Kind.RETURN_OVERDUE)
def return_masks(user, return_ids) -> dict[int, str]:
    """Returns ``user`` may not open (``self_assessments_visible_to``) are not named to them."""
    seen = set(
        self_assessments_visible_to(user).filter(pk__in=return_ids).values_list("pk", flat=True)
    )
    return {pk: "A return you may not open" for pk in return_ids if pk not in seen}
