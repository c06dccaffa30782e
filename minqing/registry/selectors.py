"""Reads for the registry pages: a bounded number of queries, whatever the size of the household."""

from __future__ import annotations

from django.db.models import Prefetch

from minqing.core.models import AuditEvent

from .models import House, Household, Person

HISTORY_LIMIT = 30


def household_list(user, action: str = "view"):
    return (
        Household.objects.visible_to(user, action)
        .select_related("area__parent", "grid")
        .only(
            "id",
            "number",
            "head_name",
            "address",
            "phone",
            "member_count",
            "status",
            "poverty_alleviated",
            "monitoring_status",
            "dibao",
            "tekun",
            "housing_secure",
            "water_safe",
            "area_path",
            "grid_path",
            "updated_at",
            "area__name",
            "area__level",
            "area__code",
            "area__parent__name",
            "area__parent__code",
            "area__parent__level",
            "grid__name",
            "grid__code",
            "grid__level",
        )
        .order_by("area_path", "number")
    )


def household_file(user, pk: int) -> Household:
    """The 一户一页 household with everything the page shows, in a fixed number of queries."""
    from django.shortcuts import get_object_or_404

    queryset = Household.objects.visible_to(user, "view").select_related(
        "area__parent", "grid", "responsible_cadre"
    )
    queryset = queryset.prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by("deceased", "relation", "birth_date")),
        Prefetch("houses", queryset=House.objects.order_by("address")),
        "economy",
    )
    return get_object_or_404(queryset, pk=pk)


def history_of_household(household: Household) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(household_id=household.pk, verb__startswith="registry.").order_by(
            "-at", "-id"
        )[:HISTORY_LIMIT]
    )


def history_of(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_type=obj._meta.label_lower, target_id=str(obj.pk), verb__startswith="registry."
        ).order_by("-at", "-id")[:HISTORY_LIMIT]
    )


def can(user, model, obj, action: str) -> bool:
    return model.objects.visible_to(user, action).filter(pk=obj.pk).exists()
