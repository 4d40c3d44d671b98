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

A part kept for its reader may be up to half a minute old (``PAGES_MAY_BE_OLD_SECONDS``) after
another person's change that adds to what pages show but cannot change who may see what: a new
finding, progress on an action (``visibility_unchanged``, around the save); not when the reader
reloads the page (``reloaded``). Any other change is *hard*: a restriction, a record moved or
corrected, a membership, a deletion, anything saved outside such a block. The generation counts
both, hard ones in its upper bits (``HARD_STEP``), so one atomic increment records either and a
part can tell which has happened since it was made. Whoever made the change is always given
the page afresh.

A changed generation makes every kept part unreachable; ``FIGURES_CACHE_SECONDS`` bounds how
long any part lives whatever happens (a script run from a shell, say). A part that depends on
who reads it is kept only under that person's key (``reader_key``), so no one is ever given
what another may see: the dashboard's and annual report's parts read through the reader's
visibility, and, through ``{% kept_for_reader %}`` (``kept_for_reader``), the home page's
lists, the dashboard's filter, each page of a golden thread, an agency lead's My agency, each
page and filter of a list, and a review's and an action's page. Who may see
what is itself a record (a role, a membership, a panel seat), so changing it starts a new
generation too.
"""

import contextlib
import contextvars
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
# How long a request waits for another that is making the same part before making it itself
# (``_made_meanwhile``), and how long a crashed request's claim to be making one lasts.
MADE_WITHIN_SECONDS = 5
# What a hard change adds to the generation (a soft one adds 1): a part made before a hard change
# has a smaller ``generation // HARD_STEP``. Redis counts to 2**63, so from the clock's nanoseconds
# (where the count starts) there is room for over a billion hard changes.
HARD_STEP = 1 << 32
# The models whose saves in this block leave who may see what unchanged (``visibility_unchanged``).
_soft_models: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar(
    "figures_soft_models", default=frozenset()
)
# What the request being answered has changed (``BumpOnWriteMiddleware``).
_request_changes: contextvars.ContextVar["_Changes | None"] = contextvars.ContextVar(
    "figures_request_changes", default=None
)


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        # Start from the clock, not from 1: if Redis loses the key, parts kept under an old
        # generation can never be mistaken for new ones.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def bump(*, hard: bool = True) -> int | None:
    """Start a new generation: after a ``hard`` change no kept part is served; after a soft one
    (``visibility_unchanged``) a part kept for its reader may still be, for
    ``PAGES_MAY_BE_OLD_SECONDS``. Returns the new generation (None when the cache is away: a
    save never fails because of it, and kept parts then live out their
    ``FIGURES_CACHE_SECONDS``)."""
    try:
        try:
            return cache.incr(GENERATION_KEY, HARD_STEP if hard else 1)
        except ValueError:  # not there yet (or lost): any fresh start is a new generation
            return generation()
    except RedisError:
        logger.warning("Could not start a new figures generation: the cache is unreachable")
        return None


def parts(name: str, scope_key: str, make: Callable[[], Kept], *, request=None) -> Kept:
    """The parts called ``name`` for ``scope_key``, made by ``make()`` when not kept (anything
    the cache can pickle: a dict of rendered parts, a list, a string).

    ``scope_key`` must name everything the parts depend on, besides the records and the
    reader: the day, if ``make`` reads the date. Parts ``make`` builds for the person making
    ``request`` (what they may see) are that reader's own: kept under their key for the day
    (``reader_key``), and also served after another person's soft changes for
    ``PAGES_MAY_BE_OLD_SECONDS``, but never once the reader has changed something since they
    were made, nor when they reload the page (``reloaded``). One copy is kept for each, with the
    generation it was made in and when (one read of the cache a request, and a copy from before
    a change is replaced, not left beside the new one until it expires).
    """
    if request is None:
        return _kept(name, scope_key, make, person=None, old_for=0)
    reader = request.user
    old_for = 0 if reloaded(request) else settings.PAGES_MAY_BE_OLD_SECONDS
    return _kept(name, f"{reader_key(reader)}:{scope_key}", make, person=reader, old_for=old_for)


def reloaded(request) -> bool:
    """Whether the person asked their browser to load the page again (it then sends
    ``Cache-Control: max-age=0``, or ``no-cache`` for a hard reload; a link or a form does not):
    someone told "I've just added it" reloads to see it, so a part kept for them is served only
    if nothing has changed since it was made."""
    asked = request.headers.get("Cache-Control", "").lower()
    return "max-age=0" in asked or "no-cache" in asked


def a_little_old(request, name: str, scope_key: str, make: Callable[[], Kept]) -> Kept:
    """``parts``, for figures the same for every reader of a scope that may be a little old.

    While records change, what was counted less than ``FIGURES_MAY_BE_OLD_SECONDS`` ago is
    served, so however many people are saving, the figures are counted again at most that
    often rather than after every save. A person who has changed something since they were
    counted (``BumpOnWriteMiddleware`` notes when) is given them counted afresh, and so is
    everyone after them: nobody misses their own change.
    """
    return _kept(
        name,
        scope_key,
        make,
        person=request.user,
        old_for=settings.FIGURES_MAY_BE_OLD_SECONDS,
        across_hard_changes=True,
    )


def _kept(name, scope_key, make, *, person, old_for, across_hard_changes=False):
    """``make()``, or what it made before: the same generation, or made less than ``old_for``
    seconds ago, after soft changes only unless ``across_hard_changes``, and not before
    ``person``'s last change."""
    seconds = settings.FIGURES_CACHE_SECONDS
    if not seconds:
        return make()
    key = _key(name, scope_key)
    changed = _changed_by(person) if person is not None and old_for else None
    try:
        kept = cache.get_many([GENERATION_KEY, key, *([changed] if changed else [])])
        now = kept.get(GENERATION_KEY) or generation()
    except RedisError:  # counted afresh, as with nothing kept
        logger.warning("Could not read kept figures: the cache is unreachable")
        return make()
    if key in kept:
        made_in, made_at, value = kept[key]
        if made_in == now or (
            changed
            and time.time() - made_at < old_for
            and made_in >= kept.get(changed, 0)
            and (across_hard_changes or made_in // HARD_STEP == now // HARD_STEP)
        ):
            return value
    # One request makes it; the others asking at the same time wait for what it makes.
    making = f"{key}:making"
    try:
        ours = cache.add(making, now, MADE_WITHIN_SECONDS)
    except RedisError:
        ours = True
    if not ours and (made := _made_meanwhile(key, making, now)) is not None:
        return made
    made_at = time.time()
    try:
        value = make()
        with contextlib.suppress(RedisError):
            cache.set(key, (now, made_at, value), seconds)
    finally:
        if ours:
            with contextlib.suppress(RedisError):
                cache.delete(making)
    return value


def _key(name: str, scope_key: str) -> str:
    return f"figures:{name}:{scope_key}:{get_language()}:{get_script_prefix()}"


def _made_meanwhile(key: str, making: str, now: int):
    """What the request that was making the part ``key`` made, once it is done (``making`` is
    gone), if it was made in the generation ``now``, after every change this request follows;
    None if it was made in another, or not within ``MADE_WITHIN_SECONDS``. Many people open the
    dashboard at once after a change: each of them counting its figures at the same time made
    the last wait for them all (at scale 1 on a 2-core machine, 32 readers' first dashboards
    took up to 1.2 s)."""
    deadline = time.monotonic() + MADE_WITHIN_SECONDS
    with contextlib.suppress(RedisError):
        while cache.get(making) is not None:
            if time.monotonic() > deadline:
                return None
            time.sleep(0.02)
        kept = cache.get(key)
        if kept is not None and kept[0] == now:
            return kept[2]
    return None


def _changed_by(user) -> str:
    """Where the generation after a person's last change is noted, while parts may be old."""
    return f"figures:changed-by:{user.pk}"


def _noted_for() -> int:
    """How long a person's change is noted: as long as any part may be old."""
    return max(settings.FIGURES_MAY_BE_OLD_SECONDS, settings.PAGES_MAY_BE_OLD_SECONDS)


@contextlib.contextmanager
def visibility_unchanged(*models):
    """Around a save that adds to what pages show but cannot change who may see what (a new
    finding, progress on an action): saving ``models`` in it (a new record or a change, their
    history, and what is added to their many-to-many fields) is a soft change, and so is the
    post it is part of, so put it around all that the post saves (a bulk ``update()`` sends no
    signal). Anything else changed in it (another model, a deletion, something taken out of a
    many-to-many field) is hard, as everywhere else. Only for saves whose fields no visibility
    rule reads (the selectors' ``*_visible_to``), and new records that can only add to what
    someone may see: ``learning/tests/test_soft_changes.py`` checks both uses."""
    token = _soft_models.set(frozenset(model._meta.label for model in models))
    changes = _request_changes.get()
    if changes is not None:
        changes.declared = True
    try:
        yield
    finally:
        _soft_models.reset(token)


class _Changes:
    """What a request has changed: whether a view said its saves leave visibility unchanged
    (``declared``), and whether anything hard was changed all the same."""

    declared = False
    hard = False


def kept_for_reader(
    request, render: Callable[[], str], *, names=frozenset(), part: str = ""
) -> str:
    """``render()``, the HTML of a ``part`` of the page ``request`` asks for, kept for the
    person reading it, the day, the page's path and its query string, until a record changes
    (a soft change by someone else: for up to ``PAGES_MAY_BE_OLD_SECONDS``, unless they reload
    the page).

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
        html = parts("page-part", where, checked, request=request)
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


def _is_soft(sender, signal, kwargs) -> bool:
    """Whether this change is one ``visibility_unchanged`` makes soft."""
    soft = _soft_models.get()
    if not soft:
        return False
    if signal is m2m_changed:
        # Added to a soft model's many-to-many field (the instance's, not the other side's).
        return kwargs["action"] in ("pre_add", "post_add") and (
            type(kwargs["instance"])._meta.label in soft
        )
    # A history row is soft with the record it is the history of (simple_history's
    # ``instance_type``).
    model = getattr(sender, "instance_type", sender)
    return signal is post_save and model._meta.label in soft


def _bump_soft():
    bump(hard=False)


def _record_changed(sender, signal=None, using=None, **kwargs):
    meta = sender._meta
    if meta.app_label not in _project_labels() or meta.label in NOT_FIGURES:
        return
    hard = not _is_soft(sender, signal, kwargs)
    changes = _request_changes.get()
    if hard and changes is not None:
        changes.hard = True
    bump(hard=hard)
    # Once more when the transaction commits, unless a bump as hard is already waiting (a hard
    # one is always as hard).
    again = bump if hard else _bump_soft
    connection = transaction.get_connection(using or router.db_for_write(sender))
    if connection.in_atomic_block and not any(
        callback in (bump, again) for _, callback, _ in connection.run_on_commit
    ):
        transaction.on_commit(again, using=connection.alias)


def connect() -> None:
    """Called once, from ``SscbConfig.ready()``."""
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_record_changed, dispatch_uid=f"figures-{name}")

    from celery.signals import task_postrun

    task_postrun.connect(lambda **kwargs: bump(), weak=False, dispatch_uid="figures-task")


class BumpOnWriteMiddleware:
    """A signed-in person's successful post may have changed records in bulk: a new generation
    (soft only when its view said its saves leave visibility unchanged and nothing hard was
    saved: ``visibility_unchanged``), and a note of it, so that every part that may be old is
    made afresh for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        changes = _Changes()
        token = _request_changes.set(changes)
        try:
            response = self.get_response(request)
        finally:
            _request_changes.reset(token)
        if (
            request.method not in ("GET", "HEAD", "OPTIONS")
            and response.status_code < 400
            and request.user.is_authenticated
        ):
            now = bump(hard=changes.hard or not changes.declared)
            if now is not None and _noted_for():
                # Parts made before this are made afresh for them.
                with contextlib.suppress(RedisError):
                    cache.set(_changed_by(request.user), now, _noted_for())
        return response
