"""Quality assurance and performance activity: audits, and Section 11 / 175 self-assessments."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from sscb.dates import (
    check_dates,
    financial_year_bounds,
    financial_year_label,
    not_before,
    not_future,
    say,
)
from sscb.minimise import PSEUDONYM_HELP, validate_pseudonym
from sscb.models import Agency, SubGroup, TimeStampedModel

# An audit's period starts no earlier than this: a start before it is a slip of the year.
PERIOD_EARLIEST = datetime.date(2000, 1, 1)


class Audit(TimeStampedModel):
    """A multi-agency themed, single agency, deep-dive or multi-agency case file audit."""

    class Kind(models.TextChoices):
        THEMED = "themed", "Multi-agency themed audit"
        SINGLE_AGENCY = "single_agency", "Single agency audit"
        DEEP_DIVE = "deep_dive", "Deep-dive audit of practice"
        CASE_FILE = "case_file", "Multi-agency case file audit"

    class Stage(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        REPORTING = "reporting", "Reporting"
        COMPLETE = "complete", "Complete"

    # Reference prefixes, e.g. MATA-2025-002 for the second themed audit of 2025/26.
    REFERENCE_PREFIX = {
        Kind.THEMED: "MATA",
        Kind.SINGLE_AGENCY: "SAA",
        Kind.DEEP_DIVE: "DDA",
        Kind.CASE_FILE: "MACFA",
    }

    reference = models.CharField(max_length=30, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    lead_subgroup = models.ForeignKey(
        SubGroup,
        on_delete=models.PROTECT,
        related_name="led_audits",
        verbose_name="lead sub-group",
        help_text="The sub-group that runs the audit; its members may edit it.",
    )
    reports_to = models.ForeignKey(
        SubGroup,
        on_delete=models.PROTECT,
        related_name="audits_reported",
        help_text="The sub-group that receives the audit's report.",
    )
    scope = models.TextField(
        help_text="What the audit looks at and why. Name children by pseudonym only."
    )
    period_start = models.DateField(help_text="First day of the practice period audited.")
    period_end = models.DateField(help_text="Last day of the practice period audited.")
    agencies = models.ManyToManyField(Agency, related_name="audits", blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.PLANNED)
    summary = models.TextField(
        blank=True, help_text="What the audit found: strengths as well as concerns."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords(m2m_fields=[agencies])

    class Meta:
        ordering = ["-period_start", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="audits_audit_period_ends_after_start",
            )
        ]
        indexes = [
            # The audits list filtered by kind and stage.
            models.Index(fields=["kind", "stage"], name="audits_audit_kind_stage_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def clean(self):
        super().clean()
        checks = {
            "period_start": [self._period_start_not_a_slip()],
            # An audit looks back at practice: the period it audits has ended.
            "period_end": [
                not_future(self.period_end, what="The end of the audit period"),
                not_before(
                    self.period_end,
                    self.period_start,
                    what="The end of the audit period",
                    than="its start",
                ),
            ],
        }
        if self.stage == self.Stage.COMPLETE:
            graded = self.cases.count() if self.pk and self.is_case_file else 0
            for field, message in self.completion_missing(graded).items():
                checks.setdefault(field, []).append(message)
        check_dates(**checks)

    def _period_start_not_a_slip(self) -> str | None:
        if self.period_start is None or self.period_start >= PERIOD_EARLIEST:
            return None
        return (
            f"The start of the audit period ({say(self.period_start)}) is before "
            f"{PERIOD_EARLIEST.year}: check the year."
        )

    def completion_missing(self, graded_cases: int) -> dict[str, str]:
        """What the audit still needs before it can be complete, by field: its summary of
        findings and, for a case file audit, a graded case (``graded_cases`` is how many)."""
        missing = {}
        if not self.summary.strip():
            missing["summary"] = (
                "A complete audit needs its summary of findings: write what the audit found."
            )
        if self.is_case_file and not graded_cases:
            missing[NON_FIELD_ERRORS] = (
                "A complete case file audit needs at least one graded case: grade a case first."
            )
        return missing

    @property
    def is_case_file(self):
        return self.kind == self.Kind.CASE_FILE

    def agencies_problem(self, agencies) -> str | None:
        """Why ``agencies`` cannot be this audit's participating agencies, for its kind: a single
        agency audit looks at one; a case file audit grades each case for an agency taking part,
        so with none it could grade no case and never be complete."""
        count = len(agencies)
        if self.kind == self.Kind.SINGLE_AGENCY and count != 1:
            return "A single agency audit looks at exactly one agency."
        if self.is_case_file and not count:
            return (
                "A case file audit grades each case for an agency taking part: choose the "
                "participating agencies."
            )
        return None


class CaseAuditEntry(TimeStampedModel):
    """One case looked at in a multi-agency case file audit, graded for one agency's practice."""

    class Grade(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="cases")
    pseudonym = models.CharField(
        max_length=60, help_text=PSEUDONYM_HELP, validators=[validate_pseudonym]
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="case_audits")
    grade = models.CharField(max_length=30, choices=Grade.choices)
    strengths = models.TextField(blank=True)
    concerns = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "pseudonym", "agency__name"]
        verbose_name_plural = "case audit entries"
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "pseudonym", "agency"],
                name="audits_caseauditentry_once_per_case_and_agency",
            )
        ]

    def __str__(self):
        return f"{self.pseudonym} ({self.agency}): {self.get_grade_display()}"

    def clean(self):
        super().clean()
        # The audit's page lists its participating agencies above its graded cases, and an
        # agency lead opens the audit through their agency's part in it (audits_visible_to).
        if (
            self.audit_id
            and self.agency_id
            and not self.audit.agencies.filter(pk=self.agency_id).exists()
        ):
            raise ValidationError(
                {
                    "agency": f"{self.agency.label} is not taking part in {self.audit.reference}: "
                    "add it to the audit's participating agencies first."
                }
            )


