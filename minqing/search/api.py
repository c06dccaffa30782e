"""Condition search and the tag catalog over the API.

``/search/persons/`` and ``/search/households/`` take the same parameters as the search pages (the same
filtersets, read through ``visible_to``), page without counting, and mask ID numbers and phones;
``/search/persons/count/`` gives a capped count. ``/tags/`` is the active tag catalog.
Included from ``minqing/api_urls.py`` (namespace ``api``).
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from minqing.core.queries import few_or_walk
from minqing.registry.api import ErrorSerializer, HouseholdListSerializer, PersonListSerializer
from minqing.registry.models import Household
from minqing.tags.models import Tag
from minqing.tags.selectors import tag_catalog

from . import selectors
from .filters import HouseholdSearch, PersonSearch, search_queryset, walking
from .forms import TAG_PARAMS, search_data


class SearchFilterBackend(BaseFilterBackend):
    """The view's search filterset: repeated tag parameters are joined, and invalid input (unknown tag codes,
    a one-character name) is a 400 carrying the filterset's Chinese message, never a silent empty list.

    Not a DjangoFilterBackend, so the schema shows exactly the parameters ``filter_parameters`` describes."""

    def filter_queryset(self, request, queryset, view):
        filterset = view.filterset_class(
            search_data(request.query_params), queryset=queryset, request=request
        )
        rows = search_queryset(filterset)
        if filterset.errors:
            raise translate_validation(filterset.errors)
        if getattr(view, "action", None) == "count":
            n, capped = selectors.search_count(filterset, rows)
            view.known_count = (n, capped)
            return rows
        return few_or_walk(rows, walk=walking(filterset))[1]


def filter_parameters(filterset_class) -> list[OpenApiParameter]:
    """The filterset's parameters for the schema, typed, with their Chinese labels."""
    params = []
    for name, f in filterset_class.base_filters.items():
        schema: Any = OpenApiTypes.STR
        description = str(f.label or name)
        if isinstance(f, filters.NumberFilter):
            schema = OpenApiTypes.INT
        elif isinstance(f, filters.BooleanFilter):
            schema = OpenApiTypes.BOOL
        elif isinstance(f, filters.ChoiceFilter | filters.MultipleChoiceFilter):
            schema = {"type": "string", "enum": [str(value) for value, _ in f.extra["choices"]]}
            if isinstance(f, filters.MultipleChoiceFilter):
                schema = {"type": "array", "items": schema}
                description += "（可重复）"
        if name in TAG_PARAMS:
            description += "（标签代码，逗号分隔或重复，见 /api/v1/tags/）"
        params.append(OpenApiParameter(name, schema, description=description, explode=True))
    return params


PAGE = OpenApiParameter("page", OpenApiTypes.INT, description="页码（不返回总数）")
BAD_INPUT = {400: OpenApiResponse(ErrorSerializer, description="条件有误，例如未知的标签代码")}


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="符合条件的数量，最多计到 10,000")
    capped = serializers.BooleanField(help_text="为 true 时实际数量超过 count")


class SearchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Reads only, through ``selectors`` (which start from ``visible_to(user, "view")``)."""

    filter_backends = [SearchFilterBackend]

    @action(detail=False)
    def count(self, request: Request) -> Response:
        self.filter_queryset(self.get_queryset())
        n, capped = self.known_count
        return Response({"count": n, "capped": capped})


def _search_schema(filterset_class, serializer_class, noun: str):
    params = filter_parameters(filterset_class)
    description = f"与条件筛选页相同的条件，只在调用者的管辖范围内查找{noun}。"
    return extend_schema_view(
        list=extend_schema(
            summary=f"条件筛选{noun}（管辖范围内，分页不计总数，身份证号和电话已脱敏）",
            description=description,
            parameters=[*params, PAGE],
            responses={200: serializer_class, **BAD_INPUT},
        ),
        count=extend_schema(
            summary=f"符合条件的{noun}数量（封顶计数）",
            description=description + "数量最多计到 10,000，超过时 capped 为 true。",
            parameters=params,
            responses={200: CountSerializer, **BAD_INPUT},
        ),
    )


@_search_schema(PersonSearch, PersonListSerializer, "人员")
class PersonSearchViewSet(SearchViewSet):
    serializer_class = PersonListSerializer
    filterset_class = PersonSearch

    def get_queryset(self):
        return selectors.person_api_rows(self.request.user)


@_search_schema(HouseholdSearch, HouseholdListSerializer, "户")
class HouseholdSearchViewSet(SearchViewSet):
    serializer_class = HouseholdListSerializer
    filterset_class = HouseholdSearch

    def get_queryset(self):
        return (
            Household.objects.visible_to(self.request.user, "view")
            .select_related("area", "grid")
            .order_by("area_path", "number")
        )


class TagSerializer(serializers.ModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    target_display = serializers.CharField(source="get_target_display", read_only=True)

    class Meta:
        model = Tag
        fields = [
            "code",
            "name",
            "category",
            "category_display",
            "kind",
            "kind_display",
            "target",
            "target_display",
            "is_key_group",
            "description",
        ]


@extend_schema_view(list=extend_schema(summary="标签目录（启用的标签，全部返回，不分页）"))
class TagViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The catalog is not area data: every signed-in user reads the same list (for pickers and searches)."""

    serializer_class = TagSerializer
    pagination_class = None
    filterset_fields = ["target", "category", "kind", "is_key_group"]

    def get_queryset(self):
        return tag_catalog()


router = SimpleRouter()
router.register("search/persons", PersonSearchViewSet, basename="search-person")
router.register("search/households", HouseholdSearchViewSet, basename="search-household")
router.register("tags", TagViewSet, basename="tag")
urlpatterns = router.urls
