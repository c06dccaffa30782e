"""``GET /api/v1/desk/callers/<phone>/``: the telephony system's screen pop — the masked caller card (as
``/api/v1/callers/<phone>/``) plus the household's paired cadre, open tickets and recent visits, each read
through the caller's scope (``desk.selectors``). Audited as every look-up."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minqing.api.schema import ErrorSerializer
from minqing.api.throttling import AnonRateThrottle
from minqing.registry.lookup import LookupRefused
from minqing.registry.lookup_api import CardMemberSerializer, LookupRateThrottle, MayLookUp

from . import selectors


class NamedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OpenTicketSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    category_name = serializers.CharField(source="category.name")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField(source="is_overdue")


class RecentVisitSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    author_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class DeskHouseholdSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="household.pk")
    number = serializers.CharField(source="household.number", help_text="户编号")
    address = serializers.CharField(source="household.address")
    area_name = serializers.CharField(source="household.area.name", help_text="所在区域")
    head_name = serializers.CharField(source="household.head_name")
    phone_masked = serializers.CharField(source="household.phone_masked", help_text="户联系电话（已脱敏）")
    matched = serializers.ListField(child=serializers.CharField(), help_text="号码匹配到的成员")
    members = CardMemberSerializer(many=True)
    paired_cadre = serializers.SerializerMethodField(help_text="帮扶责任人（没有时为 null）")
    open_tickets = OpenTicketSerializer(many=True, help_text="在办工单（调用者可见的）")
    recent_visits = RecentVisitSerializer(many=True, source="visits", help_text="近期走访（调用者可见的）")

    def get_paired_cadre(self, row: selectors.CallerHousehold) -> dict[str, Any] | None:
        cadre = row.cadre
        return None if cadre is None else {"id": cadre.pk, "name": str(cadre)}


class DeskCallerSerializer(serializers.Serializer[Any]):
    phone_masked = serializers.CharField(source="term.shown", help_text="来电号码（已脱敏）")
    found = serializers.IntegerField(help_text="匹配到的户数")
    households = DeskHouseholdSerializer(many=True, help_text="最多 5 户")


class DeskCallerView(APIView):
    """The screen pop of a calling number."""

    permission_classes = [IsAuthenticated, MayLookUp]
    throttle_classes = [AnonRateThrottle, LookupRateThrottle]

    @extend_schema(
        summary="服务台来电弹屏：来电人的户基本信息、帮扶责任人、在办工单和近期走访",
        description="基本信息与 /callers/<phone>/ 相同（脱敏）；工单和走访只返回调用者权限范围内的。"
        "每次查询都记入审计日志（号码脱敏）。",
        responses={
            200: DeskCallerSerializer,
            400: OpenApiResponse(ErrorSerializer, description="号码有误（原因在 errors.phone 中）"),
            403: OpenApiResponse(ErrorSerializer, description="角色不能查询来电人"),
        },
    )
    def get(self, request: Request, phone: str = "") -> Response:
        try:
            found = selectors.caller(user=request.user, raw=phone)  # type: ignore[arg-type]
        except LookupRefused as refused:
            raise exceptions.ValidationError({"phone": [refused.message]}) from refused
        response = Response(DeskCallerSerializer(found).data)
        response["Cache-Control"] = "no-store"
        return response
