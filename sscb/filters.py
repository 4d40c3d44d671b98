"""What every list's filters share. The empty choice of every filter reads "All" (the setting
``FILTERS_EMPTY_CHOICE_LABEL``); a yes-or-no filter offers "All", "Yes" and "No"."""

import django_filters
from django import forms


class YesNoSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "All"), ("true", "Yes"), ("false", "No")]


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", YesNoSelect)
        super().__init__(*args, **kwargs)
