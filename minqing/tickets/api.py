"""Resident requests over the API: list, retrieve, file (idempotent by ``client_id``), one action per
transition, the proposed route and the category tree.

Adapters only: reads through the selectors and the shared ``TicketFilter``, writes through the ticket services
(the same checks and messages as the pages). A repeated ``client_id`` answers 200 with the stored ticket
instead of 201, so a desk or phone that lost its connection can simply send the request again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from minqing.api.schema import ErrorSerializer
from minqing.api.viewsets import ScopedViewSet
from minqing.areas.models import Area

from . import pages, selectors, services
from .filters import MAX_ID, TicketFilter
from .models import Category, Ticket, TicketEvent
from .serializers import (
    AnswerSerializer,
    CategorySerializer,
    CloseOnPhoneSerializer,
    DecisionSerializer,
    DispatchSerializer,
    EscalateSerializer,
    ExtensionSerializer,
    NoteSerializer,
    ReasonSerializer,
    ReviewSerializer,
    RouteSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
    VisitBackSerializer,
    route_data,
)
from .views import filing_households, may_file


def chosen(data: dict[str, Any] | None, ticket: Ticket) -> services.Route | None:
    if not data:
        return None
    return services.build_route(
        ticket=ticket, department_ids=data["departments"], area_id=data["area"], cadre_id=data["cadre"]
    )


ACTION_ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
ROUTE_PARAMS = [
    OpenApiParameter("category", OpenApiTypes.INT, required=True, description="诉求分类 id"),
    OpenApiParameter("household", OpenApiTypes.INT, description="户 id（按户的区域和帮扶责任人）"),
    OpenApiParameter("area", OpenApiTypes.INT, description="匿名来电：诉求所在区域 id"),
]


def _id_param(request: Request, name: str, *, required: bool = False) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw and not required:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise serializers.ValidationError({name: [_("请填写有效的编号。")]})
    return int(raw)


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """诉求工单 the caller may read, newest first; ``?status=``, ``?overdue=true``, ``?due_soon=true``,
    ``?category=``, ``?channel=``, ``?kind=``, ``?urgency=``, ``?household=``, ``?q=`` (number) filter it."""

    queryset = Ticket.objects.all()
    serializer_class = TicketSerializer
    filterset_class = TicketFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> Any:
        if self.action == "retrieve":
            events = TicketEvent.objects.order_by("created_at", "id")
            return pages.with_handlers(selectors.ticket_list(self.request.user)).prefetch_related(
                Prefetch("events", queryset=events)
            )
        return pages.with_handlers(selectors.ticket_list(self.request.user))

    def get_serializer_class(self) -> Any:
        return TicketDetailSerializer if self.action == "retrieve" else TicketSerializer

    def output(self, ticket: Ticket, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=ticket.pk).first() or ticket
        return Response(TicketSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=TicketCreateSerializer,
        responses={
            201: TicketSerializer,
            200: OpenApiResponse(TicketSerializer, description="同一 client_id 已登记过：返回已有工单"),
            **ACTION_ERRORS,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not may_file(request.user):
            raise PermissionDenied(_("您的角色不能登记诉求。"))
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        route = chosen(data.pop("route"), Ticket())
        ticket, created = services.file_ticket(
            actor=request.user,  # type: ignore[arg-type]
            data=data,
            client_id=data.pop("client_id"),
            route=route,
        )
        return self.output(ticket, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=CloseOnPhoneSerializer,
        responses={
            201: TicketSerializer,
            200: OpenApiResponse(TicketSerializer, description="同一 client_id 已登记过：返回已有工单"),
            **ACTION_ERRORS,
        },
    )
    @action(detail=False, methods=["post"], url_path="close-on-phone", url_name="close-on-phone")
    def close_on_phone(self, request: Request) -> Response:
        """A 咨询 answered during the call: filed and closed (已归档) at once, the answer kept as the reply."""
        if not may_file(request.user):
            raise PermissionDenied(_("您的角色不能登记诉求。"))
        serializer = CloseOnPhoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("route")
        ticket, created = services.close_on_phone(
            actor=request.user,  # type: ignore[arg-type]
            data=data,
            client_id=data.pop("client_id"),
            answer=data.pop("answer"),
        )
        return self.output(ticket, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(parameters=ROUTE_PARAMS, responses={200: RouteSerializer, 400: ErrorSerializer})
    @action(detail=False, methods=["get"])
    def route(self, request: Request) -> Response:
        """The route the rules propose for a category and a household (or an area): nothing is written."""
        if not may_file(request.user):
            raise PermissionDenied(_("您的角色不能登记诉求。"))
        category = Category.objects.filter(pk=_id_param(request, "category", required=True) or 0).first()
        if category is None:
            raise serializers.ValidationError({"category": [_("请选择诉求分类。")]})
        household_id, area_id = _id_param(request, "household"), _id_param(request, "area")
        household = filing_households(request.user).filter(pk=household_id).first() if household_id else None
        if household_id and household is None:
            raise Http404
        area = Area.objects.filter(pk=area_id).first() if area_id else None
        path = household.area_path if household is not None else (area.code if area is not None else "")
        route = services.propose_route(category=category, area_path=path, household=household)
        return Response(route_data(route))

    def _run(self, request: Request, pk: str | None, serializer_class: Any, call: Any) -> Response:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = call(request.user, int(pk or 0), dict(serializer.validated_data))
        return self.output(result[0] if isinstance(result, tuple) else result)

    @extend_schema(request=None, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """受理 (已派单 → 办理中)."""
        return self._run(request, pk, NoteSerializer, lambda u, t, d: services.accept(actor=u, ticket=t))

    @extend_schema(request=NoteSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        """回复办理情况 (any handler; no status change)."""
        return self._run(
            request, pk, NoteSerializer, lambda u, t, d: services.reply(actor=u, ticket=t, note=d["note"])
        )

    @extend_schema(request=AnswerSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        """办结 with the reply to the resident (the lead handler)."""
        return self._run(
            request,
            pk,
            AnswerSerializer,
            lambda u, t, d: services.resolve(actor=u, ticket=t, answer=d["answer"]),
        )

    @extend_schema(request=EscalateSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str | None = None) -> Response:
        """上报 one level with a reason (village → township → county departments)."""
        return self._run(
            request,
            pk,
            EscalateSerializer,
            lambda u, t, d: services.escalate(
                actor=u, ticket=t, reason=d["reason"], departments=d["departments"] or None
            ),
        )

    @extend_schema(request=ReasonSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_ticket(self, request: Request, pk: str | None = None) -> Response:
        """退单 with a reason (reviewed by the desk)."""
        return self._run(
            request,
            pk,
            ReasonSerializer,
            lambda u, t, d: services.return_ticket(actor=u, ticket=t, reason=d["reason"]),
        )

    @extend_schema(request=ReviewSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="review-return", url_name="review-return")
    def review_return(self, request: Request, pk: str | None = None) -> Response:
        """审核退单: approve (re-route, or back to triage) or refuse (back to the handler)."""

        def call(user: Any, ticket: int, data: dict[str, Any]) -> Ticket:
            route = chosen(data["route"], selectors.ticket_detail(user, ticket)) if data["route"] else None
            return services.review_return(
                actor=user, ticket=ticket, approve=data["approve"], note=data["note"], route=route
            )

        return self._run(request, pk, ReviewSerializer, call)

    @extend_schema(request=DispatchSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_ticket(self, request: Request, pk: str | None = None) -> Response:
        """派单 to departments or the ticket's village or township (the triage queue's work)."""

        def call(user: Any, ticket: int, data: dict[str, Any]) -> Ticket:
            route = chosen(data["route"], selectors.ticket_detail(user, ticket)) or services.Route()
            return services.dispatch(actor=user, ticket=ticket, route=route, note=data["note"])

        return self._run(request, pk, DispatchSerializer, call)

    @extend_schema(request=ExtensionSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="request-extension", url_name="request-extension")
    def request_extension(self, request: Request, pk: str | None = None) -> Response:
        """延期申请 (the lead handler), decided by the level above."""
        return self._run(
            request,
            pk,
            ExtensionSerializer,
            lambda u, t, d: services.request_extension(
                actor=u, ticket=t, until=d["until"], reason=d["reason"]
            ),
        )

    @extend_schema(request=DecisionSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="decide-extension", url_name="decide-extension")
    def decide_extension(self, request: Request, pk: str | None = None) -> Response:
        """审批延期申请 (the level above the handling level)."""
        return self._run(
            request,
            pk,
            DecisionSerializer,
            lambda u, t, d: services.decide_extension(
                actor=u, ticket=t, approve=d["approve"], note=d["note"]
            ),
        )

    @extend_schema(request=VisitBackSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"], url_path="visit-back", url_name="visit-back")
    def visit_back(self, request: Request, pk: str | None = None) -> Response:
        """回访 with the resident's rating; 不满意 reopens the ticket (重办)."""
        return self._run(
            request,
            pk,
            VisitBackSerializer,
            lambda u, t, d: services.visit_back(
                actor=u, ticket=t, satisfaction=d["satisfaction"], note=d["note"]
            ),
        )

    @extend_schema(request=None, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """归档 (销号) after the visit-back."""
        return self._run(request, pk, NoteSerializer, lambda u, t, d: services.archive(actor=u, ticket=t))

    @extend_schema(request=NoteSerializer, responses={200: TicketSerializer, **ACTION_ERRORS})
    @action(detail=True, methods=["post"])
    def supervise(self, request: Request, pk: str | None = None) -> Response:
        """督办 an overdue ticket (at most once a day)."""
        return self._run(
            request, pk, NoteSerializer, lambda u, t, d: services.supervise(actor=u, ticket=t, note=d["note"])
        )


class CategoryTreeView(APIView):
    """The category tree the filing forms offer: active top-level categories with their active children."""

    @extend_schema(responses={200: CategorySerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(CategorySerializer(selectors.category_tree(), many=True).data)
