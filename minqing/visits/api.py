"""The visit log over the API: list, retrieve, create (idempotent by ``client_id``), withdraw, photo files.

Adapters only: ``Visit.objects.visible_to`` for reads, the shared ``VisitFilter``, and the visit services for
every write (the same checks and messages as the pages). A repeated ``client_id`` answers 200 with the stored
entry instead of 201, so a phone that lost its connection can simply send the entry again.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.api.parsers import JSONBodyParser
from minqing.api.schema import ErrorSerializer
from minqing.api.viewsets import ScopedViewSet

from . import selectors, services
from .filters import VisitFilter
from .models import Visit, VisitKind, VisitPhoto
from .views import photo_response, scoped_photo


class PhotoSerializer(serializers.ModelSerializer[VisitPhoto]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = VisitPhoto
        fields = (
            "position",
            "url",
            "width",
            "height",
            "size",
            "sha256",
            "exif_latitude",
            "exif_longitude",
            "exif_taken_at",
        )

    def get_url(self, photo: VisitPhoto) -> str:
        request = self.context.get("request")
        path = f"/api/v1/visits/{photo.visit_id}/photos/{photo.position}/"
        return request.build_absolute_uri(path) if request is not None else path


class VisitSerializer(serializers.ModelSerializer[Visit]):
    status = serializers.CharField(
        read_only=True, help_text="current / revised / corrected / withdrawn / withdrawal"
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = (
            "id",
            "client_id",
            "household",
            "area_path",
            "author",
            "author_name",
            "entry_type",
            "kind",
            "kind_label",
            "found",
            "done",
            "raised",
            "reason",
            "created_at",
            "latitude",
            "longitude",
            "accuracy_m",
            "corrects",
            "origin",
            "status",
            "photos",
            "row_hash",
        )
        read_only_fields = fields


class VisitContentSerializer(serializers.Serializer[Any]):
    """Parsed input; the service checks everything else (scope, text, location, photos) with its messages."""

    client_id = serializers.UUIDField(help_text="客户端生成的记录编号（UUID），重复提交时返回已保存的记录")
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    found = serializers.CharField(required=False, allow_blank=True, default="")
    done = serializers.CharField(required=False, allow_blank=True, default="")
    raised = serializers.CharField(required=False, allow_blank=True, default="")
    latitude = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    longitude = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    accuracy_m = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


def photos_field() -> serializers.ListField:
    """As documented: the photos are read from the multipart body by the service."""
    return serializers.ListField(
        child=serializers.FileField(), required=False, help_text="最多 9 张（multipart）"
    )


class VisitCreateSerializer(VisitContentSerializer):
    household = serializers.IntegerField(min_value=1)


class VisitCreateSchema(VisitCreateSerializer):
    photos = photos_field()


class ReviseSerializer(VisitContentSerializer):
    """A replacement entry: the visit's content again, with the reason (required for a correction)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")
    keep_photos = serializers.BooleanField(
        required=False, default=True, help_text="不上传新照片时沿用原记录的照片（默认是）"
    )


class ReviseSchema(ReviseSerializer):
    photos = photos_field()


class WithdrawSerializer(serializers.Serializer[Any]):
    client_id = serializers.UUIDField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class VisitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """走访记录 in the caller's scope, newest first. ``?household=``, ``?author=``, ``?kind=``, ``?date_from=``,
    ``?date_to=``, ``?mine=true`` filter the list (the page's filters)."""

    queryset = Visit.objects.all()
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    lookup_value_regex = r"\d+"
    write_action = "visit"
    parser_classes = [JSONBodyParser, FormParser, MultiPartParser]

    def get_queryset(self) -> Any:
        return selectors.visit_list(self.request.user)

    def get_serializer_class(self) -> Any:
        return {
            "create": VisitCreateSerializer,
            "withdraw": WithdrawSerializer,
            "revise": ReviseSerializer,
        }.get(self.action, VisitSerializer)

    def output(self, visit: Visit, code: int) -> Response:
        fresh = selectors.visit_list(self.request.user).get(pk=visit.pk)
        return Response(VisitSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request={"multipart/form-data": VisitCreateSchema, "application/json": VisitCreateSerializer},
        responses={
            201: VisitSerializer,
            200: OpenApiResponse(VisitSerializer, description="同一 client_id 已保存过：返回已有记录"),
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = VisitCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        visit, created = services.log_visit(
            actor=request.user,  # type: ignore[arg-type]
            household=data.pop("household"),
            data=data,
            photos=request.FILES.getlist("photos"),
            client_id=data.pop("client_id"),
        )
        return self.output(visit, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=WithdrawSerializer,
        responses={201: VisitSerializer, 200: VisitSerializer, 400: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw one of the caller's entries within the grace period (a withdrawal entry is appended)."""
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry, created = services.visit_withdraw(
            actor=request.user,  # type: ignore[arg-type]
            visit=int(pk or 0),
            reason=serializer.validated_data["reason"],
            client_id=serializer.validated_data["client_id"],
        )
        return self.output(entry, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request={"multipart/form-data": ReviseSchema, "application/json": ReviseSerializer},
        responses={
            201: VisitSerializer,
            200: OpenApiResponse(VisitSerializer, description="同一 client_id 已保存过：返回已有记录"),
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str | None = None) -> Response:
        """Replace one of the caller's entries, as the page does: a revision (修改) within the grace period, a
        correction (更正, reason required) after it. The earlier entry stays stored unchanged."""
        serializer = ReviseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        entry, created = services.visit_revise(
            actor=request.user,  # type: ignore[arg-type]
            visit=int(pk or 0),
            data=data,
            photos=request.FILES.getlist("photos"),
            client_id=data.pop("client_id"),
            correction=None,
        )
        return self.output(entry, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={(200, "image/jpeg"): OpenApiTypes.BINARY, 404: ErrorSerializer})
    @action(detail=True, methods=["get"], url_path=r"photos/(?P<position>\d+)")
    def photo(self, request: Request, pk: str | None = None, position: str | None = None) -> FileResponse:
        """Photo ``position`` (1…9) of the entry: the stored JPEG (no metadata)."""
        return photo_response(scoped_photo(request.user, int(pk or 0), int(position or 0)).file)
