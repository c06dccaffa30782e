"""Distribution charts: every chart counts exactly the search list's rows, inside the user's scope only."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from minqing.registry.tests.factories import HouseholdFactory, PersonFactory
from minqing.search import charts
from minqing.search.filters import PersonSearch, search_queryset
from minqing.tags.models import PersonTag, Tag
from minqing.tags.rules import born_before

URL = "charts:persons"


def aged(years: int) -> datetime.date:
    """A birth date that makes someone exactly ``years`` old today (a day past the birthday)."""
    return born_before(timezone.localdate(), years) - datetime.timedelta(days=1)


def tag(code: str, name: str, *, key_group: bool) -> Tag:
    return Tag.objects.create(
        code=code, name=name, category="focus", kind="manual", target="person", is_key_group=key_group
    )


def set_tag(tag_: Tag, person) -> None:
    PersonTag.objects.create(
        tag=tag_,
        person=person,
        area_path=person.area_path,
        grid_path=person.grid_path,
        birth_date=person.birth_date,
        sex=person.sex,
        household_id=person.household_id,
    )


@pytest.fixture
def people(tree, records):
    """V: 5 living persons (two groups, all ages) + 1 deceased; W: 2; X: 1. Key-group tag 留守老人 on V and W."""
    hv2 = HouseholdFactory(number="5206221022110002", area=tree.v2)
    child = PersonFactory(household=records.hv, relation="20", name="龙小", birth_date=aged(5), sex="2")
    teen = PersonFactory(household=records.hv, relation="30", name="龙中", birth_date=aged(16), sex="2")
    old = PersonFactory(household=hv2, name="龙老", birth_date=aged(85))
    sixty = PersonFactory(household=hv2, relation="10", name="龙妻", birth_date=aged(65), sex="2")
    PersonFactory(household=hv2, relation="20", name="龙故", birth_date=aged(40), deceased=True)
    w_old = PersonFactory(household=records.hw, relation="10", name="杨老", birth_date=aged(72), sex="2")
    elderly = tag("left-behind-elderly", "留守老人", key_group=True)
    veteran = tag("veteran", "退役军人", key_group=False)
    for person in (old, sixty, w_old):
        set_tag(elderly, person)
    set_tag(veteran, old)
    return SimpleNamespace(
        **vars(records), child=child, teen=teen, old=old, sixty=sixty, w_old=w_old, elderly=elderly
    )


def listed(user, params: str = "") -> int:
    return search_queryset(PersonSearch(QueryDict(params), user=user)).count()


def chart(client, user, dim: str, params: str = "") -> dict:
    client.force_login(user)
    response = client.get(f"{reverse(URL)}?{params}&dim={dim}")
    assert response.status_code == 200, response.content
    return response.json()


def total(data: dict) -> int:
    return sum(item["value"] for item in data["items"])


@pytest.mark.parametrize("who", ["inside", "neighbour", "above", "county", "grid", "admin"])
@pytest.mark.parametrize("params", ["", "sex=2", "age_min=60", "area=520622102211"])
def test_area_age_and_sex_charts_add_up_to_the_list(client, users, people, who, params):
    user = getattr(users, who)
    expected = listed(user, params)
    for dim in ("area", "age", "sex"):
        assert total(chart(client, user, dim, params)) == expected, (who, params, dim)


def test_inside_sees_only_its_village(client, users, people, tree):
    data = chart(client, users.inside, "area")
    assert {i["code"]: i["value"] for i in data["items"]} == {tree.v1.code: 3, tree.v2.code: 2}
    assert [i["name"] for i in data["items"]] == ["一组", "二组"]
    assert not any(i["drill"] for i in data["items"])  # groups are the last level
    assert sorted(i["value"] for i in chart(client, users.inside, "sex")["items"]) == [2, 3]


def test_neighbour_never_counts_the_other_village(client, users, people, tree):
    data = chart(client, users.neighbour, "area")
    assert {i["code"]: i["value"] for i in data["items"]} == {tree.w1.code: 2}
    assert total(chart(client, users.neighbour, "age")) == 2


def test_above_starts_at_its_township_and_drills_down(client, users, people, tree):
    data = chart(client, users.above, "area")
    assert [(i["code"], i["name"], i["value"], i["drill"]) for i in data["items"]] == [
        (tree.v.code, "鱼塘村", 5, True),
        (tree.w.code, "邻家村", 2, True),
    ]
    down = chart(client, users.above, "area", f"area={tree.v.code}")
    assert {i["code"]: i["value"] for i in down["items"]} == {tree.v1.code: 3, tree.v2.code: 2}
    assert down["area"] == tree.v.code


def test_county_leader_sees_townships(client, users, people, tree):
    data = chart(client, users.county, "area")
    assert {i["code"]: i["value"] for i in data["items"]} == {tree.t.code: 7, tree.u.code: 1}


@pytest.mark.parametrize(
    ("who", "area"), [("neighbour", "520622102211"), ("inside", "520622102212"), ("above", "520622103")]
)
def test_drilling_into_another_users_area_yields_zeros(client, users, people, who, area):
    user = getattr(users, who)
    for dim in ("area", "age", "sex", "tag"):
        assert total(chart(client, user, dim, f"area={area}")) == 0, (who, dim)
    assert chart(client, user, "area", f"area={area}")["items"] == []


def test_age_bands(client, users, people):
    data = chart(client, users.inside, "age")
    bands = {i["code"]: i["value"] for i in data["items"]}
    assert list(bands) == ["0-6", "7-15", "16-17", "18-59", "60-69", "70-79", "80+"]
    assert bands == {"0-6": 1, "7-15": 0, "16-17": 1, "18-59": 1, "60-69": 1, "70-79": 0, "80+": 1}
    assert data["items"][0]["name"] == "0–6岁" and data["items"][-1]["name"] == "80岁及以上"


def test_age_band_edges(people, users):
    today = timezone.localdate()
    PersonFactory(household=people.hx, relation="20", birth_date=born_before(today, 7))  # 7 today
    PersonFactory(
        household=people.hx, relation="30", birth_date=born_before(today, 7) + datetime.timedelta(1)
    )
    rows = search_queryset(PersonSearch(QueryDict("area=520622103"), user=users.admin))
    bands = {b["code"]: b["count"] for b in charts.by_age_band(rows, today)}
    assert bands["0-6"] == 1 and bands["7-15"] == 1 and bands["18-59"] == 1


def test_key_group_tags_within_the_result(client, users, people):
    inside = {i["name"]: i["value"] for i in chart(client, users.inside, "tag")["items"]}
    assert inside == {"留守老人": 2}  # not W's 杨老; 退役军人 is no key group
    above = {i["name"]: i["value"] for i in chart(client, users.above, "tag")["items"]}
    assert above == {"留守老人": 3}
    filtered = {i["name"]: i["value"] for i in chart(client, users.above, "tag", "age_min=80")["items"]}
    assert filtered == {"留守老人": 1}


def test_by_tag_ignores_tags_that_are_not_key_groups(users, people):
    rows = search_queryset(PersonSearch(QueryDict(""), user=users.inside))
    result = charts.by_tag(rows, Tag.objects.all())
    assert [(b["name"], b["count"]) for b in result] == [("留守老人", 2)]


@pytest.mark.parametrize("params", ["tags_any=no-such-tag", "q=龙", "age_min=abc", "area=xyz"])
def test_bad_params_give_empty_data_not_errors(client, users, people, params):
    for dim in ("area", "age", "sex", "tag"):
        data = chart(client, users.inside, dim, params)
        assert total(data) == 0, (params, dim)
    assert chart(client, users.inside, "tag", "tags_any=no-such-tag")["items"] == []
    assert "tags_any" in chart(client, users.inside, "age", "tags_any=no-such-tag")["errors"]


def test_users_without_view_scope_get_nothing(client, users, people):
    for user in (users.desk, users.nobody, users.health):
        for dim in ("area", "age", "sex", "tag"):
            assert total(chart(client, user, dim)) == 0


def test_unknown_dim_and_anonymous(client, users, people):
    client.force_login(users.inside)
    assert client.get(reverse(URL), {"dim": "income"}).status_code == 400
    assert client.get(reverse(URL)).json()["dim"] == "area"
    client.logout()
    assert client.get(reverse(URL), {"dim": "area"}).status_code == 302


def test_each_chart_is_a_few_queries(client, users, people, django_assert_max_num_queries):
    client.force_login(users.above)
    for dim in ("area", "age", "sex", "tag"):
        # session + user + assignments + session save when due (core.sessions) ≤ 6; the tag-link
        # estimate that picks where the search starts: 1; the chart: ≤ 4.
        with django_assert_max_num_queries(11):
            assert (
                client.get(reverse(URL), {"dim": dim, "tags_any": "left-behind-elderly"}).status_code == 200
            )


def test_partial_carries_the_search_query(users, tree):
    request = RequestFactory().get("/search/persons/", {"sex": "2", "area": tree.v.code})
    request.user = users.inside
    html = render_to_string("search/_charts.html", {"request": request})
    for dim in ("area", "age", "sex", "tag"):
        assert f"/charts/persons/?sex=2&amp;area={tree.v.code}&amp;dim={dim}" in html
    assert "vendor/echarts.min.js" in html and "minqing/charts.js" in html
    assert "cdn" not in html.lower()
