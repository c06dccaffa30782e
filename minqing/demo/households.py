"""Households for the demo generator: who lives together, the household's fields, houses and 年度收支.

Exactly one head (户主) per household, a monitoring type whenever there is a monitoring status, and
``EconomyYear.compute()`` for the per-capita income, so the rows pass the same rules as typed-in ones.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from minqing.registry.models import EconomyYear, House, Household, Person

from . import tables
from .people import Member, People
from .rows import NEW_ECONOMY, NEW_HOUSE, NEW_HOUSEHOLD, Weighted

if TYPE_CHECKING:
    from minqing.accounts.models import User

    from .generator import VillageContext

#: Years of 年度收支 per household: the last full years.
ECONOMY_YEARS = 3

ALONE_MARITAL = Weighted([("30", 78.0), ("10", 10.0), ("40", 12.0)])  # widowed, never married, divorced
CHILDREN = Weighted([(0, 8.0), (1, 40.0), (2, 42.0), (3, 10.0)])
ADULT_CHILDREN = Weighted([(1, 55.0), (2, 40.0), (3, 5.0)])
GRANDCHILDREN = Weighted([(0, 5.0), (1, 45.0), (2, 40.0), (3, 10.0)])


class Households(People):
    """Draws households with their members, houses and yearly economy."""

    def __init__(self, *, seed: int, id_offset: int | None, responsible_cadres: list[User] | None) -> None:
        super().__init__(seed=seed, id_offset=id_offset)
        self.years = [self.today.year - ECONOMY_YEARS + i for i in range(ECONOMY_YEARS)]
        self.cadre_ids = [c.pk for c in responsible_cadres or []]
        self.kinds = Weighted(tables.KINDS)
        self.structures = Weighted(tables.STRUCTURES)
        self.safety = {
            s: Weighted(list(zip("ABCD", p[4], strict=True))) for s, p in tables.STRUCTURE_PROFILE.items()
        }
        self.alleviated_years = Weighted(tables.ALLEVIATED_YEARS)

    # -- household composition -----------------------------------------------------------------

    def plan(self) -> tuple[str, list[Member]]:
        """Decide who lives in a household: relations, sexes, ages, surnames and who works away."""
        rng, kind = self.rng, self.kinds.pick(self.rng)
        surname, eth = self.surnames.pick(rng), self.ethnicities.pick(rng)
        members: list[Member] = []

        def spouse_of(head: Member, age: int, *, away: bool | None = None) -> Member:
            female = head.sex == "1"
            relation = ("12" if self.chance(0.7) else "10") if female else "11"
            ethnicity = eth if self.chance(0.7) else self.ethnicities.pick(rng)
            return Member(
                relation,
                "2" if female else "1",
                max(age, 18),
                self.surnames.pick(rng),
                ethnicity,
                marital="20",
                away=away,
                native=self.natives.pick(rng),
            )

        def children(
            n: int, max_age: int, min_age: int = 0, *, relations: tuple[str, str] = ("20", "30")
        ) -> None:
            """``n`` children aged ``min_age``..``max_age``; ``relations`` are the codes for a boy and a girl."""
            for _ in range(n):
                sex = "1" if self.chance(0.52) else "2"
                age = rng.randint(min_age, max(min_age, max_age))
                members.append(Member(relations[sex == "2"], sex, age, surname, eth, marital="10"))

        if kind == "alone":
            sex = "2" if self.chance(0.62) else "1"
            marital = ALONE_MARITAL.pick(rng)
            head = Member(
                "02", sex, int(rng.triangular(65, 96, 72)), surname, eth, marital=marital, away=False
            )
            members.append(head)
            if marital == "30" and self.chance(0.35):
                late = Member(
                    "10",
                    "1" if sex == "2" else "2",
                    head.age + rng.randint(-3, 5),
                    self.surnames.pick(rng),
                    eth,
                    marital="20",
                )
                late.deceased = True
                members.append(late)
        elif kind == "empty_nest":
            head = Member("02", "1", int(rng.triangular(58, 92, 68)), surname, eth, marital="20", away=False)
            members += [head, spouse_of(head, head.age - rng.randint(-2, 6), away=False)]
        elif kind == "single":
            members.append(
                Member(
                    "02", "1", rng.randint(28, 64), surname, eth, marital="10" if self.chance(0.7) else "40"
                )
            )
        elif kind in ("nuclear", "with_parents", "adult_kids"):
            low, high = {"nuclear": (26, 52), "with_parents": (32, 56), "adult_kids": (45, 66)}[kind]
            head = Member(
                "02", "1" if self.chance(0.9) else "2", rng.randint(low, high), surname, eth, marital="20"
            )
            spouse = spouse_of(head, head.age - rng.randint(-3, 6))
            mother_age = spouse.age if head.sex == "1" else head.age
            pattern = rng.random()
            if kind != "adult_kids":  # 22 % both parents away (left-behind children), 38 % one away
                head.away = spouse.away = pattern < 0.22
                if 0.22 <= pattern < 0.60:
                    head.away, spouse.away = True, False
                elif pattern >= 0.60:
                    head.away = spouse.away = False
            members += [head, spouse]
            if kind == "adult_kids":
                children(ADULT_CHILDREN.pick(rng), min(32, mother_age - 19), 16)
            else:
                n = CHILDREN.pick(rng)
                children(n, min(17 if kind == "nuclear" else 25, mother_age - 19))
            if kind == "with_parents":
                who = rng.random()
                both = who < 0.45
                elder = head.age + rng.randint(22, 32)
                if both or who >= 0.80:
                    members.append(
                        Member(
                            "51",
                            "1",
                            min(elder, 96),
                            surname,
                            eth,
                            marital="20" if both else "30",
                            away=False,
                        )
                    )
                if who < 0.80:
                    members.append(
                        Member(
                            "52",
                            "2",
                            min(elder - rng.randint(0, 5), 96),
                            self.surnames.pick(rng),
                            eth,
                            marital="20" if both else "30",
                            away=False,
                            native=self.natives.pick(rng),
                        )
                    )
        else:  # three generations: grandparents (head), a married child with spouse, grandchildren
            head = Member("02", "1", rng.randint(50, 75), surname, eth, marital="20", away=False)
            members += [head, spouse_of(head, head.age - rng.randint(-2, 6), away=False)]
            young_age = rng.randint(22, max(22, min(45, head.age - 20)))
            away_both, away_one = (p := rng.random()) < 0.4, p < 0.7
            partner_age = young_age - rng.randint(-2, 5)
            if self.chance(0.8):  # son and daughter-in-law
                members.append(Member("20", "1", young_age, surname, eth, marital="20", away=away_one))
                members.append(
                    Member(
                        "38",
                        "2",
                        max(partner_age, 20),
                        self.surnames.pick(rng),
                        eth if self.chance(0.7) else self.ethnicities.pick(rng),
                        marital="20",
                        away=away_both,
                        native=self.natives.pick(rng),
                    )
                )
                mother_age, grandchildren = max(partner_age, 20), ("41", "42")
            else:  # daughter with a son-in-law who married in (上门女婿); her children are 外孙子女
                members.append(Member("30", "2", young_age, surname, eth, marital="20", away=away_both))
                members.append(
                    Member(
                        "28",
                        "1",
                        max(partner_age, 20),
                        self.surnames.pick(rng),
                        eth,
                        marital="20",
                        away=away_one,
                        native=self.natives.pick(rng),
                    )
                )
                mother_age, grandchildren = young_age, ("43", "44")
            n = GRANDCHILDREN.pick(rng)
            children(n, min(17, mother_age - 19), relations=grandchildren)
        return kind, members

    # -- one household -------------------------------------------------------------------------

    def household(
        self, ctx: VillageContext
    ) -> tuple[Household, list[Person], list[House], list[EconomyYear]]:
        """One household with members, houses and yearly economy; foreign keys to it are set after saving."""
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
        persons = [self.person(m, address, placed) for m in members]
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
        if chance(0.15 if poor else 0.012 + 0.025 * bool(causes)):
            risk = tables.RISK_BY_CAUSE[causes[0]] if causes else rng.choice(tables.OTHER_RISKS)
            h.update(
                monitoring_status="monitoring" if chance(0.4) else "cleared",
                risk_type=risk,
                monitoring_type="1" if poor else "2" if chance(0.7) else "3",
            )
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
        helped = poor or h.get("monitoring_status") or h.get("dibao") or h.get("tekun")
        if chance(0.9 if helped else 0.12):
            pool = list(causes) + (["elderly"] if alone or kind == "empty_nest" else []) + ["general"]
            picked = dict.fromkeys(rng.choice(pool) for _ in range(2 if chance(0.3) else 1))
            h["difficulties"] = "".join(rng.choice(tables.DIFFICULTIES[c]) for c in picked)
        if helped and self.cadre_ids and (poor or h.get("monitoring_status")):
            h["responsible_cadre_id"] = rng.choice(self.cadre_ids)
        household = NEW_HOUSEHOLD(h)
        return household, persons, houses, self.economy(household, living, kind)

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

    def economy(self, household: Household, living: list[Person], kind: str) -> list[EconomyYear]:
        """年度收支 for the last full years, consistent with who works away, pensions and assistance."""
        rng, chance = self.rng, self.chance
        population = max(len(living), 1)
        wage = business = pension = other = 0
        for p in living:
            age = self.today.year - p.birth_date.year
            if p.residence_status == "20":
                wage += rng.randint(32_000, 60_000)
            elif p.employment in ("24", "13"):
                wage += rng.randint(12_000, 36_000)
            elif p.employment == "54":
                business += rng.randint(10_000, 40_000)
            elif p.employment == "27" and age < 65 and p.labor_ability in ("1", "2") and chance(0.6):
                wage += rng.randint(4_000, 12_000)  # odd jobs near home (零工) besides farming
            if age >= 60:
                pension += rng.randint(30_000, 48_000) if p.employment == "80" else rng.randint(1_900, 2_700)
            if p.disability_category:
                other += 1_200
            if age >= 80:
                other += 600
        cultivated, forest = float(household.cultivated_land_mu), float(household.forest_land_mu)
        # Crops by area, plus pigs, poultry or tea for some.
        business += int(cultivated * rng.randint(600, 1_200)) + (
            rng.randint(2_000, 15_000) if chance(0.45) else 0
        )
        # Farmland subsidy, plus support from children living elsewhere (赡养费) for old couples.
        other += int(cultivated * 110) + (
            rng.randint(3_000, 10_000) if kind in ("alone", "empty_nest") else 0
        )
        prop = rng.randint(300, 3_000) if chance(0.2) else 0
        dibao = population * rng.randint(3_000, 5_200) if household.dibao else 0
        tekun = population * rng.randint(9_000, 12_000) if household.tekun else 0
        eco = int(forest * 16)
        if household.monitoring_status == "monitoring":  # still at risk: lower, less stable earnings
            wage, business = wage * 6 // 10, business * 7 // 10
        rows = []
        for i, year in enumerate(self.years):
            growth = 1 - 0.05 * (len(self.years) - 1 - i)
            w, b = (
                int(wage * growth * rng.uniform(0.95, 1.05)),
                int(business * growth * rng.uniform(0.9, 1.1)),
            )
            row = NEW_ECONOMY(
                dict(
                    area_path=household.area_path,
                    year=year,
                    population=population,
                    wage_income=Decimal(w),
                    business_income=Decimal(b),
                    property_income=Decimal(prop),
                    dibao_income=Decimal(dibao),
                    tekun_income=Decimal(tekun),
                    pension_income=Decimal(int(pension * growth)),
                    eco_compensation_income=Decimal(eco),
                    other_transfer_income=Decimal(other),
                    business_expense=Decimal(int(b * rng.uniform(0.3, 0.5))),
                )
            )
            row.compute()
            rows.append(row)
        return rows
