"""The compliance figures after the demo's visit history, which was inserted in bulk (no ``post_save``).

A county of up to ``REBUILD_LIMIT`` households is recounted whole (``compliance.services.stats_rebuild``, the
nightly job's recount; well under a second for 3,000 households). A larger one gets the focus village's
figures only, so a million households cost no more: stat rows for each of its households (``stats_sync``),
the last counted visit of each, and the monthly and daily tallies of the new entries, counted from them.
Their authors had no visit before (``activity.seed_visits`` writes nothing otherwise), so those tallies hold
the new entries only. ``manage.py compliance_rebuild`` (nightly) fills in the rest of the county.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.utils import timezone

from minqing.compliance.models import CadreDayTally, HouseholdVisitStat, VisitTally
from minqing.compliance.periods import month_of
from minqing.compliance.services import stats_rebuild, stats_sync
from minqing.core.scoping import under
from minqing.registry.models import Household
from minqing.visits.models import Visit

from .areas import FOCUS_VILLAGE

#: Up to this many households the whole county's figures are recounted; above it the focus village's only.
REBUILD_LIMIT = 50_000


def refresh_figures(visits: list[Visit]) -> str:
    """Recount after ``visits`` were inserted: "county", "village", or "" when there were none."""
    if not visits:
        return ""
    if Household.objects.count() <= REBUILD_LIMIT:
        stats_rebuild()
        return "county"
    refresh_village(visits)
    return "village"


@transaction.atomic
def refresh_village(visits: list[Visit]) -> None:
    """The focus village's figures (the coverage counts its unvisited households too)."""
    village = list(
        Household.objects.filter(under("area_path", FOCUS_VILLAGE))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    stats_sync(village)
    last = {}
    counted = Visit.objects.counted().filter(household_id__in=village).order_by("created_at", "pk")
    for household_id, at, pk in counted.values_list("household_id", "created_at", "pk").iterator():
        last[household_id] = (at, pk)
    stats = list(HouseholdVisitStat.objects.filter(pk__in=list(last)))
    for stat in stats:
        stat.last_visit_at, stat.last_visit_id = last[stat.pk]
    HouseholdVisitStat.objects.bulk_update(stats, ["last_visit_at", "last_visit_id"], batch_size=500)
    paths = {v.household_id: v.area_path for v in visits}
    months = Counter(
        (v.household_id, v.author_id, month_of(timezone.localdate(v.created_at))[0]) for v in visits
    )
    VisitTally.objects.bulk_create(
        [
            VisitTally(household_id=h, author_id=a, month=m, area_path=paths[h], visits=n)
            for (h, a, m), n in sorted(months.items())
        ],
        batch_size=500,
    )
    days = Counter((v.author_id, timezone.localdate(v.created_at)) for v in visits)
    CadreDayTally.objects.bulk_create(
        [CadreDayTally(author_id=a, day=d, visits=n) for (a, d), n in sorted(days.items())], batch_size=500
    )
