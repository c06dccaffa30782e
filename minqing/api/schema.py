"""Shared pieces of the API's OpenAPI description: the error shapes, write responses, reveal requests."""

from __future__ import annotations

import functools
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers

from minqing.core import sensitive


def reveal_serializer(model: type) -> type[serializers.Serializer]:
    """``{"field": ...}`` limited to the model's sensitive fields."""
    return _reveal_serializer(tuple(sorted(sensitive.fields_of(model))))


@functools.cache
def _reveal_serializer(choices: tuple[str, ...]) -> type[serializers.Serializer]:
    # One class (and schema component) per choice set, e.g. PhoneRevealRequest for households and places.
    name = "".join(part.title() for choice in choices for part in choice.split("_"))
    # DRF's message repeats the input, whatever its size: name the choices instead.
    field = serializers.ChoiceField(
        choices=choices,
        label="要查看的字段",
        error_messages={"invalid_choice": "不能查看这个字段，可查看的字段：" + "、".join(choices) + "。"},
    )
    return type(f"{name}RevealRequestSerializer", (serializers.Serializer,), {"field": field})


class RevealResponseSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(
        required=False, help_text="字段 → 错误列表；新户的户主错误嵌套在 head 下（字段错误时才有）"
    )
    code = serializers.CharField(required=False, help_text="可处理的错误的代码，例如 parse_error")


class ChangeEventSerializer(serializers.Serializer):
    actor_name = serializers.CharField()
    at = serializers.DateTimeField()
    changes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(help_text="concurrent_edit：版本冲突；integrity_error：与已有数据冲突")
    current_version = serializers.IntegerField(required=False, help_text="版本冲突时：记录的当前版本")
    changes = ChangeEventSerializer(many=True, required=False, help_text="版本冲突时：他人的修改")


def write_schema(request_create, request_update, response) -> Any:
    errors = {400: OpenApiResponse(ErrorSerializer, description="输入有误（字段错误在 errors 中）")}
    conflict = {409: OpenApiResponse(ConflictSerializer, description="记录已被他人修改（版本冲突）")}
    return extend_schema_view(
        create=extend_schema(request=request_create, responses={201: response, **errors}),
        update=extend_schema(request=request_update, responses={200: response, **errors, **conflict}),
        partial_update=extend_schema(request=request_update, responses={200: response, **errors, **conflict}),
    )


def reveal_schema(model: type) -> Any:
    return extend_schema(
        request=reveal_serializer(model),
        responses={200: RevealResponseSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="查看脱敏字段的原值（记入审计日志）",
    )


# The one error shape as a schema component; ``errors`` with field errors (400), ``code`` where a client may act.
ERROR_COMPONENT = {
    "type": "object",
    "description": "错误（中文说明；400 的字段错误在 errors 中，可处理的错误带 code）",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["detail"],
}
ERROR_DESCRIPTIONS = {
    "400": "输入有误（字段错误在 errors 中），或请求内容无法解析",
    "401": "未登录、令牌无效或已过期（取令牌时：用户名、密码或动态码有误，或账号已锁定）",
    "403": "角色无权执行该操作（或需先完成两步验证、CSRF 校验未通过）",
    "404": "记录不存在，或不在调用者的管辖范围内",
    "409": "保存时与已有数据冲突，操作没有保存",
    "413": "提交的内容过大",
    "415": "不支持的请求内容类型（请使用 JSON 或表单）",
    "429": "请求过于频繁，或超过了查看/导出的次数限制",
    "503": "数据库暂时不可用或查询超时，请稍后重试",
}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: declare the error statuses every operation can answer.

    The exception handler (``minqing.api.errors``) answers them in one shape; without them a client (and the
    schemathesis fuzz test) would read every 4xx as undocumented. Statuses an operation already declares
    (with a more precise body, e.g. 409 with the other editors' changes) are kept.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = ERROR_COMPONENT
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in WRITE_METHODS | {"get", "head"}:
                continue
            for code in _error_statuses(method, operation):
                operation["responses"].setdefault(
                    code, {"description": ERROR_DESCRIPTIONS[code], "content": content}
                )
    return result


def _error_statuses(method: str, operation: dict[str, Any]) -> list[str]:
    params = {p.get("in") for p in operation.get("parameters", [])}
    body = "requestBody" in operation
    security = operation.get("security")
    anonymous = not security or {} in security  # open to anonymous callers (the token endpoint)
    codes = ["401", "503"]
    if body or "query" in params:
        codes.append("400")
    if not anonymous:
        codes.append("403")
    if "path" in params:
        codes.append("404")
    if method in WRITE_METHODS:
        codes.append("409")  # a database constraint the services did not foresee (integrity_error)
    if body:
        codes += ["413", "415"]
    if anonymous or "reveal" in operation.get("operationId", ""):
        codes.append("429")  # the anonymous throttle and login limit; the reveal limit
    return sorted(codes)
