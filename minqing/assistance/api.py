"""结对帮扶 and 帮扶计划 over the API, scoped exactly like the pages.

Reads start from ``visible_to(user, "view")`` (out of scope: 404); every write calls the service the pages
call, which checks the right on the household (the ``assist`` right, or the stationed cadre's pairing: 403).
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.accounts.models import User
from minqing.api.schema import ConflictSerializer, ErrorSerializer
from minqing.core import codes
from minqing.core.idnumber import mask_phone
from minqing.core.scoping import under
from minqing.registry.models import Household

from . import selectors, services
from .models import AssistancePlan, Measure, MeasureKind, MeasureStatus, Pairing
from .selectors import MEASURE_ORDER

#: What a write may answer besides success: bad input, no right on the household, not found, a stale version.
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ConflictSerializer}


class PairingSerializer(serializers.ModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    cadre_name = serializers.SerializerMethodField()
    cadre_phone = serializers.SerializerMethodField(help_text="帮扶责任人手机号（脱敏）")

    class Meta:
        model = Pairing
        fields = [
            "id",
            "household",
            "household_number",
            "cadre",
            "cadre_name",
            "cadre_phone",
            "area_path",
            "started_on",
            "ended_on",
            "end_reason",
        ]

    def get_cadre_name(self, obj: Pairing) -> str:
        return str(obj.cadre)

    def get_cadre_phone(self, obj: Pairing) -> str:
        return mask_phone(obj.cadre.phone)


class PairInputSerializer(serializers.Serializer):
    household = serializers.IntegerField(label="户的编号 id")
    cadre = serializers.IntegerField(label="帮扶责任人（用户编号）")
    started_on = serializers.DateField(label="结对日期")


class EndInputSerializer(serializers.Serializer):
    ended_on = serializers.DateField(label="解除日期")
    reason = serializers.CharField(label="解除原因", max_length=200)


class MeasureSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    status = serializers.ChoiceField(choices=MeasureStatus.choices, required=False)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    risks_addressed = serializers.ListField(
        child=serializers.ChoiceField(choices=codes.RiskType.choices), required=False
    )
    version = serializers.IntegerField(required=False, help_text="修改时必填：读取到的版本号")

    class Meta:
        model = Measure
        fields = [
            "id",
            "plan",
            "kind",
            "kind_display",
            "target",
            "status",
            "status_display",
            "amount",
            "started_on",
            "completed_on",
            "outcome",
            "income_change",
            "risks_addressed",
            "version",
        ]
        read_only_fields = ["id", "plan"]
        validators: list = []


class PlanSerializer(serializers.ModelSerializer):
    measures = MeasureSerializer(many=True, read_only=True)
    household = serializers.IntegerField(source="household_id", label="户的编号 id")
    version = serializers.IntegerField(required=False, help_text="修改时必填：读取到的版本号")

    class Meta:
        model = AssistancePlan
        fields = [
            "id",
            "household",
            "year",
            "period_start",
            "period_end",
            "goal",
            "note",
            "version",
            "measures",
        ]
        validators: list = []


def _data(serializer: serializers.Serializer, *drop: str) -> dict[str, Any]:
    return {k: v for k, v in serializer.validated_data.items() if k not in drop}


def _actor(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated: a signed-in accounts.User


def _household(request: Request, pk: int) -> Household:
    return get_object_or_404(Household.objects.visible_to(request.user, "view"), pk=pk)


class PairingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """结对帮扶. ``?household=`` (id), ``?cadre=`` (user id), ``?area=`` (code prefix), ``?open=1``.

    POST pairs a cadre with a household (an open pairing ends that day); ``end`` ends a pairing.
    """

    serializer_class = PairingSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        rows = Pairing.objects.visible_to(self.request.user, "view").select_related("cadre", "household")
        params = self.request.query_params
        for name in ("household", "cadre"):
            if (value := params.get(name, "")).isdigit():
                rows = rows.filter(**{f"{name}_id": int(value)})
        if area := params.get("area", ""):
            rows = rows.filter(under("area_path", area))
        if params.get("open") in ("1", "true"):
            rows = rows.filter(ended_on__isnull=True)
        return rows.order_by("-started_on", "-id")

    @extend_schema(request=PairInputSerializer, responses={201: PairingSerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        data = PairInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        household = _household(request, data.validated_data["household"])
        cadre = User.objects.filter(pk=data.validated_data["cadre"]).first()
        if cadre is None:
            raise serializers.ValidationError({"cadre": ["该用户不存在。"]})
        pairing = services.pair(
            actor=_actor(request),
            household=household,
            cadre=cadre,
            started_on=data.validated_data["started_on"],
        )
        return Response(PairingSerializer(pairing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EndInputSerializer, responses={200: PairingSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        """解除结对."""
        pairing = self.get_object()
        data = EndInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ended = services.end_pairing(actor=_actor(request), pairing=pairing, **data.validated_data)
        return Response(PairingSerializer(ended).data)


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """帮扶计划 with their measures. ``?household=`` (id), ``?year=``.

    POST creates a plan; PATCH changes it (with ``version``); ``measures`` adds a measure and
    ``measures/<id>`` changes one (with ``version``); ``chain`` is the household's risk-to-result chain.
    """

    serializer_class = PlanSerializer
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> Any:
        rows = AssistancePlan.objects.visible_to(self.request.user, "view").prefetch_related(
            Prefetch("measures", queryset=Measure.objects.order_by(*MEASURE_ORDER))
        )
        params = self.request.query_params
        for name in ("household", "year"):
            if (value := params.get(name, "")).isdigit():
                rows = rows.filter(**{f"{name}_id" if name == "household" else name: int(value)})
        return rows.order_by("household_id", "-year")

    @extend_schema(request=PlanSerializer, responses={201: PlanSerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        serializer = PlanSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        household = _household(request, serializer.validated_data["household_id"])
        plan = services.plan_create(
            actor=_actor(request), household=household, data=_data(serializer, "household_id", "version")
        )
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanSerializer, responses={200: PlanSerializer, **ERRORS})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        serializer = PlanSerializer(plan, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        version = serializer.validated_data.get("version", 0)
        plan = services.plan_update(
            actor=_actor(request),
            plan=plan,
            data=_data(serializer, "household_id", "version"),
            version=version,
        )
        return Response(PlanSerializer(self.get_queryset().get(pk=plan.pk)).data)

    @extend_schema(request=MeasureSerializer, responses={201: MeasureSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def measures(self, request: Request, pk: str | None = None) -> Response:
        """添加帮扶措施."""
        plan = self.get_object()
        serializer = MeasureSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        measure = services.measure_create(actor=_actor(request), plan=plan, data=_data(serializer, "version"))
        return Response(MeasureSerializer(measure).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MeasureSerializer, responses={200: MeasureSerializer, **ERRORS})
    @action(detail=True, methods=["patch"], url_path=r"measures/(?P<measure_id>\d+)")
    def measure(self, request: Request, pk: str | None = None, measure_id: str | None = None) -> Response:
        """修改帮扶措施 (status moves follow 计划 → 实施中 → 已完成, or 已取消)."""
        plan = self.get_object()
        measure = get_object_or_404(plan.measures.all(), pk=measure_id)
        serializer = MeasureSerializer(measure, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        version = serializer.validated_data.get("version", 0)
        measure = services.measure_update(
            actor=_actor(request), measure=measure, data=_data(serializer, "version"), version=version
        )
        return Response(MeasureSerializer(measure).data)

    @extend_schema(
        parameters=[OpenApiParameter("household", int, required=True)],
        responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer},
    )
    @action(detail=False, methods=["get"])
    def chain(self, request: Request) -> Response:
        """一条链: monitoring status and risk types → plans → measures by type → outcomes and risk cleared."""
        raw = request.query_params.get("household", "")
        household = _household(request, int(raw) if raw.isdigit() else 0)
        chain = selectors.risk_chain(household, list(self.get_queryset().filter(household=household)))
        return Response(
            {
                "household": household.pk,
                "monitoring": chain.monitoring,
                "risks": chain.risks,
                "risk_cleared_on": chain.cleared_on,
                "amount": chain.amount,
                "income_change": chain.income_change,
                "addressed": chain.addressed,
                "unaddressed": chain.unaddressed,
                "steps": [
                    {
                        "day": s.day,
                        "kind": s.kind,
                        "title": s.title,
                        "detail": s.detail,
                        "risks": s.risks,
                        "amount": s.amount,
                        "income_change": s.income_change,
                        "status": s.status,
                    }
                    for s in chain.steps
                ],
            }
        )
