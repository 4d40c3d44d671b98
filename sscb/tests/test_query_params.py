"""Bad link parameters never 500 (issue 12, item 8): a value a page reads from its query string
that is not valid is ignored, or answered with 404 where it names the record the page is about.

Every named URL is requested as the access matrix requests it (``test_access_matrix.py``: its
world, its checks, its signed-in clients), as the Business Unit and as an agency lead. While a
page runs, ``request.GET`` notes each name the page asks it for; each such name is then given
each value in ``GARBAGE`` in turn. A name that is read but not written down in ``PARAMS`` (with
what a value that is not valid gets) fails the test, so a new parameter cannot go untried.
"""

import uuid
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.core.handlers.wsgi import WSGIRequest, get_bytes_from_wsgi
from django.db import transaction
from django.http import QueryDict

from audits.filters import AuditFilter
from learning import filters as learning_filters
from learning.training.filters import AnswerFilter, AttendeeFilter
from reviews.filters import ChronologyFilter, ReviewFilter
from sscb import lists, params
from sscb.lists import CountedPaginator
from sscb.tests import test_access_matrix as matrix

world = matrix.world  # the matrix's fixtures, under their own names
clients = matrix.clients

GARBAGE = [
    "garbage",
    "-1",
    "9999",  # the last year a date can hold, so there is no next one
    "99999999999999999999",  # more than a database integer or a date holds
    "'; DROP TABLE reviews_review; --",
    "\x00",  # %00 in the link
    str(uuid.UUID(int=0x5AFE)),  # well formed, and the id of nothing
    "2026-13-45",
    "",
    "Ünïcödé ٣",  # "٣" is a digit to str.isdigit() and int()
]

# What a value that is not valid gets.
IGNORED = "ignored"  # the answer the page gives without the parameter
NOT_FOUND = "404"  # it names the record the page is about: 404, or as without it
THEIRS = "not a 500"  # the Django admin's or allauth's: any answer but a 500


def filters(filterset, *others):
    return dict.fromkeys((*filterset.base_filters, *others), IGNORED)


# The dashboard's and reports' filter forms.
DASHBOARD = {"year": IGNORED, "subgroup": IGNORED}
REPORT = {"year": IGNORED, "quarter": IGNORED}

PARAMS: dict[str, dict[str, str]] = {
    "reminders": {"page": IGNORED},
    "retention:due": {"page": IGNORED},
    "reviews:list": filters(ReviewFilter, "page"),
    "reviews:chronology": filters(ChronologyFilter, "page"),
    "reviews:chronology-csv": filters(ChronologyFilter),
    "reviews:chronology-xlsx": filters(ChronologyFilter),
    "audits:list": filters(AuditFilter, "page"),
    # The cycle's returns in one state (the home page's "awaiting moderation" links here).
    "audits:cycle": {"status": IGNORED},
    "learning:index": filters(learning_filters.ThemeFilter, "page"),
    "briefings:list": {"page": IGNORED},
    "briefings:cascades": {"page": IGNORED},
    "learning:findings": filters(learning_filters.FindingFilter, "page"),
    "learning:outcomes": filters(learning_filters.OutcomeFilter, "page"),
    "learning:activities": filters(learning_filters.ActivityFilter, "page"),
    "learning:checks": filters(learning_filters.PracticeCheckFilter, "page"),
    "learning:evidence_list": filters(learning_filters.EvidenceFilter, "page"),
    "learning:actions": filters(learning_filters.ActionFilter, "page"),
    "learning:actions_csv": filters(learning_filters.ActionFilter),
    "learning:actions_xlsx": filters(learning_filters.ActionFilter),
    # Where a new finding comes from (the thread page's link): what the form starts with.
    "learning:finding_new": {"review": IGNORED, "audit": IGNORED},
    "learning:finding_edit": {"review": IGNORED, "audit": IGNORED},
    # The finding a new theme starts from (its page links here with it).
    "learning:theme_new": {"finding": IGNORED},
    # The plan a new action joins: the record the page is about.
    "learning:action_new": dict.fromkeys(("review", "audit", "standard", "outcome"), NOT_FOUND)
    | {"agency": IGNORED},  # the agency to own it, from the page that links here
    # Meetings: the list's filters (the figures' links) and the figures' year.
    "meetings:list": dict.fromkeys(("page", "body", "agency", "year"), IGNORED),
    "meetings:figures": {"year": IGNORED},
    "training:rates": {"year": IGNORED},
    # Training: the registers' and the answers' filters (the figures' links).
    "training:attendees": filters(AttendeeFilter, "page"),
    "training:answers": filters(AnswerFilter, "page"),
    "dashboard:index": DASHBOARD,
    "dashboard:annual-report": DASHBOARD,
    "dashboard:export-csv": DASHBOARD,
    "dashboard:export-xlsx": DASHBOARD,
    "dashboard:annual-report-export-csv": DASHBOARD,
    "dashboard:annual-report-export-xlsx": DASHBOARD,
    "dashboard:report": REPORT,
    # The scorecard's quarter (and the quarter a value form opens at): not valid, the last
    # quarter ended.
    "performance:scorecard": REPORT,
    "performance:scorecard-csv": REPORT,
    "performance:scorecard-xlsx": REPORT,
    "performance:submit": REPORT,
    # The one report exported (CDOP's) is of a whole year: a quarter given is not read.
    "dashboard:report-export-csv": {"year": IGNORED},
    "dashboard:report-export-xlsx": {"year": IGNORED},
    "scrutiny:list": {"page": IGNORED},
    "learning:collate": {"page": IGNORED},  # findings not yet in a theme, a page at a time
    # The pages that list the actions answering a thread, a page of them at a time.
    **dict.fromkeys(
        (
            "learning:thread_review",
            "learning:thread_audit",
            "scrutiny:thread",
            "learning:theme",
            "learning:outcome",
        ),
        {"page": IGNORED},
    ),
}

