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
