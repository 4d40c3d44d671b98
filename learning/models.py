"""The embedding-learning loop: sections 3.1–3.6 of the framework, and the actions that follow.

sources ─► findings ─► priority themes ─► learning outcomes ─► delivery ─► practice development
─► assurance. A reader can follow any finding forward to its evidence, and back.
"""

import datetime
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from audits.models import Audit
from reviews.models import Review
from sscb.dates import (
    QUARTERS,
    check_dates,
    financial_year_label,
    happened_after,
    not_before,
    not_future,
    not_past,
    recorded_on,
    say,
)
from sscb.models import TimeStampedModel, at_most_people
from sscb.record_urls import record_url


class LoopStage(models.IntegerChoices):
    """How far round the loop a theme (and so each of its findings) has come: the furthest stage
    one of its outcomes has reached with every stage before it (``selectors.with_loop_stage``)."""

    IDENTIFIED = 1, "Identified"
    THEMED = 2, "Themed"
    OUTCOME_AGREED = 3, "Outcome agreed"
    DELIVERED = 4, "Delivered"
    PRACTICE_CHECKED = 5, "Practice checked"
    ASSURED = 6, "Assured"

    def next_step_for(self, by: str = "") -> str:
        """What moves the loop on from here, in words a page shows under the stages: the step
        itself for a reader who may take it, or, given ``by`` (the sub-group that takes it, for
        a reader who may not), who takes it. Never a page the reader could not open."""
        steps = LOOP_NEXT_STEPS.get(self)
        if steps is None:
            return ""
        yours, theirs = steps
        return theirs.format(by=by) if by else yours

    @property
    def next_step_label(self) -> str:
        return LoopStage(self + 1).label if self < LoopStage.ASSURED else ""


# The step each stage waits for (``selectors._outcome_steps``): each after "themed" by one
# outcome that has taken every step before it. First as said to a reader who may take it, then
# naming who takes it (``selectors.loop_next_step``): the theme's sub-group, or for a finding
# in no theme, the finding's.
LOOP_NEXT_STEPS = {
    LoopStage.IDENTIFIED: (
        "put the finding into a priority theme (Collate findings).",
        "the {by} puts the finding into a priority theme.",
    ),
    LoopStage.THEMED: (
        "a learning outcome for the theme, agreed by the Executive.",
        "the {by} proposes a learning outcome for the theme, and the Executive agrees it.",
    ),
    LoopStage.OUTCOME_AGREED: (
        "a delivery activity of an agreed outcome, with the day it was delivered.",
        "the {by} records the delivery of an agreed outcome, with the day it was delivered.",
    ),
    LoopStage.DELIVERED: (
        "a practice development check of a delivered outcome with its “Checked on” date and "
        "what it found: a check without them does not count yet.",
        "the {by} records a practice development check of a delivered outcome, with the day "
        "it was checked and what it found.",
    ),
    LoopStage.PRACTICE_CHECKED: (
        "assurance evidence on that outcome, judged “Assured”, with practice checks that saw "
        "practice improve (and no agency whose latest check saw no change).",
        "the {by} judges assurance evidence on that outcome “Assured”, with practice checks "
        "that saw practice improve.",
    ),
}


