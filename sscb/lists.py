"""What every list page shares: the selector's rows, narrowed by a FilterSet, a page at a time."""

from functools import cache, cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable
from django.utils.functional import SimpleLazyObject

PAGE_SIZE = 25

# A count stops here: "more than 1,000 actions" says enough to act on (or to narrow a list with
# its filters), and counting no further costs the same however many records there are (issue 15:
# at scale 1 counting a member's 500,000 actions took 42 ms of the action list, and counting a
# sub-group's actions awaiting sign-off 90 ms of the home page).
COUNTED_UP_TO = 1000


def count_up_to(queryset, up_to: int | None = None) -> int:
    """How many rows ``queryset`` holds, counted no further than one past ``up_to`` (by default
    ``COUNTED_UP_TO``)."""
    up_to = COUNTED_UP_TO if up_to is None else up_to
    # Only the key selected: a sliced count keeps what it selects, and a list's annotations (a
    # theme's loop stage, an action's RAG) would be built and worked out for each row counted.
    return queryset.order_by().values("pk")[: up_to + 1].count()


def plural(count: int, word: str, many: str = "") -> str:
    """ "1 action", "1,234 actions" (``many``, where adding an s is not the plural)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def how_many(count: int, word: str = "") -> str:
    """``count`` (from ``count_up_to``) of ``word``: "1 action", "1,234 actions", or "More than
    1,000 actions" once the count stopped; without ``word``, only the number ("more than 1,000").
    A template writes it ``{{ count|how_many }}``."""
    if count > COUNTED_UP_TO:
        return f"More than {COUNTED_UP_TO:,} {word}s" if word else f"more than {COUNTED_UP_TO:,}"
    return plural(count, word) if word else f"{count:,}"


class CountedPaginator(Paginator):
    """Django's paginator over a queryset, counting its rows with ``count_up_to``: past
    ``COUNTED_UP_TO`` the last page holds the row after it, and ``in_all`` says "more than
    1,000"."""

    @cached_property
    def count(self) -> int:
        return count_up_to(self.object_list)

    @property
    def counted_all(self) -> bool:
        return self.count <= COUNTED_UP_TO

    @property
    def in_all(self) -> str:
        return how_many(self.count)

    def _get_page(self, rows, number, paginator) -> Page:
        """A page of records in two queries: its keys, in the list's order, then the records
        with those keys. Asked for in one, the database joins every relation the rows show to
        each row it reads before it can stop, and plans that join beside the list's filters (a
        member's action list at scale 1: 8.5 ms, of which 4 ms planning; its keys, then its 25
        rows: 2.5 ms). Every page, the first of a short list too, so a page runs the same queries
        however many rows there are."""
        if isinstance(rows, QuerySet) and rows._iterable_class is ModelIterable:
            keys = list(rows.values_list("pk", flat=True))
            found = {row.pk: row for row in self.object_list.order_by().filter(pk__in=keys)}
            rows = [found[key] for key in keys if key in found]
        return super()._get_page(rows, number, paginator)


def page_of(request, rows, per_page: int) -> Page:
    """The page ``?page=`` asks for: the first if it is not a number, the last if past the end."""
    return CountedPaginator(rows, per_page).get_page(request.GET.get("page"))


class LazyFilterSet(SimpleLazyObject):
    """A list's filterset over ``rows()``, made when something first reads it: a list kept for
    its reader reads only the names of its filters (``filter_names``: ``{% kept_for_reader %}``),
    which its class knows. Making it copies every filter, and was a tenth of such a request."""

    def __init__(self, filterset_class, request, rows):
        super().__init__(lambda: filterset_class(request.GET, queryset=rows(), request=request))
        # Beside the lazy object's own attributes, not passed on to the filterset it makes.
        self.__dict__["filter_names"] = frozenset(filterset_class.base_filters)


def filtered_page(
    request, filterset_class, rows, *, per_page: int = PAGE_SIZE, counted=None
) -> dict:
    """A list page's context: ``filter`` (``filterset_class`` over ``rows()``, the selector's
    queryset, read from the query string), ``page_obj`` (the page ``?page=`` asks for, read when
    the template first asks for it) and ``is_filtered`` (whether the query string narrows the
    list). A list kept for its reader (``{% kept_for_reader %}``) reads neither, and so never
    calls ``rows``: building a selector's queryset, its visibility rules and annotations, was
    half of such a request. Links that keep the filters but not the page use
    ``{% querystring page=None %}``.

    ``counted()``, where given, is every row the Board's figures count, whoever reads them:
    ``not_shown`` is then how many of those match the filters beyond the rows this reader may
    open (a number, never a row), so that a list opened from a figure says why it lists fewer.
    A filter that searches the rows' words (named in the filterset's ``words``) gives no such
    number: it would tell, one guess at a time, what a record the reader may not open says.
    """
    filterset = LazyFilterSet(filterset_class, request, rows)
    page_obj = SimpleLazyObject(lambda: page_of(request, filterset.qs, per_page))

    @cache
    def not_shown() -> int:
        if any(request.GET.get(name) for name in getattr(filterset_class, "words", ())):
            return 0  # a search of words never reads rows the reader may not open
        every = filterset_class(request.GET, queryset=counted(), request=request).qs
        return max(count_up_to(every) - page_obj.paginator.count, 0)

    return {
        "filter": filterset,
        "page_obj": page_obj,
        "is_filtered": any(value for name, value in request.GET.items() if name != "page"),
        **({"not_shown": not_shown} if counted else {}),
    }


def first_rows(queryset, count: int) -> tuple[list, int]:
    """The first ``count`` rows of ``queryset`` (ordered) and how many it holds in all, in one
    query: a window counts the rows before the slice. For a page that shows the most urgent few
    of a list that may run to thousands, and says how many more there are. The window is worked
    out over every row, with whatever the queryset joins: where it joins other tables for
    thousands of rows, take the rows and ``count_up_to`` in two queries instead (My agency)."""
    rows = list(queryset.annotate(of_all=Window(Count("pk")))[:count])
    return rows, (rows[0].of_all if rows else 0)
