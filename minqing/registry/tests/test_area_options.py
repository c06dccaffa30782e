"""The area picker of the lists and searches: scoped, labelled, and bounded for big scopes."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.urls import reverse

from minqing.areas.models import Area
from minqing.registry import filters as registry_filters
from minqing.registry.filters import HouseholdFilter


def options(user, query: str = "") -> list[tuple[str, str, bool]]:
    return [
        (o.code, o.label, o.selected) for o in HouseholdFilter(QueryDict(query), user=user).area_options()
    ]


def test_a_cadre_sees_the_village_and_its_groups(users, tree):
    assert options(users.inside) == [
        (tree.v.code, "鱼塘村", False),
        (tree.v1.code, "\u3000鱼塘村一组", False),
        (tree.v2.code, "\u3000鱼塘村二组", False),
    ]


def test_the_picked_area_is_selected(users, tree):
    assert (tree.v2.code, "\u3000鱼塘村二组", True) in options(users.above, f"area={tree.v2.code}")


def test_big_scopes_open_only_the_picked_village(users, tree, monkeypatch):
    monkeypatch.setattr(registry_filters, "OPEN_VILLAGES", 1)
    codes = [code for code, _label, _selected in options(users.county)]
    assert codes == [tree.t.code, tree.v.code, tree.w.code, tree.u.code, tree.x.code]
    codes = [code for code, _label, _selected in options(users.county, f"area={tree.w1.code}")]
    assert codes == [tree.t.code, tree.v.code, tree.w.code, tree.w1.code, tree.u.code, tree.x.code]


@pytest.mark.parametrize("who", ["neighbour", "grid", "nobody"])
def test_never_an_area_outside_the_scope(users, tree, who):
    user = getattr(users, who)
    visible = set(Area.objects.visible_to(user, "view").values_list("code", flat=True))
    assert {code for code, _label, _selected in options(user)} <= visible
    assert tree.v.code not in {code for code, _l, _s in options(user)} or who == "grid"


@pytest.mark.parametrize(
    "name", ["registry:household_list", "registry:person_list", "registry:house_list", "registry:place_list"]
)
def test_every_list_draws_the_picker(client, users, tree, name):
    client.force_login(users.inside)
    html = client.get(reverse(name), {"area": tree.v1.code}).content.decode()
    assert f'<option value="{tree.v1.code}" selected>\u3000鱼塘村一组</option>' in html