class Finding(TimeStampedModel):
    """What was learned (3.1), from one of the framework's sources: a strength or a weakness."""

    class Source(models.TextChoices):
        SERIOUS_CASE_REVIEW = "scr", "Serious case review / LCSPR"
        LEARNING_REVIEW = "learning_review", "Learning review"
        CDOP = "cdop", "Child Death Overview Panel"
        QUALITY_ASSURANCE = "qa", "Quality assurance and performance activity"
        PRACTITIONER_FEEDBACK = "practitioner", "Practitioner feedback"
        FAMILY_FEEDBACK = "family", "Parents' and young people's feedback"
        INSPECTION = "inspection", "Inspection / peer review"
        LEARNING_ACTIVITY = "learning_activity", "Learning activity"
        GUIDANCE = "guidance", "Guidance and policy briefing"

    class Nature(models.TextChoices):
        STRENGTH = "strength", "Strength (good practice to spread)"
        IMPROVEMENT = "improvement", "Area for improvement"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200, help_text="The finding in one line.")
    detail = models.TextField(
        help_text="What was learned. Name children and families by pseudonym only (Child A)."
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    nature = models.CharField(max_length=12, choices=Nature.choices, default=Nature.IMPROVEMENT)
    review = models.ForeignKey(
        "reviews.Review",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        help_text="The case review the finding came from, if any.",
    )
    audit = models.ForeignKey(
        "audits.Audit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        help_text="The audit the finding came from, if any.",
    )
    recommendation = models.ForeignKey(
        "scrutiny.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        help_text="The inspection or peer review recommendation the finding came from, if any.",
    )
    agencies = models.ManyToManyField(
        "sscb.Agency", blank=True, related_name="findings", help_text="Agencies it concerns."
    )
    theme = models.ForeignKey(
        "PriorityTheme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
    )
    subgroup = models.ForeignKey(
        "sscb.SubGroup",
        verbose_name="sub-group",
        on_delete=models.PROTECT,
        related_name="findings",
        help_text="The sub-group that owns this finding.",
    )
    identified_on = models.DateField(default=datetime.date.today)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        ordering = ["-identified_on", "-pk"]
        indexes = [
            # Collation page: findings not yet in a theme, newest first.
            models.Index(fields=["theme", "-identified_on"], name="learning_finding_theme_date"),
            # Annual report: the reviews whose findings are in themes assured in the year.
            models.Index(fields=["theme", "review"], name="learning_finding_theme_review"),
            # Findings list: a page of the newest, read from the index rather than every finding
            # joined and sorted for 25 of them (issue 15: 11 ms to 0.6 ms on scale 0.02).
            models.Index(fields=["-identified_on", "-id"], name="learning_finding_newest"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("learning:finding", self.uuid)

    def clean(self):
        check_dates(
            identified_on=[
                not_future(self.identified_on, what="The date it was identified"),
                *self._identified_before_its_source(),
            ]
        )

    def _identified_before_its_source(self) -> list[str | None]:
        """A finding is learned from its review or audit: not identified before the review's
        referral or the start of the period the audit looked at. Checked when the date or the
        source is given or changed: one kept is not re-judged."""
        if self.identified_on is None:
            return []
        stored = {}
        if not self._state.adding:
            stored = (
                Finding.objects.filter(pk=self.pk)
                .values("identified_on", "review_id", "audit_id")
                .first()
                or {}
            )
        changed = stored.get("identified_on") != self.identified_on
        messages = []
        if self.review_id and (changed or stored.get("review_id") != self.review_id):
            messages.append(
                not_before(
                    self.identified_on,
                    self.review.referred_on,
                    what="The date it was identified",
                    than="the review's referral",
                )
            )
        if self.audit_id and (changed or stored.get("audit_id") != self.audit_id):
            messages.append(
                not_before(
                    self.identified_on,
                    self.audit.period_start,
                    what="The date it was identified",
                    than="the start of the period its audit looked at",
                )
            )
        return messages


class PriorityTheme(TimeStampedModel):
    """Findings collated into a priority learning theme (3.2), tied to the Board's priorities."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        AGREED = "agreed", "Agreed"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    # The only moves a theme makes; anything else is refused with a reason.
    TRANSITIONS = {
        Status.PROPOSED: {Status.AGREED, Status.CLOSED},
        Status.AGREED: {Status.ACTIVE, Status.CLOSED},
        Status.ACTIVE: {Status.CLOSED},
        Status.CLOSED: {Status.ACTIVE},
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    priorities = models.ManyToManyField(
        "sscb.StrategicPriority",
        related_name="themes",
        help_text="The Board's strategic priorities this theme serves.",
    )
    subgroup = models.ForeignKey(
        "sscb.SubGroup", verbose_name="sub-group", on_delete=models.PROTECT, related_name="themes"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    agreed_on = models.DateField(null=True, blank=True)
    # Where it was agreed, when a meeting's minutes record it (learning.meetings), linked to them.
    minutes_label = models.CharField("agreed at", max_length=200, blank=True, editable=False)
    minutes_url = models.CharField("minutes", max_length=300, blank=True, editable=False)
    closed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[priorities])

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("learning:theme", self.uuid)


# How far ahead a check that a change has lasted may be set: a date further off (31 Dec 2100) is
# a check nobody will make, while the signed-off action counts as done in the meantime.
FOLLOW_UP_WITHIN_YEARS = 2


def follow_up_too_far(follow_up_on, after, than: str) -> str | None:
    """A message when ``follow_up_on`` is more than ``FOLLOW_UP_WITHIN_YEARS`` after ``after``."""
    if follow_up_on is None or after is None:
        return None
    try:
        latest = after.replace(year=after.year + FOLLOW_UP_WITHIN_YEARS)
    except ValueError:  # 29 February
        latest = after.replace(year=after.year + FOLLOW_UP_WITHIN_YEARS, day=28)
    if follow_up_on <= latest:
        return None
    return (
        f"The follow-up date ({say(follow_up_on)}) is more than {FOLLOW_UP_WITHIN_YEARS} years "
        f"after {than} ({say(after)}): check that the change has lasted by {say(latest)}."
    )


class LearningOutcome(TimeStampedModel):
    """The change wanted (3.3), its schedule of activities, and how its impact will be judged."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Awaiting the Executive"
        AGREED = "agreed", "Agreed"
        AGREED_WITH_CHANGES = "amended", "Agreed with changes"
        NOT_AGREED = "not_agreed", "Not agreed"

    AGREED = (Decision.AGREED, Decision.AGREED_WITH_CHANGES)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    theme = models.ForeignKey(PriorityTheme, on_delete=models.PROTECT, related_name="outcomes")
    title = models.CharField(max_length=200, help_text="The change in practice we want to see.")
    schedule = models.TextField(
        help_text="The schedule of activities: what will be done, by whom, by when."
    )
    impact_measure = models.TextField(
        help_text="How impact on practice and on children will be monitored and evaluated."
    )
    evaluate_on = models.DateField(
        "evaluate impact on", null=True, blank=True, help_text="When impact will next be evaluated."
    )
    executive_on = models.DateField(
        "goes to the Executive on",
        null=True,
        blank=True,
        help_text="The Executive meeting this goes to.",
    )
    decision = models.CharField(max_length=12, choices=Decision.choices, default=Decision.PENDING)
    decision_notes = models.TextField(blank=True, help_text="The Executive's discussion.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_on = models.DateField(null=True, blank=True)
    # Where the decision was taken, when the Executive's minutes record it (learning.meetings):
    # "decided at the Executive, 12 March 2026, item 4", linked to the minutes.
    minutes_label = models.CharField("decided at", max_length=200, blank=True, editable=False)
    minutes_url = models.CharField("minutes", max_length=300, blank=True, editable=False)
    follow_up_on = models.DateField(
        "check the change has lasted on",
        null=True,
        blank=True,
        help_text="When to check that the change has lasted.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_on__isnull=False),
                name="learning_learningoutcome_decision_dated",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("learning:outcome", self.uuid)

    @property
    def is_agreed(self) -> bool:
        """The Executive agreed it (with changes or not): its learning may be delivered."""
        return self.decision in self.AGREED

    def agreed_since(self) -> datetime.date | None:
        """The day the Executive agreed it, as it stands agreed now: the first of the agreeing
        decisions in a row that end with the stored one (a later "agreed with changes" does not
        move it); None while it is not agreed."""
        if not self.pk or not self.is_agreed:
            return None
        since = None
        for decision, decided_on in self.history.order_by(
            "-history_date", "-history_id"
        ).values_list("decision", "decided_on"):
            if decision not in self.AGREED:
                break
            since = decided_on or since
        return since or self.decided_on

    def _planned_dates_set(self) -> set[str]:
        """Which planned dates this save sets: all given on a new outcome; on an edit, those
        changed (one that has since passed is kept as it was)."""
        planned = ("evaluate_on", "follow_up_on")
        stored = None
        if not self._state.adding:
            stored = LearningOutcome.objects.filter(pk=self.pk).values(*planned).first()
        return {
            name
            for name in planned
            if getattr(self, name) is not None
            and (stored is None or stored[name] != getattr(self, name))
        }

    def clean(self):
        agreed = self.decided_on if self.decision in self.AGREED else None
        newly_set = self._planned_dates_set()
        check_dates(
            decided_on=not_future(self.decided_on, what="The date of the Executive's decision"),
            evaluate_on=[
                not_past(self.evaluate_on, what="The evaluation date")
                if "evaluate_on" in newly_set
                else None,
                not_before(
                    self.evaluate_on,
                    agreed,
                    what="The evaluation date",
                    than="the Executive's agreement",
                ),
            ],
            follow_up_on=[
                not_past(self.follow_up_on, what="The follow-up date")
                if "follow_up_on" in newly_set
                else None,
                follow_up_too_far(
                    self.follow_up_on,
                    *max(
                        (day, words)
                        for day, words in (
                            (timezone.localdate(), "today"),
                            (self.evaluate_on, "the evaluation date"),
                        )
                        if day
                    ),
                )
                if "follow_up_on" in newly_set
                else None,
                not_before(
                    self.follow_up_on,
                    agreed,
                    what="The follow-up date",
                    than="the Executive's agreement",
                    strictly=True,
                ),
                not_before(
                    self.follow_up_on,
                    self.evaluate_on,
                    what="The follow-up date",
                    than="the evaluation date",
                    strictly=True,
                ),
            ],
        )


class DeliveryActivity(TimeStampedModel):
    """How a learning outcome is delivered (3.4): the framework's six ways."""

    class Way(models.TextChoices):
        CORE_TRAINING = "core_training", "Core multi-agency training module"
        THEMED_EVENT = "themed_event", "Event for key practitioners / managers"
        BRIEFING = "briefing", "Learning and improvement briefing"
        POLICY_REVIEW = "policy_review", "Review of inter-agency policy"
        PRACTICE_AREA = "practice_area", "Further area of practice development"
        COMMISSIONED = "commissioned", "Commissioned training / event"

    outcome = models.ForeignKey(
        LearningOutcome, on_delete=models.PROTECT, related_name="activities"
    )
    way = models.CharField(max_length=20, choices=Way.choices)
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=200, blank=True, help_text="Who it is for.")
    planned_on = models.DateField()
    delivered_on = models.DateField(null=True, blank=True)
    reach = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[at_most_people],
        help_text="How many practitioners or managers it reached.",
    )
    notes = models.TextField(blank=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_on", "pk"]
        verbose_name_plural = "delivery activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True) | Q(reach__isnull=False),
                name="learning_deliveryactivity_delivered_has_reach",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        # Delivered earlier than planned is a normal event (as an action done before it is
        # due): the plan is kept as it was, and only a delivery for an outcome not yet agreed
        # is refused (below).
        check_dates(
            delivered_on=not_future(self.delivered_on, what="The delivery date"),
            reach="Say how many people it reached once it has been delivered."
            if self.delivered_on and self.reach is None
            else None,
        )
        # Learning is delivered once the Executive has agreed the outcome it delivers (the
        # loop's stages: outcome agreed, then delivered); planning it may come first.
        if self.delivered_on and self.outcome_id and not self.outcome.is_agreed:
            raise ValidationError(
                {
                    "delivered_on": f"The learning outcome “{self.outcome}” has not been agreed "
                    "by the Executive: record the delivery once it is agreed. It may be planned "
                    "before then."
                }
            )
        # Nor delivered before that agreement (the annual report counts a delivery in the year
        # it is dated). Checked when the date is given or changed: one kept is not re-judged.
        if self.delivered_on and self.outcome_id and self._delivery_newly_dated():
            check_dates(
                delivered_on=not_before(
                    self.delivered_on,
                    self.outcome.agreed_since(),
                    what="The delivery date",
                    than="the Executive's agreement of its learning outcome",
                )
            )

    def _delivery_newly_dated(self) -> bool:
        if self._state.adding:
            return True
        stored = DeliveryActivity.objects.filter(pk=self.pk).values_list("delivered_on", flat=True)
        return stored.first() != self.delivered_on


class PracticeCheck(TimeStampedModel):
    """Is practice changing in an agency (3.5)? The framework's five ways of checking."""

    class Way(models.TextChoices):
        TRAINING_EVALUATION = "training_evaluation", "Training evaluation of impact on practice"
        SINGLE_AGENCY_AUDIT = "single_agency_audit", "Single agency case file audit"
        MULTI_AGENCY_AUDIT = "multi_agency_audit", "Multi-agency case file audit"
        PERFORMANCE = "performance", "Performance framework"
        ACTION_PLAN = "action_plan", "Case review action plan"

    class Result(models.TextChoices):
        PENDING = "pending", "Not yet known"
        IMPROVED = "improved", "Practice has improved"
        PARTLY = "partly", "Some improvement"
        NO_CHANGE = "no_change", "No change seen"

    outcome = models.ForeignKey(LearningOutcome, on_delete=models.PROTECT, related_name="checks")
    activity = models.ForeignKey(
        DeliveryActivity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks",
        help_text="The training or event being evaluated, for a training evaluation.",
    )
    way = models.CharField(max_length=20, choices=Way.choices)
    agency = models.ForeignKey("sscb.Agency", on_delete=models.PROTECT, related_name="+")
    audit = models.ForeignKey(
        "audits.Audit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practice_checks",
        help_text="The case file audit that checked practice, if there was one.",
    )
    indicators = models.ManyToManyField(
        "performance.Indicator",
        blank=True,
        related_name="practice_checks",
        help_text="For a performance framework check: the indicators it relies on.",
    )
    checked_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the check was done. This is what moves the learning loop to "
        "“Practice checked”: until it is filled in, the check does not count.",
    )
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.PENDING)
    summary = models.TextField(blank=True, help_text="What the check found.")
    # A training session's evaluation (learning.training): its figures are computed from the
    # attendees' answers and its result from their follow-up answers; nobody types them.
    from_answers = models.BooleanField(default=False, editable=False)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords(m2m_fields=[indicators])

    class Meta:
        ordering = ["outcome", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="pending") | Q(checked_on__isnull=False),
                name="learning_practicecheck_result_dated",
            )
        ]

    def __str__(self):
        return f"{self.get_way_display()} — {self.agency}"

    def _first_delivered_on(self) -> datetime.date | None:
        """The day the learning this check looks at was delivered: its activity's, or the
        first delivery of its outcome."""
        if self.activity_id:
            return self.activity.delivered_on
        if not self.outcome_id:
            return None
        first = self.outcome.activities.filter(delivered_on__isnull=False).order_by("delivered_on")
        return first.values_list("delivered_on", flat=True).first()

    def _stored(self) -> dict:
        if self._state.adding:
            return {}
        return (
            PracticeCheck.objects.filter(pk=self.pk).values("checked_on", "audit_id").first() or {}
        )

    def clean(self):
        if self.result != self.Result.PENDING and not self.checked_on:
            raise ValidationError({"checked_on": "Give the date the check was made."})
        stored = self._stored() if (self.checked_on or self.audit_id) else {}
        newly_dated = self.checked_on and stored.get("checked_on") != self.checked_on
        newly_cited = self.audit_id and stored.get("audit_id") != self.audit_id
        delivered_on = self._first_delivered_on() if newly_dated or newly_cited else None
        check_dates(
            checked_on=[
                not_future(self.checked_on, what="The date of the check"),
                # Practice is checked for a change the delivered learning made: not before it
                # (the loop's stages: delivered, then practice checked).
                not_before(
                    self.checked_on,
                    delivered_on,
                    what="The date of the check",
                    than="the delivery of the learning it checks",
                )
                if newly_dated
                else None,
            ],
            audit=self._audit_problem(delivered_on) if newly_cited else None,
        )

    def _audit_problem(self, delivered_on) -> str | None:
        """Why the cited audit cannot show practice changing since the learning: it is not
        done, or it looked at practice only from before the learning was delivered."""
        audit = self.audit
        if audit.stage != Audit.Stage.COMPLETE:
            return (
                f"The audit {audit.reference} is {audit.get_stage_display().lower()}, not "
                "complete: cite it once it is complete, or leave it out."
            )
        if delivered_on and audit.period_end < delivered_on:
            return (
                f"The audit {audit.reference} looked at practice up to {say(audit.period_end)}, "
                f"before the learning was delivered ({say(delivered_on)}): it cannot show a "
                "change since."
            )
        return None


