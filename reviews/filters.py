"""The register's filters: kind, stage, sub-group, clock status, financial year and free text."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from sscb.filters import FinancialYearFilter, ListFilterSet, ModelChoiceFilter, QuarterFilter
from sscb.models import Agency, SubGroup

from .models import Review, ReviewClock
from .selectors import clock_state_condition, has_clock_in_state
from .stage_at import stage_at_end_of

CLOCK_CHOICES = [
    ("red", "Past due"),
    ("amber", "Due soon"),
    ("green", "On track"),
    ("none", "No open clock"),
    ("met_on_time", "A deadline met on time"),
    ("met_late", "A deadline met late"),
]


class ReviewFilter(ListFilterSet):
    q = django_filters.CharFilter(
        label="Search", method="search", help_text="Reference, title, pseudonym or summary."
    )
    kind = django_filters.ChoiceFilter(choices=Review.Kind.choices)
    stage = django_filters.ChoiceFilter(choices=Review.Stage.choices)
    subgroup = ModelChoiceFilter(queryset=SubGroup.objects.all(), label="Sub-group")
    clock = django_filters.ChoiceFilter(
        choices=CLOCK_CHOICES, label="Clock status", method="filter_clock"
    )
    # With "met on time" / "met late": only deadlines met in that year (the dashboard's figures).
    clock_met_year = FinancialYearFilter(
        label="Deadline met in financial year", method="filter_nothing"
    )
    financial_year = FinancialYearFilter(
        field_name="referred_on", label="Referred in financial year"
    )
    # The Board dashboard's figures link here: open during, completed in or published in a year.
    active_year = FinancialYearFilter(
        label="Open during financial year", method="filter_active_year"
    )
    # With ``active_year``, the stage a review held at that year's (or quarter's) end (the
    # dashboard's ended periods); without it, at the end of today.
    year_end_stage = django_filters.ChoiceFilter(
        choices=Review.Stage.choices,
        label="Stage at the end of that year or quarter",
        method="filter_year_end_stage",
    )
    completed_year = FinancialYearFilter(
        field_name="completed_on", label="Completed in financial year"
    )
    published_year = FinancialYearFilter(
        field_name="published_on", label="Published in financial year"
    )
    # A report of a quarter links its figures with the quarter beside the year.
    quarter = QuarterFilter()

    # Searches a review's words: never over the reviews the reader may not open (sscb.lists).
    words = ("q",)

    class Meta:
        model = Review
        fields = [
            "q",
            "kind",
            "stage",
            "subgroup",
            "clock",
            "clock_met_year",
            "financial_year",
            "active_year",
            "year_end_stage",
            "completed_year",
            "published_year",
            "quarter",
        ]

    @property
    def form(self):
        """The filters' form, made and styled when first read: a register kept for its reader
        shows it from the kept copy, and making it was a fifth of such a request (1.1 ms)."""
        if not hasattr(self, "_form"):
            form = super().form
            for name, field in form.fields.items():
                if isinstance(field.widget, forms.Select):
                    field.widget.attrs["class"] = "form-select form-select-sm"
                else:
                    field.widget.attrs["class"] = "form-control form-control-sm"
                if self.is_bound and name in form.errors:  # not applied: nothing is listed
                    field.widget.attrs["class"] += " is-invalid"
                    field.widget.attrs["aria-invalid"] = "true"
        return self._form

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(pseudonym__icontains=value)
            | Q(summary__icontains=value)
        )

    def filter_nothing(self, queryset, name, value):
        """Read by ``filter_clock``; on its own it narrows nothing."""
        return queryset

    def filter_clock(self, queryset, name, value):
        today = timezone.localdate()
        if value in (ReviewClock.State.MET_ON_TIME, ReviewClock.State.MET_LATE):
            met = clock_state_condition(value)
            year = self.form.cleaned_data.get("clock_met_year")
            if year:
                met &= Q(met_on__range=self.period(year))
            return queryset.filter(Exists(ReviewClock.objects.filter(met, review=OuterRef("pk"))))
        red = has_clock_in_state(ReviewClock.State.RED, today)
        amber = has_clock_in_state(ReviewClock.State.AMBER, today)
        green = has_clock_in_state(ReviewClock.State.GREEN, today)
        # A review takes the state of its worst open clock.
        if value == "red":
            return queryset.filter(red)
        if value == "amber":
            return queryset.filter(amber & ~red)
        if value == "green":
            return queryset.filter(green & ~red & ~amber)
        if value == "none":
            return queryset.filter(~red & ~amber & ~green)
        return queryset

    def filter_active_year(self, queryset, name, value):
        first, last = self.period(value)
        return queryset.filter(referred_on__lte=last).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gte=first)
        )

    def filter_year_end_stage(self, queryset, name, value):
        year = self.form.cleaned_data.get("active_year")
        day = self.period(year)[1] if year else timezone.localdate()
        return queryset.annotate(stage_then=stage_at_end_of(day)).filter(stage_then=value)


class ChronologyFilter(ListFilterSet):
    """The merged chronology by agency, period and key practice episodes."""

    agency = ModelChoiceFilter(
        queryset=Agency.objects.none(), label="Agency", empty_label="All agencies"
    )
    from_date = django_filters.DateFilter(
        field_name="happened_on",
        lookup_expr="gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    to_date = django_filters.DateFilter(
        field_name="happened_on",
        lookup_expr="lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    key = django_filters.BooleanFilter(
        field_name="is_key_episode",
        label="Key practice episodes only",
        widget=forms.CheckboxInput,
        method="filter_key",
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["agency"].queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])

    def filter_key(self, queryset, name, value):
        return queryset.filter(is_key_episode=True) if value else queryset
