"""Searching persons by a health condition or a health tag needs the ``health`` right in the searched area.

A list naming the persons found by 残疾人 or 慢性病 discloses their health; counts and charts name nobody and
stay. Which tags count as health is decided once, in ``minqing.tags.privacy``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.registry.models import Person
from minqing.registry.tests.factories import PersonFactory
from minqing.tags.models import Category, Tag
from minqing.tags.privacy import builtin_health_codes, is_health_tag
from minqing.tags.services import sync_catalog

from .helpers import tag, years_ago

PERSONS = "/api/v1/search/persons/"
VILLAGE = "520622102211"
TAG_REFUSAL = "不能按健康类标签筛选：残疾人"
FIELD_REFUSAL = "不能按健康状况、残疾等健康信息筛选人员"


@pytest.fixture
def disabled(tree, records) -> Person:
    """甲a乙 in V: elderly and disabled; 甲b乙 in V: elderly only."""
    sync_catalog()
    a = PersonFactory(
        household=records.hv,
        relation="20",
        name="甲a乙",
        birth_date=years_ago(70),
        disability_category="4",
        disability_grade="2",
        health="37",
    )
    b = PersonFactory(household=records.hv, relation="20", name="甲b乙", birth_date=years_ago(70))
    for person, codes in ((a, ["elderly", "disabled"]), (b, ["elderly"])):
        for code in codes:
            tag(person, code)
    return a


def page(client, user, params: dict, name: str = "search:persons"):
    client.force_login(user)
    return client.get(reverse(name), params)


def test_health_tags_are_those_that_read_health_fields():
    codes = builtin_health_codes()
    assert {"disabled", "severe-disability", "chronic", "chronic-37", "disability-certified"} <= codes
    assert {"child-hardship", "disabled-elderly", "severe-mental"} <= codes
    assert not {"elderly", "no-medical-insurance", "dibao", "left-behind-child"} & codes


@pytest.mark.django_db
def test_custom_and_manual_health_tags():
    custom = Tag(code="sugar", name="血糖高", category=Category.FOCUS, kind=Tag.Kind.DERIVED)
    custom.conditions = [{"field": "health", "op": "in", "value": ["37"]}]
    assert is_health_tag(custom)
    custom.conditions = [{"field": "sex", "op": "eq", "value": "2"}]
    assert not is_health_tag(custom)
    manual = Tag(code="bp-follow-up", name="高血压随访", category=Category.HEALTH, kind=Tag.Kind.MANUAL)
    assert is_health_tag(manual)


@pytest.mark.parametrize("params", [{"tags_all": "disabled"}, {"tags_any": "elderly,disabled"}])
@pytest.mark.parametrize("who", ["county", "supervisor"])
def test_list_by_health_tag_is_refused_without_the_right(client, users, disabled, who, params):
    response = page(client, getattr(users, who), params)
    assert response.status_code == 200
    text = response.content.decode()
    assert TAG_REFUSAL in text
    assert "甲a乙" not in text and "甲b乙" not in text


def test_excluding_a_health_tag_is_refused_too(client, users, disabled):
    text = page(client, users.county, {"tags_all": "elderly", "tags_none": "disabled"}).content.decode()
    assert TAG_REFUSAL in text and "甲b乙" not in text


def test_refused_even_inside_one_village(client, users, disabled):
    text = page(client, users.county, {"tags_all": "disabled", "area": VILLAGE}).content.decode()
    assert TAG_REFUSAL in text and "甲a乙" not in text


@pytest.mark.parametrize("params", [{"health": "chronic"}, {"disability_category": "4"}])
def test_list_by_health_field_is_refused_without_the_right(client, users, disabled, params):
    response = page(client, users.county, params)
    assert response.status_code == 200
    text = response.content.decode()
    assert FIELD_REFUSAL in text and "甲a乙" not in text


@pytest.mark.parametrize("who", ["inside", "grid", "above", "data_admin"])
def test_readers_with_the_right_find_by_health(client, users, disabled, who):
    for params in ({"tags_all": "disabled"}, {"health": "chronic"}, {"disability_category": "4"}):
        response = page(client, getattr(users, who), params)
        assert response.status_code == 200
        text = response.content.decode()
        assert "甲a乙" in text and "甲b乙" not in text, params
        assert TAG_REFUSAL not in text and FIELD_REFUSAL not in text


def test_mixed_scope_needs_the_right_over_the_searched_area(client, tree, users, disabled):
    from minqing.accounts.roles import Role
    from minqing.accounts.tests.factories import assign

    both = assign(users.county, Role.VILLAGE_CADRE, tree.v)  # health in V only, view in the whole county
    assert TAG_REFUSAL in page(client, both, {"tags_all": "disabled"}).content.decode()
    text = page(client, both, {"tags_all": "disabled", "area": VILLAGE}).content.decode()
    assert "甲a乙" in text and TAG_REFUSAL not in text


def test_non_health_tags_stay_open(client, users, disabled):
    text = page(client, users.county, {"tags_all": "elderly"}).content.decode()
    assert "甲a乙" in text and "甲b乙" in text


def test_household_search_by_members_health_tag_is_refused(client, users, disabled, records):
    response = page(client, users.county, {"tags_all": "disabled"}, "search:households")
    assert response.status_code == 200
    text = response.content.decode()
    assert TAG_REFUSAL in text and records.hv.number not in text
    text = page(client, users.inside, {"tags_all": "disabled"}, "search:households").content.decode()
    assert records.hv.number in text


def test_key_group_page_keeps_counts_but_refuses_the_list(client, users, disabled):
    response = page(client, users.county, {}, "search:groups")
    assert response.status_code == 200
    client.force_login(users.county)
    response = client.get(reverse("search:group", args=["disabled"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert TAG_REFUSAL in text and "甲a乙" not in text


def test_charts_count_health_groups(client, users, disabled):
    client.force_login(users.county)
    response = client.get(reverse("charts:persons"), {"tags_all": "disabled", "dim": "sex"})
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body and sum(item["value"] for item in body["items"]) == 1


@pytest.mark.parametrize(("who", "status"), [("county", 400), ("supervisor", 400), ("inside", 200)])
def test_api_search_by_health_tag(users, disabled, who, status):
    api = APIClient()
    api.force_authenticate(getattr(users, who))
    response = api.get(PERSONS, {"tags_all": "disabled"})
    assert response.status_code == status
    if status == 400:
        assert TAG_REFUSAL in response.json()["errors"]["tags_all"][0]
        assert "甲a乙" not in response.content.decode()
    else:
        assert [row["name"] for row in response.json()["results"]] == ["甲a乙"]


def test_search_form_offers_health_conditions_only_with_the_right(client, users, disabled):
    for who, offered in (("inside", True), ("county", False), ("supervisor", False)):
        text = page(client, getattr(users, who), {}).content.decode()
        assert ('name="health"' in text) is offered, who
        assert ('name="disability_category"' in text) is offered, who
        assert 'name="age_min"' in text, who