class Framework(TimeStampedModel):
    """A framework of standards for a self-assessment: Section 11 or Section 175/157."""

    class Code(models.TextChoices):
        SECTION_11 = "section_11", "Section 11 (Children Act 2004)"
        SECTION_175 = "section_175", "Section 175/157 (Education Act 2002)"

    code = models.CharField(max_length=20, choices=Code.choices, unique=True)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    for_schools = models.BooleanField(
        default=False,
        help_text="Returns go to schools (and need head teacher and governor sign-off), "
        "not to partner agencies.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class Standard(TimeStampedModel):
    """One standard in a framework, with the guidance and evidence a return is judged against."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="standards")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    evidence_expected = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="audits_standard_number_once_per_framework"
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class AuditCycle(TimeStampedModel):
    """One round of a framework: a return goes to each agency or school, due by the deadline."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="cycles")
    title = models.CharField(max_length=200)
    financial_year = models.PositiveSmallIntegerField(
        help_text="The financial year the cycle belongs to, e.g. 2025 for 2025/26."
    )
    opened_on = models.DateField()
    deadline = models.DateField(help_text="The date every return is due.")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year", "framework"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("opened_on")),
                name="audits_auditcycle_deadline_after_opening",
            ),
            models.UniqueConstraint(
                fields=["framework", "financial_year"], name="audits_auditcycle_once_per_year"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("audits:cycle", args=[self.uuid])

    def clean(self):
        super().clean()
        check_dates(
            opened_on=[
                not_future(self.opened_on, what="The opening date"),
                self._opened_in_time(),
            ],
            deadline=[
                not_before(
                    self.deadline,
                    self.opened_on,
                    what="The deadline",
                    than="the opening date",
                    strictly=True,
                ),
                self._due_within_the_year(),
            ],
        )

    def opening_window(self) -> tuple[datetime.date, datetime.date]:
        """A cycle opens in its financial year or, to give agencies notice, the year before."""
        return (
            financial_year_bounds(self.financial_year - 1)[0],
            financial_year_bounds(self.financial_year)[1],
        )

    def _opened_in_time(self) -> str | None:
        if self.opened_on is None or self.financial_year is None:
            return None
        first, last = self.opening_window()
        if first <= self.opened_on <= last:
            return None
        return (
            f"The opening date ({say(self.opened_on)}) must fall between {say(first)} and "
            f"{say(last)} for a {financial_year_label(self.financial_year)} cycle: a cycle "
            "opens in its financial year or the year before."
        )

    def _due_within_the_year(self) -> str | None:
        """The returns are due within the cycle's financial year, so that the year's annual
        report reads them and they describe that year: not after its end, nor before its start
        (a cycle opened the year before gives notice, not an earlier deadline)."""
        if self.deadline is None or self.financial_year is None:
            return None
        first, last = financial_year_bounds(self.financial_year)
        year = financial_year_label(self.financial_year)
        if self.deadline < first:
            return (
                f"The deadline ({say(self.deadline)}) cannot be before the start of the {year} "
                f"financial year ({say(first)}): the returns describe that year."
            )
        if self.deadline <= last:
            return None
        return (
            f"The deadline ({say(self.deadline)}) cannot be after the end of the {year} "
            f"financial year ({say(last)}): the returns are read in that year's annual report."
        )

    def is_closed(self, today: datetime.date) -> bool:
        """A cycle closes at its deadline: a return sent after it would be late the day it
        arrives, its reminders escalating at once."""
        return self.deadline < today


class SelfAssessment(TimeStampedModel):
    """An agency's or school's return in an audit cycle."""

    names_adults = frozenset(
        {"head_teacher", "safeguarding_governor"}
    )  # an adult's name, not a child's

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        MODERATED = "moderated", "Moderated"

    EDITABLE = (Status.NOT_STARTED, Status.DRAFT)
    RETURNED = (Status.SUBMITTED, Status.MODERATED)

    cycle = models.ForeignKey(AuditCycle, on_delete=models.PROTECT, related_name="returns")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="self_assessments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    head_teacher = models.CharField(
        max_length=120, blank=True, help_text="The head teacher who signed the return off."
    )
    head_teacher_signed_on = models.DateField(null=True, blank=True)
    safeguarding_governor = models.CharField(
        max_length=120, blank=True, help_text="The safeguarding governor who signed it off."
    )
    safeguarding_governor_signed_on = models.DateField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    # The last day the return was sent back to its agency (self_assessment_return_to_agency):
    # its lead is told, and its reminders start again from that day (audits.reminders).
    sent_back_on = models.DateField(null=True, blank=True, editable=False)
    # What the moderators asked the agency to change when they last sent the return back: shown
    # to those who read the return until the agency submits it again (the history keeps each).
    # Editable, so that the free-text rule (MinimisedModel) holds it; the admin shows it only.
    sent_back_reason = models.TextField(
        "reason it was sent back",
        blank=True,
        help_text="What the agency should change before it submits the return again.",
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cycle", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "agency"], name="audits_selfassessment_once_per_cycle"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "draft"]) | Q(submitted_at__isnull=False),
                name="audits_selfassessment_submitted_has_date",
            ),
        ]
        indexes = [
            # Attention and cycle counts: returns by status within a cycle.
            models.Index(fields=["cycle", "status"], name="audits_return_cycle_status_idx"),
        ]

    def __str__(self):
        return f"{self.agency} — {self.cycle}"

    def clean(self):
        super().clean()
        check_dates(
            head_teacher_signed_on=self._signed_off_problems(
                self.head_teacher_signed_on, "The head teacher's sign-off"
            ),
            safeguarding_governor_signed_on=self._signed_off_problems(
                self.safeguarding_governor_signed_on, "The safeguarding governor's sign-off"
            ),
        )

    def _signed_off_problems(self, day, what: str) -> list[str | None]:
        """A sign-off has happened (not a day to come), and signs off this cycle's return: not
        before the cycle opened."""
        opened_on = self.cycle.opened_on if self.cycle_id else None
        return [
            not_future(day, what=what),
            not_before(day, opened_on, what=what, than="the day the cycle opened"),
        ]

    @property
    def deadline(self):
        return self.cycle.deadline

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    @property
    def is_returned(self):
        return self.status in self.RETURNED

    @property
    def may_go_back(self):
        """Submitted and not yet moderated: it may be sent back to its agency."""
        return self.status == self.Status.SUBMITTED

    def is_late(self, today):
        return not self.is_returned and self.deadline < today


