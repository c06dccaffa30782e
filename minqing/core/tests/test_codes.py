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
