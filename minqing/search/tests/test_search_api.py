"""Search API: scoped lists and capped counts, Chinese 400s, masking, the tag catalog, the schema."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.registry.tests.factories import PersonFactory
from minqing.tags.models import Tag
from minqing.tags.rules import born_before
from minqing.tags.services import sync_catalog

from .helpers import tag

CJK = re.compile(r"[\u4e00-\u9fff]")
PERSONS = "/api/v1/search/persons/"
HOUSEHOLDS = "/api/v1/search/households/"
COUNT = "/api/v1/search/persons/count/"


def years_ago(years: int) -> datetime.date:
    return born_before(datetime.date.today(), years) - datetime.timedelta(days=30)


@pytest.fixture
def as_user(users):
    def _as(name: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(getattr(users, name))
        return client

    return _as


@pytest.fixture
def tagged(tree, records):
    """In V: a (elderly, disabled), b (elderly), c (disabled); in W: e (elderly). V's household is 低保."""
    sync_catalog()
    people = {}
    for key, codes in [("a", ["elderly", "disabled"]), ("b", ["elderly"]), ("c", ["disabled"])]:
        people[key] = PersonFactory(
            household=records.hv, relation="20", name=f"甲{key}乙", birth_date=years_ago(70)
        )
        for code in codes:
            tag(people[key], code)
    people["e"] = PersonFactory(household=records.hw, relation="20", name="甲e乙", birth_date=years_ago(70))
    tag(people["e"], "elderly")
    tag(records.hv, "dibao")
    return people


