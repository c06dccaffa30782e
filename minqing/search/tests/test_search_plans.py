"""Where a tag search starts (its links or the area's rows) changes its speed, never its answer."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from minqing.search import filters as search_filters
from minqing.search.filters import HouseholdSearch, PersonSearch, search_queryset
from minqing.search.tests.helpers import tag
from minqing.tags.estimates import link_estimates
from minqing.tags.models import Tag

NEVER, ALWAYS = -1, 10**9


@pytest.fixture
def tagged(village, records):
    tag(records.hv, "dibao")
    tag(records.hw, "dibao")
    return village


def found(search_class, user, params: str, limit: int, settings_limit) -> list[int]:
    settings_limit(limit)
    search = search_class(QueryDict(params), user=user)
    return sorted(search_queryset(search).values_list("pk", flat=True))


@pytest.fixture
def drive_limit(monkeypatch):
    return lambda limit: monkeypatch.setattr(search_filters, "DRIVE_LIMIT", limit)


QUERIES = [
    "tags_all=elderly",
    "tags_all=elderly,disabled",
    "tags_all=elderly&age_max=30",
    "tags_any=elderly,disabled",
    "tags_any=elderly,dibao",  # person and household tags: always the per-row check
    "tags_all=dibao",
    "tags_all=elderly&tags_none=disabled",
    "tags_all=elderly&area={v}",
    "tags_all=elderly&area={w}",
    "tags_all=disabled&grid={vg1}",
    "tags_any=elderly&area=5",
    "tags_all=elderly&age_min=0&age_max=30",  # contradictory: ends in the links
    "tags_all=elderly&age_min=75&age_max=90",
    "tags_all=elderly&age_min=80",
    "tags_all=elderly&sex=2",
    "tags_all=disabled&sex=1&age_max=50",
    "tags_any=elderly,disabled&age_min=35&age_max=45",
    "tags_all=dibao&age_min=60",  # a household tag: the persons' own ages are checked on the persons
]


@pytest.mark.parametrize("params", QUERIES)
@pytest.mark.parametrize("who", ["inside", "above", "county", "grid", "neighbour", "admin"])
@pytest.mark.parametrize("search_class", [PersonSearch, HouseholdSearch])
def test_both_plans_find_the_same_rows(tagged, users, tree, drive_limit, search_class, who, params):
    params = params.format(v=tree.v.code, w=tree.w.code, vg1=tree.vg1.code)
    user = getattr(users, who)
    from_rows = found(search_class, user, params, NEVER, drive_limit)
    from_links = found(search_class, user, params, ALWAYS, drive_limit)
    assert from_links == from_rows


def test_the_plan_follows_the_estimate(tagged, users, drive_limit):
    drive_limit(1)  # elderly has 2 links in the township (a, b); disabled 2; nothing under 1
    search = PersonSearch(QueryDict("tags_all=elderly"), user=users.inside)
    assert "ANY(ARRAY" not in str(search.qs.query) and " IN (SELECT" not in str(search.qs.query).upper()
    drive_limit(2)
    search = PersonSearch(QueryDict("tags_all=elderly"), user=users.inside)
    sql = str(search.qs.query)
    assert "ANY(ARRAY" in sql or " IN (SELECT" in sql.upper()


def test_estimates_are_scoped_and_narrowed(tagged, users, tree, catalog):
    elderly, dibao = catalog["elderly"], catalog["dibao"]
    assert link_estimates(users.inside, [elderly, dibao]) == {elderly.pk: 2, dibao.pk: 1}
    assert link_estimates(users.above, [elderly]) == {elderly.pk: 3}
    assert link_estimates(users.above, [elderly], tree.w.code) == {elderly.pk: 1}
    assert link_estimates(users.neighbour, [elderly], tree.v.code) == {elderly.pk: 0}
    assert link_estimates(users.nobody, [elderly]) == {elderly.pk: 0}
    assert link_estimates(users.admin, Tag.objects.filter(code="elderly")) == {elderly.pk: 3}


def test_link_copies_follow_the_person(tagged, users):
    from minqing.registry.services.persons import person_update
    from minqing.tags.models import PersonTag

    person = tagged["a"]
    person.refresh_from_db()
    manual = Tag.objects.create(code="cared", name="关爱", category="focus", kind="manual", target="person")
    from minqing.tags.services import tag_set

    tag_set(actor=users.inside, tag=manual, obj=person)
    born = person.birth_date.replace(year=person.birth_date.year + 1)
    data = {"id_number": "", "sex": "2", "birth_date": born}
    person_update(actor=users.inside, person=person, data=data, version=person.version)
    links = PersonTag.objects.filter(person=person)
    assert links.count() >= 2
    assert set(links.values_list("birth_date", "sex")) == {(born, "2")}


@pytest.mark.parametrize(
    ("ages", "shares"),
    [
        ((0, 30), {"0-6": 1, "7-15": 1, "16-17": 1, "18-59": 13 / 42}),
        ((60, None), {"60-69": 1, "70-79": 1, "80+": 1}),
        ((60, 60), {"60-69": 0.1}),
        ((85, 89), {"80+": 0.25}),
        ((None, 5), {"0-6": 6 / 7}),
    ],
)
def test_estimates_take_the_asked_share_of_each_band(ages, shares):
    from minqing.tags.estimates import PersonConditions

    assert PersonConditions(age_min=ages[0], age_max=ages[1]).band_shares() == pytest.approx(shares)


TWO_TAGS = [
    "tags_all=elderly,disabled",
    "tags_all=elderly,disabled&area={v}",
    "tags_all=elderly,disabled&area={w}",
]


@pytest.mark.parametrize("params", TWO_TAGS)
@pytest.mark.parametrize("who", ["inside", "above", "county", "grid", "neighbour"])
@pytest.mark.parametrize("cap", [0, 10_000])  # 0: more in common than the cap, the walk decides
def test_households_with_members_of_two_tags_from_the_links(
    tagged, users, tree, monkeypatch, who, params, cap
):
    """``few_with_all`` (a merge of two tags' links) finds exactly what the per-household check finds."""
    monkeypatch.setattr(search_filters, "CAP", cap)
    params = params.format(v=tree.v.code, w=tree.w.code)
    search = HouseholdSearch(QueryDict(params), user=getattr(users, who))
    from_links = sorted(search_queryset(search).values_list("pk", flat=True))
    per_row = sorted(search_filters.walking(search).values_list("pk", flat=True))
    assert from_links == per_row


def test_few_with_all_is_for_households_with_several_person_tags(tagged, users, records):
    household = HouseholdSearch(QueryDict("tags_all=elderly,disabled"), user=users.inside)
    household.is_valid()
    tags = household.form.cleaned_data["tags_all"]
    assert household.few_with_all(tags) == [records.hv.pk]  # a has both; b and c one each
    assert household.few_with_all(tags[:1]) is None  # one tag: the driven plan
    person = PersonSearch(QueryDict("tags_all=elderly,disabled"), user=users.inside)
    person.is_valid()
    assert person.few_with_all(tags) is None  # both tags on the same person: the hash of their links
