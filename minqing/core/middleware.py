"""Request-scoped context that services may read without touching ``request``."""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def ip_of(request: HttpRequest) -> str | None:
    # Behind a reverse proxy the real address is the first X-Forwarded-For hop (the proxy sets it).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Remember the client IP for audit rows written during this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = client_ip.set(ip_of(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
