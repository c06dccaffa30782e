"""Reading the visit log: every read starts from ``Visit.objects.visible_to(user, action)``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from minqing.core import hashchain
from minqing.registry.models import Household

from .models import Visit, VisitPhoto

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from minqing.accounts.models import User

#: Entries shown in the household page's timeline.
TIMELINE = 5


def _with_photos(rows: QuerySet[Visit]) -> QuerySet[Visit]:
    later = Visit.objects.only("pk", "corrects_id", "entry_type", "created_at")
    return rows.select_related("household").prefetch_related(
        Prefetch("photos", queryset=VisitPhoto.objects.order_by("position")),
        Prefetch("successors", queryset=later),
    )


def visit_list(user: User | AnonymousUser) -> QuerySet[Visit]:
    """Entries the user may read, newest first, with what the rows show (household, photos, successor)."""
    return _with_photos(Visit.objects.visible_to(user, "view")).order_by("-created_at", "-id")


def household_timeline(
    user: User | AnonymousUser, household: Household, limit: int = TIMELINE
) -> list[Visit]:
    """The household's latest entries that carry a visit's present content (not replaced, not withdrawn)."""
    rows = Visit.objects.visible_to(user, "view").filter(household=household).current()
    photos = Prefetch("photos", queryset=VisitPhoto.objects.order_by("position"))
    return list(rows.prefetch_related(photos).order_by("-created_at", "-id")[:limit])


@dataclass
class Thread:
    """An entry with the whole thread it belongs to (the visit, its revisions, corrections, withdrawal)."""

    visit: Visit
    entries: list[Visit]
    chain_ok: bool
    chain_detail: str = ""
    later: Visit | None = None
    photos: list[VisitPhoto] = field(default_factory=list)


def visit_thread(user: User | AnonymousUser, pk: int) -> Thread:
    """One entry (404 outside the view scope) with its thread and the check of its own hash."""
    visit = get_object_or_404(
        Visit.objects.visible_to(user, "view").select_related("household", "author"), pk=pk
    )
    origin = visit.origin_id or visit.pk
    entries = list(
        Visit.objects.visible_to(user, "view")
        .filter(Q(pk=origin) | Q(origin_id=origin))
        .select_related("author")
        .order_by("id")
    )
    photos: dict[int, list[VisitPhoto]] = {}
    for photo in VisitPhoto.objects.filter(visit__in=[e.pk for e in entries]).order_by("position"):
        photos.setdefault(photo.visit_id, []).append(photo)
    for entry in entries:
        entry.photo_list = photos.get(entry.pk, [])  # type: ignore[attr-defined]
    later = next((e for e in entries if e.corrects_id == visit.pk), None)
    broken = entry_hash_problem(visit)
    return Thread(
        visit=visit,
        entries=entries,
        chain_ok=broken is None,
        chain_detail=broken or "",
        later=later,
        photos=photos.get(visit.pk, []),
    )


def entry_hash_problem(visit: Visit) -> str | None:
    """Whether the entry still matches its hash, and its link to the author's previous entry holds."""
    spec = hashchain.spec_of(Visit)
    values = [getattr(visit, a) for a in spec.attnames]
    algorithm = visit.row_hash.partition(":")[0]
    if (
        algorithm not in hashchain.ALGORITHMS
        or spec.row_hash(visit.prev_hash, values, algorithm) != visit.row_hash
    ):
        return "changed"
    previous = (
        Visit.objects.filter(author_id=visit.author_id, pk__lt=visit.pk)
        .order_by("-pk")
        .values_list("row_hash", flat=True)
        .first()
    )
    if (previous or hashchain.GENESIS) != visit.prev_hash:
        return "link"
    return None
