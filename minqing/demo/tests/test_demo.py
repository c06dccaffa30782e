"""The demo data generator: valid, consistent, deterministic rows written in bulk."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from minqing.areas.models import Area
from minqing.core.idnumber import check_consistency, normalize_id_number
from minqing.demo.writer import generate_registry
from minqing.registry.models import EconomyYear, House, Household, Person, Place

HOUSEHOLDS = 60


@pytest.fixture
def village_spec(db):
    """county 520622 → 朱家场镇 → 鱼塘村 with two groups and one grid."""
    county = Area.objects.create(code="520622", name="玉屏侗族自治县", level="county")
    township = Area.objects.create(code="520622102", name="朱家场镇", level="township", parent=county)
    village = Area.objects.create(
        code="520622102211", name="鱼塘村村民委员会", level="village", parent=township
    )
    groups = [
        Area.objects.create(code="520622102211001", name="第一村民小组", level="group", parent=village),
        Area.objects.create(code="520622102211002", name="第二村民小组", level="group", parent=village),
    ]
    grids = [Area.objects.create(code="520622102211901", name="鱼塘村第1网格", level="grid", parent=village)]
    return village, groups, grids


def _wipe() -> None:
    EconomyYear.objects.all().delete()
    Person.objects.all().delete()
    House.objects.all().delete()
    Place.objects.all().delete()
    Household.objects.all().delete()


def _first_household() -> tuple[str, str, list[str]]:
    first = Household.objects.order_by("number").first()
    return (
        first.number,
        first.head_name,
        list(first.members.order_by("pk").values_list("id_number", flat=True)),
    )


@pytest.mark.django_db
def test_counts_match_the_database(village_spec):
    village, groups, grids = village_spec
    done: list[int] = []
    counts = generate_registry(
        villages=[(village, groups, grids, HOUSEHOLDS)], seed=7, batch_size=25, progress=done.append
    )
    assert counts == {
        "households": Household.objects.count(),
        "persons": Person.objects.count(),
        "houses": House.objects.count(),
        "economy": EconomyYear.objects.count(),
        "places": Place.objects.count(),
    }
    assert counts["households"] == HOUSEHOLDS
    assert counts["persons"] > HOUSEHOLDS * 2
    assert counts["economy"] == HOUSEHOLDS * 3
    assert counts["houses"] >= HOUSEHOLDS
    assert counts["places"] >= 1
    assert done == [25, 50, 60]


@pytest.mark.django_db
def test_persons_pass_the_input_rules(village_spec):
    village, groups, grids = village_spec
    generate_registry(villages=[(village, groups, grids, HOUSEHOLDS)], seed=7)
    today = timezone.localdate()
    persons = list(Person.objects.all())
    numbers = [p.id_number for p in persons if p.id_number]
    assert len(set(numbers)) == len(numbers) > 0.95 * len(persons)
    for person in persons:
        if not person.id_number:  # a baby whose number is not applied for yet
            assert person.no_id_reason == "1" and person.relation != "02"
            person.full_clean()
            continue
        assert normalize_id_number(person.id_number) == person.id_number
        check_consistency(person.id_number, birth_date=person.birth_date, sex=person.sex)
        assert person.birth_date <= today
        assert person.death_date is None or person.birth_date <= person.death_date <= today
        assert person.deceased == (person.death_date is not None)
        if person.disability_category:
            assert (
                person.disability_cert_no
                == person.id_number + person.disability_category + person.disability_grade
            )
        person.full_clean()  # the same model rules (codes, clean()) as forms and imports
    assert any(p.residence_status == "20" and p.away_destination and p.away_since for p in persons)
    assert any(p.residence_status == "40" for p in persons)


@pytest.mark.django_db
def test_households_heads_paths_and_rows_are_consistent(village_spec):
    village, groups, grids = village_spec
    cadre = get_user_model().objects.create_user(username="cadre", password="x-Long-Password-1")
    generate_registry(villages=[(village, groups, grids, HOUSEHOLDS)], seed=3, responsible_cadres=[cadre])
    heads = Counter(Person.objects.filter(relation="02").values_list("household_id", flat=True))
    households = list(Household.objects.all())
    group_codes = {g.code for g in groups}
    for household in households:
        assert heads[household.pk] == 1
        head = household.members.get(relation="02")
        assert household.head_name == head.name
        assert household.member_count == household.members.filter(deceased=False).count()
        assert household.number.startswith(village.code) and len(household.number) == 16
        group_no = int(household.area.code[-3:])
        assert household.address.startswith(f"朱家场镇鱼塘村{group_no}组") and household.address.endswith(
            "号"
        )
        assert household.area.code in group_codes
        assert household.area_path == household.area.code and household.grid_path == household.grid.code
        if household.phone:
            assert household.members.filter(phone=household.phone).exists()
        household.full_clean()
        for row in [*household.members.all(), *household.houses.all()]:
            assert (row.area_id, row.area_path, row.grid_id, row.grid_path) == (
                household.area_id,
                household.area_path,
                household.grid_id,
                household.grid_path,
            )
        for house in household.houses.all():
            house.full_clean()
        years = list(household.economy.order_by("year"))
        assert [e.year for e in years] == [timezone.localdate().year - 3 + i for i in range(3)]
        for economy in years:
            assert economy.area_path == household.area_path
            assert economy.population == max(household.member_count, 1)
            stored = economy.net_per_capita
            economy.compute()
            assert stored == economy.net_per_capita
            assert economy.total_income >= Decimal(0)
    assert len({h.number for h in households}) == len(households)
    assert {h.area_id for h in households} == {g.pk for g in groups}  # spread across groups
    for household in households:
        if household.poverty_alleviated or household.monitoring_status:
            assert household.responsible_cadre_id == cadre.pk
    for place in Place.objects.all():
        place.full_clean()
        assert place.name.startswith("鱼塘村") and place.area_path in group_codes
    phones = [p for p in Person.objects.exclude(phone="").values_list("phone", flat=True)]
    assert len(phones) == len(set(phones)) and all(len(p) == 11 and p[0] == "1" for p in phones)


@pytest.mark.django_db
def test_same_seed_same_data(village_spec):
    village, groups, grids = village_spec
    generate_registry(villages=[(village, groups, grids, 20)], seed=42)
    first = _first_household()
    _wipe()
    generate_registry(villages=[(village, groups, grids, 20)], seed=42)
    assert _first_household() == first
    _wipe()
    generate_registry(villages=[(village, groups, grids, 20)], seed=43)
    assert _first_household() != first


@pytest.mark.django_db
def test_a_second_run_adds_without_collisions(village_spec):
    village, groups, grids = village_spec
    generate_registry(villages=[(village, groups, grids, 30)], seed=5)
    generate_registry(villages=[(village, groups, grids, 30)], seed=5)
    numbers = sorted(Household.objects.values_list("number", flat=True))
    assert numbers == [f"{village.code}{n:04d}" for n in range(1, 61)]
    assert Person.objects.values("id_number").distinct().count() == Person.objects.count()


@pytest.mark.django_db
def test_name_initials_match_pypinyin(village_spec):
    from pypinyin import Style, lazy_pinyin

    village, groups, grids = village_spec
    generate_registry(villages=[(village, groups, grids, 40)], seed=9)
    for name, initials in Person.objects.values_list("name", "name_initials"):
        expected = "".join(
            p[:1] for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
        ).lower()
        assert initials == expected


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_batches_commit_one_by_one(village_spec):
    """Outside a transaction, PostgreSQL saves in a background thread; the result is the same."""
    village, groups, grids = village_spec
    done: list[int] = []
    counts = generate_registry(
        villages=[(village, groups, grids, 30), (village, groups, grids, 10)],
        seed=8,
        batch_size=16,
        progress=done.append,
    )
    assert done == [16, 32, 40]
    assert counts["households"] == Household.objects.count() == 40
    assert counts["persons"] == Person.objects.count()
    assert Household.objects.filter(number=f"{village.code}0040").exists()  # the repeated village continues


MALE_RELATIONS = {"11", "20", "28", "41", "43", "51", "55"}
FEMALE_RELATIONS = {"12", "30", "38", "42", "44", "52", "56"}
YOUNGER_GENERATION = {"20", "30", "38", "28", "41", "42", "43", "44"}


@pytest.mark.django_db
def test_relations_fit_sex_and_age(village_spec):
    village, groups, grids = village_spec
    generate_registry(villages=[(village, groups, grids, HOUSEHOLDS)], seed=21)
    for household in Household.objects.prefetch_related("members"):
        members = list(household.members.all())
        head = next(p for p in members if p.relation == "02")
        for person in members:
            if person.relation in MALE_RELATIONS:
                assert person.sex == "1", person.relation
            if person.relation in FEMALE_RELATIONS:
                assert person.sex == "2", person.relation
            if person.relation in {"41", "42", "43", "44"}:
                assert person.birth_date > head.birth_date.replace(year=head.birth_date.year + 30)
            elif person.relation in YOUNGER_GENERATION:
                assert person.birth_date > head.birth_date
            if person.relation in {"51", "52"}:
                assert person.birth_date < head.birth_date
            if person.relation in {"10", "11", "12"}:
                assert person.sex != head.sex and person.marital_status == "20"
