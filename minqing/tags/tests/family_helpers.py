"""Families for the official-definition tag rules: persons by name, relation and age on a fixed date."""

from __future__ import annotations

import datetime

from minqing.registry.models import Household, Person
from minqing.registry.tests.factories import PersonFactory
from minqing.tags import services
from minqing.tags.models import PersonTag, Tag
from minqing.tags.rules import born_before

TODAY = datetime.date(2026, 11, 22)
AWAY, HOME = "20", "10"
DEAD = {"deceased": True, "death_date": datetime.date(2021, 5, 1)}


def years_ago(years: int, days: int = 0) -> datetime.date:
    return born_before(TODAY, years) - datetime.timedelta(days=days)


def person(household: Household, name: str, relation: str, age: int, *, sex: str = "1", **fields) -> Person:
    """A member; women of 20 and over who are not the head are married unless told otherwise."""
    if age >= 20 and sex == "2" and relation != "02":
        fields.setdefault("marital_status", "20")
    return PersonFactory(
        household=household, name=name, relation=relation, sex=sex, birth_date=years_ago(age), **fields
    )


def linked(code: str) -> set[str]:
    """The names carrying ``code`` now, without refreshing (what the incremental path left)."""
    return set(PersonTag.objects.filter(tag__code=code).values_list("person__name", flat=True))


def tagged(code: str) -> set[str]:
    """Refresh one rule tag as of TODAY and return the names it tags."""
    services.refresh_tag(Tag.objects.get(code=code), today=TODAY)
    return linked(code)


def rederived(code: str) -> set[str]:
    """Drop the links of ``code`` and re-derive every household the incremental way (``refresh_households``:
    every rule as one boolean column): it must agree with the set-wise ``tagged``."""
    PersonTag.objects.filter(tag__code=code).delete()
    services.refresh_households(list(Household.objects.values_list("pk", flat=True)), today=TODAY)
    return linked(code)