# The Django admin's names, read by name, and a date hierarchy's (``sscb.params`` checks them);
# a changelist also reads its ordering ("o") and its list filters' look-ups out of every
# parameter it is given (found on the page, ``admin_changelist_params``).
ADMIN_PARAMS = ("_changelist_filters", "_popup", "_to_field", "_facets", "p", "q", "all", "e")
ADMIN_AUTOCOMPLETE_PARAMS = ("app_label", "model_name", "field_name", "term", "page", "_to_field")
ALLAUTH_PARAMS = ("next",)
# The admin serves each kind of page (list, add, change, delete, history) with the same code for
# every model. So garbage goes to every parameter of every page of one model's admin (reminders:
# it has a date hierarchy, which ``sscb.params`` reads on each of its pages), and of these
# changelists: between them every kind of list filter (choices, a relation, yes/no, all values,
# through a relation) and a date hierarchy on a date and on a moment. Every other admin page is
# requested, and must read no name but the admin's.
ADMIN_MODEL_TRIED = "sscb_reminder"
ADMIN_CHANGELISTS_TRIED = (
    "sscb_user",
    "sscb_strategicpriority",
    "sscb_disposalrecord",
    "sscb_reminder",
    "audits_standardassessment",
)


def written_down(name: str) -> dict[str, str]:
    if name in PARAMS:
        return PARAMS[name]
    if name == "admin:autocomplete":
        return dict.fromkeys(ADMIN_AUTOCOMPLETE_PARAMS, THEIRS)
    if name.startswith("admin:"):
        return dict.fromkeys(ADMIN_PARAMS + date_hierarchy(name), THEIRS)
    if name.startswith(("account_", "mfa_")) or name in ("login", "logout"):
        return dict.fromkeys(ALLAUTH_PARAMS, THEIRS)
    return {}


def date_hierarchy(name: str) -> tuple[str, ...]:
    model = matrix._admin_model(name.removeprefix("admin:"))[0]
    field = model and admin.site._registry[model].date_hierarchy
    return tuple(f"{field}__{part}" for part in params.HIERARCHY_PARTS) if field else ()


def given_garbage(name: str) -> bool:
    if not name.startswith("admin:"):
        return True
    model, page = matrix._admin_model(name.removeprefix("admin:"))
    if model is None:
        return True  # the admin's own pages: its index, sign-in, autocomplete ...
    label = f"{model._meta.app_label}_{model._meta.model_name}"
    return label == ADMIN_MODEL_TRIED or (page == "changelist" and label in ADMIN_CHANGELISTS_TRIED)


# Recording what a page reads ----------------------------------------------------------------

READ: set[str] = set()


class RecordingQueryDict(QueryDict):
    """``request.GET``, noting each name a page asks it for (by ``[]``, ``get``, ``getlist``,
    ``in`` or ``pop``; a template's ``request.GET.x`` asks for "x" first). Going through every
    parameter (``items()``, ``urlencode()``, a copy) names none."""

    def __init__(self, *args, **kwargs):
        self._recording = False  # a QueryDict asks itself for names as it is built
        super().__init__(*args, **kwargs)
        self._recording = True

    def _note(self, key):
        if self._recording:
            READ.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def _getlist(self, key, *args, **kwargs):
        self._note(key)
        return super()._getlist(key, *args, **kwargs)

    def pop(self, key, *args):
        self._note(key)
        return super().pop(key, *args)

    def items(self):
        for key in dict.__iter__(self):
            yield key, QueryDict.__getitem__(self, key)

    def values(self):
        for _, value in self.items():
            yield value

    def dict(self):
        return dict(self.items())


