"""The second-factor gate: a password-only session reaches the verify, enrol and logout pages only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .otp import has_device, second_factor_pending

# Pages a password-only session may open: the factor itself, leaving, and the language switch.
OPEN_VIEWS = frozenset({"accounts:otp_verify", "accounts:otp_setup", "accounts:logout", "set_language"})


class SecondFactorMiddleware:
    """After ``OTPMiddleware``: users who must pass the second factor (``otp.second_factor_required``) and
    have not are sent to verify (or to enrol when they have no device yet); the API answers 403 with
    ``code: otp_required`` in its one error shape; htmx requests get an ``HX-Redirect``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        user = request.user
        if not user.is_authenticated or not second_factor_pending(user):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("该账号需要两步验证：请先在网页上输入手机验证器的动态码，或使用令牌认证。"),
                    "code": "otp_required",
                },
                status=403,
            )
        name = "accounts:otp_verify" if has_device(user) else "accounts:otp_setup"
        target = reverse(name)
        if request.method == "GET" and not request.headers.get("HX-Request"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
