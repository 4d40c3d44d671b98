"""Training (framework 3.4 and 3.5): courses, their sessions and registers by agency, and the
three-stage evaluation answered by each attendee through a one-use link.

A practitioner on a register is named with their work email (they are staff, not children);
nothing in an evaluation asks about a child, and its free text refuses identifiers.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from learning.models import DeliveryActivity, TrainingEvaluationStage
from sscb.dates import check_dates, narrower_range_said, recorded_on, within_years
from sscb.models import TimeStampedModel, at_most_people

# The ways of delivery (DeliveryActivity.Way) that are training: a course is one of them.
TRAINING_WAYS = (
    DeliveryActivity.Way.CORE_TRAINING,
    DeliveryActivity.Way.THEMED_EVENT,
    DeliveryActivity.Way.COMMISSIONED,
)
# A questionnaire asks about at most this many learning points.
MAX_POINTS = 8
# A session is dated within this many years of the day it is added: sessions are booked a year
# or two ahead, and recorded soon after they happen; 1901 or 2099 is a slip of the keyboard.
SESSION_WITHIN_YEARS = 3


class Course(TimeStampedModel):
    """A core multi-agency module, a themed event or commissioned training, and the learning
    outcomes it serves."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=[(way.value, way.label) for way in TRAINING_WAYS]
    )
    summary = models.TextField(blank=True, help_text="What the course covers and who it is for.")
    learning_points = models.TextField(
        help_text=f"The learning points, one a line (at most {MAX_POINTS}): each attendee rates "
        "their confidence in each before, straight after and 6–8 weeks after the session."
    )
    outcomes = models.ManyToManyField(
        "learning.LearningOutcome",
        related_name="courses",
        help_text="The learning outcomes this course serves: each session delivered is a "
        "delivery activity of each of them.",
    )
    subgroup = models.ForeignKey(
        "sscb.SubGroup",
        verbose_name="sub-group",
        on_delete=models.PROTECT,
        related_name="courses",
        help_text="The sub-group that runs the course.",
    )
    history = HistoricalRecords(m2m_fields=[outcomes])

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:course", args=[self.uuid])

    @property
    def points(self) -> list[str]:
        return [line.strip() for line in self.learning_points.splitlines() if line.strip()]


class Session(TimeStampedModel):
    """One session of a course: when, where (or the link), by whom, and how many places."""

    names_adults = frozenset({"trainer"})  # an adult's name, not a child's
    names_places = frozenset({"venue"})  # a venue's address, not a family's

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField("date")
    trainer = models.CharField(max_length=200)
    venue = models.CharField(
        "venue or link", max_length=300, help_text="The venue, or the link for an online session."
    )
    places = models.PositiveIntegerField(validators=[MinValueValidator(1), at_most_people])
    delivered_on = models.DateField(null=True, blank=True, editable=False)
    # The delivery activity of each outcome the course serves: this session, as the outcome's
    # delivery (learning.services.activity_save keeps them; reach is the attended count).
    activities = models.ManyToManyField(
        DeliveryActivity, blank=True, editable=False, related_name="training_sessions"
    )
    history = HistoricalRecords(m2m_fields=[activities])

    class Meta:
        ordering = ["-held_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="training_session_places"),
        ]
        indexes = [
            # Rates by agency and the dashboard: sessions delivered in a financial year.
            models.Index(fields=["delivered_on"], name="training_session_delivered"),
        ]

    def __str__(self):
        return f"{self.course} — {self.held_on:%-d %b %Y}"

    def get_absolute_url(self):
        return reverse("training:session", args=[self.uuid])

    def clean_fields(self, exclude=None):
        # One refusal of a date out of range: the session's own, narrower one (``clean``).
        with narrower_range_said("held_on"):
            super().clean_fields(exclude=exclude)

    def clean(self):
        check_dates(
            held_on=within_years(
                self.held_on,
                of=recorded_on(self),
                years=SESSION_WITHIN_YEARS,
                what="The session's date",
                than="the day it was added" if self.created_at else "today",
            )
        )


class Attendee(TimeStampedModel):
    """A practitioner on a session's register: booked, attended or did not attend."""

    names_adults = frozenset({"name"})  # an adult's name, not a child's

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendees")
    agency = models.ForeignKey("sscb.Agency", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("practitioner's name", max_length=150)
    email = models.EmailField("work email")
    manager_email = models.EmailField(
        "manager's work email", help_text="The manager answers the 6–8-week follow-up with them."
    )
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.BOOKED)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency__name", "name", "pk"]
        constraints = [
            # Once on a register whatever the capitals: an address is the same in any case.
            models.UniqueConstraint(
                "session",
                Lower("email"),
                name="training_attendee_once",
                violation_error_message="This work email is already on the session's register.",
            ),
        ]
        indexes = [
            # Rates by agency: a session's register counted by agency and status.
            models.Index(fields=["agency", "status"], name="training_attendee_agency"),
        ]

    def __str__(self):
        return f"{self.name} ({self.agency})"


class Questionnaire(TimeStampedModel):
    """One attendee's answer at one stage of the evaluation: answered once, then closed."""

    Stage = TrainingEvaluationStage.Stage

    class Change(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    attendee = models.ForeignKey(Attendee, on_delete=models.PROTECT, related_name="questionnaires")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    doing_differently = models.TextField(
        "what will you do differently",
        blank=True,
        help_text="In your own words. Please do not name or describe any child or family.",
    )
    practice_changed = models.CharField(
        "has practice changed", max_length=6, choices=Change.choices, blank=True
    )
    practice_example = models.TextField(
        "an example",
        blank=True,
        help_text="A short example, agreed with your manager. Please do not name or describe "
        "any child or family.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["attendee", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["attendee", "stage"], name="training_questionnaire_once"
            ),
            models.CheckConstraint(
                condition=Q(practice_changed="") | Q(stage=TrainingEvaluationStage.Stage.FOLLOW_UP),
                name="training_questionnaire_change_at_follow_up",
            ),
        ]
        indexes = [
            # Evaluation figures: the answered questionnaires of a session, by stage.
            models.Index(
                fields=["stage", "answered_at"],
                condition=Q(answered_at__isnull=False),
                name="training_answered",
            ),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} — {self.attendee}"


class Rating(models.Model):
    """Confidence, 1 (not at all) to 5 (very), in one learning point, at one stage."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="ratings"
    )
    point = models.PositiveSmallIntegerField(help_text="The learning point's number, from 1.")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["questionnaire", "point"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "point"], name="training_rating_once"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="training_rating_score_1_5"
            ),
        ]

    def __str__(self):
        return f"Point {self.point}: {self.score}"


class QuestionnaireLink(models.Model):
    """A one-use link to a questionnaire, emailed to the attendee (or their manager). Only the
    token's SHA-256 is kept: the link itself exists only in the email."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_to = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Link to {self.questionnaire} for {self.sent_to}"
