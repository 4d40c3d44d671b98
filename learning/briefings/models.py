"""7-minute briefings (framework 3.4, "learning and improvement briefings") and their cascade.

A briefing is written from a priority theme, a case review or a learning outcome, in the
structured sections practitioners expect of a 7-minute briefing. Each edit after it was first
submitted keeps the words it replaced as a numbered version; the owning sub-group's chair
approves it; publishing it records the outcome's delivery activity (way "briefing") and sends it
to every agency, whose lead confirms when, how and to how many staff it was cascaded. The
delivery's reach is the sum of those confirmations, never a typed number.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from sscb.dates import check_dates, happened_after
from sscb.models import TimeStampedModel, at_most_people

# An agency is asked to confirm its cascade within this many days of publication.
CASCADE_WITHIN = datetime.timedelta(days=28)

# The briefing's sections, in the order a 7-minute briefing reads (field name, heading).
SECTIONS = (
    ("what_happened", "What happened"),
    ("why_it_matters", "Why it matters"),
    ("what_to_do", "What to do differently"),
    ("questions", "Questions for team discussion"),
    ("further_reading", "Further reading"),
)

# The most characters each section holds. A 7-minute briefing is read in about seven minutes,
# some 1,000 words in all: a section longer than this is a report, not a briefing (and a page of
# hundreds of thousands of characters is no page anyone can read or print).
SECTION_LIMITS = {
    "what_happened": 3000,
    "why_it_matters": 1800,
    "what_to_do": 2400,
    "questions": 1500,
    "further_reading": 1500,
}


def _at_most(name: str, help_text: str = "") -> dict:
    """A section's limit, as its validator (the form and the services alike refuse a longer
    text) and the end of its help."""
    limit = SECTION_LIMITS[name]
    return {
        "validators": [
            MaxLengthValidator(
                limit,
                message=f"Keep this section to at most {limit:,} characters (about "
                f"{limit // 6:,} words): a 7-minute briefing is read in seven minutes. It has "
                "%(show_value)d characters now.",
            )
        ],
        "help_text": f"{help_text} At most {limit:,} characters.".lstrip(),
    }


class BriefingContent(TimeStampedModel):
    """The words of a briefing: its title and sections (the briefing and each kept version)."""

    title = models.CharField(max_length=200)
    what_happened = models.TextField(
        "what happened",
        **_at_most(
            "what_happened",
            "The case or the learning in brief. Name children and families by pseudonym only "
            "(Child A, Family B): no names, dates of birth or NHS numbers.",
        ),
    )
    why_it_matters = models.TextField("why it matters", **_at_most("why_it_matters"))
    what_to_do = models.TextField("what to do differently", **_at_most("what_to_do"))
    questions = models.TextField(
        "questions for team discussion",
        **_at_most("questions", "One question a line, for a team meeting."),
    )
    further_reading = models.TextField(
        "further reading",
        blank=True,
        **_at_most("further_reading", "Procedures, guidance and reports, one a line."),
    )

    class Meta:
        abstract = True

    @property
    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) for each section, in reading order."""
        return [(heading, getattr(self, name)) for name, heading in SECTIONS]