def found(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_anonymous_is_401(client, tree):
    assert client.get(PERSONS).status_code == 401
    assert client.get(reverse("api:tag-list")).status_code == 401


def test_person_search_is_scoped(as_user, tagged, records):
    assert found(as_user("inside").get(PERSONS, {"tags_any": "elderly"})) == {"甲a乙", "甲b乙"}
    assert found(as_user("neighbour").get(PERSONS, {"tags_any": "elderly"})) == {"甲e乙"}
    assert found(as_user("above").get(PERSONS, {"tags_any": "elderly"})) == {"甲a乙", "甲b乙", "甲e乙"}
    assert found(as_user("nobody").get(PERSONS)) == set()
    assert found(as_user("neighbour").get(PERSONS, {"area": records.hv.area_path})) == set()


def test_tag_semantics_over_the_api(as_user, tagged):
    client = as_user("inside")
    assert found(client.get(PERSONS, {"tags_all": "elderly,disabled"})) == {"甲a乙"}
    assert found(client.get(PERSONS + "?tags_all=elderly&tags_all=disabled")) == {"甲a乙"}
    assert found(client.get(PERSONS, {"tags_any": "elderly,disabled", "tags_none": "elderly"})) == {"甲c乙"}
    assert found(client.get(PERSONS, {"tags_all": "dibao,disabled"})) == {"甲a乙", "甲c乙"}


def test_results_are_masked_and_paged_without_a_total(as_user, tagged):
    body = as_user("inside").get(PERSONS, {"tags_all": "elderly,disabled"}).json()
    row = body["results"][0]
    assert row["id_number"] == tagged["a"].id_number_masked and tagged["a"].id_number not in str(body)
    assert "*" in row["phone"] and set(body) == {"page", "next", "previous", "results"}


def test_unknown_tag_is_a_400_in_chinese(as_user, tagged):
    response = as_user("inside").get(PERSONS, {"tags_all": "elderly,no-such-tag"})
    assert response.status_code == 400
    body = response.json()
    assert "未知的标签：no-such-tag" in body["errors"]["tags_all"][0] and CJK.search(body["detail"])
    assert as_user("inside").get(COUNT, {"tags_none": "nope"}).status_code == 400
    assert as_user("inside").get(HOUSEHOLDS, {"tags_any": "nope"}).status_code == 400


def test_one_character_name_is_a_400(as_user, tagged):
    response = as_user("inside").get(PERSONS, {"q": "甲"})
    assert response.status_code == 400 and "请至少输入2个字" in str(response.json())


def test_contradictory_conditions_are_empty(as_user, tagged):
    assert found(as_user("inside").get(PERSONS, {"age_min": 80, "age_max": 60})) == set()
    assert as_user("inside").get(COUNT, {"age_min": 80, "age_max": 60}).json() == {
        "count": 0,
        "capped": False,
    }


def test_count_is_scoped_and_capped(as_user, tagged, monkeypatch):
    assert as_user("inside").get(COUNT, {"tags_any": "elderly"}).json() == {"count": 2, "capped": False}
    assert as_user("neighbour").get(COUNT, {"tags_any": "elderly"}).json() == {"count": 1, "capped": False}
    assert as_user("nobody").get(COUNT).json() == {"count": 0, "capped": False}
    from minqing.search import selectors

    real = selectors.capped_count
    monkeypatch.setattr(selectors, "capped_count", lambda qs: real(qs, cap=1))
    assert as_user("inside").get(COUNT, {"tags_any": "elderly"}).json() == {"count": 1, "capped": True}


def test_household_search(as_user, tagged, records):
    body = as_user("inside").get(HOUSEHOLDS, {"tags_all": "dibao"}).json()
    assert [row["number"] for row in body["results"]] == [records.hv.number]
    assert "*" in body["results"][0]["phone"]
    assert as_user("neighbour").get(HOUSEHOLDS, {"tags_all": "dibao"}).json()["results"] == []
    # A person tag on the household search: households with such a member.
    numbers = {
        r["number"] for r in as_user("above").get(HOUSEHOLDS, {"tags_any": "elderly"}).json()["results"]
    }
    assert numbers == {records.hv.number, records.hw.number}
    count = as_user("inside").get("/api/v1/search/households/count/", {"tags_all": "dibao"}).json()
    assert count == {"count": 1, "capped": False}


def test_list_query_count_does_not_grow(as_user, tagged, records, django_assert_max_num_queries):
    client = as_user("inside")
    client.get(PERSONS, {"tags_any": "elderly"})
    # 8, and on PostgreSQL 4 around the ids query inside the test's transaction (core.db.no_merge_join)
    with django_assert_max_num_queries(12) as first:
        client.get(PERSONS, {"tags_any": "elderly"})
    for n in range(10):
        tag(PersonFactory(household=records.hv, relation="20", birth_date=years_ago(60 + n)), "elderly")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert len(client.get(PERSONS, {"tags_any": "elderly"}).json()["results"]) == 12


def test_tag_catalog(as_user, tagged):
    body = as_user("inside").get(reverse("api:tag-list")).json()
    assert len(body) == Tag.objects.filter(is_active=True).count()
    elderly = next(t for t in body if t["code"] == "elderly")
    assert elderly == {
        "code": "elderly",
        "name": "老年人",
        "category": "demographic",
        "category_display": "人口特征",
        "kind": "derived",
        "kind_display": "规则",
        "target": "person",
        "target_display": "人员",
        "is_key_group": True,
        "description": "60周岁及以上",
    }
    Tag.objects.filter(code="dong").update(is_active=False)
    households = as_user("nobody").get(reverse("api:tag-list"), {"target": "household"}).json()
    assert households and {t["target"] for t in households} == {"household"}
    codes = {t["code"] for t in as_user("inside").get(reverse("api:tag-list")).json()}
    assert "dong" not in codes


def test_search_endpoints_are_in_the_schema(as_user, tagged):
    from openapi_spec_validator import validate

    schema = as_user("inside").get(reverse("schema"), {"format": "json"}).json()
    validate(schema)
    for path in (PERSONS, HOUSEHOLDS, COUNT, "/api/v1/search/households/count/", "/api/v1/tags/"):
        assert path in schema["paths"], path
    params = {p["name"] for p in schema["paths"][PERSONS]["get"]["parameters"]}
    assert {"tags_all", "tags_any", "tags_none", "age_min", "age_max", "area", "q", "page"} <= params
    count_params = {p["name"] for p in schema["paths"][COUNT]["get"]["parameters"]}
    assert {"tags_all", "age_min"} <= count_params and "page" not in count_params
    assert "400" in schema["paths"][PERSONS]["get"]["responses"]
