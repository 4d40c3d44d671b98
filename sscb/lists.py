"""What every list page shares: the selector's rows, narrowed by a FilterSet, a page at a time."""

from django.db.models import Count, Window

from .params import page_of

PAGE_SIZE = 25


def filtered_page(request, filterset_class, queryset, *, per_page: int = PAGE_SIZE) -> dict:
    """A list page's context: ``filter`` (``filterset_class`` over ``queryset``, read from the
    query string), ``page_obj`` (the page ``?page=`` asks for) and ``is_filtered`` (whether
    the query string narrows the list). Links that keep the filters but not the page use
    ``{% querystring page=None %}``."""
    rows = filterset_class(request.GET, queryset=queryset, request=request)
    return {
        "filter": rows,
        "page_obj": page_of(request, rows.qs, per_page),
        "is_filtered": any(value for name, value in request.GET.items() if name != "page"),
    }


def first_rows(queryset, count: int) -> tuple[list, int]:
    """The first ``count`` rows of ``queryset`` (ordered) and how many it holds in all, in one
    query: a window counts the rows before the slice. For a page that shows the most urgent few
    of a list that may run to thousands, and says how many more there are."""
    rows = list(queryset.annotate(of_all=Window(Count("pk")))[:count])
    return rows, (rows[0].of_all if rows else 0)
