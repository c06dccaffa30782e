"""``/api/v1/compliance/`` (an area's coverage and who is behind) and ``/api/v1/compliance/due/`` (my due
list): the same selectors as the pages, scoped the same way. Included from ``minqing/api_urls.py``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.api.schema import ErrorSerializer
from minqing.registry.models.paired import pairing_grants

from . import due, periods, selectors


class AreaRowSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    households = serializers.IntegerField()
    visited = serializers.IntegerField()
    percent = serializers.FloatField()
    months = serializers.IntegerField(allow_null=True, help_text="该区域的每户走访周期(月)，无规则为null")


class HouseholdRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="household_id")
    number = serializers.CharField(source="household.number")
    head_name = serializers.CharField(source="household.head_name")
    area_path = serializers.CharField()
    last_visit_at = serializers.DateTimeField(allow_null=True)


class PairedSerializer(serializers.Serializer[Any]):
    household = serializers.IntegerField(source="household_id")
    number = serializers.CharField(source="household.number")
    head_name = serializers.CharField(source="household.head_name")
    cadre = serializers.IntegerField(source="cadre_id")
    cadre_name = serializers.CharField(source="cadre")
    done = serializers.IntegerField()
    quota = serializers.IntegerField()


class CadreSerializer(serializers.Serializer[Any]):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    area = serializers.CharField()
    quota = serializers.IntegerField()
    unit = serializers.CharField()
    current = serializers.IntegerField()
    previous = serializers.IntegerField()
    behind = serializers.BooleanField()


class SummarySerializer(serializers.Serializer[Any]):
    area = serializers.CharField(source="path")
    period = serializers.CharField(source="period.key")
    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.end", help_text="周期结束后的第一天")
    month = serializers.DateField(help_text="结对户和干部每月考核所在的月份")
    households = serializers.IntegerField()
    visited = serializers.IntegerField()
    percent = serializers.FloatField()
    areas = AreaRowSerializer(source="rows", many=True)
    paired_total = serializers.IntegerField()
    paired_behind_count = serializers.IntegerField()
    paired_behind = PairedSerializer(many=True)
    cadres_behind_count = serializers.IntegerField()
    cadres = CadreSerializer(many=True)


class PairedDueSerializer(PairedSerializer):
    last_at = serializers.DateTimeField(allow_null=True)
    today = serializers.BooleanField()


class DueSerializer(serializers.Serializer[Any]):
    day = serializers.DateField()
    month = serializers.DateField()
    paired = PairedDueSerializer(many=True)
    households_due = serializers.IntegerField()
    households_capped = serializers.BooleanField()
    per_day = serializers.IntegerField()
    households_today = HouseholdRefSerializer(many=True)
    households_week = HouseholdRefSerializer(many=True)
    quotas = CadreSerializer(many=True)


@extend_schema(
    parameters=[
        OpenApiParameter("area", OpenApiTypes.STR, description="区划代码；默认为本人管辖范围"),
        OpenApiParameter(
            "period", OpenApiTypes.STR, description="2026、2026-H2、2026-Q4、2026-12 等；默认为当前考核周期"
        ),
    ],
    responses={
        200: SummarySerializer,
        403: OpenApiResponse(ErrorSerializer, description="角色不能查看户档案"),
        404: OpenApiResponse(ErrorSerializer, description="区域不在本人管辖范围内，或不是区划代码"),
    },
)
@api_view(["GET"])
def summary(request: Request) -> Response:
    """An area's visit coverage for a period, its sub-areas ranked, paired households and cadres behind."""
    user: Any = request.user
    if not user.can("view"):
        raise PermissionDenied
    path = selectors.pick_area(user, request.query_params.get("area"))
    if path is None:
        raise NotFound
    result = selectors.summary(user, path, periods.parse(request.query_params.get("period")))
    return Response(SummarySerializer(result).data)


@extend_schema(
    responses={
        200: DueSerializer,
        403: OpenApiResponse(ErrorSerializer, description="角色不走访（无待访清单）"),
    }
)
@api_view(["GET"])
def due_list(request: Request) -> Response:
    """My due list: paired households short of this month's visits, households not visited this period."""
    user: Any = request.user
    if not (user.can("visit") or pairing_grants(user, "visit")):
        raise PermissionDenied
    return Response(DueSerializer(due.due_list(user)).data)
