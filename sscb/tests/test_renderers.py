"""The Python widgets write exactly what Django's widget templates write (sscb/renderers.py)."""

import datetime

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from sscb.renderers import FastWidgetRenderer

lazy_text = lazy(lambda: "Lazy & <label>", str)()
SAFE = mark_safe("<b>safe</b>")


class Everything(forms.Form):
    plain = forms.CharField(initial='He said "hi" & <left>', max_length=20)
    empty = forms.CharField(required=False)
    number = forms.IntegerField(initial=0, min_value=-3)
    decimal = forms.DecimalField(initial="1234.50")
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    date = forms.DateField(
        initial=datetime.date(2026, 3, 10), widget=forms.DateInput(attrs={"type": "date"})
    )
    hidden = forms.CharField(widget=forms.HiddenInput(attrs={"data-safe": SAFE}), initial=SAFE)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="x'y")
    tick = forms.BooleanField(initial=True, required=False)
    untick = forms.BooleanField(
        required=False, widget=forms.CheckboxInput(attrs={"disabled": False, "data-x": None})
    )
    choice = forms.ChoiceField(
        choices=[("", "All"), ("a&b", "A & B"), (3, lazy_text), (SAFE, SAFE), (1234, 5678)],
        initial=3,
    )
    grouped = forms.ChoiceField(
        choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Zed")],
        initial="y",
        widget=forms.Select(attrs={"aria-describedby": "help", "required": True}),
    )
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")], initial=["1", "2"])
    yes_no = forms.NullBooleanField(initial=None)
    text = forms.CharField(widget=forms.Textarea, initial="long <text>")
    radio = forms.ChoiceField(choices=[("r", "R"), ("s", "S")], widget=forms.RadioSelect)
    file = forms.FileField(required=False)


BOUND = {"plain": "<script>", "number": "7", "choice": "a&b", "many": ["2"], "tick": "on"}


@pytest.mark.parametrize("data", [None, BOUND], ids=["unbound", "bound"])
@pytest.mark.parametrize("attrs", [None, {"class": "form-select is-invalid"}])
def test_every_widget_renders_as_django_renders_it(data, attrs):
    form = Everything(data)
    for field in form:
        form.renderer = DjangoTemplates()
        expected = str(field.as_widget(attrs=attrs))
        form.renderer = FastWidgetRenderer()
        assert str(field.as_widget(attrs=attrs)) == expected, field.name


def test_the_site_renders_forms_with_it():
    assert settings.FORM_RENDERER == "sscb.renderers.FastWidgetRenderer"
    assert isinstance(get_default_renderer(), FastWidgetRenderer)


FILTER_MODULES = [
    "reviews.filters",
    "audits.filters",
    "learning.filters",
    "learning.training.filters",
]


def _filtersets():
    """Every FilterSet the project's list pages use."""
    import importlib
    import inspect

    import django_filters

    return [
        filterset
        for module in map(importlib.import_module, FILTER_MODULES)
        for _name, filterset in inspect.getmembers(module, inspect.isclass)
        if issubclass(filterset, django_filters.FilterSet)
        and filterset.__module__ == module.__name__
        and filterset._meta.model is not None  # a base, not a list's filter
    ]


class Shapes(forms.Form):
    """What the Python field leaves to crispy-forms, beside what it writes itself."""

    plain = forms.CharField(required=False, label='Say "A & B" <here>')
    chosen = forms.ChoiceField(choices=[("", "All"), ("a", "A")], required=False)
    styled = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "x"}))
    styled_too = forms.ChoiceField(
        choices=[("a", "A")], required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    needed = forms.CharField()
    helped = forms.CharField(required=False, help_text="Some help")
    day = forms.DateField(required=False)
    tick = forms.BooleanField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)
    radio = forms.ChoiceField(choices=[("r", "R")], required=False, widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(choices=[("1", "One")], required=False)
    file = forms.FileField(required=False)
    unlabelled = forms.CharField(required=False, label="")


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"day": "not a date", "chosen": "a", "plain": "<x>"}])
def test_the_python_field_writes_what_crispy_forms_writes(rf, bu_user, data):
    """On every filter of the project (as the list pages bind them) and on the shapes it hands
    back to crispy-forms: required, help text, errors, checkbox, hidden, radio, file, no label."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    from sscb.renderers import bootstrap_field

    cases = [lambda: Shapes(data)]
    request = rf.get("/", data or {})
    request.user = bu_user
    for filterset in _filtersets():
        cases.append(
            lambda filterset=filterset: (
                filterset(
                    request.GET, queryset=filterset._meta.model.objects.none(), request=request
                ).form
            )
        )
    assert len(cases) > 10
    for make in cases:
        ours, theirs = make(), make()
        for name in ours.fields:
            assert bootstrap_field(ours[name]) == as_crispy_field(theirs[name]), name


def test_the_python_field_writes_selects_and_inputs_without_crispy_forms(monkeypatch):
    from crispy_forms.templatetags import crispy_forms_filters

    from sscb.renderers import bootstrap_field

    expected = {
        name: crispy_forms_filters.as_crispy_field(Shapes()[name]) for name in Shapes.base_fields
    }

    def refused(field, *args, **kwargs):
        raise AssertionError(f"{field.name} went to crispy-forms")

    monkeypatch.setattr(crispy_forms_filters, "as_crispy_field", refused)
    for name in ["plain", "chosen", "styled", "styled_too", "day", "many"]:
        assert bootstrap_field(Shapes()[name]) == expected[name], name
