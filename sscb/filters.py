"""What every list's filters share. The empty choice of every filter reads "All" (the setting
``FILTERS_EMPTY_CHOICE_LABEL``); a yes-or-no filter offers "All", "Yes" and "No"."""

import datetime

import django_filters
from django import forms
from django_filters.constants import EMPTY_VALUES

from .dates import QUARTERS, financial_year_bounds, financial_year_choices, quarter_bounds


class YesNoSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "All"), ("true", "Yes"), ("false", "No")]


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoSelect)
        super().__init__(*args, **kwargs)


class _FetchedChoices(django_filters.fields.ModelChoiceIterator):
    """A filter's choices read with one plain query. Django reads a model choice list through
    ``queryset.iterator()``, on PostgreSQL a server-side cursor (``DECLARE ... WITH HOLD``, then
    ``FETCH`` and ``CLOSE``): for the 113 agencies of the benchmark data 3.1 ms against 1.3 ms
    for the same rows fetched at once (issue 15). A filter's list is short, so holding it whole
    costs nothing; it is read once a request, from the form's own copy of the queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for record in self.queryset:
            yield self.choice(record)


class _FetchedChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _FetchedChoices


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """``django_filters.ModelChoiceFilter`` with its choices read in one plain query."""

    field_class = _FetchedChoiceField


# Said beside a filter that cannot be applied (a choice not offered, a date that is not one).
NOTHING_LISTED = "Until this is put right, nothing is listed."
QUARTER_NEEDS_A_YEAR = "A quarter is of a financial year: choose the year too."


class FinancialYearFilter(django_filters.ChoiceFilter):
    """Rows whose ``field_name`` falls in the chosen financial year or, with a quarter chosen
    beside it (``QuarterFilter``), in that quarter of it: a report of a quarter links its figures
    with both. A filter with a ``method`` reads the same days from ``ListFilterSet.period``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", financial_year_choices)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__range": self.parent.period(value)})


class QuarterFilter(django_filters.ChoiceFilter):
    """A quarter of the financial year chosen in the list's year filters (Q1 is April to June):
    read by them (``ListFilterSet.period``), it narrows nothing on its own."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "Quarter of that year")
        choices = [(str(quarter), label) for quarter, label in QUARTERS]
        super().__init__(*args, choices=choices, **kwargs)

    def filter(self, qs, value):
        return qs


class _ListFilterForm(forms.Form):
    """A list's filter form: a quarter needs a year beside it, and each filter that cannot be
    applied says that nothing is listed until it is put right."""

    years: tuple[str, ...] = ()  # the names of the list's FinancialYearFilters

    def clean(self):
        cleaned = super().clean()
        asked_a_year = any(self.data.get(name) for name in self.years)
        if "quarter" in self.fields and cleaned.get("quarter") and not asked_a_year:
            self.add_error("quarter", QUARTER_NEEDS_A_YEAR)
        for errors in self._errors.values():
            errors.append(NOTHING_LISTED)
        return cleaned


class ListFilterSet(django_filters.FilterSet):
    """A list's filters. A value that cannot be applied (a choice not offered, a quarter without
    its year) is said beside its field and the list, and its export, hold nothing until it is put
    right: dropping it would list more than the link or the form asked for (the whole tracker
    for an agency not offered, a whole year for a quarter)."""

    def get_form_class(self):
        years = tuple(
            name for name, each in self.filters.items() if isinstance(each, FinancialYearFilter)
        )
        return type(
            f"{type(self).__name__}Form",
            (_ListFilterForm, super().get_form_class()),
            {"years": years},
        )

    def filter_queryset(self, queryset):
        if self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)

    def period(self, year) -> tuple[datetime.date, datetime.date]:
        """First and last day of financial year ``year``, or of its quarter where one is chosen."""
        quarter = self.form.cleaned_data.get("quarter") if "quarter" in self.filters else None
        if quarter:
            return quarter_bounds(int(year), int(quarter))
        return financial_year_bounds(int(year))
