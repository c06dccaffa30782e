"""The single answer to "what may this user see?": ``Model.objects.visible_to(user, action)``.

Every scoped model carries a denormalised, indexed ``area_path`` (the significant prefix of its
area code). A user's assignments give, per action, a list of area prefixes; a row is visible when
its path starts with one of them. Grid assignments match the row's ``grid_path`` instead, because a
household belongs to a group and, independently, to a grid of its village.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, Self, TypeAlias, TypeVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:  # core sits below accounts: the user model is imported for type hints only
    from django.contrib.auth.models import AnonymousUser

    from minqing.accounts.models import User


class _All(enum.Enum):
    """Sentinel: the user may see every row (superusers). An enum member, so ``prefixes is ALL`` narrows."""

    ALL = "ALL"

    def __repr__(self) -> str:
        return "ALL"


ALL: Final = _All.ALL

#: What ``User.scope_prefixes(action)`` answers: area path prefixes, or ALL for superusers.
Prefixes: TypeAlias = "list[str] | Literal[_All.ALL]"

# Area code lengths by level: the code of an area is also its path.
GRID_SUFFIX_MIN = 900
GRID_SUFFIX_DIGITS = 3


#: The significant lengths of an area path, outermost first: province 2, city 4, county 6, township 9,
#: village 12, group or grid 15 (``areas.LEVEL_LENGTHS`` names them).
PATH_LENGTHS = (2, 4, 6, 9, 12, 15)


def level_prefix(path: str) -> str:
    """``path`` cut back to the nearest level boundary at or above it ("" above the province)."""
    return path[: max((n for n in PATH_LENGTHS if n <= len(path)), default=0)]


def is_area_path(value: str) -> bool:
    """An area code or a prefix of one: 1–15 ASCII digits. ``str.isdigit`` is not enough: it accepts "²"
    and other scripts' digits, which ``int`` then refuses."""
    return 0 < len(value) <= 15 and value.isascii() and value.isdigit()


def is_grid_path(path: str) -> bool:
    """Grids extend a village code by 3 digits in 901–999; groups (村民小组) use 001–099."""
    return len(path) == 15 and is_area_path(path) and int(path[-3:]) > GRID_SUFFIX_MIN


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
    ``varchar_pattern_ops`` index that cannot sort. Paths are digits only (checked on import): anything
    else matches nothing ("" is everything).
    """
    if prefix and not is_area_path(prefix):
        return Q(pk__in=[])
    upper = prefix_upper_bound(prefix)
    q = Q(**{f"{field}__gte": prefix})
    return q & Q(**{f"{field}__lt": upper}) if upper else q


def in_grid(grid: str, *, path_field: str = "area_path", grid_field: str = "grid_path") -> Q:
    """Rows of a grid. A grid lies in one village (checked when a row is placed), so the village's path
    range is added: indexes that lead with the path (tag links, lists) then read one village, not a county."""
    return Q(**{grid_field: grid}) & under(path_field, grid[: len(grid) - GRID_SUFFIX_DIGITS])


def scope_q(prefixes: list[str], *, path_field: str, grid_field: str | None) -> Q:
    """Build the OR of prefix matches. An empty list yields a Q that matches nothing."""
    allowed = Q(pk__in=[])
    for prefix in prefixes:
        if grid_field and is_grid_path(prefix):
            allowed |= in_grid(prefix, path_field=path_field, grid_field=grid_field)
        else:
            allowed |= under(path_field, prefix)
    return allowed


def path_allowed(prefixes: Prefixes, area_path: str, grid_path: str = "") -> bool:
    """``scope_q`` evaluated in memory for one row (no query per row of a list)."""
    if prefixes is ALL:
        return True
    for prefix in prefixes:
        if is_grid_path(prefix):
            if grid_path == prefix and area_path.startswith(prefix[:-GRID_SUFFIX_DIGITS]):
                return True
        elif area_path.startswith(prefix):
            return True
    return False


class HasAreaPath(Protocol):
    area_path: str


Rule = TypeVar("Rule", bound=HasAreaPath)


def nearest_rule(rules: Iterable[Rule], path: str) -> Rule | None:
    """The row set for ``path`` itself or for the nearest area above it: the longest ``area_path`` that is a
    prefix of ``path`` (a rule set on a county holds in its villages unless a village sets its own)."""
    best: Rule | None = None
    for rule in rules:
        if path.startswith(rule.area_path) and (best is None or len(rule.area_path) > len(best.area_path)):
            best = rule
    return best


def scope_root(user: User | AnonymousUser, action: str = "view") -> str:
    """The innermost area path covering all the user's areas for ``action``: "" for superusers and for no scope."""
    prefixes = user.scope_prefixes(action)  # type: ignore[union-attr]
    if prefixes is ALL or not prefixes:
        return ""
    first, last = min(prefixes), max(prefixes)  # the common prefix of all is that of the extremes
    common = next((first[:n] for n in range(len(first)) if first[n] != last[n : n + 1]), first)
    return level_prefix(common)


class ScopedQuerySet(models.QuerySet):
    """Rows are visible when their area lies under one of the user's assigned areas for the action."""

    path_field = "area_path"
    grid_field: str | None = None

    def visible_to(self, user: User | AnonymousUser | None, action: str = "view") -> Self:
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        prefixes = user.scope_prefixes(action)
        if prefixes is ALL:
            return self
        extra = self.extra_scope(user, action)
        if not prefixes and extra is None:
            return self.none()
        allowed = (
            scope_q(prefixes, path_field=self.path_field, grid_field=self.grid_field) if prefixes else None
        )
        if extra is not None:
            allowed = extra if allowed is None else allowed | extra
        return self.filter(allowed)

    def extra_scope(self, user: User, action: str) -> Q | None:
        """Rows ``user`` may take ``action`` on outside their areas; None for none (the rule for most models).

        Only the registry's household records override it: a stationed cadre changes the households paired
        with them (``registry.models.paired``).
        """
        return None


class GridScopedQuerySet(ScopedQuerySet):
    """For rows that also belong to a grid (households, persons, houses)."""

    grid_field = "grid_path"


def can(user: User | AnonymousUser | None, obj: models.Model, action: str) -> bool:
    """Whether ``user`` may take ``action`` on ``obj`` (one indexed probe): decides which buttons a page shows.

    Services check again when the action is taken (``core.editing.changeable``).
    """
    manager: Any = type(obj)._default_manager  # a scoped manager; the stubs only know Manager[Model]
    return manager.visible_to(user, action).filter(pk=obj.pk).exists()
