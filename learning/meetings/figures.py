"""Meeting figures for a financial year: attendance by agency and by body, decisions made, and
actions arising with their state. Boards are asked for the attendance rate; each figure links to
the meetings or actions it counts. A fixed number of queries whatever the number of rows."""

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from learning.dashboard.figure import Figure, percent
from learning.models import Action
from learning.selectors import actions_visible_to
from sscb.dates import (
    financial_year_bounds,
    financial_year_choices,
    financial_year_label,
    financial_year_of,
)
from sscb.lists import plural

from .models import AgendaItem, Attendance, Meeting, attended_condition
from .selectors import meetings_visible_to

# Meetings that have happened: their attendance and decisions count.
HAPPENED = (Meeting.Status.HELD, Meeting.Status.MINUTES_CIRCULATED, Meeting.Status.MINUTES_APPROVED)


def as_year(text: str) -> int | None:
    """A financial year offered by the year filter, or None."""
    years = {str(value) for value, _label in financial_year_choices()}
    return int(text) if text in years else None


def meetings_in_year(user, year: int):
    return _held_in_year(meetings_visible_to(user), year)


def _held_in_year(meetings, year: int):
    start, end = financial_year_bounds(year)
    return meetings.filter(held_on__range=(start, end), status__in=HAPPENED)


def _attendance_recorded() -> Q:
    """A meeting with its attendance recorded: only those count in an attendance rate."""
    return Q(Exists(Attendance.objects.filter(meeting=OuterRef("pk"))))


def list_link(year: int, **filters) -> str:
    return reverse("meetings:list") + "?" + urlencode({**filters, "year": year})


def for_year(user, year: int | None) -> dict:
    today = timezone.localdate()
    year = year or financial_year_of(today)
    meetings = meetings_in_year(user, year)
    rows = Attendance.objects.filter(meeting__in=meetings.values("pk"))
    counts = {"expected": Count("pk"), "attended": Count("pk", filter=attended_condition())}
    by_agency = [
        row
        | {
            "rate": percent(row["attended"], row["expected"]),
            "url": list_link(year, agency=row["agency_id"]) if row["agency_id"] else "",
        }
        for row in rows.values("agency_id", "agency__name")
        .annotate(**counts)
        .order_by("agency__name")
    ]
    by_body = {
        row["meeting__body_id"]: row | {"rate": percent(row["attended"], row["expected"])}
        for row in rows.values("meeting__body_id").annotate(**counts).order_by()
    }
    bodies = []
    for row in (
        meetings.values("body_id", "body__name")
        .annotate(
            meetings=Count("pk", distinct=True),
            recorded=Count("pk", filter=_attendance_recorded(), distinct=True),
            decisions=Count("items", filter=Q(items__decided_on__isnull=False), distinct=True),
        )
        .order_by("body__name")
    ):
        attendance = by_body.get(row["body_id"], {})
        bodies.append(
            row
            | {
                "rate": attendance.get("rate"),
                "expected": attendance.get("expected", 0),
                "url": list_link(year, body=row["body_id"]),
            }
        )
    arising = (
        actions_visible_to(user)
        .filter(arising_from__meeting__in=meetings.values("pk"))
        .distinct()
        .with_rag(today)
        .select_related("review", "audit", "owner_agency")
        .order_by("due_on", "pk")
    )
    actions = list(arising)
    return {
        "year": year,
        "year_label": financial_year_label(year),
        "years": financial_year_choices(),
        "by_agency": by_agency,
        "bodies": bodies,
        "decisions": AgendaItem.objects.filter(
            meeting__in=meetings.values("pk"), decided_on__isnull=False
        ).count(),
        "actions": actions,
        "action_states": {
            rag.label: sum(1 for a in actions if a.rag_state == rag) for rag in Action.Rag
        },
        "done": sum(1 for a in actions if a.status in Action.DONE),
    }


def summary(user, year: int, body=None) -> dict:
    """The dashboard's meeting figures for ``year`` (of one body, if given), each a link to the
    meetings or the figures behind it, and how many meetings held are of bodies the reader does
    not sit on (counted, never shown): four queries."""
    meetings = meetings_in_year(user, year)
    every = _held_in_year(Meeting.objects.all(), year)
    if body is not None:
        meetings, every = meetings.filter(body=body), every.filter(body=body)
    held = meetings.aggregate(
        meetings=Count("pk", distinct=True),
        recorded=Count("pk", filter=_attendance_recorded(), distinct=True),
        decisions=Count("items", filter=Q(items__decided_on__isnull=False), distinct=True),
    )
    attendance = Attendance.objects.filter(meeting__in=meetings.values("pk")).aggregate(
        expected=Count("pk"), attended=Count("pk", filter=attended_condition())
    )
    arising = actions_visible_to(user).filter(arising_from__meeting__in=meetings.values("pk"))
    actions = Action.objects.filter(pk__in=arising.values("pk")).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(status__in=Action.DONE))
    )
    details = reverse("meetings:figures") + "?" + urlencode({"year": year})
    listed = list_link(year, **({"body": body.pk} if body is not None else {}))
    return {
        "held": Figure(held["meetings"], listed),
        "not_counted": every.count() - held["meetings"],
        # The rate is over the meetings whose attendance was recorded, and says over how many.
        "attendance": percent(attendance["attended"], attendance["expected"]),
        "attendance_over": f"over {held['recorded']} of {plural(held['meetings'], 'meeting')} "
        "(attendance recorded)",
        "attendance_url": details,
        "decisions": Figure(held["decisions"], details + "#decisions"),
        "actions": Figure(actions["total"], details + "#actions"),
        "actions_open": Figure(actions["total"] - actions["done"], details + "#actions"),
    }
