"""Reads for the search pages and API: capped counts, row querysets, the tag catalog, key groups, gaps.

Everything starts from ``visible_to(user)``; nothing here counts a whole table exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from minqing.areas.models import VILLAGE_LENGTH, Area, AreaCount, child_length, scope_root
from minqing.core import codes
from minqing.core.queries import capped_count
from minqing.core.scoping import is_area_path, is_grid_path, under
from minqing.registry.models import Person
from minqing.registry.models.households import HOUSEHOLD_GAPS, PERSON_GAPS
from minqing.registry.selectors import household_list, person_rows
from minqing.tags.models import HouseholdTag, PersonTag, Tag, TagCount
from minqing.tags.selectors import tag_catalog
from minqing.tags.villages import in_scope, whole_villages

from .charts import group_profile
from .filters import PersonSearch
from .models import SavedSearch

# ------------------------------------------------------------------------------------------- rows


def person_api_rows(user) -> QuerySet:
    """Persons in view scope with the relations the API list serializer reads."""
    return (
        Person.objects.visible_to(user, "view")
        .select_related("household", "area", "grid")
        .order_by("area_path", "household_id", "relation", "id")
    )


def search_count(filterset, found: QuerySet) -> tuple[int, bool]:
    """(count, capped) of a search: exact from the per-village counts for a key-group search over whole
    villages (``charts.group_profile``), else counted up to ``CAP`` ("10,000+")."""
    if isinstance(filterset, PersonSearch) and not filterset.form.errors:
        profile = group_profile(filterset, filterset.user)
        if profile is not None:
            return profile.aggregate(n=Sum("count"))["n"] or 0, False
    return capped_count(found)


# ------------------------------------------------------------------------------------------ catalog


def saved_searches(user, target: str) -> QuerySet:
    return SavedSearch.objects.visible_to(user).filter(target=target).select_related("owner")


# --------------------------------------------------------------------------------------- key groups


@dataclass
class GroupCount:
    tag: Tag
    n: int


def key_groups(user) -> list[GroupCount]:
    """One card per key-group tag with its count in the user's scope: three queries whatever the size.

    Scopes of whole villages or more add up the per-village ``TagCount`` rows; smaller scopes (a grid,
    a group) count their links live, which is cheap at that size.
    """
    tags = list(tag_catalog().filter(is_key_group=True))
    if whole_villages(user):
        rows = in_scope(TagCount.objects.filter(tag__in=tags), user)
        counts = {r["tag"]: r["n"] for r in rows.values("tag").annotate(n=Sum("count")).order_by()}
        return [GroupCount(tag, counts.get(tag.pk, 0)) for tag in tags]
    counts: dict[int, int] = {}
    for link in (PersonTag, HouseholdTag):
        rows = (
            link.objects.visible_to(user, "view").filter(tag__in=tags).values("tag").annotate(n=Count("id"))
        )
        counts.update({row["tag"]: row["n"] for row in rows.order_by()})
    return [GroupCount(tag, counts.get(tag.pk, 0)) for tag in tags]


def breakdown_root(user, area: str | None) -> str:
    """The area whose children a breakdown lists: ``?area=`` when given, else the user's scope root."""
    if area and is_area_path(area):
        return area
    return scope_root(user, "view")


def group_breakdown(user, tag: Tag, root: str) -> list[AreaCount]:
    """Count a tag's links per child area of ``root`` in one grouped query (plus one for the names).

    Down to villages, with a scope of whole villages, the per-village ``TagCount`` rows are added up (a
    county's 800,000 elderly in ~100 rows); below, the links are counted, which is cheap at that size.
    """
    length = child_length(root)
    if length <= VILLAGE_LENGTH and whole_villages(user) and not is_grid_path(root):
        counts = in_scope(TagCount.objects.filter(tag=tag), user)
        if root:
            counts = counts.filter(under("village_path", root))
        rows = list(
            counts.annotate(prefix=Substr("village_path", 1, length))
            .values("prefix")
            .annotate(n=Sum("count"))
            .filter(n__gt=0)
            .order_by("prefix")
        )
    else:
        link = PersonTag if tag.target == Tag.Target.PERSON else HouseholdTag
        links = link.objects.visible_to(user, "view").filter(tag=tag)
        if is_grid_path(root):
            links = links.filter(grid_path=root)
        elif root:
            links = links.filter(under("area_path", root))
        rows = list(
            links.annotate(prefix=Substr("area_path", 1, length))
            .values("prefix")
            .annotate(n=Count("id"))
            .order_by("prefix")
        )
    names = dict(Area.objects.filter(code__in=[r["prefix"] for r in rows]).values_list("code", "name"))
    return [AreaCount(r["prefix"], names.get(r["prefix"], r["prefix"]), r["n"]) for r in rows]


# ---------------------------------------------------------------------------------------- incomplete


@dataclass(frozen=True)
class Gap:
    key: str
    label: str
    target: str  # "person" or "household"
    q: Q


GAPS: list[Gap] = [
    Gap("no-id", _("缺公民身份号码"), "person", PERSON_GAPS["id"]),
    Gap("no-phone", _("户主缺联系电话"), "person", PERSON_GAPS["phone"]),
    Gap("no-relation", _("缺与户主关系"), "person", PERSON_GAPS["relation"]),
    Gap("no-birth-date", _("缺出生日期"), "person", PERSON_GAPS["birth"]),
    Gap("no-head", _("无户主的户"), "household", HOUSEHOLD_GAPS["head"]),
    Gap("no-grid", _("未划入网格的户"), "household", Q(grid_path="")),
]
GAPS_BY_KEY = {gap.key: gap for gap in GAPS}


def gap_rows(user, gap: Gap) -> QuerySet:
    """Living persons or normal households in scope that miss what ``gap`` checks (不漏户、不漏人)."""
    if gap.target == "person":
        return person_rows(user).filter(gap.q, deceased=False)
    return household_list(user).filter(gap.q, status=codes.HouseholdStatus.NORMAL)


def gap_counts(user) -> list[tuple[Gap, int, bool]]:
    return [(gap, *capped_count(gap_rows(user, gap))) for gap in GAPS]
