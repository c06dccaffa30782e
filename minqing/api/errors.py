"""API errors in Chinese, in one shape: ``{"detail": "...", "errors": {field: [...]}}``.

``errors`` comes with field errors (400); ``code`` names the errors a client may act on (``concurrent_edit``
with the other editors' changes, ``csrf_failed``, ``parse_error``, ``request_too_large``,
``integrity_error``, ``data_error``, ``reveal_limit`` / ``export_limit`` with 429). No error of a request under /api/ answers a 500 or an HTML page.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from minqing.core import restricted
from minqing.core.editing import ConcurrentEditError
from minqing.core.limits import LimitExceeded
from minqing.core.statement_timeout import is_statement_timeout

from .authentication import CsrfFailed

logger = logging.getLogger(__name__)


def error(detail: str, status_code: int, code: str | None = None, **headers: str) -> Response:
    """A response in the one shape; the request's transaction (if any) is rolled back."""
    set_rollback()
    body: dict[str, Any] = {"detail": detail}
    if code:
        body["code"] = code
    return Response(body, status=status_code, headers=headers or None)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request: Request, path: str = "") -> Response:
    """The last API route: an unknown address (or an id that is not a number) is a 404 in the one shape,
    not Django's HTML page. Anonymous callers get the 401 every API route gives them."""
    raise exceptions.NotFound(_("未找到该接口或记录，请检查地址。"))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ConcurrentEditError):
        response = error(exc.messages[0], status.HTTP_409_CONFLICT, "concurrent_edit")
        response.data["current_version"] = exc.record.version
        restricted.readable(exc.events, getattr(context.get("request"), "user", None), record=exc.record)
        response.data["changes"] = [
            {"actor_name": e.actor_name, "at": e.at, "changes": e.shown_changes} for e in exc.events
        ]
        return response
    special = database_or_request_error(exc, context)
    if special is not None:
        return special
    if isinstance(exc, LimitExceeded):  # a per-user limit (core/limits.py): 429, its own code
        return error(exc.message, status.HTTP_429_TOO_MANY_REQUESTS, exc.code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        if NON_FIELD_ERRORS in detail:  # Django's "__all__" is DRF's "non_field_errors"
            detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(_("您没有执行该操作的权限。"))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到该记录，或不在您的管辖范围内。"))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        response.data = {"detail": _("提交的数据有误，请按提示修改。"), "errors": errors}
    elif isinstance(exc, exceptions.ParseError):  # DRF's text is English and quotes the parser's error
        response.data = {
            "detail": _("请求内容无法解析，请检查格式（例如 JSON 是否完整、有效）后重试。"),
            "code": "parse_error",
        }
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    if isinstance(exc, CsrfFailed):
        response.data["code"] = "csrf_failed"
    if isinstance(exc, exceptions.AuthenticationFailed) and "token_expired" in str(exc.get_codes()):
        response.data = {"detail": str(exc.detail), "code": "token_expired"}  # say why, and what to do
    elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.data = {"detail": _("请先登录，或提供有效的令牌。")}
    return response


def database_or_request_error(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Errors DRF leaves to Django (which would answer 500, or an HTML 400): the database's and the body's."""
    if is_statement_timeout(exc):
        return error(
            _("查询时间过长，已停止，操作没有保存。请缩小区域范围或增加筛选条件后重试。"),
            status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    if isinstance(exc, OperationalError | InterfaceError):  # the database restarts or fails over: retry
        return error(
            _("数据库暂时不可用，操作没有保存，请稍后重试。"),
            status.HTTP_503_SERVICE_UNAVAILABLE,
            **{"Retry-After": "10"},
        )
    if isinstance(exc, IntegrityError):  # a constraint the services did not foresee (a race, a missed rule)
        logger.warning("Database constraint refused an API write: %s", exc, exc_info=exc)
        return error(
            _("保存时与已有数据冲突（例如重复的记录），操作没有保存。请刷新后核对再试。"),
            status.HTTP_409_CONFLICT,
            "integrity_error",
        )
    if isinstance(exc, DataError):  # a value the column cannot hold that validation let through
        logger.warning("Database refused a value of an API write: %s", exc, exc_info=exc)
        return error(
            _("提交的数值或文字超出了允许的范围，操作没有保存。请检查后重试。"),
            status.HTTP_400_BAD_REQUEST,
            "data_error",
        )
    if isinstance(exc, SuspiciousOperation):  # as Django reports them: to django.security.<name>
        request = context.get("request")
        logging.getLogger(f"django.security.{type(exc).__name__}").warning(
            str(exc), extra={"request": getattr(request, "_request", request)}
        )
        if isinstance(exc, RequestDataTooBig):
            return error(
                _("提交的内容过大，没有处理。请减少内容后重试。"),
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                "request_too_large",
            )
        return error(_("请求无效，没有处理。"), status.HTTP_400_BAD_REQUEST, "bad_request")
    return None
