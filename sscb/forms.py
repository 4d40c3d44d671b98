"""What every app's forms share."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from .dates import QUARTERS, financial_year_choices, financial_year_of
from .uploads import UploadField


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's refusal on the form it came from: an error naming a field the form has
    goes against that field, anything else above the form (never the ValueError a plain
    ``form.add_error(None, error)`` raises for a field the form lacks)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_helper(label):
    """A crispy-forms helper with one submit button named ``label``."""
    helper = FormHelper()
    # The server's messages, in words a chair understands, rather than the browser's tooltips.
    helper.attrs = {"novalidate": ""}
    helper.add_input(Submit("save", label))
    return helper


class PeriodForm(forms.Form):
    """A financial year and, optionally (``whole_year``), one of its quarters: the reports' and
    the scorecard's period. A value that is not valid reads as absent (``chosen``)."""

    year = forms.TypedChoiceField(label="Financial year", coerce=int)
    quarter = forms.TypedChoiceField(
        label="Quarter", coerce=int, required=False, empty_value=None, choices=QUARTERS
    )

    def __init__(self, data, *, whole_year: bool = True, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = financial_year_choices()
        if whole_year:
            self.fields["quarter"].choices = [("", "The whole year"), *QUARTERS]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def chosen(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "year": data.get("year") or financial_year_of(timezone.localdate()),
            "quarter": data.get("quarter"),
        }


class TemplateUploadForm(forms.Form):
    """An agency's records as a CSV or XLSX file in a template (sscb/tabular.py); subclasses name
    the file (``file_label``) and the button (``submit_label``)."""

    file_label = "File"
    submit_label = "Check and add"

    agency = forms.ModelChoiceField(queryset=None, empty_label=None)
    file = UploadField(
        help_text="A CSV or Excel (.xlsx) file in the template below, "
        f"up to {settings.UPLOAD_MAX_MB} MB.",
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["file"].label = self.file_label
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"
        self.helper = form_helper(self.submit_label)
