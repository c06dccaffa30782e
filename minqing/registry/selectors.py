"""Reads for the registry pages: a bounded number of queries, whatever the size of the household."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.dispatch import Signal
from django.http import HttpRequest

from minqing.areas.models import Area
from minqing.core.models import AuditEvent
from minqing.core.scoping import can
from minqing.core.uploads import human_size

from .models import Attachment, House, Household, Person

HISTORY_LIMIT = 30


def household_list(user, action: str = "view"):
    return Household.objects.visible_to(user, action).order_by("area_path", "number")


ROW_FIELDS = (
    "id",
    "number",
    "head_name",
    "address",
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
)


class Row(dict):
    """A list row: a dict of household columns with attribute access for the templates."""

    __getattr__ = dict.get

    @property
    def pk(self):
        return self["id"]


def household_rows(rows: list[dict]) -> list[Row]:
    """Label a page of ``values(*ROW_FIELDS)`` dicts with area and grid names in one query.

    Lists build plain rows instead of model instances with joined areas: on a 50-row page that is most
    of the difference between the ORM and the raw SQL.
    """
    codes = (
        {r["area_path"] for r in rows} | {r["area_path"][:12] for r in rows} | {r["grid_path"] for r in rows}
    )
    names = {a.code: a.short_name for a in Area.objects.filter(code__in=codes - {""}).only("code", "name")}
    result = []
    for r in rows:
        row = Row(r)
        village = names.get(r["area_path"][:12], "")
        row["area_label"] = village + names.get(r["area_path"], "") if len(r["area_path"]) > 12 else village
        row["grid_label"] = names.get(r["grid_path"], "")
        result.append(row)
    return result


def person_rows(user):
    """Persons in view scope with what list rows show: one query per page, in (area, household) order."""
    return (
        Person.objects.visible_to(user, "view")
        .select_related("household")
        .only(
            "id",
            "name",
            "sex",
            "birth_date",
            "relation",
            "residence_status",
            "deceased",
            "id_number",
            "phone",
            "area_path",
            "grid_path",
            "household__id",
            "household__number",
            "household__address",
        )
        .order_by("area_path", "household_id", "relation", "id")
    )


def paginate_list(request, queryset):
    """A page of a list: households become labelled plain rows (see ``household_rows``), others stay as they are."""
    from minqing.core.pagination import paginate

    if queryset.model is not Household:
        return paginate(request, queryset)
    page = paginate(request, queryset.values(*ROW_FIELDS))
    page.rows = household_rows(page.rows)
    return page


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


def household_attachments(*, actor, household: Household) -> QuerySet[Attachment]:
    """The attachments of ``household`` that ``actor`` may see, ready for the panel."""
    return (
        Attachment.objects.visible_to(actor, "view")
        .filter(household=household)
        .select_related("uploaded_by", "person")
    )


def attachments_panel(*, actor, household: Household) -> dict:
    """Context for ``registry/_attachments.html`` (the household page may merge it into its own)."""
    return {
        "household": household,
        "attachments": household_attachments(actor=actor, household=household),
        "can_change": can(actor, household, "change"),
        "max_size": human_size(settings.ATTACHMENT_MAX_BYTES),
    }


def panels(signal: Signal, request: HttpRequest, **record: Any) -> list[str]:
    """HTML panels the apps above the registry add to a record's page (see ``registry.signals``)."""
    sender = type(next(iter(record.values())))
    return [html for _receiver, html in signal.send(sender=sender, request=request, **record) if html]
