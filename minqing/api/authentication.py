"""Session authentication whose CSRF failure answers in Chinese, in the API's one error shape."""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme as SpectacularSessionScheme
from rest_framework import authentication, exceptions
from rest_framework.request import Request

security = logging.getLogger("django.security.csrf")  # where Django reports its own CSRF refusals


class CsrfFailed(exceptions.PermissionDenied):
    default_detail = _(
        "安全校验（CSRF）未通过，操作没有执行。请刷新页面后重试；程序调用请使用令牌（Token）认证。"
    )
    default_code = "csrf_failed"


class SessionAuthentication(authentication.SessionAuthentication):
    """A browser session writing to the API must carry the CSRF token, as the pages do; tokens need none."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as error:
            security.warning(
                "Forbidden (%s): %s",
                error.detail,
                request.path,
                extra={"status_code": 403, "request": request},
            )
            raise CsrfFailed from None


class SessionScheme(SpectacularSessionScheme):
    """The OpenAPI description of the class above: DRF's cookie session, as before."""

    target_class = "minqing.api.authentication.SessionAuthentication"
