"""One structured log line per request (logger ``minqing.request``) and the ``X-Request-ID`` header.

The line holds the URL pattern and the path (never the query string: searches carry ID numbers and
phones), the status, the time taken, the number of database queries (counted by an execute wrapper,
not DEBUG's query log), the user id (never a name), the client address and the request id. The id is
the client's (or the proxy's) ``X-Request-ID`` when it is a short token, or a new one; the response
echoes it. Successful requests for static files, ``/metrics`` and the health probes are not logged
(``REQUEST_LOG_QUIET_PATHS``): they would bury the rest. Their failures are.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from .logs import LOOKS_SENSITIVE, request_id
from .middleware import ip_of

logger = logging.getLogger("minqing.request")

HEADER = "X-Request-ID"
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


class QueryCounter:
    """An execute wrapper that counts the queries run through it."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def new_id() -> str:
    # Request ids are logged unredacted (logs.py), so none may look like a phone or an ID number.
    while LOOKS_SENSITIVE.search(rid := uuid.uuid4().hex):
        pass
    return rid


def incoming_id(request: HttpRequest) -> str:
    """The client's or the proxy's id when it is a short token not shaped like a phone or ID number."""
    given = request.headers.get(HEADER, "")
    return given if VALID_ID.fullmatch(given) and not LOOKS_SENSITIVE.search(given) else new_id()


def route_of(request: HttpRequest) -> tuple[str | None, str | None]:
    """(URL pattern, view name) of the resolved route; (None, None) when nothing matched."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None, None
    return "/" + match.route, match.view_name or None


def user_id_of(request: HttpRequest) -> int | str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    pk: int | str = user.pk
    return pk


def is_quiet(path: str, status: int) -> bool:
    quiet: list[str] = getattr(settings, "REQUEST_LOG_QUIET_PATHS", [])
    return status < 400 and any(path.startswith(prefix) for prefix in quiet)


class RequestLogMiddleware:
    """Log every request as one line; put the request id on the response and on every log line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        rid = incoming_id(request)
        token = request_id.set(rid)
        counter = QueryCounter()
        started = time.perf_counter()
        try:
            with ExitStack() as stack:
                for connection in connections.all():
                    stack.enter_context(connection.execute_wrapper(counter))
                response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[HEADER] = rid
            if not is_quiet(request.path, response.status_code):
                self.log(request, response, duration_ms, counter.count)
            return response
        finally:
            request_id.reset(token)

    @staticmethod
    def log(request: HttpRequest, response: HttpResponseBase, duration_ms: float, queries: int) -> None:
        route, view = route_of(request)
        status = response.status_code
        level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
        logger.log(
            level,
            "%s %s %s %.1fms %dq",
            request.method,
            route or request.path,
            status,
            duration_ms,
            queries,
            extra={
                "method": request.method,
                "route": route,
                "view": view,
                "path": request.path,
                "status": status,
                "duration_ms": duration_ms,
                "queries": queries,
                "user_id": user_id_of(request),
                "ip": ip_of(request),
            },
        )
