"""What every app's forms share."""

import contextlib

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from . import sending
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
    sending.not_saved(form)


class RecordForm(sending.SendingGuardMixin, forms.ModelForm):
    """The base of every form of a record: what it saves is guarded against overwriting
    someone else's change and against being sent twice (``sscb.sending``)."""

    def _update_errors(self, errors):
        """The record's own rules, less those about a field the form has already refused: the
        record never saw what was typed there, so its rule would speak of a value left empty
        ("Say how many people it reached") when one was given ("-5")."""
        if hasattr(errors, "error_dict"):
            errors = ValidationError(
                {
                    field: messages
                    for field, messages in errors.error_dict.items()
                    if field == NON_FIELD_ERRORS or field not in self._errors
                }
            )
            if not errors.error_dict:
                return
        super()._update_errors(errors)


# The most records a choice of records lists (a select, or boxes to tick): a page must not grow
# with the data (a finding's review, an action's finding). The one chosen is always listed, and
# any record of the field's own queryset is accepted, listed or not.
CHOICES_LISTED = 100


def list_at_most(form, name: str, *order: str, among=None, more: str = "") -> None:
    """Let the record field ``name`` list at most ``CHOICES_LISTED`` of its records (or of
    ``among``, those most likely chosen), ``order`` first, and those chosen (the form's data or
    initial value), in two queries; it still accepts any record of its queryset. Where more
    were left out, ``more`` (how to reach one of them) is added to the field's help."""
    field = form.fields[name]
    key = field.to_field_name or "pk"
    among = field.queryset if among is None else among
    listed = list(among.order_by(*order)[: CHOICES_LISTED + 1])
    if len(listed) > CHOICES_LISTED:
        listed = listed[:CHOICES_LISTED]
        field.help_text = " ".join(
            part
            for part in (field.help_text, f"The {CHOICES_LISTED} most recent are listed.", more)
            if part
        )
    chosen = form[name].value()
    chosen = chosen if isinstance(chosen, list | tuple) else [chosen]
    shown = {str(getattr(record, key)) for record in listed}
    missing = [value for value in chosen if value not in (None, "") and str(value) not in shown]
    if missing:
        # A value no record has is left out here, and refused when the form is checked.
        with contextlib.suppress(ValueError, ValidationError):
            listed += list(field.queryset.filter(**{f"{key}__in": missing}))
    empty = [("", field.empty_label)] if getattr(field, "empty_label", None) is not None else []
    field.widget.choices = empty + [
        (
            forms.models.ModelChoiceIteratorValue(field.prepare_value(record), record),
            field.label_from_instance(record),
        )
        for record in listed
    ]


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


class TemplateUploadForm(sending.SendingGuardMixin, forms.Form):
    """An agency's records as a CSV or XLSX file in a template (sscb/tabular.py); subclasses name
    the file (``file_label``) and the button (``submit_label``)."""

    file_label = "File"
    submit_label = "Check and add"
    adds_records = True

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
