from django import template

from ..sparkline import show

register = template.Library()


@register.filter
def shown_as(value, indicator):
    """A value as the indicator's unit writes it: "45.5%", "12"."""
    return show(indicator, value)
