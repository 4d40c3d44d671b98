"""What a page reads from its query string.

A link can carry anything. A value that is not what the page expects reads as absent, so the
page answers as it would without it; where the value names the record the page is about, the
answer is 404. Never a 500 (issue 12). Filters are forms (django-filter), which already work so.
"""

import datetime
import uuid
from functools import wraps

from django.contrib.admin.options import TO_FIELD_VAR
from django.http import Http404

# The largest key a database integer column holds (PostgreSQL's integer).
LARGEST_ID = 2**31 - 1


def as_id(text: str) -> int | None:
    """The key of a piece of reference data (a sub-group, an agency) a list is filtered by, or
    None. Records are named by their UUID; this is only for filter values."""
    if text.isascii() and text.isdigit() and 0 < int(text) <= LARGEST_ID:
        return int(text)
    return None


def as_uuid(text: str) -> uuid.UUID | None:
    """A public id written in ``text``, or None."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def query_value(request, name: str, parse):
    """``?name=`` read by ``parse``; None if absent or not valid."""
    return parse(request.GET.get(name, ""))


def query_record(request, name: str, parse):
    """The record ``?name=`` names: None if absent, 404 if what it holds cannot be an id."""
    if not request.GET.get(name):
        return None
    value = parse(request.GET[name])
    if value is None:
        raise Http404(f"No such {name}")
    return value


# The Django admin answers 500 to three kinds of value it reads: an empty ``?_to_field=`` (its
# change and delete pages look up a field named ""), a date-hierarchy year, month or day that
# makes no date it can step on from (``?at__year=9999``, or more digits than a date holds), and,
# on PostgreSQL, a NUL character in a list filter or search term (``?kind__exact=%00``), which
# the database refuses in a string.
HIERARCHY_PARTS = ("year", "month", "day")


def _hierarchy_is_a_date(query, field: str) -> bool:
    year, month, day = (query.get(f"{field}__{part}", "1") for part in HIERARCHY_PARTS)
    if not all(part.isascii() and part.isdigit() and len(part) <= 4 for part in (year, month, day)):
        return False
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        return False
    return int(year) < datetime.MAXYEAR


def _admin_query(view, query):
    """``query`` without what the admin page ``view`` would answer with a 500."""
    unread = [name for name, values in query.lists() if any("\x00" in v for v in values)]
    if query.get(TO_FIELD_VAR) == "":
        unread.append(TO_FIELD_VAR)
    hierarchy = getattr(getattr(view, "__self__", None), "date_hierarchy", None)
    if hierarchy and not _hierarchy_is_a_date(query, hierarchy):
        unread += [f"{hierarchy}__{part}" for part in HIERARCHY_PARTS]
    unread = [name for name in dict.fromkeys(unread) if name in query]
    if not unread:
        return query
    query = query.copy()
    for name in unread:
        del query[name]
    query._mutable = False
    return query


def admin_reading_bad_values_as_absent(admin_view):
    """Wraps ``AdminSite.admin_view``: every admin page reads those values as absent."""

    @wraps(admin_view)
    def wrap(view, cacheable=False):
        inner = admin_view(view, cacheable)

        @wraps(inner)
        def answer(request, *args, **kwargs):
            request.GET = _admin_query(view, request.GET)
            return inner(request, *args, **kwargs)

        return answer

    return wrap
