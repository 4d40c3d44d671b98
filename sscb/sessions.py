"""Idle sessions end without a session write on every request.

``SESSION_SAVE_EVERY_REQUEST`` would move a session's expiry forward by saving its row on every
request: one UPDATE per page view, the busiest write in the database under load. An idle timeout
needs far fewer: this middleware saves a signed-in session only when ``SESSION_TOUCH_SECONDS``
have passed since its last save, so a session still ends ``SESSION_COOKIE_AGE`` after its last
request, give or take that interval.
"""

import time

from django.conf import settings

TOUCHED_AT = "_touched_at"  # seconds since the epoch when the session was last saved


class SessionIdleTimeoutMiddleware:
    """Re-saves a session that holds data at most once a ``SESSION_TOUCH_SECONDS``.

    Sits just after SessionMiddleware, so that it marks the session before that one saves it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An empty session (a visitor who never signed in, or one who just signed out) is not
        # kept alive: SessionMiddleware would not save it either.
        if session is None or session.is_empty() or not session.keys():
            return response
        now = int(time.time())
        if session.modified or now - session.get(TOUCHED_AT, 0) >= settings.SESSION_TOUCH_SECONDS:
            session[TOUCHED_AT] = now
        return response
