from django import forms
from django.core.exceptions import ValidationError

from sscb.forms import add_service_errors


class NameForm(forms.Form):
    name = forms.CharField()


def _form():
    form = NameForm({"name": "Ann"})
    assert form.is_valid()
    return form


def test_an_error_naming_a_field_the_form_has_goes_against_that_field():
    form = _form()
    add_service_errors(form, ValidationError({"name": "Taken."}))
    assert form.errors == {"name": ["Taken."]}


def test_an_error_naming_a_field_the_form_lacks_goes_above_the_form():
    form = _form()
    add_service_errors(form, ValidationError({"due_on": "Too late."}))
    assert form.non_field_errors() == ["Too late."]


def test_an_error_naming_no_field_goes_above_the_form():
    form = _form()
    add_service_errors(form, ValidationError(["Closed.", "Locked."]))
    assert form.non_field_errors() == ["Closed.", "Locked."]
