from django import template

from sscb.dates import financial_year_label
from sscb.lists import how_many
from sscb.renderers import bootstrap_field

register = template.Library()


@register.filter
def financial_year(year):
    """2025 -> "2025/26"."""
    return financial_year_label(int(year)) if year not in (None, "") else ""


# "1,234" or, once a count stopped one past 1,000 (sscb.lists.count_up_to), "more than 1,000".
register.filter("how_many", how_many)


@register.filter
def as_bootstrap_field(field):
    """``as_crispy_field`` for a filter bar's fields, written in Python (sscb.renderers)."""
    return bootstrap_field(field)
