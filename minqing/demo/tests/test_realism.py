"""The demo county's statistics look like a real one (issue 11 item 5), on 2,000 seeded households.

The rows are generated once for the module inside a transaction that is rolled back at the end; the
tests read them from memory.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone

from minqing.areas.models import Area
from minqing.core.idnumber import address_codes
from minqing.demo import regional
from minqing.demo.writer import generate_registry
from minqing.registry.models import EconomyYear, Household, Person

HOUSEHOLDS = 2000
MARRIED = {"20", "21", "22", "23", "30", "40"}


@dataclass
class Demo:
    today: datetime.date
    persons: list[Person]
    households: list[Household]
    last_year: dict[int, EconomyYear]

    def __post_init__(self) -> None:
        self.by_id = {p.pk: p for p in self.persons}
        self.living = [p for p in self.persons if not p.deceased]
        self.members: dict[int, list[Person]] = {}
        for p in self.living:
            self.members.setdefault(p.household_id, []).append(p)

    def age(self, person: Person) -> int:
        return person.age_on(self.today)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        county = Area.objects.create(code="520622", name="玉屏侗族自治县", level="county")
        township = Area.objects.create(code="520622102", name="朱家场镇", level="township", parent=county)
        village = Area.objects.create(
            code="520622102211", name="鱼塘村村民委员会", level="village", parent=township
        )
        groups = [
            Area.objects.create(code=f"520622102211{n:03d}", name=f"{n}组", level="group", parent=village)
            for n in (1, 2, 3)
        ]
        generate_registry(villages=[(village, groups, [], HOUSEHOLDS)], seed=2026)
        today = timezone.localdate()
        yield Demo(
            today=today,
            persons=list(Person.objects.all()),
            households=list(Household.objects.all()),
            last_year={e.household_id: e for e in EconomyYear.objects.filter(year=today.year - 1)},
        )
        transaction.set_rollback(True)


def test_id_numbers_carry_the_address_code_of_their_time_and_place(demo):
    known = address_codes()
    numbers = [p.id_number for p in demo.persons if p.id_number]
    assert all(n[:6] in known for n in numbers)
    locals_before = [
        p for p in demo.persons if p.id_number and p.native_place == "贵州玉屏" and p.birth_date.year < 2011
    ]
    share = sum(p.id_number[:6] == "522223" for p in locals_before) / len(locals_before)
    assert share > 0.8
    born_since = [p for p in demo.persons if p.id_number and p.birth_date.year >= 2011]
    assert all(p.id_number[:6] != "522223" for p in born_since)  # the code was gone by then
    assert Counter(p.id_number[:6] for p in born_since).most_common(1)[0][0] == "520622"
    # In-married spouses from other counties of Guizhou and from Hunan.
    spouse_codes = {
        p.id_number[:6] for p in demo.persons if p.relation in ("10", "11", "12", "38") and p.id_number
    }
    assert spouse_codes & {"433026", "431227", "433027", "431228"}  # 新晃, 芷江
    assert spouse_codes & {"522230", "520603", "522626", "522222", "522229"}  # 万山, 岑巩, 江口, 松桃


def test_births_fall_and_deaths_follow_the_communiques(demo):
    young = sum(1 for p in demo.living if demo.age(p) <= 5)
    older = sum(1 for p in demo.living if 10 <= demo.age(p) <= 15)
    assert young < older
    deaths = [p for p in demo.persons if p.deceased]
    assert all(p.death_date and p.birth_date <= p.death_date <= demo.today for p in deaths)
    recent = sum(1 for p in deaths if (demo.today - p.death_date).days < 2 * 365) / 2
    assert 4.0 <= 1000 * recent / len(demo.living) <= 10.5  # about 7‰ a year
    assert (
        sorted(demo.age(p) - (demo.today - p.death_date).days // 365 for p in deaths)[len(deaths) // 2] >= 65
    )


def test_left_behind_children_at_a_plausible_share_and_some_away_with_parents(demo):
    rural = {h.pk for h in demo.households if h.household_type == "1"}
    children = [p for p in demo.living if demo.age(p) < 16 and p.household_id in rural]

    def gone(parent: Person | None) -> bool:
        return (
            parent is None
            or parent.deceased
            or parent.residence_status == "20"
            or bool(parent.cannot_guard_reason)
        )

    def away(parent: Person | None) -> bool:
        return parent is not None and not parent.deceased and parent.residence_status == "20"

    left = []
    for child in children:
        father, mother = demo.by_id.get(child.father_id), demo.by_id.get(child.mother_id)
        if child.registration_match and (away(father) or away(mother)) and gone(father) and gone(mother):
            left.append(child)
    assert 0.08 <= len(left) / len(children) <= 0.22
    assert all(child.guardian_name and child.guardian_relation and child.guardian_phone for child in left)
    with_parents = [c for c in children if not c.registration_match and c.residence_status != "30"]
    assert with_parents  # 随迁子女 living where their parents work
    assert all(c.current_area in regional.DESTINATION_AREA.values() for c in with_parents)


def test_inflow_persons_and_elders_away(demo):
    inflow = [p for p in demo.living if p.residence_status == "30"]
    assert len(inflow) > 0.005 * len(demo.living)
    assert all(p.inflow_reason and p.registered_area and not p.registration_match for p in inflow)
    old_away = [p for p in demo.living if demo.age(p) >= 60 and not p.registration_match]
    assert old_away


def test_marriage_ages_and_parent_links(demo):
    for p in demo.living:
        if p.marital_status in MARRIED:
            assert demo.age(p) >= (22 if p.sex == "1" else 20), p.name
    linked = 0
    for child in demo.persons:
        for parent_id, sex, low, high in ((child.father_id, "1", 22, 56), (child.mother_id, "2", 20, 46)):
            if parent_id is None:
                continue
            linked += 1
            parent = demo.by_id[parent_id]
            assert parent.sex == sex
            assert parent.birth_date < child.birth_date
            assert low - 1 <= child.birth_date.year - parent.birth_date.year <= high, (
                parent.name,
                child.name,
            )
    assert linked > len(demo.persons) // 3
    grandparent_links = [
        p for p in demo.persons if p.relation in ("02", "10", "11", "12") and (p.father_id or p.mother_id)
    ]
    assert grandparent_links  # the head's or spouse's own parents in the household


def test_incomes_agree_with_assistance_and_monitoring(demo):
    for household in demo.households:
        net = float(demo.last_year[household.pk].net_per_capita)
        if net < regional.MONITOR_LINE:
            assert household.dibao or household.tekun or household.monitoring_status == "monitoring", (
                household.number
            )
        if household.monitoring_status:
            assert household.monitoring_start is not None
            assert household.risk_type in household.risk_types
        if household.monitoring_status == "cleared":
            assert household.risk_cleared_on and household.risk_cleared_on >= household.monitoring_start
        if household.relocated:
            assert household.resettlement_site
    flagged = sum(1 for h in demo.households if h.monitoring_status)
    assert 0.01 * HOUSEHOLDS <= flagged <= 0.12 * HOUSEHOLDS


def test_insurance_agrees_with_basic_medical_security(demo):
    insecure = 0
    for household in demo.households:
        insured = all(p.medical_insurance for p in demo.members.get(household.pk, []))
        assert household.medical_secure == insured, household.number
        insecure += not household.medical_secure
    assert 0 < insecure < 0.1 * HOUSEHOLDS


def test_heads_identity_and_the_new_fields(demo):
    heads = [p for p in demo.persons if p.relation == "02"]
    assert len(heads) == HOUSEHOLDS
    assert all((p.id_number or p.no_id_reason) and p.sex in ("1", "2") for p in heads)
    assert all(p.no_id_reason for p in demo.persons if not p.id_number)
    school_age = [p for p in demo.living if 6 <= demo.age(p) <= 14]
    in_school = sum(p.school_stage in ("20", "30") and bool(p.school) for p in school_age)
    assert in_school / len(school_age) > 0.95
    assert any(p.school_stage == "10" for p in demo.living)
    assert not any(p.school_stage for p in demo.living if demo.age(p) < 3)
    old = [p for p in demo.living if demo.age(p) >= 80]
    assert all(p.self_care for p in demo.living if demo.age(p) >= 60)
    needing_care = sum(p.self_care in ("2", "3") for p in old) / len(old)
    assert 0.05 <= needing_care <= 0.4
    assert all(p.registered_area and p.current_area for p in demo.living)
    share = sum(h.sanitary_toilet for h in demo.households) / HOUSEHOLDS
    assert 0.6 <= share <= 0.85
    assert sum(h.has_electricity for h in demo.households) > 0.99 * HOUSEHOLDS
    assert all(h.road_access and h.cooking_fuel for h in demo.households)
    assert 0.005 * HOUSEHOLDS <= sum(h.relocated for h in demo.households) <= 0.08 * HOUSEHOLDS
    assert any(h.family_planning for h in demo.households)
    assert any(p.serious_illness for p in demo.persons)
