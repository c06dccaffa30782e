"""A demo household's 年度收支 and the flags that must agree with it and with its members.

- Income and assistance: a household whose last-year net income per head is below the monitoring line
  (:data:`regional.MONITOR_LINE`) is a 低保/特困 household or a 防止返贫 monitoring object, or its income
  is raised above the line (零工, support from children); 低保 and monitored households earn little.
- 防止返贫监测: every monitored household has its 纳入监测日期 (the mechanism started in 2020), cleared
  ones a 风险消除日期 after it, and 风险类型 that include the main one.
- 基本医疗有保障 is true exactly when every living member is insured (helped households all are);
  义务教育有保障 is false when a child of compulsory-school age dropped out.
- Living conditions, 易地扶贫搬迁 (mostly former poor households) and 计生户.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from minqing.registry.models import EconomyYear, Household, Person

from . import regional
from .family import Family
from .rows import NEW_ECONOMY, Weighted

#: The monitoring mechanism (防止返贫动态监测和帮扶机制) started in mid-2020.
MONITORING_SINCE = datetime.date(2020, 6, 1)
#: Years of 年度收支 per household: the last full years.
ECONOMY_YEARS = 3
#: Share of households below the monitoring line that are taken in (the others earn more than drawn).
TAKEN_IN = 0.12


class Welfare(Family):
    """年度收支, assistance and monitoring, insurance, living conditions of a drawn household."""

    def __init__(self, *, seed: int, id_offset: int | None) -> None:
        super().__init__(seed=seed, id_offset=id_offset)
        self.years = [self.today.year - ECONOMY_YEARS + i for i in range(ECONOMY_YEARS)]
        self.roads = Weighted(regional.ROAD_ACCESS)
        self.fuels = Weighted(regional.COOKING_FUEL)
        self.old_fuels = Weighted(regional.OLD_COOKING_FUEL)

    # -- monitoring ----------------------------------------------------------------------------

    def monitor(self, household: Household, status: str, mtype: str, risk: str) -> None:
        """Make ``household`` a monitoring object with consistent dates and risk types."""
        rng, today = self.rng, self.today_ord
        since = MONITORING_SINCE.toordinal()
        household.monitoring_status, household.monitoring_type, household.risk_type = status, mtype, risk
        extra = rng.choice(("01", "03", "07", "08")) if self.chance(0.25) else risk
        household.risk_types = list(dict.fromkeys([risk, extra]))
        if status == "monitoring":
            start = rng.randint(max(since, today - 3 * 365), today - 20)
        else:
            start = rng.randint(since, today - 400)
            cleared = min(start + rng.randint(180, 900), today - 1)
            household.risk_cleared_on = datetime.date.fromordinal(cleared)
        household.monitoring_start = datetime.date.fromordinal(start)

    # -- 年度收支 ---------------------------------------------------------------------------------

    def economy(self, household: Household, living: list[Person], kind: str) -> list[EconomyYear]:
        """年度收支 for the last full years, consistent with who works away, pensions and assistance,
        and with the household's 低保/特困/监测 flags (see the module docstring)."""
        rng, chance = self.rng, self.chance
        population = max(len(living), 1)
        wage = business = pension = other = 0
        able = False
        for p in living:
            age = self.today.year - p.birth_date.year
            able = able or (16 <= age < 65 and p.labor_ability in ("1", "2"))
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
        fixed = {"prop": prop, "dibao": dibao, "tekun": tekun, "eco": eco, "pension": pension, "other": other}
        # Drawn once, so adjusting the earnings below keeps the years' shape.
        noise = [(rng.uniform(0.95, 1.05), rng.uniform(0.9, 1.1), rng.uniform(0.3, 0.5)) for _ in self.years]
        rows = self.rows(household, population, wage, business, fixed, noise)
        own = float(rows[-1].net_per_capita) - (dibao + tekun) / population
        if household.dibao or household.tekun:
            target = rng.uniform(0.5, 1.05) * regional.DIBAO_LINE
        elif household.monitoring_status == "monitoring":
            target = rng.uniform(0.75, 1.15) * regional.MONITOR_LINE
        else:
            target = 0.0
        if target and own > target and wage + business:  # assisted households earn little
            share = max(0.05, 1 - (own - target) * population / (wage + business * 0.6))
            wage, business = int(wage * share), int(business * share)
            rows = self.rows(household, population, wage, business, fixed, noise)
        net = float(rows[-1].net_per_capita)
        if net < regional.MONITOR_LINE and not (household.dibao or household.tekun):
            if household.monitoring_status == "monitoring":
                return rows
            if not household.monitoring_status and chance(TAKEN_IN):
                mtype = "1" if household.poverty_alleviated else "2"
                self.monitor(household, "monitoring", mtype, "08" if not able else "07")
                return rows
            # Earns more than drawn: day labour, or children's support where nobody can work.
            missing = int((rng.uniform(1.05, 1.6) * regional.MONITOR_LINE - net) * population)
            if able:
                wage += int(missing / 0.97)
            else:
                fixed["other"] += missing
            rows = self.rows(household, population, wage, business, fixed, noise)
        return rows

    def rows(
        self,
        household: Household,
        population: int,
        wage: int,
        business: int,
        fixed: dict[str, int],
        noise: list[tuple[float, float, float]],
    ) -> list[EconomyYear]:
        rows = []
        for i, year in enumerate(self.years):
            growth = 1 - 0.05 * (len(self.years) - 1 - i)
            w_noise, b_noise, expense = noise[i]
            w, b = int(wage * growth * w_noise), int(business * growth * b_noise)
            row = NEW_ECONOMY(
                dict(
                    area_path=household.area_path,
                    year=year,
                    population=population,
                    wage_income=Decimal(w),
                    business_income=Decimal(b),
                    property_income=Decimal(fixed["prop"]),
                    dibao_income=Decimal(fixed["dibao"]),
                    tekun_income=Decimal(fixed["tekun"]),
                    pension_income=Decimal(int(fixed["pension"] * growth)),
                    eco_compensation_income=Decimal(fixed["eco"]),
                    other_transfer_income=Decimal(fixed["other"]),
                    business_expense=Decimal(int(b * expense)),
                )
            )
            row.compute()
            rows.append(row)
        return rows

    # -- the rest of the household -------------------------------------------------------------

    def conditions(self, h: dict[str, Any], kind: str, poor: bool) -> None:
        """Living conditions (通电, 入户路, 卫生厕所, 燃料) and 易地扶贫搬迁 into the household's fields."""
        chance = self.chance
        old = kind in ("alone", "empty_nest")
        h["has_electricity"] = chance(0.998)
        h["road_access"] = self.roads.pick(self.rng)
        h["sanitary_toilet"] = chance(regional.SANITARY_TOILET - (0.2 if old else 0.0))
        h["cooking_fuel"] = (self.old_fuels if old or poor else self.fuels).pick(self.rng)
        if chance(0.3 if poor else 0.004):
            h.update(relocated=True, resettlement_site=self.rng.choice(regional.RESETTLEMENT_SITES))

    def settle(self, household: Household, living: list[Person], kind: str, helped: bool) -> None:
        """Insurance and the two guarantees it decides, and the 计生户 type, once the members are known."""
        if helped:
            for p in living:
                p.medical_insurance = True
        household.medical_secure = all(p.medical_insurance for p in living)
        if any(p.school_stage == "91" and p.age_on(self.today) < 16 for p in living):
            household.education_secure = False
        children = [p for p in living if p.relation in ("20", "30")]
        head = living[0] if living else None
        if kind == "empty_nest" and self.chance(0.005):
            household.family_planning = "3"  # 计生特殊家庭: the only child died
        elif head is not None and head.age_on(self.today) < 60 and kind != "inflow":
            if len(children) == 1 and self.chance(0.25):
                household.family_planning = "1"
            elif len(children) == 2 and all(p.sex == "2" for p in children) and self.chance(0.4):
                household.family_planning = "2"
