"""Fixtures shared by the search tests: the tag catalog and a village of tagged persons."""

from __future__ import annotations

import pytest

from minqing.registry.tests.factories import PersonFactory
from minqing.search.tests.helpers import tag, years_ago
from minqing.tags.models import Tag
from minqing.tags.services import sync_catalog


@pytest.fixture
def catalog(db):
    sync_catalog()
    return {t.code: t for t in Tag.objects.all()}


@pytest.fixture
def village(tree, records, catalog):
    """Persons in V: a (elderly, disabled), b (elderly), c (disabled), d (no tag); e is elderly in W."""
    people = {}
    for key, codes, birth in [
        ("a", ["elderly", "disabled"], years_ago(82)),
        ("b", ["elderly"], years_ago(70)),
        ("c", ["disabled"], years_ago(40)),
        ("d", [], years_ago(30)),
    ]:
        person = PersonFactory(household=records.hv, relation="20", name=f"甲{key}乙", birth_date=birth)
        for code in codes:
            tag(person, code)
        people[key] = person
    people["e"] = PersonFactory(household=records.hw, relation="20", name="甲e乙", birth_date=years_ago(75))
    tag(people["e"], "elderly")
    return people
