"""``/api/v1/checkins/``: GET lists the caller's own check-ins and those of the areas they read; POST checks in.

POST takes the browser's position (optional); the address is the request's (``core.middleware.ip_of``), the
time the server's. 201: checked in; 200: already checked in today (the first check-in, ``detail`` 今日已签到);
403 ``checkin_refused``: from outside the office networks and the village (recorded), or a role that does not
check in; 400: a position out of range. Included from ``minqing/api_urls.py``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.api.schema import ErrorSerializer
from minqing.core.middleware import ip_of

from . import selectors, services
from .models import CheckIn


class CheckInSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__", read_only=True, help_text="签到人")
    area_name = serializers.CharField(source="area.name", read_only=True, help_text="签到区域")
    method_label = serializers.CharField(source="get_method_display", read_only=True, help_text="签到方式")

    class Meta:
        model = CheckIn
        fields = [
            "id",
            "user",
            "user_name",
            "date",
            "at",
            "area_path",
            "area_name",
            "method",
            "method_label",
            "ip",
            "latitude",
            "longitude",
            "accuracy_m",
            "distance_m",
        ]
        read_only_fields = fields


class CheckInResultSerializer(CheckInSerializer):
    created = serializers.BooleanField(read_only=True, help_text="true：本次新签到；false：今日已签到")
    detail = serializers.CharField(read_only=True)

    class Meta(CheckInSerializer.Meta):
        fields = [*CheckInSerializer.Meta.fields, "created", "detail"]
        read_only_fields = fields


def _number(label: Any) -> serializers.FloatField:
    return serializers.FloatField(
        required=False, allow_null=True, help_text=label, error_messages={"invalid": label}
    )


class CheckInRequestSerializer(serializers.Serializer):
    latitude = _number(gettext_lazy("纬度应为 -90 到 90 之间的数字，如 27.531。"))
    longitude = _number(gettext_lazy("经度应为 -180 到 180 之间的数字，如 108.912。"))
    accuracy = _number(gettext_lazy("定位精度应为 0 到 100000 之间的米数。"))


class RefusedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="被拒原因及怎么办")
    code = serializers.CharField(help_text="checkin_refused 或 permission_denied")
    reason = serializers.CharField(required=False, help_text="no_rule / wrong_network / outside_area …")


@extend_schema_view(
    list=extend_schema(
        summary="签到记录",
        parameters=[OpenApiParameter("mine", OpenApiTypes.BOOL, description="只看本人的签到")],
    ),
    create=extend_schema(
        summary="签到",
        request=CheckInRequestSerializer,
        responses={
            201: CheckInResultSerializer,
            200: CheckInResultSerializer,
            400: ErrorSerializer,
            403: OpenApiResponse(
                RefusedSerializer, description="不在办公网络或本村范围内（已记录），或角色无需签到"
            ),
        },
    ),
)
class CheckInViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = CheckInSerializer

    def get_queryset(self) -> QuerySet[CheckIn, CheckIn]:
        mine = self.request.query_params.get("mine", "").lower() in ("1", "true", "yes")
        return selectors.checkin_list(self.request.user, mine=mine)  # type: ignore[arg-type]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        parsed = CheckInRequestSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        try:
            checkin, created = services.checkin_submit(
                user=request.user,  # type: ignore[arg-type]
                ip=ip_of(request),
                **parsed.validated_data,
            )
        except services.CheckInRefused as refused:
            body = {
                "detail": refused.attempt.message,
                "code": "checkin_refused",
                "reason": refused.attempt.reason,
            }
            return Response(body, status=status.HTTP_403_FORBIDDEN)
        except PermissionDenied as denied:
            return Response(
                {"detail": str(denied), "code": "permission_denied"}, status=status.HTTP_403_FORBIDDEN
            )
        data = dict(CheckInSerializer(checkin, context=self.get_serializer_context()).data)
        data.update(created=created, detail=_("签到成功") if created else _("今日已签到"))
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
