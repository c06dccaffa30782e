"""API errors in Chinese, in one shape: ``{"detail": "...", "errors": {field: [...]}}``."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from minqing.core.editing import ConcurrentEditError
from minqing.core.statement_timeout import is_statement_timeout


def exception_handler(exc, context):
    if isinstance(exc, ConcurrentEditError):
        return Response(
            {
                "detail": exc.messages[0],
                "code": "concurrent_edit",
                "current_version": exc.record.version,
                "changes": [
                    {"actor_name": e.actor_name, "at": e.at, "changes": e.changes} for e in exc.events
                ],
            },
            status=status.HTTP_409_CONFLICT,
        )
    if is_statement_timeout(exc):
        return Response(
            {"detail": _("查询时间过长，已停止，操作没有保存。请缩小区域范围或增加筛选条件后重试。")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    if isinstance(exc, OperationalError | InterfaceError):  # the database restarts or fails over: retry
        return Response(
            {"detail": _("数据库暂时不可用，操作没有保存，请稍后重试。")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "10"},
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
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
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.data = {"detail": _("请先登录，或提供有效的令牌。")}
    return response
