"""One way for a list page to answer: the whole page, or only its results region when htmx asks."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """htmx asks for the results region only; a history restore (the back button, a lost cache) wants the page."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    """The same URL answers with a page or a fragment: caches and the back button must tell them apart."""
    patch_vary_headers(response, ["HX-Request"])
    return response


def render_list(
    request: HttpRequest, full_template: str, partial_template: str, context: dict[str, Any]
) -> HttpResponse:
    """Render ``partial_template`` for an htmx request, ``full_template`` otherwise; always ``Vary: HX-Request``."""
    template = partial_template if wants_fragment(request) else full_template
    return vary_on_htmx(render(request, template, context))
