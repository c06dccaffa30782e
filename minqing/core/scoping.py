"""The single answer to "what may this user see?": ``Model.objects.visible_to(user, action)``.

Every scoped model carries a denormalised, indexed ``area_path`` (the significant prefix of its
area code). A user's assignments give, per action, a list of area prefixes; a row is visible when
its path starts with one of them. Grid assignments match the row's ``grid_path`` instead, because a
household belongs to a group and, independently, to a grid of its village.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class _All:
    """Sentinel: the user may see every row (superusers)."""

    def __repr__(self) -> str:
        return "ALL"


ALL = _All()

# Area code lengths by level: the code of an area is also its path.
GRID_SUFFIX_MIN = 900


def is_grid_path(path: str) -> bool:
    """Grids extend a village code by 3 digits in 901–999; groups (村民小组) use 001–099."""
    return len(path) == 15 and int(path[-3:]) > GRID_SUFFIX_MIN


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest digit string greater than every string starting with ``prefix`` ("5206" → "5207")."""
    digits = prefix.rstrip("9")
    if not digits:
        return None
    return digits[:-1] + str(int(digits[-1]) + 1)


def under(field: str, prefix: str) -> Q:
    """Rows whose digit path ``field`` starts with ``prefix``, written as a range.

    A range (``>= prefix AND < next``) uses the plain B-tree index under any collation on PostgreSQL and
    SQLite alike, and the same index serves ``ORDER BY field``; ``LIKE 'prefix%'`` would need a
    ``varchar_pattern_ops`` index that cannot sort. Paths are digits only (checked on import).
    """
    upper = prefix_upper_bound(prefix)
    q = Q(**{f"{field}__gte": prefix})
    return q & Q(**{f"{field}__lt": upper}) if upper else q


def scope_q(prefixes: list[str], *, path_field: str, grid_field: str | None) -> Q:
    """Build the OR of prefix matches. An empty list yields a Q that matches nothing."""
    allowed = Q(pk__in=[])
    for prefix in prefixes:
        if grid_field and is_grid_path(prefix):
            allowed |= Q(**{grid_field: prefix})
        else:
            allowed |= under(path_field, prefix)
    return allowed


class ScopedQuerySet(models.QuerySet):
    """Rows are visible when their area lies under one of the user's assigned areas for the action."""

    path_field = "area_path"
    grid_field: str | None = None

    def visible_to(self, user, action: str = "view"):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        prefixes = user.scope_prefixes(action)
        if prefixes is ALL:
            return self
        if not prefixes:
            return self.none()
        return self.filter(scope_q(prefixes, path_field=self.path_field, grid_field=self.grid_field))


class GridScopedQuerySet(ScopedQuerySet):
    """For rows that also belong to a grid (households, persons, houses)."""

    grid_field = "grid_path"
