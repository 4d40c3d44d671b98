"""Meetings of the Board, its Executive and its sub-groups: agenda, papers, attendance, minutes.

A body is an ``sscb.SubGroup`` (the Board and the Executive are ones too): its members, chair and
quorum are held there. A decision minuted on an item is applied to its record through the
record's own service, which keeps it in the record's history with a link back to the minutes.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from sscb.dates import check_dates, narrower_range_said, recorded_on, say, within_years
from sscb.models import TimeStampedModel
from sscb.record_urls import record_url

# A meeting is dated within this many years of the day it is scheduled: a year's series is
# planned ahead and minutes are typed up soon after; 1900 or 2099 is a slip of the keyboard.
MEETING_WITHIN_YEARS = 3


class Meeting(TimeStampedModel):
    """One meeting of a body, from planning to approved minutes."""

    names_places = frozenset({"place"})  # a venue's address, not a family's

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        AGENDA_PUBLISHED = "agenda_published", "Agenda published"
        HELD = "held", "Held: minutes being drafted"
        MINUTES_CIRCULATED = "circulated", "Minutes circulated to members"
        MINUTES_APPROVED = "approved", "Minutes approved"
        CANCELLED = "cancelled", "Cancelled"

    # The only moves a meeting makes (services.meeting_move); anything else is refused.
    TRANSITIONS = {
        Status.PLANNED: {Status.AGENDA_PUBLISHED, Status.HELD},
        Status.AGENDA_PUBLISHED: {Status.PLANNED, Status.HELD},
        Status.HELD: {Status.MINUTES_CIRCULATED},
        Status.MINUTES_CIRCULATED: {Status.HELD},
        Status.MINUTES_APPROVED: set(),
        Status.CANCELLED: set(),
    }
    # A meeting not yet held may be cancelled, with its reason (services.meeting_cancel): kept,
    # and its items are then free to go on another agenda.
    CANCELLABLE = (Status.PLANNED, Status.AGENDA_PUBLISHED)
    # Minutes (attendance, notes, decisions) are written once the meeting is held, until approved.
    MINUTING = (Status.HELD, Status.MINUTES_CIRCULATED)
    # The agenda is built until the meeting is held.
    PREPARING = (Status.PLANNED, Status.AGENDA_PUBLISHED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = models.ForeignKey(
        "sscb.SubGroup",
        on_delete=models.PROTECT,
        related_name="meetings",
        help_text="The Board, the Executive or the sub-group that meets.",
    )
    series = models.UUIDField(
        null=True, blank=True, editable=False, help_text="Meetings scheduled together share this."
    )
    held_on = models.DateField("date")
    starts_at = models.TimeField("starts at", null=True, blank=True)
    place = models.CharField(max_length=200, blank=True, help_text="Where it meets, if in person.")
    link = models.URLField("online link", blank=True, help_text="The video call's address.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    papers_due_on = models.DateField(
        "papers due", null=True, blank=True, help_text="When presenters' papers are due."
    )
    minutes_circulated_on = models.DateField(null=True, blank=True, editable=False)
    minutes_approved_at = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="minutes_approved",
        help_text="The meeting at which these minutes were approved.",
    )
    cancelled_because = models.TextField(
        "why it was cancelled", blank=True, editable=False, help_text="Said when it is cancelled."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [
            # A body's meetings by date: the list filtered by body, and "the next meeting".
            models.Index(fields=["body", "held_on"], name="meetings_meeting_body_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(minutes_approved_at__isnull=False),
                name="meetings_meeting_approved_where",
            ),
            models.CheckConstraint(
                condition=Q(papers_due_on__isnull=True) | Q(papers_due_on__lte=models.F("held_on")),
                name="meetings_meeting_papers_before",
            ),
        ]

    def __str__(self):
        return f"{self.body.name}, {self.date_label}"

    def get_absolute_url(self):
        return record_url("meetings:detail", self.uuid)

    @property
    def date_label(self) -> str:
        return say(self.held_on)

    @property
    def the_body(self) -> str:
        """The body that meets, as a sentence names it: "the Case Review Panel", "the Learning
        and Improvement sub-group" (its decision, its minutes)."""
        name = self.body.name
        return f"the {name[4:]}" if name.lower().startswith("the ") else f"the {name}"

    # Dates ``clean()`` keeps within MEETING_WITHIN_YEARS, a narrower range than any record's.
    WINDOWED_DATES = ("held_on", "papers_due_on")

    def clean_fields(self, exclude=None):
        with narrower_range_said(*self.WINDOWED_DATES):
            super().clean_fields(exclude=exclude)

    def clean(self):
        added, than = recorded_on(self), "the day it was scheduled" if self.created_at else "today"
        window = {"of": added, "years": MEETING_WITHIN_YEARS, "than": than}
        check_dates(
            held_on=within_years(self.held_on, what="The meeting's date", **window),
            papers_due_on=[
                f"Papers must be due on or before the meeting: they are due on "
                f"{say(self.papers_due_on)}, and the meeting is on {say(self.held_on)}."
                if self.papers_due_on and self.held_on and self.papers_due_on > self.held_on
                else None,
                within_years(self.papers_due_on, what="The date papers are due", **window),
            ],
            place=None
            if self.place.strip() or self.link
            else "Say where the meeting is, or give its online link.",
        )


