"""Django's ``{% url %}`` tag and ``|date`` filter, the same output, without the repeated work.

Loaded as template builtins after Django's own (settings.TEMPLATES), so every template, ours and
the admin's, uses them (issue 15):

- ``{% url %}`` goes through ``url_for`` (sscb/record_urls.py), which reverses a route once and
  puts each record's public id into it, instead of reversing it again for every record;
- ``|date:"j M Y"`` of a day remembers what it wrote: Django parses the format and looks up the
  month's translated name on every call (some 20 µs), and a list shows the same due dates again
  and again. Only a day (not a moment, whose time zone matters) with a format written in the
  template is remembered, under the active language.
"""

import datetime
import functools

from django import template
from django.template import defaultfilters, defaulttags
from django.urls import NoReverseMatch
from django.utils.formats import FORMAT_SETTINGS
from django.utils.html import conditional_escape
from django.utils.translation import get_language

from sscb.record_urls import url_for

register = template.Library()


class PublicIdURLNode(defaulttags.URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = url_for(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return PublicIdURLNode(node.view_name, node.args, node.kwargs, node.asvar)


@functools.lru_cache(maxsize=4096)
def _day(day: datetime.date, format_string: str, language) -> str:
    return defaultfilters.date(day, format_string)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if type(value) is datetime.date and arg and arg not in FORMAT_SETTINGS:
        return _day(value, arg, get_language())
    return defaultfilters.date(value, arg)
