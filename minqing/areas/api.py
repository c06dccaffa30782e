from django_filters import rest_framework as filters
from rest_framework import serializers

from minqing.api.viewsets import ScopedReadOnlyViewSet

from .models import Area, GridMember


class GridMemberSerializer(serializers.ModelSerializer):
    duty_display = serializers.CharField(source="get_duty_display", read_only=True)

    class Meta:
        model = GridMember
        fields = ["duty", "duty_display", "name"]


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Area
        fields = ["code", "name", "level", "level_display", "parent"]


class AreaFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent__code", label="上级区划代码")
    within = filters.CharFilter(field_name="code", lookup_expr="startswith", label="区划代码前缀")
    name = filters.CharFilter(lookup_expr="contains", label="名称包含")

    class Meta:
        model = Area
        fields = ["level", "parent", "within", "name"]


class AreaViewSet(ScopedReadOnlyViewSet):
    """Administrative areas inside the caller's scope."""

    queryset = Area.objects.select_related("parent")
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    lookup_field = "code"
