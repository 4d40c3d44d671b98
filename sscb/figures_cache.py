"""Page parts kept until a record changes: for every reader of the same scope, or for one reader.

The Board dashboard and the annual-report section spend most of their time counting and
rendering figures that depend only on the period and the sub-groups read, never on who reads
them (``learning.dashboard.overview.scope_figures(scope)`` is not given the person). So their
rendered HTML is kept in Django's cache (Redis when ``REDIS_URL`` is set) under the part's name,
the scope, the language and URL prefix, with the records' *generation* it was made in: a number
that goes up whenever anything may have changed a figure, and a part is served only in the
generation it was made in:

- any record of our apps is saved or deleted (signals): at once, and again when the transaction
  commits, so that a part counted from the data before the commit is never kept under the new
  generation. The access log is left out: a page view writes it, and no figure counts it;
- a signed-in person's form post succeeds (middleware: it covers the bulk ``update()`` calls
  that send no signal);
- a Celery task ends (the reminder sweep and retention work in bulk), and so do the commands
  that write in bulk (``send_reminders``, ``load_demo``, ``generate_load``).

The dashboard's and annual report's figures for a scope may instead be a little old
(``a_little_old``, ``FIGURES_MAY_BE_OLD_SECONDS``): while people are saving, they are counted
again at most once in that time, and afresh for anyone who has just changed something.

A changed generation makes every kept part unreachable; ``FIGURES_CACHE_SECONDS`` bounds how
long any part lives whatever happens (a script run from a shell, say). A part that depends on
who reads it is kept only under that person's key (``reader_key``), so no one is ever given
what another may see: the home page's "needs your attention" items (``sscb.attention``), the
dashboard's and annual report's parts read through the reader's visibility, each page of a
golden thread, an agency lead's My agency, each page and filter of a list, and a review's and
an action's page (``{% kept_for_reader %}``, through ``kept_for_reader``). Who may see
what is itself a record (a role, a membership, a panel seat), so changing it starts a new
generation too.
"""

import contextlib
import functools
import hashlib
import logging
import re
import time
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
Kept = TypeVar("Kept")

GENERATION_KEY = "figures:generation"
# A page number a kept part is kept for (``kept_for_reader``): none, or up to six digits.
PAGE = re.compile(r"\d{0,6}")
# The longest query string a part is kept for; a longer one is rendered afresh.
QUERY_KEPT_UP_TO = 300
# Where a form that posts (or an htmx request) carries the session's token: a kept part holds
# ``token_standin()`` there instead, and the reader's own token is put in on the way out.
FORM_TOKENS = ("csrfmiddlewaretoken", "X-CSRFToken")
# Written on page views, and never counted in a figure.
NOT_FIGURES = {"sscb.AccessLogEntry"}


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Start from the clock, not from 1: if Redis loses the key, parts kept under an old
        # generation can never be mistaken for new ones.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump() -> int | None:
    """Make every kept part unreachable; the new generation (None when the cache is away: a
    save never fails because of it, and kept parts then live out their
    ``FIGURES_CACHE_SECONDS``)."""
    try:
        try:
            return cache.incr(GENERATION_KEY)
        except ValueError:  # not there yet (or lost): any fresh start is a new generation
            return generation()
    except RedisError:
        logger.warning("Could not start a new figures generation: the cache is unreachable")
        return None


def parts(name: str, scope_key: str, make: Callable[[], Kept], *, reader=None) -> Kept:
    """The parts called ``name`` for ``scope_key``, made by ``make()`` when not kept (anything
    the cache can pickle: a dict of rendered parts, a list, a string).

    ``scope_key`` must name everything the parts depend on, besides the records: the person,
    if ``make`` reads them; the day, if it reads the date. One copy is kept for each, with the
    generation it was made in and when (one read of the cache a request, and a copy from before
    a change is replaced, not left beside the new one until it expires). It is served while
    the generation is the same, or, for figures that may be a little old (``a_little_old``:
    ``reader`` is the person reading), for ``FIGURES_MAY_BE_OLD_SECONDS`` unless ``reader``
    has changed something since.
    """
    seconds = settings.FIGURES_CACHE_SECONDS
    if not seconds:
        return make()
    key = f"figures:{name}:{scope_key}:{get_language()}:{get_script_prefix()}"
    old_for = settings.FIGURES_MAY_BE_OLD_SECONDS if reader is not None else 0
    changed = _changed_by(reader) if old_for else None
    try:
        kept = cache.get_many([GENERATION_KEY, key, *([changed] if changed else [])])
        now = kept.get(GENERATION_KEY) or generation()
    except RedisError:  # counted afresh, as with nothing kept
        logger.warning("Could not read kept figures: the cache is unreachable")
        return make()
    if key in kept:
        made_in, made_at, value = kept[key]
        if made_in == now or (
            old_for and time.time() - made_at < old_for and made_in >= kept.get(changed, 0)
        ):
            return value
    made_at = time.time()
    value = make()
    with contextlib.suppress(RedisError):
        cache.set(key, (now, made_at, value), seconds)
    return value


