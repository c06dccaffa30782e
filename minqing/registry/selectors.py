"""Reads for the registry pages: a bounded number of queries, whatever the size of the household."""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.dispatch import Signal
from django.http import HttpRequest
from django.urls import reverse

from minqing.areas.models import Area
from minqing.core.idnumber import mask_phone
from minqing.core.models import AuditEvent
from minqing.core.pagination import paginate
from minqing.core.scoping import can
from minqing.core.uploads import human_size

from .models import Attachment, House, Household, Person

HISTORY_LIMIT = 30


def household_list(user, action: str = "view"):
    return Household.objects.visible_to(user, action).order_by("area_path", "number")


@dataclass(frozen=True)
class HouseholdRow:
    """One household of a list page: plain columns plus area and grid names (a template typo fails, no ``dict.get``)."""

    id: int
    number: str
    head_name: str
    address: str
    member_count: int
    status: str
    poverty_alleviated: bool
    monitoring_status: str
    dibao: str
    tekun: str
    housing_secure: bool
    water_safe: bool
    area_path: str
    grid_path: str
    updated_at: datetime
    phone: str
    area_label: str = ""
    grid_label: str = ""

    @property
    def pk(self) -> int:
        return self.id

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def url(self) -> str:
        """The household page: ``{% url %}`` per row was a tenth of a list page."""
        return f"{_household_url_root()}{self.id}/"


@functools.cache
def _household_url_root() -> str:
    """``/households/`` as the URLconf spells it (reversed once per process; the id is appended)."""
    return reverse("registry:household", args=[0]).removesuffix("0/")


#: The columns a list row reads with ``values()``; the labels are added in Python.
ROW_FIELDS = tuple(f.name for f in fields(HouseholdRow) if f.name not in ("area_label", "grid_label"))


def label_household_rows(rows: list[dict]) -> list[HouseholdRow]:
    """Label a page of ``values(*ROW_FIELDS)`` dicts with area and grid names in one query.

    Lists build plain rows instead of model instances with joined areas: on a 50-row page that is most
    of the difference between the ORM and the raw SQL.
    """
    names = area_names([(r["area_path"], r["grid_path"]) for r in rows])
    return [
        HouseholdRow(
            **r, area_label=area_label(names, r["area_path"]), grid_label=names.get(r["grid_path"], "")
        )
        for r in rows
    ]


def area_names(paths: list[tuple[str, str]]) -> dict[str, str]:
    """Short names of the areas, their villages and the grids of (area path, grid path) pairs, in one query."""
    codes = {a for a, _ in paths} | {a[:12] for a, _ in paths} | {g for _, g in paths}
    return {a.code: a.short_name for a in Area.objects.filter(code__in=codes - {""}).only("code", "name")}


def area_label(names: dict[str, str], path: str) -> str:
    """ "鱼塘村一组" for a group, "鱼塘村" for a village."""
    village = names.get(path[:12], "")
    return village + names.get(path, "") if len(path) > 12 else village


def label_person_rows(rows: list[Person]) -> list[Person]:
    """A page of persons, each with ``area_label`` (village and group), in one query."""
    names = area_names([(p.area_path, p.grid_path) for p in rows])
    for p in rows:
        p.area_label = area_label(names, p.area_path)  # type: ignore[attr-defined]
    return rows


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
    """A page of a list: households become labelled plain rows (see ``label_household_rows``), others stay."""
    if queryset.model is Person:
        page = paginate(request, queryset)
        page.rows = label_person_rows(list(page.rows))
        return page
    if queryset.model is not Household:
        return paginate(request, queryset)
    page = paginate(request, queryset.values(*ROW_FIELDS))
    page.rows = label_household_rows(page.rows)
    return page


def household_file(user, pk: int) -> Household:
    """The 一户一页 household with everything the page shows, in a fixed number of queries.

    The user's rights on it come in the same query: ``user_can_change`` and ``user_can_reveal`` are the
    ``visible_to(user, action)`` probes of ``core.scoping.can`` as EXISTS columns (False when the user
    has no such scope), and ``has_custom_fields`` tells whether the custom field list is worth reading.
    """
    from django.shortcuts import get_object_or_404

    from .models import CustomField

    def right(action: str) -> Exists:
        return Exists(Household.objects.visible_to(user, action).filter(pk=OuterRef("pk")))

    queryset = (
        Household.objects.visible_to(user, "view")
        .select_related("area__parent", "grid", "responsible_cadre")
        .annotate(
            user_can_change=right("change"),
            user_can_reveal=right("reveal"),
            has_custom_fields=Exists(CustomField.objects.filter(is_active=True)),
        )
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


def attachments_panel(*, actor, household: Household, can_change: bool | None = None) -> dict:
    """Context for ``registry/_attachments.html`` (the household page may merge it into its own).

    ``can_change``: the actor's change right on the household when the caller already knows it.
    """
    return {
        "household": household,
        "attachments": household_attachments(actor=actor, household=household),
        "can_change": can(actor, household, "change") if can_change is None else can_change,
        "max_size": human_size(settings.ATTACHMENT_MAX_BYTES),
    }


def panels(
    signal: Signal, request: HttpRequest, *, can_change: bool | None = None, **record: Any
) -> list[str]:
    """HTML panels the apps above the registry add to a record's page (see ``registry.signals``).

    ``can_change`` passes on the user's change right on the record when the page already knows it
    (receivers that get None decide for themselves); the services check again on every write.
    """
    sender = type(next(iter(record.values())))
    results = signal.send(sender=sender, request=request, can_change=can_change, **record)
    return [html for _receiver, html in results if html]
