"""What audits put on a person's home page."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import Truncator

from sscb.attention import Attention, attention_provider
from sscb.lists import plural
from sscb.record_urls import url_for

from . import selectors
from .models import SelfAssessment

# How much of what a return sent back asks a home page's line says.
REASON_SHOWN = 200


@attention_provider
def open_returns_for_agency(user):
    """An agency lead's returns still to submit, with their deadlines: one query."""
    if not (user.is_agency_lead and user.agency_id):
        return []
    today = timezone.localdate()
    items = []
    returns = SelfAssessment.objects.filter(
        agency_id=user.agency_id, status__in=SelfAssessment.EDITABLE
    ).select_related("cycle")
    for item in returns.order_by("cycle__deadline"):
        late = item.deadline < today
        days = (item.deadline - today).days
        due = "overdue" if late else f"due in {plural(days, 'day')}" if days else "due today"
        detail = f"Deadline {item.deadline:%-d %b %Y}. Status: {item.get_status_display().lower()}."
        title = f"{item.cycle.title}: your return is {due}"
        if item.sent_back_reason:
            title = f"{item.cycle.title}: your return was sent back to change and submit ({due})"
            # What was asked, in short: the return's page says it in full.
            asked = Truncator(" ".join(item.sent_back_reason.split())).chars(REASON_SHOWN)
            asked += "" if asked.endswith((".", "!", "?", "…")) else "."
            detail = f"Sent back on {item.sent_back_on:%-d %b %Y}. What to change: {asked} {detail}"
        items.append(
            Attention(
                title=title,
                detail=detail,
                url=url_for("audits:return-edit", args=[item.uuid]),
                level="danger" if late else "warning" if days <= 14 else "info",
            )
        )
    return items


@attention_provider
def returns_for_quality_assurance(user):
    """For QAP and the Business Unit: returns awaiting moderation and overdue returns."""
    if not selectors.can_moderate(user):
        return []
    today = timezone.localdate()
    cycles = (
        SelfAssessment.objects.values("cycle__uuid", "cycle__title")
        .annotate(
            awaiting=Count("pk", filter=Q(status=SelfAssessment.Status.SUBMITTED)),
            overdue=Count("pk", filter=selectors.late_returns(today)),
        )
        .filter(Q(awaiting__gt=0) | Q(overdue__gt=0))
        .order_by("cycle__deadline", "cycle__title")
    )
    items = []
    for cycle in cycles:
        url = url_for("audits:cycle", args=[cycle["cycle__uuid"]])
        if cycle["awaiting"]:
            items.append(
                Attention(
                    title=f"{cycle['cycle__title']}: "
                    f"{plural(cycle['awaiting'], 'return')} awaiting moderation",
                    detail="Agree a moderated score for each standard after the challenge event.",
                    url=f"{url}?status={SelfAssessment.Status.SUBMITTED}",
                    level="warning",
                )
            )
        if cycle["overdue"]:
            items.append(
                Attention(
                    title=f"{cycle['cycle__title']}: {plural(cycle['overdue'], 'return')} overdue",
                    detail="These agencies or schools have passed their deadline without "
                    "submitting: the cycle's page marks them late.",
                    url=f"{url}?status={selectors.LATE}",
                    level="danger",
                )
            )
    return items
