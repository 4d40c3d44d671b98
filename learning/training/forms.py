"""Validation only, in words a Business Unit officer (or a practitioner) understands."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator

from learning.forms import DateInput
from sscb.forms import RecordForm, keep_links, list_at_most
from sscb.minimise import MinimisedFormMixin
from sscb.models import Agency
from sscb.sending import SendingGuardMixin
from sscb.uploads import clean_filename, validate_upload

from .models import Attendee, Course, Questionnaire, Session


def _helper(label):
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    helper.add_input(Submit("save", label))
    return helper


class CourseForm(RecordForm):
    class Meta:
        model = Course
        fields = ["title", "kind", "subgroup", "summary", "learning_points", "outcomes"]
        widgets = {
            "outcomes": forms.CheckboxSelectMultiple,
            "learning_points": forms.Textarea(attrs={"rows": 5}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, outcomes, subgroups, subgroup=None, points_fixed=None, **kwargs):
        """``outcomes``: those the person may open (and choose); ``subgroups``: those they may
        add a course for, ``subgroup`` the one a new course starts with (none: they choose);
        ``points_fixed``: why the learning points can no longer change, if they cannot."""
        super().__init__(*args, **kwargs)
        keep_links(self, "outcomes", outcomes, visible=outcomes, marked="")
        list_at_most(self, "outcomes", "-created_at", "-pk")
        field = self.fields["subgroup"]
        field.queryset = subgroups
        field.empty_label = "Choose the sub-group that runs it"
        field.error_messages["required"] = "Choose the sub-group that runs the course."
        if not self.instance.pk and subgroup is not None:
            field.initial = subgroup.pk
        points = self.fields["learning_points"]
        points.error_messages["required"] = "Give the learning points attendees rate, one a line."
        if points_fixed:
            points.disabled = True
            points.help_text = points_fixed


class SessionForm(RecordForm):
    class Meta:
        model = Session
        fields = ["held_on", "trainer", "venue", "places"]
        widgets = {"held_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One lower limit, the session's own (1 or more): not the form's 0 for -1 and the
        # record's 1 for 0.
        places = self.fields["places"]
        places.min_value = 1
        places.validators = [
            validator
            for validator in places.validators
            if not isinstance(validator, MinValueValidator)
        ] + [MinValueValidator(1)]
        places.widget.attrs["min"] = 1


class AttendeeForm(RecordForm):
    class Meta:
        model = Attendee
        fields = ["name", "email", "agency", "manager_email", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True).order_by("name")


class AttendeeEditForm(RecordForm):
    """Correct a practitioner's details on a register: their attendance is marked on the
    session's page, and they stay on the session they are booked on."""

    class Meta:
        model = Attendee
        fields = ["name", "email", "agency", "manager_email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An agency archived since stays offered, marked, and may be changed.
        keep_links(self, "agency", Agency.objects.filter(is_active=True).order_by("name"))


class MarkForm(forms.Form):
    status = forms.ChoiceField(choices=Attendee.Status.choices)


class SendForm(forms.Form):
    """A questionnaire to email everyone not yet sent it (the follow-up goes by itself)."""

    stage = forms.TypedChoiceField(
        coerce=int,
        choices=[
            (Questionnaire.Stage.BASELINE.value, Questionnaire.Stage.BASELINE.label),
            (Questionnaire.Stage.IMMEDIATE.value, Questionnaire.Stage.IMMEDIATE.label),
        ],
    )


class ResendForm(forms.Form):
    """A questionnaire to email one attendee again: any of the three stages."""

    stage = forms.TypedChoiceField(coerce=int, choices=Questionnaire.Stage.choices)


# The files a register is read from (sscb.tabular.template_rows reads these two).
REGISTER_TYPES = ("csv", "xlsx")


def validate_register_file(upload) -> None:
    """A register is a CSV file or an Excel workbook: any other file, one the partnership
    accepts elsewhere (a PDF, a Word document) or not, is refused as not a register."""
    name = clean_filename(upload.name)
    not_a_register = ValidationError(
        f"“{name}” is not a CSV or an Excel (.xlsx) file. Upload the register as one of "
        "these, in the template below.",
        code="file_type",
    )
    if name.rpartition(".")[2].lower() not in REGISTER_TYPES:
        raise not_a_register
    try:
        validate_upload(upload)  # its content must be what its name says, and not too large
    except ValidationError as error:
        if getattr(error, "code", None) == "file_type":
            raise not_a_register from error
        raise


class RegisterUploadForm(SendingGuardMixin, forms.Form):
    adds_records = True

    file = forms.FileField(
        label="Register file",
        help_text="A CSV or Excel (.xlsx) file in the template, "
        f"up to {settings.UPLOAD_MAX_MB} MB.",
        validators=[validate_register_file],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ",".join(
            f".{extension}" for extension in REGISTER_TYPES
        )
        self.helper = _helper("Check and add the attendees")


CONFIDENCE = [
    ("1", "1 — not at all confident"),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", "5 — very confident"),
]


class AnswerForm(MinimisedFormMixin, forms.Form):
    """The questionnaire: confidence in each learning point, then what the stage asks. Free text
    refuses anything that looks like a child's identifier."""

    def __init__(self, *args, questionnaire: Questionnaire, **kwargs):
        self.points = questionnaire.attendee.session.course.points
        self.stage = questionnaire.stage
        super().__init__(*args, **kwargs)
        for number, point in enumerate(self.points, start=1):
            self.fields[f"point_{number}"] = forms.ChoiceField(
                label=point,
                choices=CONFIDENCE,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose how confident you are, from 1 to 5."},
            )
        no_child = "Please do not name or describe any child or family."
        if self.stage == Questionnaire.Stage.IMMEDIATE:
            self.fields["doing_differently"] = forms.CharField(
                label="What will you do differently in your practice?",
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=no_child,
                max_length=2000,
            )
        if self.stage == Questionnaire.Stage.FOLLOW_UP:
            self.fields["practice_changed"] = forms.ChoiceField(
                label="Has your practice changed since the training?",
                choices=Questionnaire.Change.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Say whether your practice has changed."},
            )
            self.fields["practice_example"] = forms.CharField(
                label="An example, agreed with your manager",
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=no_child,
                required=False,
                max_length=2000,
            )
        # The server's messages, not the browser's tooltips.
        self.helper = FormHelper()
        self.helper.form_tag = False

    @property
    def ratings(self) -> list[int]:
        return [int(self.cleaned_data[f"point_{n}"]) for n in range(1, len(self.points) + 1)]

    @property
    def answers(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("doing_differently", "practice_changed", "practice_example")
            if name in self.cleaned_data
        }
