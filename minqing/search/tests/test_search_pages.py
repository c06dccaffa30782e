"""Search pages: scoping, tag semantics, names and initials, counts, key groups, gaps."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from minqing.registry.models import Household, Person
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory
from minqing.search import selectors
from minqing.search.services import saved_search_save
from minqing.search.tests.helpers import names, persons, tag, years_ago

# ------------------------------------------------------------------------------------------ scoping


def test_pages_need_login(client, tree):
    for name in ("search:persons", "search:households", "search:groups", "search:incomplete"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_person_search_is_scoped(login, users, village):
    assert names(persons(login(users.inside))) == {"甲a乙", "甲b乙", "甲c乙", "甲d乙"}
    assert names(persons(login(users.neighbour))) == {"甲e乙"}
    assert names(persons(login(users.above))) == {"甲a乙", "甲b乙", "甲c乙", "甲d乙", "甲e乙"}
    response = persons(login(users.nobody))
    assert response.status_code == 200 and names(response) == set()
    assert "符合条件：0 人" in response.content.decode()


def test_asking_for_an_area_outside_the_scope_finds_nothing(login, users, village, tree):
    assert names(persons(login(users.neighbour), area=tree.v.code)) == set()
    assert names(persons(login(users.above), area=tree.v1.code)) == {"甲a乙", "甲b乙", "甲c乙", "甲d乙"}


def test_area_select_offers_only_the_users_areas(login, users, village, tree):
    body = persons(login(users.neighbour)).content.decode()
    assert f'value="{tree.w.code}"' in body and f'value="{tree.v.code}"' not in body


def test_count_is_shown_and_masked_id_numbers(login, users, village):
    body = persons(login(users.inside), tags_any="elderly").content.decode()
    assert "符合条件：2 人" in body
    assert village["a"].id_number not in body and village["a"].id_number_masked in body


def test_household_search_is_scoped(login, users, records, catalog):
    tag(records.hv, "dibao")
    tag(records.hw, "dibao")
    body = login(users.inside).get(reverse("search:households"), {"tags_all": "dibao"}).content.decode()
    assert records.hv.number in body and records.hw.number not in body
    assert "符合条件：1 户" in body


# --------------------------------------------------------------------------------------- conditions


def test_tags_all_any_none(login, users, village):
    client = login(users.inside)
    assert names(persons(client, tags_all="elderly,disabled")) == {"甲a乙"}
    assert names(persons(client, tags_any="elderly,disabled")) == {"甲a乙", "甲b乙", "甲c乙"}
    assert names(persons(client, tags_none="elderly")) == {"甲c乙", "甲d乙"}
    assert names(persons(client, tags_any="elderly", tags_none="disabled")) == {"甲b乙"}
    # The pickers submit repeated parameters; they mean the same as the comma-joined list.
    response = client.get(reverse("search:persons") + "?tags_all=elderly&tags_all=disabled&sex=")
    assert response.status_code == 302 and response["Location"] == "/search/?tags_all=elderly%2Cdisabled"
    assert names(client.get(response["Location"])) == {"甲a乙"}


def test_htmx_form_submission_is_normalised(login, users, village):
    """The form sends every field; blanks and "unknown" must not change the meaning or clutter the URL."""
    Person.objects.filter(pk=village["b"].pk).update(deceased=True)
    query = "q=&area=&tags_all=elderly&age_min=&sex=&deceased=unknown&household_alleviated=unknown&page="
    response = login(users.inside).get(f"{reverse('search:persons')}?{query}", HTTP_HX_REQUEST="true")
    assert response["HX-Push-Url"] == "/search/?tags_all=elderly"
    assert names(response) == {"甲a乙"}  # the deceased one stays out
    assert names(persons(login(users.inside), tags_all="elderly", deceased="true")) == {"甲b乙"}


def test_household_tag_on_person_search_finds_the_members(login, users, village, records):
    tag(records.hv, "dibao")
    assert names(persons(login(users.inside), tags_all="dibao,elderly")) == {"甲a乙", "甲b乙"}


def test_unknown_tag_shows_the_message_and_nothing(login, users, village):
    response = persons(login(users.inside), tags_all="elderly,no-such-tag")
    body = response.content.decode()
    assert response.status_code == 200 and "未知的标签：no-such-tag" in body
    assert names(response) == set() and "符合条件：0 人" in body


def test_contradictory_conditions_are_empty_not_an_error(login, users, village):
    response = persons(login(users.inside), age_min=80, age_max=60)
    body = response.content.decode()
    assert response.status_code == 200 and names(response) == set()
    assert 'data-testid="search-errors"' not in body
    assert names(persons(login(users.inside), age_min=60, age_max=80)) == {"甲b乙"}


def test_name_pinyin_initials_and_two_character_rule(login, users, records):
    PersonFactory(household=records.hv, relation="20", name="张三", name_initials="zs")
    PersonFactory(household=records.hv, relation="20", name="张三丰", name_initials="zsf")
    PersonFactory(household=records.hw, relation="20", name="张三", name_initials="zs")
    client = login(users.inside)
    assert persons(client, q="zs").content.decode().count(">张三<") == 1
    assert ">张三丰<" in persons(client, q="ZS").content.decode()
    only = persons(client, q="zsf").content.decode()
    assert ">张三丰<" in only and ">张三<" not in only
    body = persons(client, q="张").content.decode()
    assert "请至少输入2个字" in body and ">张三<" not in body
    assert ">张三<" in persons(client, q="张三").content.decode()


def test_sex_and_health_filters(login, users, records):
    PersonFactory(household=records.hv, relation="30", sex="2", name="甲f乙", health="31")
    client = login(users.inside)
    assert names(persons(client, sex="2")) == {"甲f乙"}
    assert names(persons(client, health="chronic")) == {"甲f乙"}


def test_htmx_returns_the_results_region_only(login, users, village):
    response = login(users.inside).get(
        reverse("search:persons"), {"tags_all": "elderly"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert 'data-testid="search-results"' in body and "<html" not in body and "符合条件：2 人" in body


def test_full_page_has_the_form_pickers_and_slots(login, users, village):
    body = persons(login(users.inside), tags_all="elderly").content.decode()
    assert 'hx-get="/search/"' in body and 'hx-push-url="true"' in body and 'hx-target="#results"' in body
    assert re.search(r'<option value="elderly" selected>', body)
    assert 'data-testid="picker-tags_none"' in body


def test_capped_count(records):
    rows = Person.objects.all()
    assert selectors.capped_count(rows, cap=2) == (2, True)
    assert selectors.capped_count(rows, cap=3) == (3, False)
    assert selectors.capped_count(rows.none()) == (0, False)


def test_search_page_query_count_does_not_grow(login, users, village, records, django_assert_max_num_queries):
    client = login(users.inside)
    params = {"tags_any": "elderly,disabled", "age_min": "1"}
    persons(client, **params)
    with django_assert_max_num_queries(16) as first:
        persons(client, **params)
    for n in range(15):
        tag(PersonFactory(household=records.hv, relation="20", birth_date=years_ago(65 + n)), "elderly")
    with django_assert_max_num_queries(len(first.captured_queries)):
        persons(client, **params)
    households_url = reverse("search:households")
    client.get(households_url)
    with django_assert_max_num_queries(16) as first:
        client.get(households_url)
    for n in range(10):
        HouseholdFactory(area=records.hv.area, number=f"52062210221109{n:02d}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(households_url)


# --------------------------------------------------------------------------------------- key groups


def count_of(body: str, testid: str) -> int:
    match = re.search(rf'data-testid="{testid}".*?data-count="(\d+)"', body, re.S)
    assert match, testid
    return int(match.group(1))


def test_key_group_counts_are_scoped(login, users, village, records):
    tag(records.hv, "dibao")
    body = login(users.inside).get(reverse("search:groups")).content.decode()
    assert count_of(body, "group-elderly") == 2 and count_of(body, "group-disabled") == 2
    assert count_of(body, "group-dibao") == 1
    body = login(users.neighbour).get(reverse("search:groups")).content.decode()
    assert count_of(body, "group-elderly") == 1 and count_of(body, "group-dibao") == 0
    assert count_of(login(users.above).get(reverse("search:groups")).content.decode(), "group-elderly") == 3
    body = login(users.nobody).get(reverse("search:groups")).content.decode()
    assert count_of(body, "group-elderly") == 0


def test_key_group_counts_take_few_queries(users, village, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        groups = selectors.key_groups(users.above)
    assert {g.tag.code: g.n for g in groups}["elderly"] == 3


def test_key_group_count_equals_the_list_length(login, users, village):
    for user in (users.inside, users.neighbour, users.above):
        client = login(user)
        card = count_of(client.get(reverse("search:groups")).content.decode(), "group-elderly")
        response = client.get(reverse("search:group", args=["elderly"]))
        assert len(names(response)) == card
        assert f"{card} 人" in response.content.decode()


def test_key_group_breakdown_by_child_area(login, users, village, tree):
    body = login(users.above).get(reverse("search:group", args=["elderly"])).content.decode()
    table = body[body.index('data-testid="group-breakdown"') :]
    assert "鱼塘村村民委员会" in table and "邻家村村民委员会" in table
    rows = dict(re.findall(r'href="\?area=(\d+)">[^<]+</a></td>\s*<td[^>]*data-count="(\d+)"', table))
    assert rows == {tree.v.code: "2", tree.w.code: "1"}
    # Drill down into V: its groups, and the list follows the area.
    response = login(users.above).get(reverse("search:group", args=["elderly"]), {"area": tree.v.code})
    assert names(response) == {"甲a乙", "甲b乙"}
    assert tree.v1.code in response.content.decode()
    # The neighbour's breakdown never shows V.
    body = login(users.neighbour).get(reverse("search:group", args=["elderly"])).content.decode()
    assert tree.v.code not in body and tree.v1.code not in body and names_in(body) == {"甲e乙"}


def names_in(body: str) -> set[str]:
    return set(re.findall(r"甲[a-z]乙", body))


def test_key_group_of_households_lists_households(login, users, records, catalog):
    tag(records.hv, "dibao")
    body = login(users.inside).get(reverse("search:group", args=["dibao"])).content.decode()
    assert records.hv.number in body and "1 户" in body


def test_unknown_or_plain_group_is_404(login, users, catalog):
    client = login(users.inside)
    assert client.get(reverse("search:group", args=["no-such"])).status_code == 404
    assert client.get(reverse("search:group", args=["minor"])).status_code == 404  # not a key group


# --------------------------------------------------------------------------------------- incomplete


@pytest.fixture
def gaps(tree, records):
    no_head = HouseholdFactory(area=tree.v2, head_name="", number="5206221022110099")
    no_id = PersonFactory(household=records.hv, relation="20", name="缺证人", id_number=None)
    Person.objects.filter(pk=records.pv.pk).update(phone="")
    PersonFactory(household=records.hw, relation="20", name="邻缺证", id_number=None)
    return {"no_head": no_head, "no_id": no_id}


def test_incomplete_counts_and_lists(login, users, records, gaps):
    client = login(users.inside)
    body = client.get(reverse("search:incomplete")).content.decode()
    assert count_of(body, "gap-no-id") == 1 and count_of(body, "gap-no-phone") == 1
    assert count_of(body, "gap-no-head") == 1 and count_of(body, "gap-no-relation") == 0
    # records.hv has grid 1; the head-less household has none.
    assert count_of(body, "gap-no-grid") == 1
    listed = client.get(reverse("search:incomplete"), {"list": "no-id"}).content.decode()
    assert "缺证人" in listed and "邻缺证" not in listed
    listed = client.get(reverse("search:incomplete"), {"list": "no-head"}).content.decode()
    assert gaps["no_head"].number in listed
    listed = client.get(reverse("search:incomplete"), {"list": "no-phone"}).content.decode()
    assert records.pv.name in listed


def test_incomplete_is_scoped(login, users, records, gaps):
    body = login(users.neighbour).get(reverse("search:incomplete"), {"list": "no-id"}).content.decode()
    assert count_of(body, "gap-no-id") == 1 and "邻缺证" in body and "缺证人" not in body
    assert count_of(body, "gap-no-head") == 0
    body = login(users.nobody).get(reverse("search:incomplete"), {"list": "no-id"}).content.decode()
    assert count_of(body, "gap-no-id") == 0 and "邻缺证" not in body


def test_pager_keeps_the_conditions(login, users, records, catalog):
    for _ in range(55):
        tag(PersonFactory(household=records.hv, relation="20", birth_date=years_ago(61)), "elderly")
    body = persons(login(users.inside), tags_all="elderly").content.decode()
    next_link = re.search(r'href="(\?[^"]*page=2)"', body).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(next_link).query)["tags_all"] == ["elderly"]
    assert "符合条件：55 人" in body
    assert Household.objects.count() == 3


# ------------------------------------------------------------------------------------- all the pages

V_MARKERS = ["鱼塘村", "5206221022110001", "龙在内", "甲a乙"]


def test_no_search_page_shows_v_to_the_neighbour_or_nobody(client, users, village, records):
    saved_search_save(
        actor=users.inside, name="V共享", target="person", params="tags_all=elderly", shared=True
    )
    tag(records.hv, "dibao")
    urls = [
        reverse("search:persons"),
        reverse("search:persons") + "?tags_any=elderly,disabled&q=甲a",
        reverse("search:households"),
        reverse("search:households") + "?tags_all=dibao",
        reverse("search:groups"),
        reverse("search:group", args=["elderly"]),
        reverse("search:group", args=["dibao"]),
        reverse("search:group", args=["elderly"]) + f"?area={records.hv.area_path}",
        reverse("search:incomplete") + "?list=no-grid",
    ]
    for user in (users.neighbour, users.nobody):
        login_as(client, user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user.username, url)
            body = response.content.decode()
            for marker in [*V_MARKERS, "V共享"]:
                assert marker not in body, (user.username, url, marker)


def login_as(client, user):
    client.force_login(user)
    return client


def test_grid_worker_sees_their_grid_only(login, users, records, tree, catalog):
    other = HouseholdFactory(area=tree.v2, number="5206221022110077", head_name="网格外")
    tag(PersonFactory(household=other, name="甲x乙", birth_date=years_ago(70)), "elderly")
    tag(PersonFactory(household=records.hv, relation="20", name="甲g乙", birth_date=years_ago(70)), "elderly")
    client = login(users.grid)
    assert names(persons(client, tags_all="elderly")) == {"甲g乙"}
    body = client.get(reverse("search:group", args=["elderly"])).content.decode()
    assert count_of(body, "group-breakdown") == 1 and names(
        client.get(reverse("search:group", args=["elderly"]))
    ) == {"甲g乙"}


def test_breakdown_root(users, tree):
    from minqing.accounts.roles import Role
    from minqing.accounts.tests.factories import assign

    assert selectors.breakdown_root(users.inside, None) == tree.v.code
    assert selectors.breakdown_root(users.inside, tree.v1.code) == tree.v1.code
    assert selectors.breakdown_root(users.inside, "x'; --") == tree.v.code
    assert selectors.breakdown_root(users.admin, None) == ""
    assert selectors.breakdown_root(users.nobody, None) == ""
    two = assign(assign(users.nobody, Role.VILLAGE_CADRE, tree.v), Role.VILLAGE_CADRE, tree.x)
    two.__dict__.pop("_scope_cache", None)
    two.__dict__.pop("_assignments", None)
    assert selectors.breakdown_root(two, None) == tree.county.code
    assert selectors.child_length(tree.county.code) == len(tree.t.code)
    assert selectors.child_length(tree.v1.code) == len(tree.v1.code)


def test_household_results_show_their_village_and_group(login, users, village, records):
    body = login(users.inside).get(reverse("search:households"), {"q": records.hv.number}).content.decode()
    assert records.hv.number in body and "鱼塘村一组" in body
