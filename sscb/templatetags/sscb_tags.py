from django import template

from sscb import figures_cache
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


@register.tag("kept_for_reader")
def do_kept_for_reader(parser, token):
    """``{% kept_for_reader filter %} ... {% endkept_for_reader %}``: what is between, kept for
    its reader, the day and the query string until a record changes
    (``sscb.figures_cache.kept_for_reader``), for a list whose rows and filter bar are asked
    for again and again. ``filter`` (a list's filterset, if any) names the query's fields a
    kept copy may be asked for with, besides ``page``. Nothing between may hold a form that
    posts, nor read records in the view before the template asks for them (``page_obj`` is
    read when the list is rendered: ``sscb.lists.filtered_page``)."""
    bits = token.split_contents()
    if len(bits) > 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a list's filter, or nothing")
    nodelist = parser.parse(("endkept_for_reader",))
    parser.delete_first_token()
    return KeptForReaderNode(nodelist, parser.compile_filter(bits[1]) if len(bits) == 2 else None)


class KeptForReaderNode(template.Node):
    def __init__(self, nodelist, filterset):
        self.nodelist = nodelist
        self.filterset = filterset

    def render(self, context):
        filterset = self.filterset.resolve(context) if self.filterset is not None else None
        names = frozenset({"page", *(filterset.filters if filterset is not None else ())})
        return figures_cache.kept_for_reader(
            context["request"], lambda: self.nodelist.render(context), names=names
        )
