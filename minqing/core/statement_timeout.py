"""A time limit on each SQL statement of an interactive request: the safety net, never the design.

Web requests on PostgreSQL run with ``statement_timeout`` = ``DB_STATEMENT_TIMEOUT_MS`` (0 turns it off), so
one runaway search cannot hold a server process for a minute while twenty cadres wait. Workers, periodic
jobs and commands (seeding, tag refresh, backups) never pass through the middleware and keep no limit.
The limit is set once per database connection (``set_config``), not once per request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.http import HttpRequest
from django.http.response import HttpResponseBase

QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout


def ensure_statement_timeout(conn: BaseDatabaseWrapper, milliseconds: int) -> None:
    """Give ``conn`` the limit unless its current server connection already has it."""
    if not milliseconds or conn.vendor != "postgresql":
        return
    conn.ensure_connection()
    raw = conn.connection
    if conn.__dict__.get("_minqing_timeout") == (raw, milliseconds):
        return
    with conn.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{milliseconds}ms"])
    conn.__dict__["_minqing_timeout"] = (raw, milliseconds)


def is_statement_timeout(error: BaseException | None) -> bool:
    """True for the error a statement cut off by ``statement_timeout`` raises."""
    cause = getattr(error, "__cause__", None)
    return isinstance(error, OperationalError) and getattr(cause, "sqlstate", None) == QUERY_CANCELED


class StatementTimeoutMiddleware:
    """Applies ``DB_STATEMENT_TIMEOUT_MS`` to the connection that serves this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        ensure_statement_timeout(connection, settings.DB_STATEMENT_TIMEOUT_MS)
        return self.get_response(request)
