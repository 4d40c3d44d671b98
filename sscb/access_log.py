"""Writes to the access log: one row per opening of a restricted record, a file or an export."""

import datetime
import ipaddress
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from .client_ip import client_ip
from .minimise import find_identifiers
from .models import AccessLogEntry

Action = AccessLogEntry.Action


def access_log_record(
    request, obj, action: str, *, label: str, detail: str = "", user=None
) -> AccessLogEntry:
    """Append one entry: one INSERT (content types come from Django's per-process cache).

    ``request`` gives the person, the address and the path; a service with no request passes
    ``None`` and the person as ``user``. ``obj`` is ``None`` for an export of many records.
    """
    user = user if user is not None else request.user
    return AccessLogEntry.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        record=label[:200],
        detail=detail[:300],
        path=logged_path(request)[:500] if request is not None else "",
        ip_address=_valid_address(client_ip(request)) if request is not None else None,
    )


# What is kept of a query string: the filters chosen from a list (a year, a stage, an agency's
# id) say what was opened. A search box's words are whatever was typed, a child's name or NHS
# number among them, and the log is kept for two years: they are written as "[search]".
SEARCH_PARAMETERS = frozenset({"q"})
SEARCH_MARK = "[search]"
# A value chosen from a list or a link: a number, a code, a date, an id. Anything else was typed.
_CHOSEN_VALUE = re.compile(r"[\w.:/-]{0,64}", re.ASCII)


def logged_path(request) -> str:
    """The path opened and the filters it was opened with; typed words as ``[search]``."""
    path, _, _ = request.get_full_path().partition("?")
    query = request.GET
    if not query:
        return path
    kept = [
        (name, value if _is_chosen(name, value) else SEARCH_MARK)
        for name, values in query.lists()
        for value in values
    ]
    return f"{path}?{urlencode(kept, safe='[]/:')}"


def _is_chosen(name: str, value: str) -> bool:
    return (
        name not in SEARCH_PARAMETERS
        and _CHOSEN_VALUE.fullmatch(value) is not None
        and not find_identifiers(value)
    )


def _valid_address(address: str | None) -> str | None:
    # X-Forwarded-For is only as good as the proxy in front: keep what is not an address out.
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def access_log_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete entries older than ACCESS_LOG_RETENTION_DAYS; returns how many went."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.ACCESS_LOG_RETENTION_DAYS)
    deleted, _ = AccessLogEntry.objects.filter(at__lt=cutoff).delete()
    return deleted
