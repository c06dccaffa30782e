"""How many links a tag has in a scope, from the per-village counts: one small grouped query.

Searches use it to choose where to start (see ``search.filters``): a tag with few links in the searched
area (and age and sex, for person tags) is read from its links; a broad one by walking the area's rows in
list order. The figure is an upper bound for scopes below a village (a group, a grid), which is what a
plan choice needs. With an age range or a sex it comes from ``TagProfile`` (sex × age band per village):
bands are widened by a year, as ages have moved on since the profile was counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from minqing.areas.models import LEVEL_LENGTHS
from minqing.core.scoping import ALL, scope_q

from .models import Tag, TagCount, TagProfile
from .profiles import AGE_BANDS

VILLAGE_LENGTH = LEVEL_LENGTHS["village"]


@dataclass(frozen=True)
class PersonConditions:
    """The conditions of a person search that person links carry too (their copied birth date and sex)."""

    age_min: int | None = None
    age_max: int | None = None
    sex: str = ""

    def __bool__(self) -> bool:
        return self.age_min is not None or self.age_max is not None or bool(self.sex)

    def bands(self) -> list[str]:
        """The age bands that may hold someone of the asked age, a year's ageing allowed for."""
        low = (self.age_min if self.age_min is not None else 0) - 1
        high = self.age_max if self.age_max is not None else 200
        return [key for key, lo, hi in AGE_BANDS if lo <= high and (hi is None or hi >= low)]


def village_prefixes(paths: Iterable[str]) -> list[str]:
    """Area or grid paths cut to at most a village: the keys the counts are kept by (grids sit in villages)."""
    return sorted({path[:VILLAGE_LENGTH] for path in paths})


def _scoped(rows: QuerySet, user, area: str | None) -> QuerySet:
    prefixes = user.scope_prefixes("view")
    if prefixes is not ALL:
        rows = rows.filter(scope_q(village_prefixes(prefixes), path_field="village_path", grid_field=None))
    if area:
        rows = rows.filter(scope_q(village_prefixes([area]), path_field="village_path", grid_field=None))
    return rows


def link_estimates(
    user, tags: Iterable[Tag], area: str | None = None, person: PersonConditions | None = None
) -> dict[int, int]:
    """{tag id: links in the user's view scope, narrowed to ``area`` and ``person``}; 0 for tags with none."""
    tags = list(tags)
    by_profile = [t for t in tags if person and t.target == Tag.Target.PERSON]
    by_count = [t for t in tags if t not in by_profile]
    counts: dict[int, int] = {}
    if by_count:
        rows = _scoped(TagCount.objects.filter(tag__in=by_count), user, area)
        counts.update(rows.values("tag").annotate(n=Sum("count")).order_by().values_list("tag", "n"))
    if by_profile and person:
        rows = TagProfile.objects.filter(tag__in=by_profile, band__in=person.bands())
        if person.sex:
            rows = rows.filter(sex=person.sex)
        rows = _scoped(rows, user, area)
        counts.update(rows.values("tag").annotate(n=Sum("count")).order_by().values_list("tag", "n"))
    return {tag.pk: counts.get(tag.pk) or 0 for tag in tags}
