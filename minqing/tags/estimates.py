"""How many links a tag has in a scope, from the per-village counts: one small grouped query.

Searches use it to choose where to start (see ``search.filters``): a tag with few links in the searched
area (and age and sex, for person tags) is read from its links; a broad one by walking the area's rows in
list order. The figure is an upper bound for scopes below a village (a group, a grid), which is what a
plan choice needs. With an age range or a sex it comes from ``TagProfile`` (sex × age band per village),
each band counted in proportion to the years of it the search asks for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from minqing.areas.models import VILLAGE_LENGTH
from minqing.core.scoping import ALL, scope_q

from .models import Tag, TagCount, TagProfile
from .profiles import AGE_BANDS

OLDEST = 99  # the top band (80+) is taken as 80–99 when estimating


@dataclass(frozen=True)
class PersonConditions:
    """The conditions of a person search that person links carry too (their copied birth date and sex)."""

    age_min: int | None = None
    age_max: int | None = None
    sex: str = ""

    def __bool__(self) -> bool:
        return self.age_min is not None or self.age_max is not None or bool(self.sex)

    def band_shares(self) -> dict[str, float]:
        """{age band: the share of its years the asked ages cover}, for the bands they touch.

        People are taken as spread evenly over a band's years (80+ as 80–99): an estimate for choosing a
        plan, never a count shown to anyone.
        """
        low = self.age_min if self.age_min is not None else 0
        high = self.age_max if self.age_max is not None else OLDEST
        shares = {}
        for key, lo, hi in AGE_BANDS:
            hi = OLDEST if hi is None else hi
            overlap = min(high, hi) - max(low, lo) + 1
            if overlap > 0:
                shares[key] = overlap / (hi - lo + 1)
        return shares


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
        shares = person.band_shares()
        rows = TagProfile.objects.filter(tag__in=by_profile, band__in=list(shares))
        if person.sex:
            rows = rows.filter(sex=person.sex)
        rows = _scoped(rows, user, area).values("tag", "band").annotate(n=Sum("count")).order_by()
        for row in rows:
            counts[row["tag"]] = counts.get(row["tag"], 0) + round(row["n"] * shares[row["band"]])
    return {tag.pk: counts.get(tag.pk) or 0 for tag in tags}
