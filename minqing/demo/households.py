"""Households for the demo generator: the household's fields and houses, built on its members
(:mod:`minqing.demo.family`) and its 年度收支 and flags (:mod:`minqing.demo.welfare`).

Exactly one head (户主) per household, a monitoring type whenever there is a monitoring status, and
``EconomyYear.compute()`` for the per-capita income, so the rows pass the same rules as typed-in ones.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from minqing.registry.models import EconomyYear, House, Household, Person

from . import tables
from .family import Link
from .rows import NEW_HOUSE, NEW_HOUSEHOLD, Weighted
from .welfare import Welfare

if TYPE_CHECKING:
    from minqing.accounts.models import User

    from .generator import VillageContext


class Households(Welfare):
    """Draws households with their members, houses and yearly economy."""

    def __init__(self, *, seed: int, id_offset: int | None, responsible_cadres: list[User] | None) -> None:
        super().__init__(seed=seed, id_offset=id_offset)
        self.cadre_ids = [c.pk for c in responsible_cadres or []]
        self.structures = Weighted(tables.STRUCTURES)
        self.safety = {
            s: Weighted(list(zip("ABCD", p[4], strict=True))) for s, p in tables.STRUCTURE_PROFILE.items()
        }
        self.alleviated_years = Weighted(tables.ALLEVIATED_YEARS)

    # -- one household -------------------------------------------------------------------------

    def household(
        self, ctx: VillageContext
    ) -> tuple[Household, list[Person], list[House], list[EconomyYear], list[Link]]:
        """One household with members, houses, yearly economy and parent links; foreign keys to it (and
        the parents' ids) are set when saving."""
        rng, chance = self.rng, self.chance
        gi = rng.randrange(len(ctx.groups))
        group = ctx.groups[gi]
        grid = rng.choice(ctx.grids) if ctx.grids else None
        placed = {
            "area_id": group.pk,
            "area_path": group.code,
            "grid_id": grid.pk if grid else None,
            "grid_path": grid.code if grid else "",
        }
        ctx.house_numbers[gi] += 1
        address = f"{ctx.prefix}{ctx.group_labels[gi]}{ctx.house_numbers[gi]}号"
        kind, members = self.plan()
        persons = [self.person(m, address, placed, ctx.home) for m in members]
        living = [p for p in persons if not p.deceased]
        head = persons[0]
        for p in living:
            age = self.today.year - p.birth_date.year
            if p is head:
                wanted = 0.82 if age < 85 else 0.5
            else:
                wanted = 0.45 if 18 <= age <= 70 else 0.15 if age > 70 else 0.0
            if chance(wanted):
                p.phone = self.phone()
        phone = next((p.phone for p in living if p.phone), "")
        links = self.link(kind, members, persons)

        # Who needs help, and why.
        causes = []
        if any(p.chronic_disease for p in living):
            causes.append("illness")
        if any(p.disability_category for p in living):
            causes.append("disability")
        if any(p.residence_status == "40" for p in living):
            causes.append("education")
        alone = kind == "alone"
        h: dict[str, Any] = {
            "number": f"{ctx.village.code}{ctx.next_number:0{ctx.width}d}",
            "address": address,
            "household_type": "2" if chance(0.08) else "1",
            "phone": phone,
            "registration_match": head.residence_status == "10",
            "head_name": head.name,
            "member_count": len(living),
            **placed,
            "cultivated_land_mu": Decimal(rng.randint(30, 600)) / 100 if chance(0.95) else Decimal(0),
            "forest_land_mu": Decimal(rng.randint(0, 3000)) / 100 if chance(0.8) else Decimal(0),
        }
        ctx.next_number += 1
        poor = chance(0.05 + 0.07 * ("disability" in causes) + 0.05 * ("illness" in causes) + 0.04 * alone)
        if poor:
            cause_codes = [tables.POVERTY_CAUSE_BY_CAUSE[c] for c in causes]
            main = cause_codes[0] if cause_codes else rng.choice(tables.OTHER_POVERTY_CAUSES)
            others = [
                c
                for c in dict.fromkeys([*cause_codes[1:], *rng.sample(tables.OTHER_POVERTY_CAUSES, 2)])
                if c != main
            ]
            h.update(
                poverty_alleviated=True,
                alleviated_year=self.alleviated_years.pick(rng),
                main_poverty_cause=main,
                other_poverty_causes=others[: rng.randint(0, 2)],
            )
        monitored = chance(0.15 if poor else 0.012 + 0.025 * bool(causes))
        if (
            (alone and head.marital_status == "10" and chance(0.8))
            or (alone and chance(0.01))
            or (kind == "single" and head.disability_grade in ("1", "2"))
        ):
            h["tekun"] = "dispersed" if chance(0.8) else "central"
        elif chance(0.02 + 0.08 * ("disability" in causes) + 0.06 * poor + 0.04 * alone):
            h["dibao"] = "rural"
        if not chance(0.985):
            h.update(water_safe=False, water_difficulty=rng.choice(tables.WATER_DIFFICULTIES))
        houses = self.houses(address, placed)
        main_grade = houses[0].safety_grade
        if main_grade == "D" or (main_grade == "C" and chance(0.5)):
            h["housing_secure"] = False
            causes.append("house")
        if not h.get("water_safe", True):
            causes.append("water")
        self.conditions(h, kind, poor)
        helped = poor or monitored or h.get("dibao") or h.get("tekun")
        if chance(0.9 if helped else 0.12):
            pool = list(causes) + (["elderly"] if alone or kind == "empty_nest" else []) + ["general"]
            picked = dict.fromkeys(rng.choice(pool) for _ in range(2 if chance(0.3) else 1))
            h["difficulties"] = "".join(rng.choice(tables.DIFFICULTIES[c]) for c in picked)
        household = NEW_HOUSEHOLD(h)
        if monitored:
            risk = tables.RISK_BY_CAUSE[causes[0]] if causes[:1] and causes[0] in tables.RISK_BY_CAUSE else ""
            self.monitor(
                household,
                "monitoring" if chance(0.4) else "cleared",
                "1" if poor else "2" if chance(0.7) else "3",
                risk or rng.choice(tables.OTHER_RISKS),
            )
        economy = self.economy(household, living, kind)  # may take the household in for monitoring
        self.settle(household, living, kind, bool(helped or household.monitoring_status))
        if self.cadre_ids and (poor or household.monitoring_status):
            household.responsible_cadre_id = rng.choice(self.cadre_ids)
        return household, persons, houses, economy, links

    def houses(self, address: str, placed: dict[str, Any]) -> list[House]:
        """The family home, sometimes with the old wooden house (老屋) beside it, lived in or used as a store."""
        rng, chance = self.rng, self.chance
        rows = []
        for i in range(2 if chance(0.05) else 1):
            structure = self.structures.pick(rng) if i == 0 else "5"
            first, last, low, high, _weights = tables.STRUCTURE_PROFILE[structure]
            rented = chance(0.015)
            rows.append(
                NEW_HOUSE(
                    dict(
                        address=address if i == 0 else address + "（老屋）",
                        structure=structure,
                        floor_area=Decimal(rng.randint(low * 100, high * 100)) / 100,
                        build_year=rng.randint(first, min(last, self.today.year)),
                        safety_grade=self.safety[structure].pick(rng),
                        use="01" if i == 0 or chance(0.6) else "05",
                        rented_out=rented,
                        tenant=rng.choice(tables.TENANTS) if rented else "",
                        **placed,
                    )
                )
            )
        return rows
