"""Spot checks of the national code tables (no database)."""

from __future__ import annotations

import pytest
from django.db import models

from minqing.core import codes
from minqing.core.codes import (
    CHRONIC_DISEASE_CODES,
    DISABILITY_HEALTH_CODES,
    Education,
    Ethnicity,
    Health,
    Relation,
    Sex,
    label,
)


def all_tables() -> list[type[models.TextChoices]]:
    return [
        obj
        for obj in vars(codes).values()
        if isinstance(obj, type) and issubclass(obj, models.TextChoices) and obj is not models.TextChoices
    ]


def test_spot_checks() -> None:
    assert Ethnicity("12").label == "侗族"
    assert Ethnicity("01").label == "汉族"
    assert Ethnicity("56").label == "基诺族"
    assert Relation("02").label == "户主"
    assert Relation("01").label == "本人"
    assert Relation("99").label == "非亲属"
    assert Sex.MALE == "1"
    assert Sex.FEMALE == "2"
    assert Health("37").label == "糖尿病"
    assert Education("99").label == "文盲或半文盲"
    assert codes.DisabilityGrade("1").label == "一级"
    assert codes.PoliticalStatus("13").label == "群众"


def test_ethnicity_has_56_groups_plus_two() -> None:
    values = Ethnicity.values
    assert [f"{n:02d}" for n in range(1, 57)] == values[:56]
    assert values[56:] == ["97", "98"]
    assert all(str(lab).endswith("族") for lab in Ethnicity.labels[:56])


def test_health_groups() -> None:
    assert "30" in CHRONIC_DISEASE_CODES and "41" in CHRONIC_DISEASE_CODES
    assert "60" not in CHRONIC_DISEASE_CODES
    assert DISABILITY_HEALTH_CODES == {"60", "61", "62", "63", "64", "65", "66", "67", "69"}


@pytest.mark.parametrize("table", all_tables(), ids=lambda t: t.__name__)
def test_tables_are_well_formed(table: type[models.TextChoices]) -> None:
    values = table.values
    assert values, table
    assert len(set(values)) == len(values)
    assert len({str(lab) for lab in table.labels}) == len(values)
    first = 1 if table in codes.OWN_TABLES else 0  # our own tables start with "none", stored as ""
    assert all(v and v.strip() == v for v in values[first:])
    assert first == 0 or values[0] == ""
    assert all(str(lab) for lab in table.labels)


def test_expected_tables_exist() -> None:
    names = {t.__name__ for t in all_tables()}
    expected = (
        "Sex MaritalStatus Health Employment Ethnicity PoliticalStatus Education Relation Religion "
        "MilitaryService DisabilityCategory DisabilityGrade LeftBehindType InflowReason ResidenceType "
        "BuildingUse HazardType KeyYouthType LaborAbility WorkLocation PovertyCause MonitoringType RiskType "
        "ResidenceStatus HouseSafetyGrade HouseStructure HouseholdType HouseholdStatus"
    ).split()
    for name in expected:
        assert name in names, name


def test_label_helper() -> None:
    assert label(Ethnicity, "12") == "侗族"
    assert label(Relation, Relation.HEAD) == "户主"
    assert label(codes.DisabilityCategory, 4) == "肢体残疾"
    assert isinstance(label(Sex, "1"), str)
    # Unknown codes fall back to the code itself; empty values give "".
    assert label(Ethnicity, "57") == "57"
    assert label(Relation, "XX") == "XX"
    assert label(Sex, None) == ""
    assert label(Sex, "") == ""


# GB/T 4761-2008 and GB/T 4658-2006 in full (the standards' own tables).
RELATION_TABLE = (
    "01 02 10 11 12 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 "
    "50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 "
    "80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 99"
).split()
EDUCATION_TABLE = (
    "10 11 12 13 14 15 16 17 18 19 20 21 22 23 28 30 31 32 33 40 41 42 43 44 45 46 47 48 49 "
    "60 61 62 63 70 71 73 80 81 83 90"
).split()


def test_relation_table_is_complete() -> None:
    assert Relation.values == RELATION_TABLE
    assert Relation("24").label == "三子"
    assert Relation("29").label == "其他儿子"
    assert Relation("36").label == "五女"
    assert Relation("45").label == "孙媳妇或外孙媳妇"
    assert Relation("57").label == "继父或养父"
    assert Relation("58").label == "继母或养母"
    assert Relation("66").label == "曾祖父"
    assert Relation("79").label == "其他兄弟姐妹"
    assert Relation("81").label == "伯父"
    assert Relation("84").label == "婶母"
    assert Relation("90").label == "姑母"
    assert Relation("96").label == "外甥女"


