"""What the reminder sweep chases for the performance framework: quarterly values not returned
as the return deadline nears, then escalating once it passes (owning agency's lead, then the
QAP chair, then the Business Unit). One reminder per indicator, quarter, level and person, so a
re-run sweep sends nothing twice; a value returned drops the indicator from the candidates."""

import datetime

from django.db.models import F
from django.urls import reverse

from sscb.models import Reminder, SubGroup
from sscb.reminders import (
    BUSINESS_UNIT_OWNS,
    Candidate,
    Reach,
    agency_lead_ids,
    closed_for,
    closed_to,
    content_type_id,
    escalate,
    reminder_mask,
    reminder_source,
)

from .models import Indicator, IndicatorValue, quarter_index, quarter_label
from .selectors import indicators_visible_to, last_ended_quarter, quarters_due

Kind = Reminder.Kind


@reminder_source
def performance_returns(today, policy):
    """Active indicators whose value for a recent quarter is not in, due within the notice
    period or overdue. Reads a handful of rows (the framework's indicators), so it reads them
    all each day rather than a window: nothing falls due unseen."""
    indicators = list(
        # An archived agency no longer exists: its indicators are not chased.
        Indicator.objects.filter(
            is_active=True, indicator_set__is_active=True, agency__is_active=True
        )
        .select_related("indicator_set", "agency")
        .order_by("pk")
    )
    if not indicators:
        return
    subject = content_type_id(Indicator)
    leads, reach = agency_lead_ids(), Reach.load()
    qap_chair = (
        SubGroup.objects.filter(code=SubGroup.Code.QUALITY_ASSURANCE)
        .values_list("chair_id", flat=True)
        .first()
    )
    returned = set(
        IndicatorValue.objects.alias(index=F("year") * 4 + F("quarter") - 1)
        .filter(index__gte=quarter_index(*last_ended_quarter(today)) - 3)
        .values_list("indicator_id", "year", "quarter")
    )
    # A QAP chair who may not open an indicator (an agency's lead, another agency's) is passed
    # over for the Business Unit.
    closed = closed_to(
        [qap_chair],
        Indicator.objects.filter(pk__in=[i.pk for i in indicators]),
        indicators_visible_to,
    )
    notice = datetime.timedelta(days=policy.due_soon_days)
    for indicator in indicators:
        url = reverse("performance:indicator", args=[indicator.uuid])
        for year, quarter in quarters_due(indicator, today):
            due_on = indicator.indicator_set.return_due_on(year, quarter)
            if (indicator.pk, year, quarter) in returned or due_on - notice > today:
                continue
            overdue = (today - due_on).days
            kind = Kind.PERFORMANCE_OVERDUE if overdue > 0 else Kind.PERFORMANCE_DUE_SOON
            levels = policy.levels(overdue) if overdue > 0 else [Reminder.Level.OWNER]
            title = f"{indicator.name} ({indicator.agency.label}): {quarter_label(year, quarter)}"
            for level, recipient, why in escalate(
                owners=leads.get(indicator.agency_id, []),
                chair_id=qap_chair,
                levels=levels,
                reach=reach,
                who="its agency's lead",
                unowned=BUSINESS_UNIT_OWNS,
                closed=closed_for(closed, indicator.pk),
            ):
                yield Candidate(
                    kind,
                    subject,
                    indicator.pk,
                    recipient,
                    due_on,
                    title + why,
                    url,
                    level,
                )


@reminder_mask(Kind.PERFORMANCE_DUE_SOON, Kind.PERFORMANCE_OVERDUE)
def indicator_masks(user, indicator_ids) -> dict[int, str]:
    """Indicators ``user`` may not open (``indicators_visible_to``) are not named to them."""
    seen = set(
        indicators_visible_to(user).filter(pk__in=indicator_ids).values_list("pk", flat=True)
    )
    return {pk: "An indicator you may not open" for pk in indicator_ids if pk not in seen}
