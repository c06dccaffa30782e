"""Deterministic, fast generator of realistic demo registry data (一户一档 of a rural Guizhou county).

:func:`generate_batches` fills villages with households, their members, houses, three years of
income (年度收支) and village places, in batches ready for :mod:`minqing.demo.writer`. Everything comes
from one ``random.Random(seed)``, so the same arguments on the same database give the same rows.
Rows are built as unsaved model instances in plain Python (:class:`minqing.demo.rows.RowBuilder`);
the only queries read what earlier runs left (highest household numbers, ID and phone numbers taken).
The drawing itself is in :mod:`minqing.demo.people` and :mod:`minqing.demo.households`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models.functions import Length

from minqing.areas.models import Area
from minqing.registry.models import EconomyYear, House, Household, Person, Place

from . import tables
from .family import Link
from .households import Households
from .people import Home
from .rows import NEW_PLACE, Weighted

if TYPE_CHECKING:
    from minqing.accounts.models import User

#: Households per village for one place (shop, clinic, drum tower …).
HOUSEHOLDS_PER_PLACE = 40

#: ``(village, its groups, its grids, number of households to create there)``.
VillageSpec = tuple[Area, Sequence[Area], Sequence[Area], int]


@dataclass(slots=True)
class Batch:
    """Households with, for each, its members, houses, economy rows (their household ids come when the
    households are saved) and parent links (the parents' ids come when the persons are saved), and places."""

    households: list[Household] = field(default_factory=list)
    pending: list[tuple[list[Person], list[House], list[EconomyYear], list[Link]]] = field(
        default_factory=list
    )
    places: list[Place] = field(default_factory=list)


class VillageContext:
    """Per-village state: names for addresses, next household number, house numbers per group."""

    def __init__(self, village: Area, groups: list[Area], grids: list[Area], count: int) -> None:
        self.village, self.grids, self.count = village, grids, count
        self.groups = groups or [village]
        township = village.parent if village.parent_id else Area.objects.filter(code=village.code[:9]).first()
        self.prefix = (township.short_name if township else "") + village.short_name
        self.home = Home(village.code, township.short_name if township else "", village.short_name)
        self.village_short = village.short_name
        self.group_labels = [f"{int(g.code[-3:])}组" if g.level == "group" else "" for g in self.groups]
        self.house_numbers = [0] * len(self.groups)
        last = (
            Household.objects.filter(number__startswith=village.code)
            .annotate(length=Length("number"))
            .order_by("-length", "-number")
            .values_list("number", flat=True)
            .first()
        )
        suffix = last[len(village.code) :] if last else ""
        self.next_number = int(suffix) + 1 if suffix.isdigit() else 1
        # Four digits as asked ("…0001"); a village past 9,999 households gets wider numbers.
        self.width = max(4, len(str(self.next_number + count - 1)))


class Generator(Households):
    """Draws households, members, houses, economy rows and places from one seeded ``Random``."""

    def __init__(
        self, *, seed: int, responsible_cadres: list[User] | None = None, id_offset: int | None = None
    ) -> None:
        super().__init__(seed=seed, id_offset=id_offset, responsible_cadres=responsible_cadres)
        self.place_kinds = Weighted([((kind, suffixes), w) for kind, w, suffixes in tables.PLACE_KINDS])
        self.hazards = Weighted([((code, notes), w) for code, w, notes in tables.HAZARDS])

    # -- places --------------------------------------------------------------------------------

    def places(self, ctx: VillageContext) -> list[Place]:
        """About one place per 40 households: shops, a clinic, schools, drum towers, workshops …"""
        rng = self.rng
        count = max(1, round(ctx.count / HOUSEHOLDS_PER_PLACE)) if ctx.count else 0
        rows, seen = [], set()
        for i in range(count):
            place_type, suffixes = (
                ("clinic", ("卫生室",)) if i == 0 and count > 1 else self.place_kinds.pick(rng)
            )
            name = ctx.village_short + rng.choice(suffixes)
            if name in seen:
                name = f"{ctx.village_short}{self.surnames.pick(rng)}家{rng.choice(suffixes)}"
            if name in seen:
                name = f"{name}（{i + 1}）"
            seen.add(name)
            gi = rng.randrange(len(ctx.groups))
            grid = rng.choice(ctx.grids) if ctx.grids else None
            hazard, notes = self.hazards.pick(rng)
            boss_sex = "1" if self.chance(0.6) else "2"
            rows.append(
                NEW_PLACE(
                    dict(
                        name=name,
                        place_type=place_type,
                        address=f"{ctx.prefix}{ctx.group_labels[gi]}{rng.randint(1, 120)}号",
                        responsible_person=self.name(
                            self.surnames.pick(rng), boss_sex, rng.randint(1955, 1995)
                        ),
                        phone=self.phone() if self.chance(0.9) else "",
                        hazard_type=hazard,
                        hazard_note=rng.choice(notes),
                        area_id=ctx.groups[gi].pk,
                        area_path=ctx.groups[gi].code,
                        grid_id=grid.pk if grid else None,
                        grid_path=grid.code if grid else "",
                    )
                )
            )
        return rows


def generate_batches(
    *,
    villages: Sequence[VillageSpec],
    seed: int,
    batch_size: int = 2000,
    responsible_cadres: list[User] | None = None,
    id_offset: int | None = None,
) -> Iterator[Batch]:
    """Yield the demo rows of ``villages`` in batches of ``batch_size`` households (the last may be smaller).

    Households are spread over the village's groups (their ``area``) and, independently, its grids;
    a village listed twice gets one numbering. Household numbers continue after the village's highest
    existing number, so write each batch before asking for the next. ``responsible_cadres`` (users) are
    assigned to poverty-alleviated and monitored households; ``id_offset`` shifts the ID sequence
    numbers (default: derived from ``seed``).
    """
    generator = Generator(seed=seed, responsible_cadres=responsible_cadres, id_offset=id_offset)
    merged: dict[str, VillageSpec] = {}
    for village, groups, grids, count in villages:
        previous = merged.get(village.code)
        merged[village.code] = (village, groups, grids, count + (previous[3] if previous else 0))
    batch = Batch()
    for village, groups, grids, count in merged.values():
        ctx = VillageContext(village, list(groups), list(grids), count)
        batch.places += generator.places(ctx)
        for _ in range(count):
            household, persons, houses, economy, links = generator.household(ctx)
            batch.households.append(household)
            batch.pending.append((persons, houses, economy, links))
            if len(batch.households) >= batch_size:
                yield batch
                batch = Batch()
    if batch.households or batch.places:
        yield batch