class AgendaItem(TimeStampedModel):
    """One item on a meeting's agenda, proposed from a record that needs the body or added by
    hand; its minutes (notes and decision) and the actions arising from it."""

    class Subject(models.TextChoices):
        REFERRAL = "referral", "Referral awaiting a decision"
        RAPID_REVIEW = "rapid_review", "Rapid review to send to the national Panel"
        CLOCK = "clock", "Statutory deadline near or past"
        RETURN = "return", "Return awaiting moderation"
        AUDIT = "audit", "Audit to report"
        SINGLE_AGENCY_AUDIT = "single_audit", "Single agency audit"
        OUTCOME = "outcome", "Learning outcome awaiting a decision"
        THEME = "theme", "Priority theme to agree"
        ACTION = "action", "Overdue action escalated"
        ASSURANCE = "assurance", "Assurance judgement"
        FINDINGS = "findings", "Findings to collate into themes"
        REPORT = "report", "Report due to the Board"
        CHILD_DEATH = "child_death", "Child death to review"
        MINUTES = "minutes", "Minutes of the last meeting"
        OTHER = "other", "Added by hand"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(help_text="Its number on the agenda.")
    subject = models.CharField(max_length=12, choices=Subject.choices, default=Subject.OTHER)
    title = models.CharField(max_length=200)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who presents the item and sends its papers.",
    )
    minutes_of = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The earlier meeting whose minutes this item approves.",
    )
    url = models.CharField(max_length=300, blank=True, help_text="A report's page, if any.")
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    self_assessment = models.ForeignKey(
        "audits.SelfAssessment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.ForeignKey(
        "learning.LearningOutcome",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    theme = models.ForeignKey(
        "learning.PriorityTheme", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(
        "learning.Action", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.ForeignKey(
        "learning.AssuranceEvidence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.TextField("minutes", blank=True, help_text="What was discussed.")
    decision = models.TextField(blank=True, help_text="What was decided, in the body's words.")
    decided_on = models.DateField(
        null=True, blank=True, help_text="When the decision was applied to its record."
    )
    actions_arising = models.ManyToManyField(
        "learning.Action", blank=True, related_name="arising_from"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords(m2m_fields=[actions_arising])

    RECORD_FIELDS = ("review", "audit", "self_assessment", "outcome", "theme", "action", "evidence")

    class Meta:
        ordering = ["meeting", "position", "pk"]
        indexes = [
            # The proposals: which records are already on a meeting's agenda.
            models.Index(fields=["meeting", "position"], name="meetings_item_meeting_pos"),
        ]

    def __str__(self):
        return f"Item {self.position}: {self.title}"

    def get_absolute_url(self):
        return f"{self.meeting.get_absolute_url()}#item-{self.position}"

    @property
    def record(self):
        for name in self.RECORD_FIELDS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None


class Paper(TimeStampedModel):
    """A paper for an agenda item, kept through the same safe upload as evidence (sscb.uploads)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="papers")
    file = models.FileField(upload_to="papers/%Y/%m/")
    name = models.CharField(max_length=200, help_text="The file's name as uploaded.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A withdrawn paper is kept (its history, its downloads in the access log) but is no longer
    # in the item's papers, the pack, or to be downloaded.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["item", "created_at", "pk"]

    def __str__(self):
        return self.name


class Attendance(TimeStampedModel):
    """Whether a member came, sent apologies (and a deputy) or was absent; by agency."""

    names_adults = frozenset({"deputy"})  # an adult's name, not a child's

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "sscb.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency the person represents at the body.",
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    deputy = models.CharField(
        max_length=120, blank=True, help_text="Who came in their place, if anyone (name and role)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "person"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="meetings_attendance_once")
        ]
        indexes = [
            # The attendance figures: a year's rows by agency and body.
            models.Index(fields=["agency", "status"], name="meetings_attendance_agency"),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_status_display()}"

    def clean(self):
        # A deputy comes in the place of a member who sent apologies; one beside a member who
        # came, or who was absent without apologies, would count their agency twice or wrongly.
        if self.deputy.strip() and self.status != self.Status.APOLOGIES:
            person = self.person if self.person_id else "This member"
            raise ValidationError(
                {
                    "deputy": f"{person} is marked “{self.get_status_display()}”, so "
                    f"nobody deputised for them: clear the deputy (“{self.deputy.strip()}”) or "
                    "mark them as sending apologies."
                }
            )


def attended_condition(prefix: str = "") -> Q:
    """An attendance row that counts as attending: present, or a deputy came (DESIGN: the
    attendance rate by agency is whether the agency was at the table)."""
    return Q(**{f"{prefix}status": Attendance.Status.PRESENT}) | ~Q(**{f"{prefix}deputy": ""})