class TrainingEvaluationStage(TimeStampedModel):
    """One of the three stages of a training evaluation, scheduled from the first."""

    class Stage(models.IntegerChoices):
        BASELINE = 1, "Baseline, before the training"
        IMMEDIATE = 2, "Straight after the training"
        FOLLOW_UP = 3, "6–8 weeks later, with the practitioner's manager"

    practice_check = models.ForeignKey(
        PracticeCheck, on_delete=models.CASCADE, related_name="stages"
    )
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    due_on = models.DateField()
    due_by = models.DateField(help_text="The last day of the window for this stage.")
    completed_on = models.DateField(null=True, blank=True)
    responses = models.PositiveIntegerField(null=True, blank=True, validators=[at_most_people])
    confidence = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Average confidence reported, 1 (low) to 10 (high).",
    )
    notes = models.TextField(blank=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["practice_check", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice_check", "stage"], name="learning_trainingevaluationstage_once"
            ),
            models.CheckConstraint(
                condition=Q(due_by__gte=models.F("due_on")),
                name="learning_trainingevaluationstage_window",
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True) | Q(confidence__gte=1, confidence__lte=10),
                name="learning_trainingevaluationstage_confidence_1_10",
            ),
        ]

    def __str__(self):
        return self.get_stage_display()

    def clean(self):
        check_dates(completed_on=not_future(self.completed_on, what="The completion date"))


