"""Per-village counts (``TagCount``, ``TagProfile``, ``TagPair``): which scopes they answer exactly.

They are kept per village, so they add up exactly for a scope of whole villages or more; a scope of a group
or a grid is counted live from the links, which is cheap at that size.
"""

from __future__ import annotations

from django.db.models import QuerySet

from minqing.areas.models import VILLAGE_LENGTH
from minqing.core.scoping import ALL, scope_q


def whole_villages(user) -> bool:
    """True when the user's view scope is all, or made of villages and larger areas only."""
    prefixes = user.scope_prefixes("view")
    return prefixes is ALL or all(len(p) <= VILLAGE_LENGTH for p in prefixes)


def in_scope(rows: QuerySet, user) -> QuerySet:
    """Per-village rows (``village_path``) inside the user's view scope (exact when ``whole_villages``)."""
    prefixes = user.scope_prefixes("view")
    if prefixes is ALL:
        return rows
    return rows.filter(scope_q(list(prefixes), path_field="village_path", grid_field=None))
