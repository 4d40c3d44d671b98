"""The performance framework: indicators as data, and the quarterly values agencies return."""

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sscb.dates import (
    FIRST_FINANCIAL_YEAR,
    financial_year_label,
    financial_year_of,
    quarter_bounds,
    say,
)
from sscb.models import Agency, TimeStampedModel


class IndicatorSet(TimeStampedModel):
    """A set of indicators read together on one scorecard (e.g. QAP's core dataset)."""

    name = models.CharField(max_length=120, unique=True)
    purpose = models.TextField(blank=True, help_text="What the set tells the Board.")
    return_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days after a quarter ends by which agencies return its values.",
    )
    is_active = models.BooleanField(default=True, help_text="Untick to archive the set.")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("performance:scorecard", args=[self.uuid])

    def return_due_on(self, year: int, quarter: int) -> datetime.date:
        """The day a quarter's values are due: ``return_days`` after the quarter ends."""
        return quarter_bounds(year, quarter)[1] + datetime.timedelta(days=self.return_days)


class Rag(models.TextChoices):
    GREEN = "green", "On target"
    AMBER = "amber", "Within tolerance"
    RED = "red", "Beyond tolerance"


class Indicator(TimeStampedModel):
    """One measure the partnership watches: whose it is, what good looks like, how often."""

    class Unit(models.TextChoices):
        PERCENT = "percent", "Percentage (%)"
        COUNT = "count", "Number"
        RATE = "rate", "Rate per 10,000 children"
        DAYS = "days", "Days"

    class Polarity(models.TextChoices):
        HIGHER = "higher", "Higher is better"
        LOWER = "lower", "Lower is better"

    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", "Quarterly"
        HALF_YEARLY = "half_yearly", "Half-yearly (Q2 and Q4)"
        ANNUALLY = "annually", "Annually (Q4)"

    # The quarters of a financial year in which each frequency asks for a value.
    DUE_QUARTERS = {
        Frequency.QUARTERLY: (1, 2, 3, 4),
        Frequency.HALF_YEARLY: (2, 4),
        Frequency.ANNUALLY: (4,),
    }

    indicator_set = models.ForeignKey(
        IndicatorSet,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name="scorecard",
        help_text="The scorecard the indicator is read on.",
    )
    name = models.CharField(max_length=200)
    definition = models.TextField(
        blank=True, help_text="What is counted, from which system, and how it is calculated."
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="indicators",
        verbose_name="owning agency",
        help_text="The agency that returns the indicator's values.",
    )
    unit = models.CharField(max_length=10, choices=Unit.choices)
    polarity = models.CharField(max_length=10, choices=Polarity.choices)
    target = models.DecimalField(max_digits=10, decimal_places=2)
    tolerance = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
        help_text="How far from the target, on the wrong side, is amber rather than red.",
    )
    frequency = models.CharField(
        max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Untick to stop asking for values.")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator_set", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "name"], name="performance_indicator_name_once_per_set"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0), name="performance_indicator_tolerance_not_negative"
            ),
        ]
        indexes = [
            # "My agency" and the upload: an agency's active indicators.
            models.Index(fields=["agency", "is_active"], name="performance_indicator_agency"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("performance:indicator", args=[self.uuid])

    def clean(self):
        super().clean()
        if self.tolerance is not None and self.tolerance < 0:
            raise ValidationError({"tolerance": "The tolerance cannot be negative."})
        if (
            self.unit == self.Unit.PERCENT
            and self.target is not None
            and not 0 <= self.target <= 100
        ):
            raise ValidationError({"target": "A percentage target is between 0 and 100."})

    def rag(self, value: Decimal | None) -> str | None:
        """Green on or beyond the target on the good side; amber up to ``tolerance`` on the bad
        side (the boundary included); red beyond. The one home of the scorecard's RAG."""
        if value is None:
            return None
        if self.polarity == self.Polarity.HIGHER:
            shortfall = self.target - value
        else:
            shortfall = value - self.target
        if shortfall <= 0:
            return Rag.GREEN
        if shortfall <= self.tolerance:
            return Rag.AMBER
        return Rag.RED

    def is_due_in(self, quarter: int) -> bool:
        return quarter in self.DUE_QUARTERS[self.frequency]


def quarter_index(year: int, quarter: int) -> int:
    """Quarters counted from year 0, so that "the last eight quarters" is a range."""
    return year * 4 + quarter - 1


def quarter_of_index(index: int) -> tuple[int, int]:
    return index // 4, index % 4 + 1


def quarter_label(year: int, quarter: int) -> str:
    return f"Q{quarter} {financial_year_label(year)}"


class IndicatorValue(TimeStampedModel):
    """An indicator's value for one quarter of a financial year, with the agency's commentary."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    year = models.PositiveSmallIntegerField(
        "financial year", help_text="The year the financial year starts in: 2025 for 2025/26."
    )
    quarter = models.PositiveSmallIntegerField(
        choices=[
            (1, "Q1 (April–June)"),
            (2, "Q2 (July–September)"),
            (3, "Q3 (October–December)"),
            (4, "Q4 (January–March)"),
        ],
    )
    value = models.DecimalField(max_digits=10, decimal_places=2)
    commentary = models.TextField(
        blank=True,
        help_text="What lies behind the figure: context, reasons for change, what is being done. "
        "No names of children or families.",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "quarter"], name="performance_value_once_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="performance_value_quarter_1_to_4"
            ),
        ]
        # The unique constraint's index serves the scorecard's read (indicators × a quarter range).

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.label})"

    @property
    def label(self) -> str:
        return quarter_label(self.year, self.quarter)

    def clean(self):
        super().clean()
        if self.indicator_id and self.quarter and not self.indicator.is_due_in(self.quarter):
            asked = " and ".join(
                f"Q{q}" for q in self.indicator.DUE_QUARTERS[self.indicator.frequency]
            )
            raise ValidationError(
                {
                    "quarter": f"“{self.indicator}” is returned in {asked} only, "
                    f"not in Q{self.quarter}."
                }
            )
        if (
            self.indicator_id
            and self.value is not None
            and self.indicator.unit == Indicator.Unit.PERCENT
            and not 0 <= self.value <= 100
        ):
            raise ValidationError({"value": "A percentage is between 0 and 100."})
        if self.indicator_id and self.value is not None and self.value < 0:
            raise ValidationError({"value": "The value cannot be negative."})
        if self.year is not None and self.year < FIRST_FINANCIAL_YEAR:
            raise ValidationError(
                {"year": f"The records start in {financial_year_label(FIRST_FINANCIAL_YEAR)}."}
            )
        this_year = financial_year_of(timezone.localdate())
        if self.year is not None and self.year > this_year:
            # Said before its quarter's dates are worked out: a year typed as 9999 has none.
            raise ValidationError(
                {
                    "year": f"The financial year {financial_year_label(self.year)} has not begun: "
                    f"give a year from {financial_year_label(FIRST_FINANCIAL_YEAR)} to "
                    f"{financial_year_label(this_year)}."
                }
            )
        if self.year and self.quarter in (1, 2, 3, 4):
            ends_on = quarter_bounds(self.year, self.quarter)[1]
            if ends_on >= timezone.localdate():
                raise ValidationError(
                    {"quarter": f"{self.label} has not ended yet: it ends on {say(ends_on)}."}
                )
