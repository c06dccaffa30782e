"""The base every API endpoint inherits: scoping through ``visible_to`` and role-checked writes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from minqing.core.masking import sensitive_reveal

from .schema import reveal_serializer


class ScopedViewSet(viewsets.GenericViewSet):
    """``get_queryset`` starts from ``Model.objects.visible_to(user, action)``; out of scope is 404.

    Reads use ``read_action`` ("view" by default); create/update use ``write_action`` ("change").
    """

    read_action = "view"
    write_action = "change"
    base_queryset = None  # a callable returning the unscoped queryset, or set ``queryset``

    def scoped_action(self) -> str:
        return self.read_action if self.request.method in ("GET", "HEAD", "OPTIONS") else self.write_action

    def get_queryset(self):
        queryset = self.queryset if self.queryset is not None else self.base_queryset()
        return queryset.all().visible_to(self.request.user, self.scoped_action())


class ScopedReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    pass


class ScopedModelViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ScopedViewSet,
):
    http_method_names = ["get", "post", "put", "patch", "head", "options"]


class ServiceModelViewSet(ScopedModelViewSet):
    """Lists and details read through the view scope; create/update call a service, never ``save()``.

    A subclass sets the serializers and ``ordering`` and implements ``service_create`` / ``service_update``;
    updates carry the ``version`` the client read (a stale one answers 409 through the error handler).
    """

    lookup_value_regex = r"\d+"
    list_serializer_class: type[serializers.Serializer]
    create_serializer_class: type[serializers.Serializer]
    update_serializer_class: type[serializers.Serializer]
    ordering: tuple[str, ...] = ()
    list_related: tuple[str, ...] = ()

    def get_queryset(self):
        return super().get_queryset().select_related(*self.list_related).order_by(*self.ordering)

    def scoped_action(self) -> str:
        # Revealing is a read of a viewable row; sensitive_reveal itself checks the "reveal" scope.
        return self.read_action if self.action == "reveal" else super().scoped_action()

    def get_serializer_class(self):
        return {
            "list": self.list_serializer_class,
            "create": self.create_serializer_class,
            "update": self.update_serializer_class,
            "partial_update": self.update_serializer_class,
        }.get(self.action, self.serializer_class)

    def output(self, obj, **kwargs: Any) -> Response:
        return Response(self.serializer_class(obj, context=self.get_serializer_context()).data, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.may_create(request):  # as the create pages: no change right anywhere is 403
            raise PermissionDenied(_("您的角色不能新建这类记录。"))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.service_create(dict(serializer.validated_data))
        return self.output(obj, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, partial: bool = False, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        # A stale version raises ConcurrentEditError: the shared handler answers 409 with the other changes.
        return self.output(self.service_update(instance, data, version))

    def may_create(self, request: Request) -> bool:
        """The coarse gate before any input is read: the write right somewhere (the service checks the target)."""
        return bool(request.user.can(self.write_action))

    def reveal_value(self, request: Request) -> Response:
        obj = self.get_object()
        serializer = reveal_serializer(type(obj))(data=request.data)
        serializer.is_valid(raise_exception=True)
        field = serializer.validated_data["field"]
        value = sensitive_reveal(actor=request.user, obj=obj, field=field)
        return Response({"field": field, "value": value}, headers={"Cache-Control": "no-store"})

    def service_create(self, data: dict[str, Any]):
        raise NotImplementedError

    def service_update(self, instance, data: dict[str, Any], version: int):
        raise NotImplementedError
