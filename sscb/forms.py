"""What every app's forms share."""

import contextlib

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from . import sending
from .dates import QUARTERS, financial_year_choices, financial_year_of
from .lists import plural
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
        ("Say how many people it reached") when one was given ("-5"). A rule about a field the
        form does not show (evidence's received date, when its requested date moves past it) is
        said above the form."""
        if hasattr(errors, "error_dict"):
            kept = {}
            for field, messages in errors.error_dict.items():
                if field != NON_FIELD_ERRORS and field in self._errors:
                    continue
                kept.setdefault(field if field in self.fields else NON_FIELD_ERRORS, []).extend(
                    messages
                )
            if not kept:
                return
            errors = ValidationError(kept)
        super()._update_errors(errors)


# The most records a choice of records lists (a select, or boxes to tick): a page must not grow
# with the data (a finding's review, an action's finding). The one chosen is always listed, and
# any record of the field's own queryset is accepted, listed or not.
CHOICES_LISTED = 100


def keep_links(
    form, name: str, choosable: QuerySet, *, visible: QuerySet | None = None, marked="archived"
) -> None:
    """Let the record field ``name`` offer ``choosable`` (what the person may link to now) and
    keep every link the record being edited has already, so that saving it never drops one the
    person did not mean to drop:

    - a linked record the person may open (``visible``; any, when it is None) but may no longer
      choose (an archived agency or priority, a person no longer active) stays offered, its
      label followed by ``(marked)``, and may be kept or removed;
    - one they may not open is neither offered, named nor removed: it is kept as it is, and the
      field's help says how many such links it keeps (a single link, such as an action's
      finding, is then fixed: the field is disabled).

    Nothing else is accepted, whatever is sent: a link to what the person may not open, or may
    no longer choose, is never added. Without a saved record the field offers ``choosable``
    alone. One query where ``visible`` is given (for a single link, where there is one), none
    otherwise, whatever the number of links; run it before ``list_at_most``."""
    field = form.fields[name]
    field.queryset = choosable
    record = getattr(form, "record", None) or getattr(form, "instance", None)
    if record is None or record._state.adding:
        return
    model, many = choosable.model, isinstance(field, forms.ModelMultipleChoiceField)
    if many:
        current = Q(pk__in=getattr(record, name).values("pk"))
    elif (current_pk := getattr(record, record._meta.get_field(name).attname)) is not None:
        current = Q(pk=current_pk)
    else:
        return
    hidden = []
    if visible is not None:
        linked = model._base_manager.filter(current).annotate(
            open_to_editor=Exists(visible.filter(pk=OuterRef("pk")))
        )
        hidden = [each for each in linked if not each.open_to_editor]
        current = Q(pk__in=[each.pk for each in linked if each.open_to_editor])
    also = model._default_manager.filter(current)
    if choosable.query.distinct:
        also = also.distinct()
    field.queryset = (choosable | also).annotate(
        offered_now=Exists(choosable.filter(pk=OuterRef("pk")))
    )
    if marked:
        label = field.label_from_instance
        field.label_from_instance = lambda each: (
            label(each) if getattr(each, "offered_now", True) else f"{label(each)} ({marked})"
        )
    if hidden:
        _keep_hidden(field, hidden, many=many, noun=record._meta.verbose_name)


def _keep_hidden(field, hidden: list, *, many: bool, noun: str) -> None:
    """The links ``hidden`` (records the person may not open) stay whatever is sent, unnamed."""
    kept = f"This {noun} also has {plural(len(hidden), 'link')} not open to you, kept."
    field.help_text = " ".join(part for part in (field.help_text, kept) if part)
    if not many:
        field.disabled = True  # sent or not, the field's value is the record's own
        field.widget.choices = [("", "Not open to you: kept as it is")]
        field.clean = lambda value: hidden[0]
        return
    keys = {str(field.prepare_value(each)) for each in hidden}
    chosen_among, changed = field.clean, field.has_changed

    def clean(value):
        # The record's own hidden links are sent back by a form shown again (``sscb.sending``).
        value = [each for each in value or () if str(each) not in keys]
        chosen = list(chosen_among(value)) if value else []
        return field.queryset.model._base_manager.filter(
            pk__in=[each.pk for each in (*chosen, *hidden)]
        )

    field.clean = clean
    # Never sent, the hidden links are no change.
    field.has_changed = lambda initial, data: changed(
        [each for each in initial or () if str(field.prepare_value(each)) not in keys], data
    )


def list_at_most(form, name: str, *order: str, among=None, more: str = "") -> None:
    """Let the record field ``name`` list at most ``CHOICES_LISTED`` of its records (or of
    ``among``, those most likely chosen), ``order`` first, and those chosen (the form's data or
    initial value), in two queries; it still accepts any record of its queryset. Where more
    were left out, ``more`` (how to reach one of them) is added to the field's help. A field
    fixed by ``keep_links`` is left as it is."""
    field = form.fields[name]
    if field.disabled:
        return
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


class ValidChoicesMixin:
    """A form of choices that filter a page (a year, a quarter, a sub-group): each valid choice
    applies even when another is not, and the page says which were not applied (``ignored``)."""

    def valid_choices(self) -> dict:
        """The choices given that are valid (checking the form leaves only those in
        ``cleaned_data``); empty when nothing was given."""
        return self.cleaned_data if self.is_bound and self.errors is not None else {}

    def ignored(self) -> str:
        """In words, each choice given that is not offered and so was not applied."""
        if not self.is_bound or self.is_valid():
            return ""
        names = [
            f"the {field.label.lower()} “{self.data.get(name)}”"
            for name, field in self.fields.items()
            if name in self.errors and self.data.get(name)
        ]
        if not names:
            return ""
        return f"Not applied, as it is not offered to you: {' and '.join(names)}."


class PeriodForm(ValidChoicesMixin, forms.Form):
    """A financial year and, optionally (``whole_year``), one of its quarters: the reports' and
    the scorecard's period. A value that is not valid reads as absent (``chosen``), and the
    other is still applied."""

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
        data = self.valid_choices()
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
