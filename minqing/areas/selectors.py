"""Reads of the area tree, always through the user's scope."""

from __future__ import annotations

from minqing.core.scoping import ALL

from .models import Area, Level


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
