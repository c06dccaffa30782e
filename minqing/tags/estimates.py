"""How many links a tag has in a scope, from the per-village ``TagCount`` rows: one small grouped query.

Searches use it to choose where to start (see ``search.filters``): a tag with few links in the searched
area is read from its links; a broad one by walking the area's rows in list order. The figure is an upper
bound for scopes below a village (a group, a grid), which is what a plan choice needs.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Sum

from minqing.areas.models import LEVEL_LENGTHS
from minqing.core.scoping import ALL, scope_q

from .models import Tag, TagCount

VILLAGE_LENGTH = LEVEL_LENGTHS["village"]


def village_prefixes(paths: Iterable[str]) -> list[str]:
    """Area or grid paths cut to at most a village: the keys ``TagCount`` is kept by (grids sit in villages)."""
    return sorted({path[:VILLAGE_LENGTH] for path in paths})


def link_estimates(user, tags: Iterable[Tag], area: str | None = None) -> dict[int, int]:
    """{tag id: links in the user's view scope, narrowed to ``area`` when given}; 0 for tags with none."""
    tags = list(tags)
    rows = TagCount.objects.filter(tag__in=tags)
    prefixes = user.scope_prefixes("view")
    if prefixes is not ALL:
        rows = rows.filter(scope_q(village_prefixes(prefixes), path_field="village_path", grid_field=None))
    if area:
        rows = rows.filter(scope_q(village_prefixes([area]), path_field="village_path", grid_field=None))
    counts = dict(rows.values("tag").annotate(n=Sum("count")).order_by().values_list("tag", "n"))
    return {tag.pk: counts.get(tag.pk) or 0 for tag in tags}
