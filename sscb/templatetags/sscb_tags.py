from django import template

from sscb.dates import financial_year_label

register = template.Library()


@register.filter
def financial_year(year):
    """2025 -> "2025/26"."""
    return financial_year_label(int(year)) if year not in (None, "") else ""
