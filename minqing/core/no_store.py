"""Nothing the application answers is kept by a browser or a proxy cache: ``Cache-Control: no-store``.

Pages, htmx fragments, API replies, attachment and export downloads all carry personal data (or a CSRF
token, or an API token), so every dynamic response leaves with Django's "never cache" headers
(``max-age=0, no-cache, no-store, must-revalidate, private``). A response that already says ``no-store``
is left as it is. Static files are answered by WhiteNoise before this middleware (it sits after it in
``MIDDLEWARE``) and keep their long caching; the paths in ``NO_STORE_EXEMPT_PATHS`` (the public probes
and metrics) keep whatever their views set. ``Vary`` (``HX-Request`` on list pages) is not touched.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers


def has_no_store(response: HttpResponseBase) -> bool:
    directives = (d.strip().lower() for d in response.get("Cache-Control", "").split(","))
    return any(d == "no-store" for d in directives)


def is_exempt(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in settings.NO_STORE_EXEMPT_PATHS)


class NoStoreMiddleware:
    """Adds the never-cache headers to every response outside ``NO_STORE_EXEMPT_PATHS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not has_no_store(response) and not is_exempt(request.path_info):
            add_never_cache_headers(response)
        return response
