"""The register of external scrutiny: inspections (a joint targeted area inspection, ILACS, CQC,
HMICFRS...), peer reviews and the partnership's own self-evaluations, with their recommendations.

A recommendation becomes a finding (source "inspection / peer review") or an action in one step;
those records point back at it (``learning.Finding.recommendation``,
``learning.Action.recommendation``), so the golden thread runs inspection → recommendation →
finding or action → theme → … → assurance.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from sscb.dates import check_dates, not_before, not_future
from sscb.models import TimeStampedModel

# The register holds scrutiny from this day on: an earlier date is a slip of the keyboard.
REGISTER_FROM = datetime.date(2000, 1, 1)


class Inspection(TimeStampedModel):
    """One inspection, peer review or self-evaluation in the register."""

    names_adults = frozenset({"carried_out_by"})  # an adult's name, not a child's

    class Kind(models.TextChoices):
        JTAI = "jtai", "Joint targeted area inspection (JTAI)"
        ILACS = "ilacs", "Ofsted inspection of local authority children's services (ILACS)"
        OFSTED = "ofsted", "Other Ofsted inspection"
        SEND = "send", "Area SEND inspection (Ofsted and CQC)"
        CQC = "cqc", "Care Quality Commission (CQC) inspection"
        HMICFRS = "hmicfrs", "HM Inspectorate of Constabulary and Fire & Rescue Services"
        HMIP = "hmip", "HM Inspectorate of Probation"
        PEER_REVIEW = "peer_review", "Peer review"
        SELF_EVALUATION = "self_evaluation", "The partnership's self-evaluation"
        OTHER = "other", "Other external scrutiny"

    # The reference's prefix for each kind (JTAI-2025-1).
    PREFIX = {
        Kind.JTAI: "JTAI",
        Kind.ILACS: "ILACS",
        Kind.OFSTED: "OFSTED",
        Kind.SEND: "SEND",
        Kind.CQC: "CQC",
        Kind.HMICFRS: "HMICFRS",
        Kind.HMIP: "HMIP",
        Kind.PEER_REVIEW: "PEER",
        Kind.SELF_EVALUATION: "SELF",
        Kind.OTHER: "EXT",
    }
    # Each kind as running text says it after "the" ("What the peer review looked at"); a proper
    # name keeps its capitals.
    IN_A_SENTENCE = {
        Kind.JTAI: "joint targeted area inspection (JTAI)",
        Kind.ILACS: "Ofsted inspection of local authority children's services (ILACS)",
        Kind.OFSTED: "Ofsted inspection",
        Kind.SEND: "area SEND inspection (Ofsted and CQC)",
        Kind.CQC: "Care Quality Commission (CQC) inspection",
        Kind.HMICFRS: "inspection by HM Inspectorate of Constabulary and Fire & Rescue Services",
        Kind.HMIP: "inspection by HM Inspectorate of Probation",
        Kind.PEER_REVIEW: "peer review",
        Kind.SELF_EVALUATION: "partnership's self-evaluation",
        Kind.OTHER: "external scrutiny",
    }

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        max_length=30, unique=True, editable=False, help_text="Generated, e.g. JTAI-2025-1."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(
        max_length=200, help_text="E.g. “JTAI: the multi-agency response to neglect”."
    )
    carried_out_by = models.CharField(
        "carried out by",
        max_length=200,
        blank=True,
        help_text="The inspectorate or inspectorates, the peer team or, for a self-evaluation, "
        "who led it.",
    )
    started_on = models.DateField(
        "date", help_text="When the inspection, peer review or self-evaluation took place."
    )
    reported_on = models.DateField(
        "report published on", null=True, blank=True, help_text="When its report came out."
    )
    scope = models.TextField(help_text="What was looked at: the services, theme and period.")
    judgement = models.CharField(
        max_length=200,
        blank=True,
        help_text="The overall judgement in the report's own words, e.g. “Good”, “Requires "
        "improvement to be good”; empty where the scrutiny gives none.",
    )
    summary = models.TextField(blank=True, help_text="What the report said, in brief.")
    agencies = models.ManyToManyField(
        "sscb.Agency", blank=True, related_name="inspections", help_text="The agencies looked at."
    )
    subgroup = models.ForeignKey(
        "sscb.SubGroup",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name="sub-group monitoring the response",
        help_text="The sub-group that owns the findings and actions that follow.",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[agencies])

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reported_on__isnull=True) | Q(reported_on__gte=F("started_on")),
                name="scrutiny_inspection_reported_after_start",
            ),
        ]
        indexes = [
            # The register: newest first, filtered by kind.
            models.Index(fields=["kind", "started_on"], name="scrutiny_inspection_kind_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("scrutiny:detail", args=[self.uuid])

    @property
    def kind_in_a_sentence(self) -> str:
        return self.IN_A_SENTENCE.get(self.kind, self.get_kind_display())

    def clean(self):
        check_dates(
            started_on=[
                not_future(self.started_on, what="The date"),
                not_before(
                    self.started_on,
                    REGISTER_FROM,
                    what="The date",
                    than="the earliest date the register holds",
                ),
            ],
            reported_on=[
                not_future(self.reported_on, what="The publication date"),
                not_before(
                    self.reported_on,
                    self.started_on,
                    what="The publication date",
                    than="the date it took place",
                ),
            ],
        )


class Recommendation(TimeStampedModel):
    """One recommendation (or area for improvement) of an inspection, numbered within it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="recommendations"
    )
    number = models.PositiveSmallIntegerField(editable=False)
    text = models.TextField(
        "recommendation", help_text="The recommendation as the report words it."
    )
    agency = models.ForeignKey(
        "sscb.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="addressed to",
        help_text="The agency it is addressed to; empty for the partnership as a whole.",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["inspection", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "number"], name="scrutiny_recommendation_number"
            ),
        ]

    def __str__(self):
        return f"{self.inspection.reference} recommendation {self.number}"

    def get_absolute_url(self):
        return f"{self.inspection.get_absolute_url()}#recommendation-{self.number}"

    @property
    def headline(self) -> str:
        """The recommendation in one line, for a finding's or an action's title."""
        first = " ".join(self.text.split())
        return first if len(first) <= 160 else first[:157].rstrip() + "…"

    def clean(self):
        if not self.text.strip():
            raise ValidationError({"text": "Write the recommendation."})
