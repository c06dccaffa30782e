"""The base every API endpoint inherits: scoping through ``visible_to`` and role-checked writes."""

from __future__ import annotations

from rest_framework import mixins, viewsets


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
