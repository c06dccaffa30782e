"""Search on a phone, server side: tag chips, the applied conditions with their removal links, the pager's
total and page count, and no extra query for any of it."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from minqing.core.pagination import Page
from minqing.registry.models import Household
from minqing.registry.tests.factories import PersonFactory
from minqing.search.tests.helpers import persons, tag, years_ago

HTMX = {"HTTP_HX_REQUEST": "true"}


def applied(body: str) -> dict[str, str]:
    """The summary chips: their text (label：value) → the link that removes them."""
    block = re.search(r'data-testid="applied-conditions".*?</div>', body, re.S)
    assert block, "no applied-conditions summary"
    chips = re.findall(
        r'<a class="mq-applied" href="([^"]*)"[^>]*><span class="text-muted">([^<]*)</span>([^<]*)<',
        block.group(0),
    )
    return {f"{label}{value.strip()}": unescape(href) for href, label, value in chips}


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_tag_chips_are_grouped_with_a_filter_box_and_the_plain_pickers_stay(login, users, village):
    body = persons(login(users.inside)).content.decode()
    assert "data-tag-picker" in body and 'data-testid="tag-filter"' in body
    assert re.search(
        r'<button type="button" class="btn btn-sm mq-chip" data-tag="elderly" data-name="[^"]+">', body
    )
    assert body.count("data-chip-group") >= 2  # one group per category
    for mode in ("tags_all", "tags_any", "tags_none"):
        assert f'data-tag-mode="{mode}"' in body
        assert f'name="{mode}" multiple size="6"' in body  # still what the form submits, without script too
    assert 'size="4"' not in body
    # No conditions: nothing to summarise, the conditions are open.
    assert 'data-testid="applied-conditions"' not in body
    assert 'class="collapse d-md-block show" id="search-conditions"' in body


def test_applied_conditions_are_chips_that_remove_one_condition(login, users, village, tree):
    client = login(users.inside)
    url = reverse("search:persons")
    body = client.get(url, {"tags_all": "elderly,disabled", "sex": "2", "area": tree.v.code}).content.decode()
    chips = applied(body)
    assert set(chips) == {
        "同时具有标签：老年人",
        "同时具有标签：残疾人",
        "性别：女",
        f"区域：{tree.v.short_name}",
    }, chips
    assert query_of(chips["同时具有标签：老年人"]) == {
        "tags_all": ["disabled"],
        "sex": ["2"],
        "area": [tree.v.code],
    }
    assert query_of(chips["性别：女"]) == {"tags_all": ["elderly,disabled"], "area": [tree.v.code]}
    assert "area" not in query_of(chips[f"区域：{tree.v.short_name}"])
    # A search has run: on a phone the conditions fold behind the "筛选条件" toggle.
    assert 'class="collapse d-md-block" id="search-conditions"' in body
    assert re.search(r'data-testid="filter-toggle"><i class="bi bi-funnel"></i> 筛选条件 \(4\)', body)
    # Following a removal link runs the search without that condition.
    removed = client.get(chips["同时具有标签：残疾人"]).content.decode()
    assert set(applied(removed)) == {"同时具有标签：老年人", "性别：女", f"区域：{tree.v.short_name}"}


def test_the_summary_comes_with_the_htmx_results_and_names_yes_no_and_choices(login, users, village):
    body = (
        login(users.inside)
        .get(
            reverse("search:persons"),
            {"tags_none": "disabled", "household_dibao": "rural", "household_alleviated": "false"},
            **HTMX,
        )
        .content.decode()
    )
    assert "<html" not in body
    chips = applied(body)
    assert "不具有标签：残疾人" in chips, chips
    assert "低保：农村低保" in chips and "脱贫户：否" in chips, chips
    assert body.index('data-testid="applied-conditions"') < body.index('data-testid="search-count"')


def test_an_unknown_tag_shows_as_typed_and_can_be_removed(login, users, village):
    body = persons(login(users.inside), tags_any="no-such-tag").content.decode()
    chips = applied(body)
    assert chips == {"具有任一标签：no-such-tag": "/search/"}


def test_list_comes_before_the_charts_on_a_phone(login, users, village):
    body = persons(login(users.inside), tags_all="elderly").content.decode()
    assert body.index('data-testid="person-table"') < body.index("data-chart=")
    assert 'data-drill="page"' in body  # chart clicks narrow the whole search


def test_pager_shows_the_total_and_page_of_how_many(login, users, records, catalog):
    for _ in range(120):
        tag(PersonFactory(household=records.hv, relation="20", birth_date=years_ago(61)), "elderly")
    client = login(users.inside)
    body = persons(client, tags_all="elderly").content.decode()
    assert re.search(r'data-testid="pager-total">共 120 人<', body)
    assert re.search(r'data-testid="pager-number">第 1 / 3 页<', body)
    last = client.get(reverse("search:persons") + "?tags_all=elderly&before=").content.decode()
    assert re.search(
        r'data-testid="pager-number">第 3 / 3 页<', last
    )  # 末页 is page 3 when the count is exact


def test_page_labels_when_the_count_is_capped_or_unknown():
    rows = list(range(50))
    capped = Page(rows, 3, 50, has_next=True, has_previous=True).with_total(10_000, True, "户")
    assert capped.page_count == 200 and capped.shown_number == 3 and capped.known_total == 10_000
    deep = Page(rows, 250, 50, has_next=True, has_previous=True).with_total(10_000, True, "户")
    assert deep.page_count == 250  # at least the page shown
    from_end = Page(rows, None, 50, has_next=False, has_previous=True, from_end=1).with_total(10_000, True)
    assert from_end.shown_number is None  # capped: where the end is, is unknown
    unknown = Page(rows, 2, 50, has_next=True, has_previous=True)
    assert unknown.known_total is None and unknown.page_count is None
    last = Page(rows[:7], 3, 50, has_next=False, has_previous=True)
    assert last.known_total == 107 and last.page_count == 3  # free on the last page read from the start


def test_capped_total_in_the_pager_html():
    from django.template.loader import render_to_string

    page = Page(list(range(50)), 3, 50, has_next=True, has_previous=True).with_total(10_000, True, "户")
    html = render_to_string("core/_pager.html", {"page": page})
    assert re.search(r'data-testid="pager-total">共 10,?000\+ 户<', html)
    assert re.search(r'data-testid="pager-number">第 3 / 200\+ 页<', html)


def test_a_list_that_does_not_count_learns_its_total_on_the_last_page(
    login, users, tree, django_assert_max_num_queries
):
    Household.objects.bulk_create(
        Household(number=f"52062210221100{i:03d}", area=tree.v1, area_path=tree.v1.code, head_name=f"户{i}")
        for i in range(60)
    )
    client = login(users.inside)
    url = reverse("registry:recent")  # 最近更新 does not count
    first = client.get(url).content.decode()
    assert 'data-testid="pager-total"' not in first
    assert re.search(r'data-testid="pager-number">第 1 页<', first)
    second_link = unescape(re.search(r'href="\?([^"]*)" rel="next"', first).group(1))
    with django_assert_max_num_queries(20) as second_queries:
        second = client.get(f"{url}?{second_link}").content.decode()
    assert not any("COUNT(" in q["sql"].upper() for q in second_queries.captured_queries)
    assert re.search(r'data-testid="pager-total">共 60 条<', second)  # the last page knows the total
    assert re.search(r'data-testid="pager-number">第 2 / 2 页<', second)


def test_household_list_shows_its_capped_total_on_every_page(
    login, users, tree, django_assert_max_num_queries
):
    Household.objects.bulk_create(
        Household(number=f"52062210221100{i:03d}", area=tree.v1, area_path=tree.v1.code, head_name=f"户{i}")
        for i in range(60)
    )
    client = login(users.inside)
    client.get(reverse("registry:household_list"))  # warm: the area picker is cached
    with django_assert_max_num_queries(20) as queries:
        first = client.get(reverse("registry:household_list")).content.decode()
    assert sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries) == 1  # one capped count
    assert re.search(r'data-testid="pager-total">共 60 户<', first)
    assert re.search(r'data-testid="pager-number">第 1 / 2 页<', first)


def test_search_query_count_unchanged_by_summary_and_pager(
    login, users, village, records, django_assert_max_num_queries
):
    """The summary and the pager's total add no query: as many queries for 3 rows as for 58 (two pages)."""

    def elderly_women(n: int) -> None:
        for i in range(n):
            person = PersonFactory(
                household=records.hv, relation="20", sex="2", birth_date=years_ago(66 + i % 20)
            )
            tag(person, "elderly")

    elderly_women(3)
    client = login(users.inside)
    params = {"tags_all": "elderly", "sex": "2", "area": records.hv.area.code[:12]}
    persons(client, **params)
    with django_assert_max_num_queries(16) as first:
        body = persons(client, **params).content.decode()
    assert 'data-testid="applied-conditions"' in body and 'data-testid="pager-total">共 3 人<' in body
    elderly_women(55)
    with django_assert_max_num_queries(len(first.captured_queries)):
        body = persons(client, **params).content.decode()
    assert re.search(r'data-testid="pager-total">共 58 人<', body)
    assert re.search(r'data-testid="pager-number">第 1 / 2 页<', body)