class StandardAssessment(TimeStampedModel):
    """A return's answer for one standard: the agency's own score, then the moderated one."""

    class Score(models.IntegerChoices):
        NOT_MET = 1, "Not met"
        PARTLY_MET = 2, "Partly met"
        MET = 3, "Met"
        EXCEEDED = 4, "Exceeded"

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="answers"
    )
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="answers")
    self_score = models.PositiveSmallIntegerField(
        choices=Score.choices, null=True, blank=True, verbose_name="self-assessed score"
    )
    narrative = models.TextField(
        blank=True, help_text="How the agency meets the standard. Name children by pseudonym only."
    )
    evidence = models.TextField(
        blank=True, help_text="The evidence you hold: documents, audits, training records."
    )
    needs_reconfirmation = models.BooleanField(
        default=False,
        help_text="Carried forward from the last cycle; the agency must confirm or change it.",
    )
    carried_forward_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_score = models.PositiveSmallIntegerField(choices=Score.choices, null=True, blank=True)
    moderation_comment = models.TextField(blank=True)
    challenge_notes = models.TextField(
        blank=True, help_text="Notes from the challenge event with the agency."
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    # Where the score was moderated, when QAP's minutes record it (learning.meetings): "decided
    # at the Quality Assurance and Performance sub-group, 12 March 2026, item 4", linked to them.
    minutes_label = models.CharField("decided at", max_length=200, blank=True, editable=False)
    minutes_url = models.CharField("minutes", max_length=300, blank=True, editable=False)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["self_assessment", "standard__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["self_assessment", "standard"],
                name="audits_standardassessment_once_per_return",
            ),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | Q(self_score__gte=1, self_score__lte=4),
                name="audits_standardassessment_self_score_on_scale",
            ),
            models.CheckConstraint(
                condition=Q(moderated_score__isnull=True)
                | Q(moderated_score__gte=1, moderated_score__lte=4),
                name="audits_standardassessment_moderated_score_on_scale",
            ),
        ]
        indexes = [
            # standards_not_met(): answers rated not met, self-assessed or moderated.
            models.Index(fields=["moderated_score", "self_score"], name="audits_answer_scores_idx"),
        ]

    def __str__(self):
        return f"{self.self_assessment.agency} — standard {self.standard.number}"

    @property
    def score(self):
        """The score that counts: the moderated one once there is one."""
        return self.moderated_score if self.moderated_score is not None else self.self_score

    @property
    def is_not_met(self):
        return self.score == self.Score.NOT_MET
