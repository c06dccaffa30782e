"""Searching by 学历: a main level finds its 毕业/结业/肄业 sub-codes; a sub-code finds only itself."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from minqing.registry.tests.factories import PersonFactory
from minqing.search.filters import PersonSearch

pytestmark = pytest.mark.django_db


@pytest.fixture
def schooled(records):
    return {
        code: PersonFactory(household=records.hv, relation="20", name=f"学{code}", education=code)
        for code in ("71", "73", "70", "81", "83", "99")
    }


def found(user, params: str) -> set[str]:
    filterset = PersonSearch(QueryDict(params), user=user)
    assert filterset.is_valid(), filterset.errors
    return {p.education for p in filterset.qs if p.name.startswith("学")}


def test_a_main_level_finds_its_sub_codes(users, schooled):
    assert found(users.inside, "education=70") == {"70", "71", "73"}
    assert found(users.inside, "education=70&education=80") == {"70", "71", "73", "81", "83"}
    assert found(users.inside, "education=80&education=99") == {"81", "83", "99"}
    assert found(users.inside, "education=90") == set()  # 90 其他 is its own level; 99 is not in it


def test_a_sub_code_finds_only_itself(users, schooled):
    assert found(users.inside, "education=73") == {"73"}
    assert found(users.inside, "education=71&education=83") == {"71", "83"}


def test_an_unknown_code_is_a_form_error(users, schooled):
    assert not PersonSearch(QueryDict("education=72"), user=users.inside).is_valid()
