"""Reads of the area tree, always through the user's scope."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import Substr

from minqing.core.scoping import ALL, under

from .models import LEVEL_LENGTHS, Area, Level


def _outermost(codes: list[str]) -> list[str]:
    """Drop codes that lie inside another code of the list."""
    result: list[str] = []
    for code in sorted(codes, key=len):
        if not any(code.startswith(kept) for kept in result):
            result.append(code)
    return sorted(result)


def root_areas(user, action: str = "view") -> list[Area]:
    """The outermost areas the user may act in: where the area browser starts."""
    prefixes = user.scope_prefixes(action)
    if prefixes is ALL:
        top = Area.objects.filter(parent__isnull=True)
        # Skip single-child levels (province → city → county) so admins land on something useful.
        areas = list(top)
        while len(areas) == 1 and areas[0].level not in (Level.COUNTY, Level.VILLAGE):
            children = list(areas[0].children.all())
            if not children:
                break
            areas = children
        return areas
    return list(Area.objects.filter(code__in=_outermost(list(prefixes))))


def home_areas(user) -> list[Area]:
    return root_areas(user, "view") or root_areas(user, "lookup")


def child_level_length(area: Area) -> int | None:
    lengths = sorted(set(LEVEL_LENGTHS.values()))
    current = len(area.code)
    bigger = [n for n in lengths if n > current]
    return bigger[0] if bigger else None


def area_children_with_counts(user, area: Area) -> list[dict]:
    """Children of ``area`` (visible to ``user``) with household and person counts inside the user's scope.

    Two grouped queries in all, whatever the number of children.
    """
    from minqing.registry.models import Household, Person  # the registry sits above areas

    children = list(Area.objects.visible_to(user, "view").filter(parent=area).order_by("level", "code"))
    size = child_level_length(area)
    households = Household.objects.visible_to(user, "view").active().filter(under("area_path", area.code))
    persons = Person.objects.visible_to(user, "view").living().filter(under("area_path", area.code))
    counts_h: dict[str, int] = {}
    counts_p: dict[str, int] = {}
    grid_h: dict[str, int] = {}
    grid_p: dict[str, int] = {}
    if size:
        for row in (
            households.annotate(k=Substr("area_path", 1, size)).values("k").annotate(n=Count("id")).order_by()
        ):
            counts_h[row["k"]] = row["n"]
        for row in (
            persons.annotate(k=Substr("area_path", 1, size)).values("k").annotate(n=Count("id")).order_by()
        ):
            counts_p[row["k"]] = row["n"]
    if area.level == Level.VILLAGE:
        for row in households.values("grid_path").annotate(n=Count("id")).order_by():
            grid_h[row["grid_path"]] = row["n"]
        for row in persons.values("grid_path").annotate(n=Count("id")).order_by():
            grid_p[row["grid_path"]] = row["n"]
    result = []
    for child in children:
        if child.level == Level.GRID:
            h, p = grid_h.get(child.code, 0), grid_p.get(child.code, 0)
        else:
            h, p = counts_h.get(child.code, 0), counts_p.get(child.code, 0)
        result.append({"area": child, "households": h, "persons": p})
    return result


def area_totals(user, area: Area) -> dict[str, int]:
    from minqing.registry.models import Household, Person

    if area.level == Level.GRID:
        households = Household.objects.visible_to(user, "view").active().filter(grid_path=area.code)
        persons = Person.objects.visible_to(user, "view").living().filter(grid_path=area.code)
    else:
        households = Household.objects.visible_to(user, "view").active().filter(under("area_path", area.code))
        persons = Person.objects.visible_to(user, "view").living().filter(under("area_path", area.code))
    return {"households": households.count(), "persons": persons.count()}