class RecordingGET:
    """In place of ``WSGIRequest.GET`` (a cached property) while the test runs."""

    def __get__(self, request, owner=None):
        if request is None:
            return self
        if "GET" not in request.__dict__:
            query = get_bytes_from_wsgi(request.environ, "QUERY_STRING", "")
            request.__dict__["GET"] = RecordingQueryDict(query, encoding=request._encoding)
        return request.__dict__["GET"]

    def __set__(self, request, value):
        request.__dict__["GET"] = value


@pytest.fixture
def recording(monkeypatch):
    monkeypatch.setattr(WSGIRequest, "GET", RecordingGET())
    # One row a page, so that every list in the world shows its page links (which carry the
    # query string on).
    monkeypatch.setattr(lists, "CountedPaginator", lambda rows, per_page: CountedPaginator(rows, 1))


# Requests -----------------------------------------------------------------------------------

ROLES = ("bu", "lead")  # the Business Unit sees the most; the agency lead, their agency's
# Sent with every request, so that a form bound only to a query that is not empty is bound; but
# not to the admin, whose changelists take any parameter for a filter.
PROBE = {"_probe": ""}


def ask(client, name, check, path, query, data):
    """(response, names read, the error behind a 500) of one request, undone afterwards."""
    READ.clear()
    query = query if name.startswith("admin:") else PROBE | query
    url = f"{path}?{urlencode(query)}"
    with transaction.atomic():
        response = client.get(url) if check.method == "GET" else client.post(url, data)
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end, which closes the file
        transaction.set_rollback(True)
    error = getattr(response, "exc_info", None)
    return response, set(READ), repr(error[1]) if error else ""


def admin_changelist_params(response) -> set[str]:
    """What an admin changelist reads out of every parameter: its ordering and its list filters'
    look-ups."""
    changelist = (response.context or {}).get("cl")
    if changelist is None:
        return set()
    return {"o"} | {p for spec in changelist.filter_specs for p in spec.expected_parameters()}


# Tests --------------------------------------------------------------------------------------


def test_parameters_are_written_down_for_pages_that_exist():
    assert not set(PARAMS) - set(matrix.URL_NAMES)
    assert all(kind in (IGNORED, NOT_FOUND) for names in PARAMS.values() for kind in names.values())


@pytest.mark.parametrize("name", matrix.URL_NAMES)
def test_garbage_in_every_query_parameter(name, world, clients, recording):
    written = written_down(name)
    problems, unwritten, read_anywhere, tried = [], set(), set(), 0
    # Variants of a check (own, other, restricted) that carry the same parameters and get the
    # same answer read them alike: each parameter gets garbage once for them all.
    given = set()
    for check in matrix.checks_for(name) or []:
        path, _, query = matrix.url_for(world, name, check).partition("?")
        query = dict(QueryDict(query).items())
        data = check.data(world) if check.data else {}
        for role in ROLES:
            client = clients[role]
            where = f"{role} {check.method} {name}[{check.variant}]"
            plain, to_try, error = ask(client, name, check, path, query, data)
            if plain.status_code >= 500:
                problems.append(f"{where}: {plain.status_code} without garbage {error}")
                continue
            if name.startswith("admin:"):
                found = admin_changelist_params(plain)
                written = written | dict.fromkeys(found, THEIRS)
                to_try |= found
            # A name read only once another held garbage is tried with that garbage in place.
            found_with: dict[str, dict] = {}
            done = set()
            while to_try - done:
                param = min(to_try - done)
                done.add(param)
                kind = written.get(param)
                if kind is None:
                    unwritten.add(param)
                    continue
                given_to = query | found_with.get(param, {})
                key = (check.method, role, param, plain.status_code, tuple(sorted(given_to)))
                if not given_garbage(name) or key in given:
                    continue
                given.add(key)
                expected = {plain.status_code}
                if param in given_to or param in found_with:  # the answer without it
                    rest = {k: v for k, v in given_to.items() if k != param}
                    expected = {ask(client, name, check, path, rest, data)[0].status_code}
                if kind == NOT_FOUND:
                    expected.add(404)
                for value in GARBAGE:
                    response, read, error = ask(
                        client, name, check, path, given_to | {param: value}, data
                    )
                    tried += 1
                    for other in read - to_try:
                        found_with[other] = given_to | {param: value}
                    to_try |= read
                    status = response.status_code
                    if status >= 500 or (kind != THEIRS and status not in expected):
                        problems.append(
                            f"{where} ?{urlencode(given_to | {param: value})}: {status}, "
                            f"expected {' or '.join(map(str, sorted(expected)))} {error}"
                        )
            read_anywhere |= done
    assert not unwritten, (
        f"{name} reads {sorted(unwritten)} from its query string: write each down in PARAMS "
        "with what a value that is not valid gets"
    )
    stale = set(PARAMS.get(name, ())) - read_anywhere
    assert not stale, f"PARAMS names {sorted(stale)} for {name}, which it does not read"
    assert not problems, f"{len(problems)} of {tried} answered wrongly:\n" + "\n".join(problems)
