"""Age bands, and the per-village sex × age-band counts of person tags that group charts read (``TagProfile``)."""

from __future__ import annotations

import datetime

from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from .models import PersonTag, TagProfile
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
        .annotate(v=Substr("area_path", 1, 12), band=band_of(timezone.localdate()))
        .values("tag", "v", "sex", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = [
        TagProfile(tag_id=r["tag"], village_path=r["v"], sex=r["sex"], band=r["band"], count=r["n"])
        for r in grouped
    ]
    TagProfile.objects.bulk_create(rows, batch_size=2000)
