"""The caller API: ``GET /api/v1/lookup/?q=…`` and ``GET /api/v1/callers/<phone>/`` (hotline look-ups).

The same basic, masked shape as the household card (``registry.lookup``): no ID numbers, no health,
economy, custom fields or attachments. Every look-up is audited; callers without the ``lookup`` action
anywhere get 403; bad input is a 400 carrying the Chinese reason. Included from ``minqing/api_urls.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, throttling
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.api.schema import ErrorSerializer
from minqing.api.throttling import AnonRateThrottle
from minqing.core.middleware import ip_of

from . import lookup as lookups
from .lookup import CARD_MEMBER_FIELDS, LOOKUP, LookupRefused
from .models import Person


class MayLookUp(BasePermission):
    """The ``lookup`` action somewhere (a role that never looks callers up is refused, not given [])."""

    message = _("您的角色不能查询来电人信息。")

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.can(LOOKUP))


class LookupRateThrottle(throttling.UserRateThrottle):
    """Look-ups per user: a hotline seat answers calls, it does not walk the registry."""

    scope = "lookup"
    rate = "120/min"

    def get_ident(self, request: Request) -> str:
        return ip_of(request) or ""


class CardMemberSerializer(serializers.Serializer):
    name = serializers.CharField()
    relation = serializers.CharField(help_text="与户主关系")
    sex = serializers.CharField()
    age = serializers.IntegerField(allow_null=True, help_text="周岁；已故为 null")
    phone_masked = serializers.CharField(help_text="已脱敏的电话")
    deceased = serializers.BooleanField()


class CallerHouseholdSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="户编号")
    address = serializers.CharField()
    area_name = serializers.CharField(source="area.name", help_text="所在区域")
    head_name = serializers.CharField()
    phone_masked = serializers.CharField(help_text="户联系电话（已脱敏）")
    matched = serializers.ListField(
        child=serializers.CharField(), help_text="按电话、身份证号或姓名匹配到的成员"
    )
    members = serializers.SerializerMethodField()

    def get_members(self, household: Any) -> list[dict[str, Any]]:
        return CardMemberSerializer(
            lookups.member_lines(household, self.context["request"].user), many=True
        ).data  # type: ignore[return-value]


Q_PARAM = OpenApiParameter("q", OpenApiTypes.STR, required=True, description="来电号码、身份证号码或姓名")
VILLAGE_PARAM = OpenApiParameter(
    "village", OpenApiTypes.STR, description="村（社区）名称；范围大于一个村时按姓名查找必填"
)
PAGE_PARAMS = [
    OpenApiParameter("after", OpenApiTypes.STR, description="下一页的游标（见 next）"),
    OpenApiParameter("before", OpenApiTypes.STR, description="上一页的游标（见 previous）"),
]
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="号码或姓名有误（原因在 errors.q 中）"),
    403: OpenApiResponse(ErrorSerializer, description="角色不能查询来电人"),
}


class CallerLookupView(GenericAPIView):
    """Households in the caller's lookup scope matching a phone, ID number or name (paged, capped)."""

    permission_classes = [IsAuthenticated, MayLookUp]
    throttle_classes = [AnonRateThrottle, LookupRateThrottle]
    serializer_class = CallerHouseholdSerializer
    filter_backends: list[Any] = []

    def answer(self, request: Request, raw: str, *, phone_only: bool = False) -> Response:
        try:
            term = lookups.parse_term(raw, request.query_params.get("village", ""))
            if phone_only and term.kind != "phone":
                raise LookupRefused(str(_("请输入11位手机号或带区号的固定电话。")))
            result = lookups.lookup_find(user=request.user, term=term)
        except LookupRefused as refused:
            raise exceptions.ValidationError({"q": [refused.message]}) from refused
        lookups.lookup_record(actor=request.user, term=term, found=result.found)
        members = Person.objects.only(*CARD_MEMBER_FIELDS).order_by(
            "deceased", "relation", "birth_date", "id"
        )
        households = result.households.prefetch_related(Prefetch("members", queryset=members))
        page = self.paginate_queryset(households)
        rows = list(page) if page is not None else list(households)
        for household in rows:
            household.matched = result.matches.get(household.pk, [])
        data = self.get_serializer(rows, many=True).data
        response = self.get_paginated_response(data) if page is not None else Response(data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="来电查询（服务台）：按电话、身份证号码或姓名查找户的基本信息",
        description="只返回基本信息：户编号、住址、户主、成员姓名/关系/性别/年龄和脱敏电话；不返回身份证号码。"
        "每次查询都记入审计日志（号码脱敏）。按姓名查找按开头的字匹配，最多读取 200 条匹配。",
        parameters=[Q_PARAM, VILLAGE_PARAM, *PAGE_PARAMS],
        responses={200: CallerHouseholdSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return self.answer(request, request.query_params.get("q", ""))


class CallerByPhoneView(CallerLookupView):
    """``callers/<phone>/``: the hotline system's look-up of the number calling in."""

    @extend_schema(
        summary="来电号码查询（服务台）：按来电号码查找户的基本信息",
        description="与 /lookup/ 相同的基本信息，只接受电话号码。每次查询都记入审计日志（号码脱敏）。",
        parameters=PAGE_PARAMS,
        responses={200: CallerHouseholdSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, phone: str = "") -> Response:  # type: ignore[override]
        return self.answer(request, phone, phone_only=True)
