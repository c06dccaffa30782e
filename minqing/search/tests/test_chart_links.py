"""Key-group charts counted from the tag links give exactly what grouping the list's queryset gives."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from minqing.registry.tests.factories import HouseholdFactory, PersonFactory
from minqing.search import charts
from minqing.search.filters import PersonSearch, search_queryset
from minqing.search.tests.helpers import tag, years_ago
from minqing.tags.models import Tag

WHO = ["inside", "neighbour", "above", "county", "grid", "admin", "nobody"]
GROUP_SEARCHES = [
    "tags_all=elderly",
    "tags_all=disabled",
    "tags_all=cared-for",
    "tags_all=elderly&area=520622102",
    "tags_all=elderly&area=520622102211",
    "tags_all=elderly&area=520622102211001",
    "tags_all=cared-for&area=520622102211",
    "tags_all=elderly&grid=520622102211901",
    "tags_all=elderly&area=abc",
    "tags_all=elderly&sex=2",
    "tags_all=elderly&age_min=0",
    "tags_all=elderly&age_min=75&age_max=85",
    "tags_all=cared-for&age_max=60&sex=1",
    "tags_all=elderly&age_min=65&sex=2&area=520622102",
]
OTHER_SEARCHES = [
    "tags_all=elderly,disabled",
    "tags_all=elderly&tags_none=disabled",
    "tags_any=elderly",
    "tags_all=elderly&deceased=true",
    "tags_all=elderly&deceased=false",
    "tags_all=elderly&health=chronic",
    "tags_all=no-such-tag",
]


@pytest.fixture
def groups(village, tree, records):
    """Beside ``village``: elderly in X and on grid 1; a manual key group on a living and a dead person."""
    cared = Tag.objects.create(
        code="cared-for", name="重点关爱", category="focus", kind="manual", target="person", is_key_group=True
    )
    hv2 = HouseholdFactory(number="5206221022110002", area=tree.v2)
    far = PersonFactory(household=records.hx, relation="10", name="吴老", birth_date=years_ago(80), sex="2")
    dead = PersonFactory(household=hv2, name="龙故", birth_date=years_ago(90), deceased=True)
    for person in (far, records.pv):
        tag(person, "elderly")
    for person in (village["a"], village["e"], dead):
        tag(person, cared.code)
    return cared


def chart(user, params: str, dim: str) -> dict:
    return charts.person_chart(PersonSearch(QueryDict(params), user=user), user, dim)


def counting(params: str, user) -> PersonSearch:
    """The search as a chart reads it: counts only, so health tags are allowed (lists refuse them)."""
    filterset = PersonSearch(QueryDict(params), user=user)
    filterset.aggregate = True
    return filterset


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("params", GROUP_SEARCHES)
def test_links_give_what_the_list_gives(monkeypatch, users, groups, who, params):
    user = getattr(users, who)
    filterset = counting(params, user)
    search_queryset(filterset)
    assert charts.group_links(filterset, user) is not None  # the fast path is taken
    fast = {dim: chart(user, params, dim) for dim in ("area", "tag", "age", "sex")}
    monkeypatch.setattr(charts, "group_links", lambda filterset, user: None)
    for dim, data in fast.items():
        assert data == chart(user, params, dim), (who, params, dim)
    listed = search_queryset(counting(params, user)).count()
    if "area=" not in params or params.endswith("area=abc"):  # a drill-down shows only the area's children
        assert sum(item["value"] for item in fast["area"]["items"]) == listed


def test_manual_group_leaves_out_the_dead(users, groups):
    assert [item["value"] for item in chart(users.inside, "tags_all=cared-for", "area")["items"]] == [1]
    tagged = {
        item["code"]: item["value"] for item in chart(users.county, "tags_all=cared-for", "tag")["items"]
    }
    assert tagged["cared-for"] == 2 and tagged["elderly"] == 2 and tagged["disabled"] == 1


@pytest.mark.parametrize("who", ["inside", "county", "grid"])
@pytest.mark.parametrize("params", OTHER_SEARCHES)
def test_other_conditions_group_the_list(users, groups, who, params):
    user = getattr(users, who)
    filterset = counting(params, user)
    listed = search_queryset(filterset).count()
    assert filterset.form.errors or charts.group_links(filterset, user) is None
    assert sum(item["value"] for item in chart(user, params, "area")["items"]) == listed


@pytest.mark.parametrize("who", ["inside", "above", "county", "admin"])
@pytest.mark.parametrize(
    "params", ["tags_all=elderly", "tags_all=elderly&area=520622102", "tags_all=disabled"]
)
def test_derived_groups_over_villages_read_the_profiles(users, groups, who, params):
    user = getattr(users, who)
    filterset = counting(params, user)
    search_queryset(filterset)
    assert charts.group_profile(filterset, user) is not None


@pytest.mark.parametrize(
    ("who", "params"),
    [
        ("grid", "tags_all=elderly"),  # a grid scope
        ("county", "tags_all=elderly&area=520622102211001"),  # a group
        ("county", "tags_all=elderly&grid=520622102211901"),
        ("county", "tags_all=cared-for"),  # manual: may include the dead
    ],
)
def test_smaller_scopes_and_manual_groups_count_live(users, groups, who, params):
    user = getattr(users, who)
    filterset = PersonSearch(QueryDict(params), user=user)
    search_queryset(filterset)
    assert charts.group_profile(filterset, user) is None


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("root", ["", "520622", "520622102", "520622103", "520622102211", "520622102211901"])
@pytest.mark.parametrize("code", ["elderly", "cared-for"])
def test_breakdown_from_counts_equals_the_links(monkeypatch, users, groups, who, root, code):
    from minqing.search import selectors

    user = getattr(users, who)
    tag_ = Tag.objects.get(code=code)
    fast = selectors.group_breakdown(user, tag_, root)
    monkeypatch.setattr(selectors, "VILLAGE_LENGTH", 0)  # always count the links
    assert fast == selectors.group_breakdown(user, tag_, root)


def test_key_group_chart_reads_the_pairs_until_a_new_key_group_is_uncounted(users, groups):
    from minqing.tags.models import TagPair

    filterset = PersonSearch(QueryDict("tags_all=elderly"), user=users.county)
    search_queryset(filterset)
    elderly, disabled = Tag.objects.get(code="elderly"), Tag.objects.get(code="disabled")
    profile = charts.group_profile(filterset, users.county)
    pairs = charts.group_pairs(elderly, profile)
    assert pairs is not None
    assert {p["code"]: p["count"] for p in pairs}["elderly"] == 5
    assert {p["code"]: p["count"] for p in pairs}["disabled"] == 1  # a
    # A tag made a key group after the last recount has no pairs yet: the chart counts live until then.
    TagPair.objects.filter(tag=disabled).delete()
    assert charts.group_pairs(elderly, profile) is None


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("params", GROUP_SEARCHES + OTHER_SEARCHES)
def test_counts_and_walking_rows_are_the_lists(users, groups, who, params):
    from minqing.search.filters import walking
    from minqing.search.selectors import search_count

    user = getattr(users, who)
    filterset = PersonSearch(QueryDict(params), user=user)
    found = search_queryset(filterset)
    assert search_count(filterset, found) == (found.count(), False)
    assert sorted(walking(filterset).values_list("pk", flat=True)) == sorted(
        found.values_list("pk", flat=True)
    )


def test_a_big_group_by_tag_is_counted_from_a_sample_and_says_so(monkeypatch, users, groups):
    """Over ``SAMPLE_MEMBERS`` members, one person in ``step`` (by id) is counted and scaled up."""
    from minqing.tags.models import PersonTag

    params = "tags_all=elderly&age_min=0"
    exact = chart(users.county, params, "tag")
    assert "sample" not in exact
    filterset = counting(params, users.county)
    search_queryset(filterset)
    members = list(charts.group_links(filterset, users.county).values_list("person_id", flat=True))
    size = filterset.estimate_links([Tag.objects.get(code="elderly")])[Tag.objects.get(code="elderly").pk]
    assert size >= 2
    monkeypatch.setattr(charts, "SAMPLE_MEMBERS", size / 2)  # one member in two
    sampled = chart(users.county, params, "tag")
    assert sampled["sample"] == 2 and "抽样估算" in sampled["title"]
    expected = {}
    for link in PersonTag.objects.filter(person_id__in=[p for p in members if p % 2 == 0]).select_related(
        "tag"
    ):
        if link.tag.is_key_group:
            expected[link.tag.code] = expected.get(link.tag.code, 0) + 2
    assert {i["code"]: i["value"] for i in sampled["items"] if i["value"]} == expected
