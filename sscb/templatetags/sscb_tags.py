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
    """``{% kept_for_reader filter=filter context=detail %} ... {% endkept_for_reader %}``: what
    is between, kept for its reader, the day and the query string until a record changes
    (``sscb.figures_cache.kept_for_reader``). ``filter`` (a list's filterset, as
    ``sscb.lists.filtered_page`` gives it: its filters' names read without making it) names the
    query's fields a kept copy may be asked for with, besides ``page``; ``context`` (a callable
    giving a dict) is what is between reads, called only when it is not kept. The view must read
    nothing else that only the part shows (``page_obj`` is read when the list is rendered:
    ``sscb.lists.filtered_page``). A form between carries a stand-in for its token, replaced by
    the reader's own on the way out; nothing between may show the access log, which a page view
    writes without starting a new generation."""
    bits = token.split_contents()
    options = template.base.token_kwargs(bits[1:], parser)
    if len(options) != len(bits) - 1 or set(options) - {"filter", "context"}:
        raise template.TemplateSyntaxError(f"{bits[0]} takes filter= and context=, or nothing")
    nodelist = parser.parse(("endkept_for_reader",))
    parser.delete_first_token()
    return KeptForReaderNode(nodelist, options.get("filter"), options.get("context"))


class KeptForReaderNode(template.Node):
    def __init__(self, nodelist, filterset, more):
        self.nodelist = nodelist
        self.filterset = filterset
        self.more = more

    def render(self, context):
        filterset = self.filterset.resolve(context) if self.filterset is not None else None
        names = frozenset({"page", *(filterset.filter_names if filterset is not None else ())})

        def render() -> str:
            more = self.more.resolve(context) if self.more is not None else {}
            with context.push(csrf_token=figures_cache.token_standin(), **more):
                return self.nodelist.render(context)

        # Each tag of a template is a part of its own: a page may keep its title and its body.
        part = f"{self.origin.template_name}:{self.token.lineno}"
        return figures_cache.kept_for_reader(context["request"], render, names=names, part=part)


@register.simple_tag
def summarised(form):
    """Mark ``form``'s errors as said in the page's error summary (sscb/_error_summary.html):
    crispy's own box (templates/bootstrap5/errors.html) then does not say them again."""
    form.errors_summarised = True
    return ""
