from django import forms

from sscb.dates import QUARTERS, financial_year_choices
from sscb.forms import TemplateUploadForm, form_helper
from sscb.minimise import MinimisedFormMixin


class IndicatorValueForm(MinimisedFormMixin, forms.Form):
    """One indicator's value for one quarter, with the agency's commentary."""

    year = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        error_messages={
            "required": "Choose the year.",
            "invalid_choice": "Choose one of the financial years listed: values are given for "
            "quarters that have ended.",
        },
    )
    quarter = forms.TypedChoiceField(
        coerce=int,
        choices=QUARTERS,
        error_messages={
            "required": "Choose the quarter.",
            "invalid_choice": "Choose one of the quarters listed: those in which this "
            "indicator's value is asked for.",
        },
    )
    value = forms.DecimalField(
        max_digits=10,
        decimal_places=2,
        error_messages={
            "required": "Give the value.",
            "invalid": "Give the value as a number, without the % sign.",
        },
    )
    commentary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What lies behind the figure: context, reasons for change, what is being "
        "done. No names of children or families.",
    )

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = financial_year_choices()
        self.fields["quarter"].choices = [
            (number, label) for number, label in QUARTERS if indicator.is_due_in(number)
        ]
        unit = indicator.get_unit_display()
        self.fields["value"].label = f"Value ({unit.lower()})"
        self.helper = form_helper("Submit the value")


class IndicatorValuesUploadForm(TemplateUploadForm):
    """An agency's quarterly values as a CSV or XLSX file in the template."""

    file_label = "Values file"
    submit_label = "Check and store the values"
