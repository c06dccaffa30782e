"""Household and person counts per area, inside the user's scope: the area browser's numbers."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import Substr

from minqing.areas.models import Area, Level, child_length
from minqing.core.scoping import under

from .models import Household, Person


def area_children_with_counts(user, area: Area) -> list[dict]:
    """Children of ``area`` (visible to ``user``) with household and person counts inside the user's scope.

    Two grouped queries in all, whatever the number of children.
    """
    children = list(Area.objects.visible_to(user, "view").filter(parent=area).order_by("level", "code"))
    size = child_length(area.code)
    households = Household.objects.visible_to(user, "view").active().filter(under("area_path", area.code))
    persons = Person.objects.visible_to(user, "view").living().filter(under("area_path", area.code))
    counts_h: dict[str, int] = {}
    counts_p: dict[str, int] = {}
    grid_h: dict[str, int] = {}
    grid_p: dict[str, int] = {}
    if size > len(area.code):  # a level below exists
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
    if area.level == Level.GRID:
        households = Household.objects.visible_to(user, "view").active().filter(grid_path=area.code)
        persons = Person.objects.visible_to(user, "view").living().filter(grid_path=area.code)
    else:
        households = Household.objects.visible_to(user, "view").active().filter(under("area_path", area.code))
        persons = Person.objects.visible_to(user, "view").living().filter(under("area_path", area.code))
    return {"households": households.count(), "persons": persons.count()}
