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
    field = serializers.ChoiceField(choices=choices, label="要查看的字段")
    return type(f"{name}RevealRequestSerializer", (serializers.Serializer,), {"field": field})


class RevealResponseSerializer(serializers.Serializer):
    field = serializers.CharField()
    value = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(help_text="字段 → 错误列表；新户的户主错误嵌套在 head 下")


class ChangeEventSerializer(serializers.Serializer):
    actor_name = serializers.CharField()
    at = serializers.DateTimeField()
    changes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    current_version = serializers.IntegerField()
    changes = ChangeEventSerializer(many=True)


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
