"""The form renderer: Django's own, with its most used widgets written in Python.

A filter bar or form renders each ``<option>`` and ``<input>`` through three nested templates
(the widget, its option, its attributes), which made widgets the largest single cost of a list
page (issue 15: 22 ms of the review list's 55 ms of rendering). These functions write the same
HTML as Django's templates, character for character (``sscb/tests/test_renderers.py`` compares
them on every kind of value); any other widget is rendered by Django's templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.html import escape
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
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    # ``{{ value|stringformat:'s' }}``: the filter keeps a safe value safe.
    text = str(value)
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its bare name.
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