def a_little_old(request, name: str, scope_key: str, make: Callable[[], Kept]) -> Kept:
    """``parts``, for figures the same for every reader of a scope that may be a little old.

    While records change, what was counted less than ``FIGURES_MAY_BE_OLD_SECONDS`` ago is
    served, so however many people are saving, the figures are counted again at most that
    often rather than after every save. A person who has changed something since they were
    counted (``BumpOnWriteMiddleware`` notes when) is given them counted afresh, and so is
    everyone after them: nobody misses their own change.
    """
    return parts(name, scope_key, make, reader=request.user)


def _changed_by(user) -> str:
    """Where the generation after a person's last change is noted, while figures may be old."""
    return f"figures:changed-by:{user.pk}"


def kept_for_reader(
    request, render: Callable[[], str], *, names=frozenset(), part: str = ""
) -> str:
    """``render()``, the HTML of a ``part`` of the page ``request`` asks for, kept for the
    person reading it, the day, the page's path and its query string, until a record changes.

    Kept only for a page asked for (not one shown again after a post), when every name in the
    query string is one of ``names`` (a list's filters, say) and ``page``, if there, is a page
    number, and the whole query string is at most ``QUERY_KEPT_UP_TO`` characters.
    Anything else is rendered afresh and not kept, so a person keeps few copies of each page.
    Only for a part with nothing written by reading it (an access log). A form in it must be
    rendered with ``token_standin()`` as its token (``csrf_token`` in the context), which is
    replaced by the reader's own on the way out: HTML holding any other token is never kept
    (and the mistake is logged)."""
    query = request.GET
    if (
        request.method not in ("GET", "HEAD")  # a page shown again with a refused form's errors
        or not request.user.is_authenticated
        or set(query) - names
        or not all(PAGE.fullmatch(number) for number in query.getlist("page"))
        or len(request.META.get("QUERY_STRING", "")) > QUERY_KEPT_UP_TO
    ):
        return _with_token(request, render())
    asked = urlencode(sorted((name, value) for name in query for value in query.getlist(name)))
    where = hashlib.sha256(f"{request.path}?{asked}#{part}".encode()).hexdigest()

    def checked() -> str:
        html = render()
        if sum(html.count(mark) for mark in FORM_TOKENS) > html.count(token_standin()):
            raise _HoldsAForm(html)
        return html

    try:
        html = parts("page-part", f"{reader_key(request.user)}:{where}", checked)
    except _HoldsAForm as holding:
        logger.error("Not kept: a part of %s holds a form's own token", request.path)
        html = holding.html
    return _with_token(request, html)


def _with_token(request, html: str) -> str:
    standin = token_standin()
    return html.replace(standin, get_token(request)) if standin in html else html


@functools.cache
def token_standin() -> str:
    """What a kept part holds where a form's token goes: the same on every web server sharing
    ``SECRET_KEY``, and nothing a person could type into a record to have it replaced."""
    return "kept-" + salted_hmac("sscb.figures_cache.token_standin", "form").hexdigest()[:32]


class _HoldsAForm(Exception):
    def __init__(self, html: str):
        self.html = html


def reader_key(user) -> str:
    """What keeps a part for one person and one day alone: for a part that reads who is
    reading (what they may see) and the date (clocks and due dates turn by the day)."""
    return f"person:{user.pk}:{timezone.localdate()}"


@functools.cache
def _project_labels() -> frozenset[str]:
    """Our apps' labels (a history model, ``HistoricalReview``, is known by its app's label)."""
    from django.apps import apps

    return frozenset(
        config.label for config in apps.get_app_configs() if config.name in settings.PROJECT_APPS
    )


def _record_changed(sender, using=None, **kwargs):
    meta = sender._meta
    if meta.app_label not in _project_labels() or meta.label in NOT_FIGURES:
        return
    bump()
    connection = transaction.get_connection(using or router.db_for_write(sender))
    if connection.in_atomic_block and not any(
        callback is bump for _, callback, _ in connection.run_on_commit
    ):
        transaction.on_commit(bump, using=connection.alias)


def connect() -> None:
    """Called once, from ``SscbConfig.ready()``."""
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_record_changed, dispatch_uid=f"figures-{name}")

    from celery.signals import task_postrun

    task_postrun.connect(lambda **kwargs: bump(), weak=False, dispatch_uid="figures-task")


class BumpOnWriteMiddleware:
    """A signed-in person's successful post may have changed records in bulk: a new generation,
    and a note of it for their figures that may be a little old (``a_little_old``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and response.status_code < 400
            and request.user.is_authenticated
        ):
            now = bump()
            if now is not None and settings.FIGURES_MAY_BE_OLD_SECONDS:
                # Figures counted before this are counted afresh for them.
                with contextlib.suppress(RedisError):
                    cache.set(_changed_by(request.user), now, settings.FIGURES_MAY_BE_OLD_SECONDS)
        return response
