"""Reads of meetings, always scoped to who may see them.

A meeting is seen by the Business Unit and by the members and chair of the body that meets;
it is run (agenda, papers, minutes, decisions) by the Business Unit and the body's chair. An item
naming a record the reader may not open (a review, or an action on a review's plan, an audit, a
return, an outcome, a theme, evidence) reads as "Restricted item": each record's own selector
decides.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from audits.models import StandardAssessment
from audits.selectors import audits_visible_to, self_assessments_visible_to
from learning.selectors import (
    actions_visible_to,
    evidence_visible_to,
    outcomes_visible_to,
    themes_visible_to,
)
from reviews.lifecycle import decision_may_change
from reviews.selectors import reviews_visible_to
from sscb.access import subgroup_ids
from sscb.history import Part, history_of
from sscb.models import SubGroup, SubGroupMembership

from .models import AgendaItem, Attendance, Meeting, Paper


def meetings_visible_to(user):
    meetings = Meeting.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return meetings.none()
    if user.is_business_unit:
        return meetings
    return meetings.filter(body_id__in=subgroup_ids(user))


def _actions_open_to(user):
    """The actions ``user`` may open, of a plan whose review (if any) they may open too: an
    action's reference carries its review's, so an action on a restricted review names it."""
    return actions_visible_to(user).filter(
        Q(review__isnull=True) | Q(review__in=reviews_visible_to(user).values("pk"))
    )


# Each record an item may name, with the one rule for who may open it (its own selector).
RECORD_RULES = {
    "review": reviews_visible_to,
    "audit": audits_visible_to,
    "self_assessment": self_assessments_visible_to,
    "outcome": outcomes_visible_to,
    "theme": themes_visible_to,
    "action": _actions_open_to,
    "evidence": evidence_visible_to,
    "minutes_of": meetings_visible_to,
}


def records_open_condition(user) -> Q:
    """Rows (agenda items, or their history) naming only records ``user`` may open: every record
    an item names is asked of that record's own rule. Read by ``_id`` so the item's history
    rows answer to it too."""
    condition = Q()
    for field, visible_to in RECORD_RULES.items():
        condition &= Q(**{f"{field}_id__isnull": True}) | Q(
            **{f"{field}_id__in": visible_to(user).values("pk")}
        )
    return condition


def items_open_to(user):
    """The agenda items ``user`` may open: of a meeting they see, naming no record they may not
    open (which their meeting's page shows as "Restricted item")."""
    return AgendaItem.objects.filter(
        records_open_condition(user), meeting__in=meetings_visible_to(user).values("pk")
    )


def items_closed_to(user):
    """The agenda items ``user`` may not open: what a reminder to them must not name."""
    return AgendaItem.objects.exclude(pk__in=items_open_to(user).values("pk"))


def _names_a_record(item: AgendaItem) -> bool:
    return any(getattr(item, f"{field}_id") for field in RECORD_RULES)


def presenters_among(people, item: AgendaItem):
    """Of ``people`` (a queryset of users), those who may present ``item``: for an item naming a
    record, only those who may open it (each asked of its own rule: the rule has one home, and a
    body's members are few)."""
    if not _names_a_record(item):
        return people
    readers = [person.pk for person in people if may_present(person, item)]
    return people.filter(pk__in=readers)


def may_present(user, item: AgendaItem) -> bool:
    """Whether ``user`` may present ``item`` (saved or not): an active account that sees its
    meeting and may open every record the item names. A presenter who may not open the item
    could neither read nor send its papers, and their reminder would name it."""
    if not user.is_active:
        return False
    if not meetings_visible_to(user).filter(pk=item.meeting_id).exists():
        return False
    return all(
        visible_to(user).filter(pk=getattr(item, f"{field}_id")).exists()
        for field, visible_to in RECORD_RULES.items()
        if getattr(item, f"{field}_id")
    )


def can_run_meeting(user, meeting: Meeting) -> bool:
    """The Business Unit prepares and minutes every meeting; a body's chair may too."""
    return user.is_business_unit or meeting.body.chair_id == user.pk


def bodies_run_by(user):
    """The bodies ``user`` may schedule meetings for."""
    if user.is_business_unit:
        return SubGroup.objects.all()
    return SubGroup.objects.filter(chair=user)


def get_meeting_for_user(user, uuid, write=False) -> Meeting:
    """404 for a meeting that does not exist or is not the user's to see; 403 to run one they
    only see."""
    try:
        meeting = (
            meetings_visible_to(user).select_related("body", "minutes_approved_at").get(uuid=uuid)
        )
    except (Meeting.DoesNotExist, ValueError) as error:
        raise Http404("No such meeting") from error
    if write and not can_run_meeting(user, meeting):
        raise PermissionDenied
    return meeting


def get_item_for_user(user, meeting: Meeting, item_uuid) -> AgendaItem:
    """An item of ``meeting``; 404 if it is another meeting's or names a record the user may not
    open (a restricted item is not acted on by someone who may not read it)."""
    item = (
        items_open_to(user)
        .filter(meeting=meeting, uuid=item_uuid)
        .select_related(
            "review", "outcome__theme", "theme", "audit", "self_assessment", "action", "minutes_of"
        )
        .first()
    )
    if item is None:
        raise Http404("No such item")
    return item


def get_paper_for_user(user, uuid) -> Paper:
    """A paper still in its item's papers, of an item the user may open; 404 otherwise."""
    paper = (
        Paper.objects.filter(uuid=uuid, withdrawn_at__isnull=True)
        .filter(item__in=items_open_to(user).values("pk"))
        .select_related("item__meeting__body", "item__review")
        .first()
    )
    if paper is None:
        raise Http404("No such paper")
    return paper


def get_item_paper(item: AgendaItem, uuid) -> Paper:
    """A paper of ``item`` (read by one who may open the item) not yet withdrawn; 404 otherwise."""
    paper = item.papers.filter(uuid=uuid, withdrawn_at__isnull=True).first()
    if paper is None:
        raise Http404("No such paper")
    return paper


def meeting_list(user):
    """The meetings ``user`` may see, with their body and how many items each has (filtered by
    ``filters.MeetingFilter``)."""
    return (
        meetings_visible_to(user)
        .select_related("body")
        .annotate(item_count=Count("items"))
        .order_by("-held_on", "-pk")
    )


def agenda_items(user, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's items in order, each marked ``restricted`` where it names a record hidden
    from ``user`` (``items_open_to``), with the papers not withdrawn and the actions arising the
    user may see."""
    items = list(
        meeting.items.select_related(
            "presenter",
            "review",
            "audit",
            "self_assessment__agency",
            "self_assessment__cycle__framework",
            "outcome",
            "theme",
            "action__review",
            "action__audit",
            "evidence",
            "minutes_of__body",
        ).prefetch_related(
            Prefetch("papers", queryset=Paper.objects.filter(withdrawn_at__isnull=True)),
            Prefetch(
                "actions_arising",
                queryset=actions_visible_to(user).select_related("review", "audit", "owner_agency"),
            ),
        )
    )
    opened = set(items_open_to(user).filter(meeting_id=meeting.pk).values_list("pk", flat=True))
    for item in items:
        item.restricted = item.pk not in opened
        # The referral decision is offered only for a kind of review that records one.
        item.takes_referral_decision = bool(
            item.review_id
            and item.subject in (AgendaItem.Subject.REFERRAL, AgendaItem.Subject.RAPID_REVIEW)
            and decision_may_change(item.review)
        )
    return items


# What a meeting's history lists: its own fields and its parts', never a record it or an item
# links to (a review, an audit, a return, an outcome, a theme, an action, evidence, the meeting
# that approved its minutes or whose minutes an item approves): each has its own rule for who
# may open it. Its status says when its minutes were approved.
MEETING_HISTORY_FIELDS = [
    "body",
    "held_on",
    "starts_at",
    "place",
    "link",
    "status",
    "papers_due_on",
    "minutes_circulated_on",
    "cancelled_because",
]
ITEM_HISTORY_FIELDS = [
    "position",
    "subject",
    "title",
    "presenter",
    "notes",
    "decision",
    "decided_on",
]
PAPER_HISTORY_FIELDS = ["name", "uploaded_by", "withdrawn_at"]
ATTENDANCE_HISTORY_FIELDS = ["agency", "status", "deputy"]


def meeting_history(user, meeting: Meeting, items: list[AgendaItem]):
    """Who changed the meeting, its agenda items, their papers and its attendance, and what, the
    newest first (``items``: from ``agenda_items``). An item naming a record ``user`` may not
    open is a restricted item on the page, so neither it nor its papers are in its history (nor
    is an item taken off the agenda that named one). At most
    two queries for each of the four, and one for each kind of person or agency named."""
    restricted = [item.pk for item in items if item.restricted]
    item_versions = (
        AgendaItem.history.filter(meeting_id=meeting.pk)
        .exclude(id__in=restricted)
        .filter(records_open_condition(user))
    )
    parts = [
        Part(
            "agenda item",
            item_versions.select_related("history_user"),
            ITEM_HISTORY_FIELDS,
            name="title",
        ),
        Part(
            "paper",
            Paper.history.filter(item_id__in=item_versions.values("id")).select_related(
                "history_user"
            ),
            PAPER_HISTORY_FIELDS,
            name="name",
        ),
        Part(
            "attendance",
            Attendance.history.filter(meeting_id=meeting.pk).select_related("history_user"),
            ATTENDANCE_HISTORY_FIELDS,
            name="person",
        ),
    ]
    return history_of(meeting.history.select_related("history_user"), MEETING_HISTORY_FIELDS, parts)


def answers_to_moderate(item: AgendaItem) -> list:
    """The standards of the item's return, in order, for the meeting to moderate."""
    return list(
        StandardAssessment.objects.filter(self_assessment_id=item.self_assessment_id)
        .select_related("standard")
        .order_by("standard__number")
    )


def attendance_of(meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendance.select_related("person", "agency").order_by("status", "person"))


def members_of(body: SubGroup) -> list[SubGroupMembership]:
    """The body's members with the agency each represents (their own if none is named)."""
    return list(
        SubGroupMembership.objects.filter(subgroup=body)
        .select_related("user__agency", "agency")
        .order_by("user__first_name", "user__last_name", "user__username")
    )


def members_attending(attendance: list[Attendance]) -> int:
    """How many members were at the table: present, or a deputy came in their place (the
    attendance figures' rule, ``attended_condition``: a deputy sits for that member)."""
    return sum(1 for row in attendance if row.status == Attendance.Status.PRESENT or row.deputy)


def quorum_met(meeting: Meeting, attendance: list[Attendance]) -> bool | None:
    """None when the body sets no quorum, otherwise whether enough members attended."""
    if meeting.body.quorum is None:
        return None
    return members_attending(attendance) >= meeting.body.quorum


def next_meetings(meeting: Meeting):
    """Later meetings of the same body, where the minutes may be approved."""
    return Meeting.objects.filter(body_id=meeting.body_id, held_on__gte=meeting.held_on).exclude(
        Q(pk=meeting.pk) | Q(status__in=[Meeting.Status.MINUTES_APPROVED, Meeting.Status.CANCELLED])
    )
