"""The form renderer: Django's own, with its most used widgets written in Python.

A filter bar or form renders each ``<option>`` and ``<input>`` through three nested templates
(the widget, its option, its attributes), which made widgets the largest single cost of a list
page (issue 15: 22 ms of the review list's 55 ms of rendering). These functions write the same
HTML as Django's templates, character for character (``sscb/tests/test_renderers.py`` compares
them on every kind of value); any other widget is rendered by Django's templates as before.
"""

from html import escape as html_escape

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import format_html
from django.utils.safestring import SafeData

# What ``{{ value }}`` does in a template: localised, then escaped unless already safe.
_CONTEXT = Context(autoescape=True)

WIDGETS = "django/forms/widgets/"
# The widgets whose template is nothing but ``{% include "django/forms/widgets/input.html" %}``.
PLAIN_INPUTS = {
    f"{WIDGETS}{kind}.html"
    for kind in ("input", "checkbox", "color", "date", "datetime", "email", "file", "hidden")
    + ("number", "password", "search", "tel", "text", "time", "url")
}


def _out(value) -> str:
    # A plain string (a label, a name) is only escaped by ``{{ value }}``: escaped here straight,
    # without the dozen calls of the general path, which a long choice list makes per option.
    if type(value) is str:
        return html_escape(value)
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    # ``{{ value|stringformat:'s' }}``: the filter keeps a safe value safe.
    text = str(value)
    return text if isinstance(value, SafeData) else html_escape(text)


def _attrs(attrs) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its bare name.
    if not attrs:
        return ""
    return "".join(
        f" {_out(name)}" if value is True else f' {_out(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _option(option) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_out(option['label'])}</option>"
    )


def _select(widget) -> str:
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option["template_name"] != f"{WIDGETS}select_option.html":
                return None  # an option with a template of its own: Django renders it
            # The included option template keeps its closing newline (only the whole is stripped).
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input(widget) -> str:
    value = widget["value"]
    value = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_out(widget["type"])}" '
        f'name="{_out(widget["name"])}"{value}{_attrs(widget["attrs"])}>'
    )


class FastWidgetRenderer(DjangoTemplates):
    """Renders selects, options and plain inputs in Python; everything else as Django does."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        html = None
        if widget is not None:
            if template_name == f"{WIDGETS}select.html":
                html = _select(widget)
            elif template_name == f"{WIDGETS}select_option.html":
                html = _option(widget)
            elif template_name in PLAIN_INPUTS:
                html = _input(widget)
        if html is None:
            return super().render(template_name, context, request=request)
        return html  # the widget marks it safe, as it does Django's


# crispy-forms' Bootstrap 5 field (bootstrap5/field.html), for the shape a list's filter bar
# gives it: a labelled select or plain input, not required, with no help text and no error.
# Its template walks some sixty nodes a field (about 1,200 function calls; a filter bar has up
# to ten fields on every list page, issue 15); these strings are what it writes, whitespace and
# all (sscb/tests/test_renderers.py compares the two on every filter of the project).
_FIELD_HEAD = (
    '\n\n\n    \n    <div id="div_{id}" class="mb-3">\n        \n            \n            <label\n'
    '                for="{label_for}" class="form-label">\n                {label}\n'
    "            </label>\n        \n\n        \n\n        \n            \n                \n"
    "                    \n                        "
)
_FIELD_TAIL = (
    "\n                    \n                    \n                        \n\n\n    \n\n\n\n\n    "
    "\n\n\n\n                    \n                \n            \n        \n        \n"
    "    </div>\n    \n\n"
)
_SELECT_BEFORE = "\n                            "
_SELECT_AFTER = "\n                        "


def bootstrap_field(field) -> str:
    """``{{ field|as_crispy_field }}``, written here for a filter bar's selects and inputs; any
    other field (required, with help text or errors, a checkbox, a file, radio buttons, several
    widgets, a form with a crispy helper) is rendered by crispy-forms itself."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    widget = field.field.widget
    plain = isinstance(widget, forms.Select) or (
        isinstance(widget, forms.widgets.Input)
        and not isinstance(widget, (forms.CheckboxInput, forms.FileInput, forms.HiddenInput))
    )
    if (
        not plain
        or isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))
        or hasattr(widget, "widgets")
        or hasattr(widget, "widget")
        or getattr(settings, "CRISPY_CLASS_CONVERTERS", None)
        or getattr(field.form, "helper", None) is not None
        or field.field.required
        or field.help_text
        or field.errors
        or field.css_classes()
        or field.use_fieldset
        or not field.label
        or not field.id_for_label
    ):
        return as_crispy_field(field)
    select = isinstance(widget, forms.Select)
    # What crispy's {% crispy_field %} does to the widget before rendering it.
    kind = widget.__class__.__name__.lower()
    css_class = widget.attrs.get("class", "")
    if not css_class:
        css_class = kind
    elif css_class.find(kind) == -1:
        css_class += f" {kind}"
    bootstrap = "form-select" if select else "form-control"
    if bootstrap not in css_class.split():
        css_class += f" {bootstrap}"
    widget.attrs["class"] = css_class
    before, after = (_SELECT_BEFORE, _SELECT_AFTER) if select else ("", "")
    return format_html(
        f"{_FIELD_HEAD}{before}{{widget}}{after}{_FIELD_TAIL}",
        id=field.auto_id,
        label_for=field.id_for_label,
        label=field.label,
        widget=str(field),  # safe: the widget's own HTML
    )
