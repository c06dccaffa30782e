"""Idle sessions end ``SESSION_COOKIE_AGE`` after the last request, without a write on every request.

``SESSION_SAVE_EVERY_REQUEST`` would do it with an UPDATE and a commit per page view: under load that is
most of a list page's database time. Here a signed-in session is saved (its expiry moved forward) at most
once per ``SESSION_TOUCH_SECONDS``, so a session ends between ``SESSION_COOKIE_AGE - SESSION_TOUCH_SECONDS``
and ``SESSION_COOKIE_AGE`` after the last request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

TOUCHED_KEY = "_touched"


class IdleSessionMiddleware:
    """After ``SessionMiddleware``: mark a live session modified when its last save is older than the touch."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        session = request.session
        if session.session_key is not None:  # anonymous visitors get no session from us
            now = int(time.time())
            if now - int(session.get(TOUCHED_KEY, 0)) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED_KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return self.get_response(request)