class Briefing(BriefingContent):
    """A 7-minute briefing, from draft to publication."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting the chair's approval"
        APPROVED = "approved", "Approved, ready to publish"
        PUBLISHED = "published", "Published"

    # Edited, it goes back to draft: an approval is of the words approved.
    EDITABLE = (Status.DRAFT, Status.SUBMITTED, Status.APPROVED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subgroup = models.ForeignKey(
        "sscb.SubGroup",
        verbose_name="sub-group",
        on_delete=models.PROTECT,
        related_name="briefings",
        help_text="The sub-group that owns it; its chair approves it.",
    )
    theme = models.ForeignKey(
        "learning.PriorityTheme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="briefings",
    )
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, null=True, blank=True, related_name="briefings"
    )
    outcome = models.ForeignKey(
        "learning.LearningOutcome",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="briefings",
        help_text="The learning outcome it delivers; publishing it is one of its activities.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveSmallIntegerField(default=1, editable=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who wrote the current version.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    returned_note = models.TextField(
        "changes asked for", blank=True, help_text="What the chair asked to be changed."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_for_chair = models.BooleanField(
        default=False,
        editable=False,
        help_text="Approved by the Business Unit on the chair's behalf.",
    )
    published_on = models.DateField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    activity = models.OneToOneField(
        "learning.DeliveryActivity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="briefing",
        help_text="The outcome's delivery activity its publication recorded.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "-created_at", "-pk"]
        indexes = [
            # The dashboard: briefings published in a period, by sub-group.
            models.Index(fields=["status", "published_on"], name="briefings_briefing_published"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(outcome__isnull=False),
                name="briefings_briefing_submitted_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "published"]) | Q(approved_by__isnull=False),
                name="briefings_briefing_approved_by",
            ),
            models.CheckConstraint(
                condition=~Q(status="published")
                | Q(published_on__isnull=False, activity__isnull=False),
                name="briefings_briefing_published_delivered",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("briefings:detail", args=[self.uuid])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def clean(self):
        if self.status != self.Status.DRAFT and not self.outcome_id:
            raise ValidationError(
                {"outcome": "Choose the learning outcome this briefing delivers."}
            )


class BriefingVersion(BriefingContent):
    """The words of an earlier version, kept when the briefing was edited after submission."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(help_text="When this version was last saved.")
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who edited it into the next version.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["briefing", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["briefing", "number"], name="briefings_briefingversion_once"
            )
        ]

    def __str__(self):
        return f"{self.title}, version {self.number}"

    def get_absolute_url(self):
        return f"{self.briefing.get_absolute_url()}#version-{self.number}"


class Cascade(TimeStampedModel):
    """A published briefing sent to one agency, and its lead's confirmation that it was cascaded:
    when, how and to how many staff. One per agency and briefing; a changed confirmation keeps
    the earlier one in its history."""

    class Method(models.TextChoices):
        TEAM_MEETING = "team_meeting", "Team meeting"
        SUPERVISION = "supervision", "Supervision"
        EMAIL = "email", "Email to staff"
        OTHER = "other", "Other"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    briefing = models.ForeignKey(Briefing, on_delete=models.PROTECT, related_name="cascades")
    agency = models.ForeignKey("sscb.Agency", on_delete=models.PROTECT, related_name="cascades")
    sent_on = models.DateField(help_text="When the briefing was sent to the agency.")
    confirm_by = models.DateField(help_text="When the agency is asked to have confirmed.")
    cascaded_on = models.DateField("cascaded on", null=True, blank=True)
    method = models.CharField("how", max_length=20, choices=Method.choices, blank=True)
    method_detail = models.CharField(
        "how, if other", max_length=200, blank=True, help_text="Say how, if not one of these."
    )
    staff_reached = models.PositiveIntegerField(
        "staff reached",
        null=True,
        blank=True,
        validators=[at_most_people],
        help_text="How many staff it was cascaded to.",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["briefing", "agency__name"]
        indexes = [
            # The reminder sweep: cascades not confirmed, by the date they are due.
            models.Index(fields=["confirmed_at", "confirm_by"], name="briefings_cascade_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["briefing", "agency"], name="briefings_cascade_once"),
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True)
                | Q(cascaded_on__isnull=False, staff_reached__isnull=False) & ~Q(method=""),
                name="briefings_cascade_confirmed_complete",
            ),
        ]

    def __str__(self):
        return f"{self.briefing} to {self.agency}"

    def get_absolute_url(self):
        return reverse("briefings:confirm", args=[self.uuid])

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def how(self) -> str:
        if self.method == self.Method.OTHER and self.method_detail:
            return self.method_detail
        return self.get_method_display()

    def clean(self):
        check_dates(
            cascaded_on=happened_after(
                self.cascaded_on,
                self.sent_on,
                what="The date it was cascaded",
                than="the date it was sent",
            )
        )
        if self.method == self.Method.OTHER and not self.method_detail.strip():
            raise ValidationError({"method_detail": "Say how it was cascaded."})
        if self.staff_reached == 0:
            # A confirmation is the agency saying its staff have the briefing: none reached is
            # no cascade yet, and would count the agency as having cascaded it.
            raise ValidationError(
                {
                    "staff_reached": "Give how many staff received the briefing: at least 1. "
                    "If it has not reached anyone yet, confirm once it has been cascaded."
                }
            )
