"""Request-scoped context that services may read without touching ``request``."""

from __future__ import annotations

import contextvars

client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("client_ip", default=None)


def ip_of(request) -> str | None:
    # Behind a reverse proxy the real address is the first X-Forwarded-For hop (the proxy sets it).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    """Remember the client IP for audit rows written during this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(ip_of(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