def test_existing_relation_and_education_values_unchanged() -> None:
    # Stored data uses these: the values (and member names) must never move.
    assert (Relation.HEAD, Relation.SPOUSE, Relation.SON, Relation.DAUGHTER) == ("02", "10", "20", "30")
    assert (Relation.SON_IN_LAW, Relation.DAUGHTER_IN_LAW, Relation.OTHER) == ("28", "38", "80")
    assert (Relation.OTHER_RELATIVE, Relation.NON_RELATIVE) == ("97", "99")
    assert (Education.DOCTORATE, Education.MASTER, Education.BACHELOR, Education.JUNIOR_COLLEGE) == (
        "11",
        "14",
        "21",
        "31",
    )
    assert (Education.HIGH_SCHOOL, Education.JUNIOR_HIGH, Education.PRIMARY) == ("61", "71", "81")
    assert (Education.OTHER, Education.ILLITERATE) == ("90", "99")
    assert Relation.DAUGHTER.label == "女"  # pgettext("relation to the head", …) kept


def test_education_table_has_the_sub_codes() -> None:
    assert Education.values == [*EDUCATION_TABLE, "99"]
    assert Education("73").label == "初中肄业"
    assert Education("83").label == "小学肄业"
    assert Education("62").label == "普通高中结业"
    assert Education("71").label == "初中毕业"
    assert Education("70").label == "初级中学教育"
    assert Education("28").label == "大学普通班毕业"


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("73", "70"),
        ("71", "70"),
        ("70", "70"),
        ("83", "80"),
        ("13", "10"),
        ("28", "20"),
        ("49", "40"),
        ("63", "60"),
        ("90", "90"),
        ("99", "99"),
        ("", ""),
        (None, ""),
        ("7", ""),
        ("ab", ""),
        ("０３", ""),
    ],
)
def test_education_level(code: object, level: str) -> None:
    assert codes.education_level(code) == level


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("45", "40"),
        ("24", "20"),
        ("28", "20"),
        ("38", "30"),
        ("01", "00"),
        ("02", "00"),
        ("12", "10"),
        ("57", "50"),
        ("69", "60"),
        ("79", "70"),
        ("81", "80"),
        ("90", "80"),
        ("96", "80"),
        ("99", "80"),
        ("", ""),
        (None, ""),
        ("123", ""),
    ],
)
def test_relation_group(code: object, group: str) -> None:
    assert codes.relation_group(code) == group


def test_every_code_has_a_level_or_group_in_its_table() -> None:
    assert all(codes.education_level(c) in Education.values for c in Education.values)
    assert all(codes.relation_group(c) in {"00", *Relation.values} for c in Relation.values)


def test_code_sets_for_rules() -> None:
    assert codes.education_codes("70") == {"70", "71", "73"}
    assert codes.EDUCATION_COLLEGE_CODES == set(EDUCATION_TABLE[:19])  # 10 … 33
    assert "41" not in codes.EDUCATION_COLLEGE_CODES and "99" not in codes.EDUCATION_COLLEGE_CODES
    assert codes.relation_codes("10") == codes.RELATION_SPOUSE_CODES == {"10", "11", "12"}
    assert codes.RELATION_HEAD_CODES == {"01", "02"}
    children = codes.RELATION_CHILD_CODES
    assert {"20", "24", "25", "26", "27", "29", "30", "34", "37", "39"} <= children
    assert not children & {"28", "38"} and codes.RELATION_CHILD_IN_LAW_CODES == {"28", "38"}
    assert codes.RELATION_GRANDCHILD_CODES == {"40", "41", "42", "43", "44", "49"}
    assert codes.RELATION_PARENT_CODES == {"50", "51", "52", "57", "58", "59"}
    assert codes.relation_codes("80") == {c for c in RELATION_TABLE if c >= "80"}


def test_exchange_codes() -> None:
    # The local 99 文盲或半文盲 is not in GB/T 4658-2006: it leaves as 90 其他.
    assert codes.exchange_code(Education, "99") == "90"
    assert codes.exchange_code(Education, Education.ILLITERATE) == "90"
    assert codes.exchange_code(Education, "73") == "73"
    # 99 非亲属 is GB/T 4761's own code (and its 90 is 姑母): unchanged.
    assert codes.exchange_code(Relation, "99") == "99"
    assert codes.exchange_code(Education, None) == ""
    assert set(codes.EXCHANGE_CODES) == {Education}
