"""Django's ``{% url %}``, the same tag and output, through ``url_for`` (sscb/record_urls.py).

Loaded as a template builtin after Django's own (settings.TEMPLATES), so every template's
``{% url %}``, ours and the admin's, gives what ``reverse()`` gives without reversing the same
route again for each record on the page.
"""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

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
