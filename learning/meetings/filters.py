"""The meeting list's filters: the body, an agency that was listed at its attendance, and a
financial year's held meetings (the figures link here with them)."""

from sscb.filters import FinancialYearFilter, ListFilterSet, ModelChoiceFilter
from sscb.models import Agency, SubGroup

from .figures import HAPPENED
from .models import Attendance, Meeting


class MeetingFilter(ListFilterSet):
    body = ModelChoiceFilter(queryset=SubGroup.objects.all(), label="Body")
    agency = ModelChoiceFilter(
        queryset=Agency.objects.all(), label="Agency at the table", method="filter_agency"
    )
    # A year's meetings are those held in it, as the attendance and decision figures count them.
    year = FinancialYearFilter(label="Held in financial year", method="filter_year")

    class Meta:
        model = Meeting
        fields = ["body", "agency", "year"]

    def filter_agency(self, queryset, name, value):
        return queryset.filter(pk__in=Attendance.objects.filter(agency=value).values("meeting_id"))

    def filter_year(self, queryset, name, value):
        return queryset.filter(held_on__range=self.period(value), status__in=HAPPENED)
