"""Age bands, and the per-village counts that group charts read: sex × age band (``TagProfile``) and
key-group pairs (``TagPair``)."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from minqing.areas.models import VILLAGE_LENGTH
from minqing.core.scoping import prefix_upper_bound

from .models import PersonTag, Tag, TagPair, TagProfile
from .rules import born_before

# (key, lowest age, highest age or None): 0–6, 7–15, 16–17, 18–59, 60–69, 70–79, 80+.
AGE_BANDS: list[tuple[str, int, int | None]] = [
    ("0-6", 0, 6),
    ("7-15", 7, 15),
    ("16-17", 16, 17),
    ("18-59", 18, 59),
    ("60-69", 60, 69),
    ("70-79", 70, 79),
    ("80+", 80, None),
]


def band_of(today: datetime.date, field: str = "birth_date") -> Case:
    """The age band of the date in ``field`` as a ``CASE WHEN``; unknown dates fall in the last band."""
    whens = [
        When(Q(**{f"{field}__gt": born_before(today, high + 1)}), then=Value(key))
        for key, _low, high in AGE_BANDS
        if high is not None
    ]
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def rebuild_profiles(scope: Q, villages: list[str] | None) -> None:
    """Recount ``TagProfile`` for the person links in ``scope`` (all villages when ``villages`` is None).

    Read from the links' own copies of the birth date and sex: no person row is joined.
    """
    profiles = TagProfile.objects.all()
    if villages is not None:
        profiles = profiles.filter(village_path__in=villages)
    profiles.delete()
    grouped = (
        PersonTag.objects.filter(scope)
        .annotate(v=Substr("area_path", 1, VILLAGE_LENGTH), band=band_of(timezone.localdate()))
        .values("tag", "v", "sex", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [
        TagProfile(tag_id=r["tag"], village_path=r["v"], sex=r["sex"], band=r["band"], count=r["n"])
        for r in grouped
    ]
    TagProfile.objects.bulk_create(rows, batch_size=2000)


def rebuild_pairs(villages: list[str] | None) -> None:
    """Recount ``TagPair`` among today's key-group person tags, in the given villages (all when None).

    One grouped self-join of the links on the person, written in SQL: the ORM would join through the
    person table for nothing.
    """
    pairs = TagPair.objects.all()
    if villages is not None:
        pairs = pairs.filter(village_path__in=villages)
    pairs.delete()
    keys = list(Tag.objects.filter(is_key_group=True, target=Tag.Target.PERSON).values_list("pk", flat=True))
    if not keys or villages == []:
        return
    qn = connection.ops.quote_name
    links, pair = qn(PersonTag._meta.db_table), qn(TagPair._meta.db_table)
    marks = ", ".join(["%s"] * len(keys))
    where, params = f"a.tag_id IN ({marks}) AND b.tag_id IN ({marks})", [*keys, *keys]
    if villages is not None:
        ranges = []
        for village in villages:
            upper = prefix_upper_bound(village)
            ranges.append("(a.area_path >= %s AND a.area_path < %s)" if upper else "a.area_path >= %s")
            params += [village, upper] if upper else [village]
        where += f" AND ({' OR '.join(ranges)})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {pair} (tag_id, other_id, village_path, count) "  # noqa: S608 — names from models
            f"SELECT a.tag_id, b.tag_id, SUBSTR(a.area_path, 1, %s), COUNT(*) FROM {links} a "
            f"JOIN {links} b ON b.person_id = a.person_id WHERE {where} "
            f"GROUP BY a.tag_id, b.tag_id, SUBSTR(a.area_path, 1, %s)",
            [VILLAGE_LENGTH, *params, VILLAGE_LENGTH],
        )
