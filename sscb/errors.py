"""Error pages that explain, in plain words, what happened and what to do next."""

import logging

from django.db import OperationalError
from django.http import HttpResponseNotAllowed, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def permission_denied(request, exception=None):
    from .access import Refused

    reason = str(exception) if isinstance(exception, Refused) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # Rendered without context processors: the database may be why we are here.
    return HttpResponseServerError(loader.get_template("500.html").render())


# What a page of this product answers: it is read (GET, HEAD) and its forms are sent (POST).
METHODS = ("GET", "HEAD", "POST")


def methods_allowed(get_response):
    """Refuse any other method (PUT, DELETE, PATCH, TRACE, OPTIONS) with 405 before a view
    reads it: a view that takes every method but POST for a read would answer a DELETE "200 OK"
    with its page, and a client would believe it had deleted something."""

    def middleware(request):
        if request.method not in METHODS:
            return HttpResponseNotAllowed(METHODS)
        return get_response(request)

    return middleware


def _database_busy(exception) -> bool:
    text = str(exception).lower()
    return isinstance(exception, OperationalError) and ("locked" in text or "busy" in text)


class DatabaseBusyMiddleware:
    """A save that met a busy database (the embedded SQLite under load) is explained, not a 500.

    Nothing was saved (the write's transaction rolled back); the person goes back, where the
    browser keeps what they typed, and saves again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _database_busy(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        response = render(request, "503_busy.html", status=503)
        response["Retry-After"] = "5"
        return response
