"""Request-scoped context that services may read without touching ``request``."""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def ip_of(request: HttpRequest) -> str | None:
    """The client's address: the only function that reads it (audit, login log, request log, throttles).

    Each trusted proxy (``TRUSTED_PROXY_COUNT``, nginx: 1) appends the address it saw to
    ``X-Forwarded-For``, so the client is the ``TRUSTED_PROXY_COUNT``-th entry from the right; anything
    left of it was written by the client and is ignored. With 0 the header is ignored altogether and the
    socket's address is used. A request with fewer entries than proxies takes the first one (as DRF's
    ``NUM_PROXIES`` does); an entry that is not an IP address falls back to the socket's address.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies: int = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    hops = forwarded.split(",")
    try:
        return str(ipaddress.ip_address(hops[-min(proxies, len(hops))].strip()))
    except ValueError:
        return remote


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
