"""The dashboard's and reports' filters: financial year, sub-group and (for reports) quarter."""

from django import forms
from django.utils import timezone

from sscb.dates import financial_year_choices, financial_year_of
from sscb.forms import PeriodForm, ValidChoicesMixin

from .scope import subgroup_choices


class DashboardFilterForm(ValidChoicesMixin, forms.Form):
    # The query's names a copy of the form kept for its reader may be asked with
    # ({% kept_for_reader filter=form %}, as a list's filterset gives them).
    filter_names = frozenset({"year", "subgroup"})

    year = forms.TypedChoiceField(label="Financial year", coerce=int)
    subgroup = forms.ModelChoiceField(
        label="Sub-group", queryset=None, required=False, empty_label="All sub-groups"
    )

    def __init__(self, data, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = financial_year_choices()
        self.fields["subgroup"].queryset = subgroup_choices(user)
        if not (user.is_business_unit or user.is_executive):
            # A sub-group member reads one of their own sub-groups at a time.
            self.fields["subgroup"].required = True
            self.fields["subgroup"].empty_label = None
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-select form-select-sm"
            field.widget.attrs["data-autosubmit"] = name

    def chosen(self) -> dict:
        """The valid choices; one not valid (or not given) falls back to this year and the
        default group (``ignored`` says which)."""
        data = self.valid_choices()
        return {
            "year": data.get("year") or financial_year_of(timezone.localdate()),
            "subgroup": data.get("subgroup"),
        }


class ReportPeriodForm(PeriodForm):
    """The reports' period: a financial year, or one quarter of it where the report may be read
    for a quarter (``quarters``). A report made for a whole year offers no quarter, and a quarter
    asked of it is not applied: the page says so, and shows the year."""

    def __init__(self, data, *, quarters: bool = True, **kwargs):
        super().__init__(data, **kwargs)
        if not quarters:
            del self.fields["quarter"]

    def chosen(self) -> dict:
        return super().chosen() | ({} if "quarter" in self.fields else {"quarter": None})

    def ignored(self) -> str:
        said = super().ignored()
        asked = self.data.get("quarter") if self.is_bound else None
        if "quarter" in self.fields or not asked:
            return said
        quarter = (
            f"Not applied: the quarter “{asked}”, as this report is made for a whole "
            "financial year only."
        )
        return f"{said} {quarter}" if said else quarter