class AssuranceEvidence(TimeStampedModel):
    """Evidence that practice is better for children (3.6), and the judgement made on it."""

    class Way(models.TextChoices):
        AGENCY_REPORT = "agency_report", "Assurance report from a partner agency"
        PERFORMANCE_DATA = "performance_data", "QAP interrogation of performance data"
        MULTI_AGENCY_AUDIT = "multi_agency_audit", "Multi-agency case file audit"
        SERVICE_USER_FEEDBACK = "service_user_feedback", "Service user feedback"

    class Judgement(models.TextChoices):
        PENDING = "pending", "Not yet judged"
        ASSURED = "assured", "Assured"
        PARTLY = "partly", "Partly assured"
        NOT_ASSURED = "not_assured", "Not assured"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    outcome = models.ForeignKey(LearningOutcome, on_delete=models.PROTECT, related_name="evidence")
    way = models.CharField(max_length=25, choices=Way.choices)
    agency = models.ForeignKey(
        "sscb.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assurance_evidence",
        help_text="The agency asked for, or giving, the evidence.",
    )
    title = models.CharField(max_length=200, help_text="What evidence is asked for or given.")
    requested_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text="When the evidence is due.")
    received_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="What the evidence shows.")
    judgement = models.CharField(
        max_length=12, choices=Judgement.choices, default=Judgement.PENDING
    )
    judgement_reason = models.TextField(blank=True)
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    judged_on = models.DateField(null=True, blank=True)
    # QAP performance data may cite a scorecard quarter: the indicator set and the quarter.
    scorecard = models.ForeignKey(
        "performance.IndicatorSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assurance_evidence",
        help_text="For QAP performance data: the scorecard the evidence cites.",
    )
    scorecard_year = models.PositiveSmallIntegerField(
        "scorecard financial year", null=True, blank=True
    )
    scorecard_quarter = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=QUARTERS,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "assurance evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    scorecard__isnull=True,
                    scorecard_year__isnull=True,
                    scorecard_quarter__isnull=True,
                )
                | Q(
                    scorecard__isnull=False,
                    scorecard_year__isnull=False,
                    scorecard_quarter__isnull=False,
                ),
                name="learning_assuranceevidence_scorecard_quarter_whole",
            ),
            models.CheckConstraint(
                condition=Q(judgement="pending") | Q(received_on__isnull=False),
                name="learning_assuranceevidence_judged_after_received",
            ),
            models.CheckConstraint(
                condition=Q(judgement="pending")
                | Q(judged_by__isnull=False, judged_on__isnull=False),
                name="learning_assuranceevidence_judgement_signed",
            ),
        ]
        indexes = [
            # Agency view and reminders: evidence requested from an agency and not yet received.
            models.Index(fields=["agency", "received_on"], name="learning_evidence_agency"),
            # Dashboard: evidence still awaited, and the reminder sweep's evidence by due date.
            models.Index(
                fields=["due_on"],
                condition=Q(requested_on__isnull=False, received_on__isnull=True),
                name="learning_evidence_outstanding",
            ),
            # Loop stage (with_loop_stage): does an outcome have assured evidence?
            models.Index(
                fields=["outcome"],
                condition=Q(judgement="assured"),
                name="learning_evidence_assured",
            ),
            # Dashboard and annual report: judgements made in a year, by agency and outcome,
            # answered from the index alone.
            models.Index(
                fields=["judged_on", "judgement", "agency", "outcome"],
                name="learning_evidence_judged",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return record_url("learning:evidence", self.uuid)

    @property
    def cites_scorecard(self) -> bool:
        return bool(self.scorecard_id and self.scorecard_year and self.scorecard_quarter)

    @property
    def scorecard_label(self) -> str:
        return f"Q{self.scorecard_quarter} {financial_year_label(self.scorecard_year)}"

    @property
    def scorecard_url(self) -> str:
        """The cited scorecard, opened at the cited quarter."""
        query = urlencode({"year": self.scorecard_year, "quarter": self.scorecard_quarter})
        return f"{record_url('performance:scorecard', self.scorecard.uuid)}?{query}"

    def unasked_message(self) -> str | None:
        """Evidence an agency is to give by a date is a request only once it has the day it was
        asked: the agency's list, its reminders and the outstanding figures all read that day.
        Refused rather than dated today, since the day it was asked is the sub-group's to say (a
        request made at last week's meeting), and a draft saved with an agency chosen must not
        reach the agency before it is asked. Without a due date it may be a report the sub-group
        already holds, which it sends itself."""
        if not self.agency_id or self.requested_on or self.received_on or self.due_on is None:
            return None
        return f"Give the date it was asked for, or {self.agency} will not see the request."

    def clean(self):
        cited = [self.scorecard_id, self.scorecard_year, self.scorecard_quarter]
        if any(cited) and not all(cited):
            raise ValidationError(
                {"scorecard": "To cite a scorecard quarter, give the scorecard, year and quarter."}
            )
        if any(cited) and self.way != self.Way.PERFORMANCE_DATA:
            raise ValidationError(
                {"scorecard": "Only QAP performance data cites a scorecard quarter."}
            )
        check_dates(
            requested_on=[
                self.unasked_message(),
                not_future(self.requested_on, what="The date it was requested"),
            ],
            due_on=not_before(
                self.due_on,
                self.requested_on,
                what="The due date",
                than="the date it was requested",
            ),
            received_on=happened_after(
                self.received_on,
                self.requested_on,
                what="The date it was received",
                than="the date it was requested",
            ),
            judged_on=not_before(
                self.judged_on,
                self.received_on,
                what="The judgement date",
                than="the date the evidence was received",
            ),
        )


# Who may own an action: people working for a partner agency (its lead or a sub-group member it
# sends); never the Board's executive, an independent reviewer or the Business Unit, who hold the
# partnership to account rather than deliver. Every owner choice list (forms, the admin's
# autocomplete) is limited by it; ``Action.clean`` adds "of the owning agency".
ACTION_OWNER = Q(is_active=True, agency__isnull=False, role__in=["agency_lead", "subgroup_member"])


# The links that put an action in a plan (``services.action_plan_key``); set when it is added.
PLAN_LINKS = ("review", "audit", "standard_assessment", "recommendation", "outcome")


def plan_closed_to_actions(source, *, called: str = "") -> str:
    """Why the action plan of ``source`` (what an action's plan link names: a review, an audit, a
    standard, a recommendation or a learning outcome) takes no new open action, in plain words;
    "" while it takes them. ``called`` is what the reader knows a review by (its reference, for
    one who may open it); without it, "This review".

    A closed review's plan is finished: the review closed only once none of its actions was still
    open (``reviews.lifecycle``), and a closed review is not reopened. A closed theme's outcomes
    take no new action until the theme is reopened, as the theme takes no new finding
    (``services.theme_collate``). An audit's plan is still monitored once the audit is complete
    (completing it asks for its summary, not for its actions done); a standard's and an
    inspection's plans do not close."""
    if isinstance(source, Review) and not source.is_open:
        return (
            f"{called or 'This review'} is closed: its action plan takes no new actions, as a "
            "closed review is not reopened. Add the action to the plan of the learning outcome "
            "that carries its learning forward."
        )
    if isinstance(source, LearningOutcome) and source.theme.status == PriorityTheme.Status.CLOSED:
        return (
            f"The theme “{source.theme}” is closed: reopen it (“Mark active” on the theme's "
            "page) before adding actions to its outcomes' plans."
        )
    return ""


class ActionQuerySet(models.QuerySet):
    def with_rag(self, today: datetime.date) -> "ActionQuerySet":
        """Each action carries ``rag_state``: its RAG on ``today`` (DESIGN.md, "Action RAG")."""
        return self.annotate(
            rag_state=models.Case(
                *[
                    models.When(action_rag_condition(rag, today), then=models.Value(rag))
                    for rag in (Action.Rag.RED, Action.Rag.AMBER)
                ],
                default=models.Value(Action.Rag.GREEN),
                output_field=models.CharField(),
            )
        )

    def with_completion(self) -> "ActionQuerySet":
        """Each action carries ``completion``: on_time, late, not_done or cancelled."""
        return self.annotate(
            completion=models.Case(
                *[
                    models.When(action_completion_condition(value), then=models.Value(value))
                    for value in ("on_time", "late", "not_done")
                ],
                default=models.Value("cancelled"),
                output_field=models.CharField(),
            )
        )


class Action(TimeStampedModel):
    """A numbered action-plan item for a review, an audit, a standard not met or an outcome."""

    class Status(models.TextChoices):
        OPEN = "open", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"
        SIGNED_OFF = "signed_off", "Signed off"
        CANCELLED = "cancelled", "Cancelled"

    class Rag(models.TextChoices):
        GREEN = "green", "Green"
        AMBER = "amber", "Amber"
        RED = "red", "Red"

    DONE = (Status.COMPLETE, Status.SIGNED_OFF)
    OPEN = (Status.OPEN, Status.IN_PROGRESS)
    # DESIGN.md, "Action RAG": an open action is amber once it is due within this many days.
    AMBER_WITHIN = datetime.timedelta(days=14)

    objects = ActionQuerySet.as_manager()

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.CharField(
        max_length=60,
        editable=False,
        help_text="Which plan this belongs to (e.g. review:12); numbers run per plan.",
    )
    number = models.PositiveIntegerField(editable=False)
    # What a chair reads and quotes for a plan with no reference of its own: a standard's
    # ("S11-2026/27-Police-8") or an outcome's ("LO-2026-3"); set when the action is added.
    plan_label = models.CharField(max_length=80, blank=True, editable=False)
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    audit = models.ForeignKey(
        "audits.Audit", on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    standard_assessment = models.ForeignKey(
        "audits.StandardAssessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The Section 11 / 175 standard not met that this action answers.",
    )
    recommendation = models.ForeignKey(
        "scrutiny.Recommendation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The inspection or peer review recommendation this action answers; its plan "
        "is the inspection's.",
    )
    outcome = models.ForeignKey(
        LearningOutcome,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The finding this action answers, if any.",
    )
    title = models.CharField(max_length=250, help_text="What will be done, in one line.")
    description = models.TextField(
        blank=True,
        help_text="What the action involves, and what will show that it is done.",
    )
    owner_agency = models.ForeignKey(
        "sscb.Agency", on_delete=models.PROTECT, related_name="actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_actions",
        limit_choices_to=ACTION_OWNER,
        help_text="The person responsible, who works for the owning agency.",
    )
    subgroup = models.ForeignKey(
        "sscb.SubGroup",
        verbose_name="sub-group",
        on_delete=models.PROTECT,
        related_name="actions",
        help_text="The sub-group that monitors and signs off this action.",
    )
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    at_risk = models.BooleanField(
        default=False, help_text="The owner reports that the due date is at risk."
    )
    progress = models.TextField(blank=True, help_text="Latest progress, from the owner.")
    completed_on = models.DateField(null=True, blank=True)
    completion_evidence = models.TextField(
        blank=True, help_text="What shows the action is complete."
    )
    # Why the sub-group sent a reported completion back rather than sign it off: shown to the
    # owner until they report completion again (the history keeps every one).
    sent_back_reason = models.TextField(
        "reason it was sent back",
        blank=True,
        help_text="What the sub-group asks for before it can sign the action off.",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_off_on = models.DateField(null=True, blank=True)
    follow_up_on = models.DateField(
        "check the change has lasted on",
        null=True,
        blank=True,
        help_text="When to check that the change has lasted.",
    )
    follow_up_result = models.TextField(blank=True)
    followed_up_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="learning_action_number"),
            models.CheckConstraint(
                condition=(
                    Q(review__isnull=False)
                    | Q(audit__isnull=False)
                    | Q(standard_assessment__isnull=False)
                    | Q(recommendation__isnull=False)
                    | Q(outcome__isnull=False)
                ),
                name="learning_action_has_a_plan",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["complete", "signed_off"]) | Q(completed_on__isnull=False),
                name="learning_action_completion_dated",
            ),
            models.CheckConstraint(
                condition=~Q(status="signed_off")
                | Q(signed_off_by__isnull=False, signed_off_on__isnull=False),
                name="learning_action_sign_off_signed",
            ),
        ]
        indexes = [
            # Action tracker filtered by agency and status, ordered by due date.
            models.Index(
                fields=["owner_agency", "status", "due_on"], name="learning_action_agency"
            ),
            # Reminder sweeps and the dashboard's "overdue today": open actions by due date.
            models.Index(fields=["status", "due_on"], name="learning_action_status_due"),
            # Dashboard and annual report: actions due in a financial year by agency, RAG and
            # completion, answered from the index alone (benchmarks/results.md).
            models.Index(
                fields=["due_on", "status", "owner_agency", "subgroup", "at_risk", "completed_on"],
                name="learning_action_due_cover",
            ),
            # The home page's and reminder sweep's follow-ups due: signed off, not yet checked.
            # With the sub-group, the home's count of a sub-group's due follow-ups reads the index
            # alone and stops at 1,001 (4.0 to 0.5 ms at scale 1, 65,871 due).
            models.Index(
                fields=["follow_up_on", "subgroup"],
                condition=Q(status="signed_off", followed_up_on__isnull=True),
                name="learning_action_follow_up_due",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return record_url("learning:action", self.uuid)

    def _stored(self) -> dict:
        """What is stored of the fields a save is checked against (its completion date and plan
        links), read once for ``clean``; empty for an action being added."""
        if self._state.adding:
            return {}
        fields = ("completed_on", "follow_up_on", *(f"{name}_id" for name in PLAN_LINKS))
        return Action.objects.filter(pk=self.pk).values(*fields).first() or {}

    def _completion_newly_dated(self, stored: dict) -> bool:
        """Whether this save gives the completion date (a later save, a sign-off, keeps it)."""
        if self.completed_on is None:
            return False
        return self._state.adding or stored.get("completed_on") != self.completed_on

    def _answers_since(self) -> tuple[datetime.date | None, str]:
        """The latest day on which what the action answers came about, and its words, whatever
        its plan: the review's referral, the end of the period its audit looked at, the
        inspection its recommendation came from, the submission of the return whose standard
        it answers (or, before that, the opening of the return's cycle), the finding's
        identification, the outcome's agreement (or, while the Executive has not decided, the
        day the outcome was recorded). Never a record's reference or title: the reader may be
        an agency lead the record is closed to."""
        days = []
        if self.review_id:
            days.append((self.review.referred_on, "the review's referral"))
        if self.audit_id:
            days.append((self.audit.period_end, "the end of the period its audit looked at"))
        if self.recommendation_id:
            days.append((self.recommendation.inspection.started_on, "the inspection it answers"))
        if self.standard_assessment_id:
            answered = self.standard_assessment.self_assessment
            if answered.submitted_at:
                days.append(
                    (
                        timezone.localdate(answered.submitted_at),
                        "the submission of the return it answers",
                    )
                )
            else:
                days.append((answered.cycle.opened_on, "the opening of its return's cycle"))
        if self.finding_id:
            # Read by its key: the action may have been loaded for a reader the finding is
            # closed to (``selectors.get_action_for_user``), who is still held to its date.
            identified = Finding._base_manager.filter(pk=self.finding_id).values("identified_on")
            days.append((identified[0]["identified_on"], "the day its finding was identified"))
        if self.outcome_id:
            if self.outcome.decided_on:
                days.append((self.outcome.decided_on, "the Executive's agreement of its outcome"))
            else:
                days.append(
                    (recorded_on(self.outcome), "the day its learning outcome was recorded")
                )
        days = [(day, words) for day, words in days if day]
        return max(days, key=lambda pair: pair[0]) if days else (None, "")

    @property
    def reference(self):
        # ``review_hidden`` is set by the selector that loaded the action for a reader; the
        # recommendation's inspection is loaded with the action by ``selectors.action_list`` and
        # ``get_action_for_user``.
        hidden = getattr(self, "review_hidden", False)
        return action_reference(
            self.number,
            review_hidden=hidden,
            review=self.review.reference if self.review_id and not hidden else None,
            audit=self.audit.reference if self.audit_id else None,
            standard=bool(self.standard_assessment_id),
            inspection=self.recommendation.inspection.reference if self.recommendation_id else None,
            plan_label=self.plan_label,
        )

    @property
    def is_done(self):
        return self.status in self.DONE

    def rag(self, today: datetime.date) -> str:
        """This action's RAG on ``today``, for a row already loaded: ``action_rag_condition``
        for one row (the tests hold the two to the same answer on the boundary days)."""
        if self.status not in self.OPEN:
            return self.Rag.GREEN
        if self.due_on < today:
            return self.Rag.RED
        if self.at_risk or self.due_on <= today + self.AMBER_WITHIN:
            return self.Rag.AMBER
        return self.Rag.GREEN

    def _plans_joined(self, stored: dict) -> list:
        """The records whose plans this save puts the action in: all it names when it is added;
        afterwards, any plan link that differs from the one stored."""
        return [
            getattr(self, name)
            for name in PLAN_LINKS
            if getattr(self, f"{name}_id")
            and getattr(self, f"{name}_id") != stored.get(f"{name}_id")
        ]

    def clean(self):
        # Read only when a check below asks for it: an open action's plan links, a completion date.
        stored = (
            self._stored()
            if self.status in self.OPEN or self.completed_on or self.follow_up_on
            else {}
        )
        if self.status in self.OPEN:
            for source in self._plans_joined(stored):
                if refusal := plan_closed_to_actions(source):
                    raise ValidationError(refusal)
        if self.status in self.DONE and not self.completed_on:
            raise ValidationError({"completed_on": "Give the date the action was completed."})
        if self.owner_id and self.owner_agency_id and self.owner.agency_id != self.owner_agency_id:
            owner = self.owner
            raise ValidationError(
                {
                    "owner": f"{owner} works for {owner.agency or 'no partner agency'}, "
                    f"not {self.owner_agency}: choose someone from {self.owner_agency}."
                }
            )
        answers_since, answers = (
            self._answers_since() if self._completion_newly_dated(stored) else (None, "")
        )
        check_dates(
            # Done before the tracker was updated is usual (a plan typed in after the panel
            # met), but not before what the action answers had happened.
            completed_on=happened_after(
                self.completed_on,
                answers_since,
                what="The completion date",
                than=answers,
            ),
            signed_off_on=not_before(
                self.signed_off_on,
                self.completed_on,
                what="The sign-off date",
                than="the completion date",
            ),
            follow_up_on=[
                not_before(
                    self.follow_up_on,
                    self.due_on,
                    what="The follow-up date",
                    than="the due date",
                    strictly=True,
                ),
                not_before(
                    self.follow_up_on,
                    self.signed_off_on,
                    what="The follow-up date",
                    than="sign-off",
                    strictly=True,
                ),
                # Within reach of the day it counts from, when it is given or changed.
                follow_up_too_far(
                    self.follow_up_on,
                    *max(
                        (day, words)
                        for day, words in (
                            (self.due_on, "the due date"),
                            (self.signed_off_on, "sign-off"),
                        )
                        if day
                    ),
                )
                if self.due_on and stored.get("follow_up_on") != self.follow_up_on
                else None,
            ],
            followed_up_on=not_before(
                self.followed_up_on,
                self.signed_off_on,
                what="The follow-up",
                than="sign-off",
            ),
        )


def action_reference(
    number: int,
    *,
    review_hidden=False,
    review: str | None = None,
    audit: str | None = None,
    standard: bool = False,
    inspection: str | None = None,
    plan_label: str = "",
) -> str:
    """An action's reference: its plan, then its number. The plan is the first the action has of
    its review (by reference, or "Review not open to you" where the reader may not open it), audit,
    Section 11 / 175 standard (its ``plan_label``), inspection (through the recommendation it
    answers) and learning outcome (its ``plan_label``): never a database key. For a loaded action
    (``Action.reference``) and a row of an export's values."""
    if review_hidden:
        # Not "restricted": to an agency lead, a review their agency is not part of is hidden too.
        plan = "Review not open to you"
    elif review is not None:
        plan = review
    elif audit is not None:
        plan = audit
    elif standard:
        plan = plan_label or "Standard"
    elif inspection is not None:
        plan = inspection
    else:
        plan = plan_label or "Outcome"
    return f"{plan}/{number}"


FRAMEWORK_SHORT = {"section_11": "S11", "section_175": "S175"}


def standard_plan_label(
    *, framework_code: str, financial_year: int, agency: str, standard_number: int
) -> str:
    """A standard's plan: "S11-2026/27-Police-8", its framework, cycle's year, agency and
    standard, as a chair says it."""
    short = FRAMEWORK_SHORT.get(framework_code, framework_code)
    label = f"{short}-{financial_year_label(financial_year)}-{agency}"
    return f"{label[:70]}-{standard_number}"


def outcome_plan_label(*, year: int, position: int) -> str:
    """An outcome's plan: "LO-2026-3", the third learning outcome recorded in 2026."""
    return f"LO-{year}-{position}"


def action_rag_condition(rag: str, today: datetime.date) -> Q:
    """DESIGN.md, "Action RAG": red — open and overdue; amber — open, not overdue, and due within
    ``Action.AMBER_WITHIN`` or reported at risk; green — everything else (done, cancelled, or
    due later and not at risk). The three exclude one another."""
    open_ = Q(status__in=Action.OPEN)
    red = open_ & Q(due_on__lt=today)
    amber = (
        open_
        & Q(due_on__gte=today)
        & (Q(at_risk=True) | Q(due_on__lte=today + Action.AMBER_WITHIN))
    )
    if rag == Action.Rag.RED:
        return red
    if rag == Action.Rag.AMBER:
        return amber
    return ~Q(status__in=Action.OPEN) | Q(at_risk=False, due_on__gt=today + Action.AMBER_WITHIN)


def action_completion_condition(value: str) -> Q:
    """DESIGN.md: completed on time = completed on or before its due date; ``value`` is
    on_time, late or not_done (neither done nor cancelled)."""
    done = Q(status__in=Action.DONE)
    if value == "on_time":
        return done & Q(completed_on__lte=models.F("due_on"))
    if value == "late":
        return done & Q(completed_on__gt=models.F("due_on"))
    return ~done & ~Q(status=Action.Status.CANCELLED)


def action_follow_up_due(today: datetime.date) -> Q:
    """Signed off, and the day to check that the change has lasted has come, unchecked."""
    return Q(status=Action.Status.SIGNED_OFF, followed_up_on__isnull=True, follow_up_on__lte=today)


def action_escalated(level: str, today: datetime.date) -> Q:
    """Open and overdue long enough for the reminder sweep to escalate it to ``level``
    (the sub-group "chair" or the "business_unit"), by the sweep's own settings.

    A date condition, not a look-up of reminder rows: it answers in one index range on a
    table of half a million actions, and it is what the sweep does whenever it runs.
    """
    days = (
        settings.REMINDER_ESCALATE_TO_BUSINESS_UNIT_DAYS
        if level == "business_unit"
        else settings.REMINDER_ESCALATE_TO_CHAIR_DAYS
    )
    return action_completion_condition("not_done") & Q(
        due_on__lte=today - datetime.timedelta(days=days)
    )


class Attachment(TimeStampedModel):
    """A file given as evidence for an action or an assurance evidence record; private."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    evidence = models.ForeignKey(
        AssuranceEvidence,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(upload_to="evidence/%Y/%m/")
    name = models.CharField(max_length=200, help_text="The file's name as uploaded.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__isnull=False, evidence__isnull=True)
                | Q(action__isnull=True, evidence__isnull=False),
                name="learning_attachment_one_parent",
            )
        ]

    def __str__(self):
        return self.name
