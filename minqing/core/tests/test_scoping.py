"""The single scoping rule, role by role."""

import pytest

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.areas.models import Area
from minqing.core.scoping import ALL, is_grid_path, prefix_upper_bound, under
from minqing.registry.models import Household, Person


def visible_numbers(user, action="view"):
    return set(Household.objects.visible_to(user, action).values_list("number", flat=True))


def test_prefix_upper_bound():
    assert prefix_upper_bound("5206") == "5207"
    assert prefix_upper_bound("520629") == "52063"
    assert prefix_upper_bound("99") is None


def test_grid_paths_are_told_from_groups():
    assert is_grid_path("520622102211901")
    assert not is_grid_path("520622102211001")
    assert not is_grid_path("520622102211")


@pytest.mark.django_db
def test_under_matches_exactly_the_subtree(tree):
    codes = set(Area.objects.filter(under("code", "520622102")).values_list("code", flat=True))
    assert "520622102211001" in codes and "520622102" in codes
    assert "520622103" not in codes and "520622" not in codes


def test_each_role_sees_its_own_area_only(users, records):
    hv, hw, hx = records.hv.number, records.hw.number, records.hx.number
    assert visible_numbers(users.inside) == {hv}
    assert visible_numbers(users.neighbour) == {hw}
    assert visible_numbers(users.above) == {hv, hw}
    assert visible_numbers(users.grid) == {hv}  # grid 1 of V
    assert visible_numbers(users.county) == {hv, hw, hx}
    assert visible_numbers(users.supervisor) == {hv, hw, hx}
    assert visible_numbers(users.admin) == {hv, hw, hx}


def test_fail_closed(users, records, django_user_model):
    assert visible_numbers(users.nobody) == set()
    assert visible_numbers(users.desk) == set()  # basic look-ups only
    assert visible_numbers(users.health) == set()  # only through routed requests
    assert visible_numbers(users.desk, "lookup") == {records.hv.number, records.hw.number, records.hx.number}
    users.inside.is_active = False
    assert visible_numbers(users.inside) == set()
    assert Household.objects.visible_to(None).count() == 0


def test_read_only_roles_cannot_change(users, records):
    assert visible_numbers(users.county, "change") == set()
    assert visible_numbers(users.supervisor, "change") == set()
    assert visible_numbers(users.inside, "change") == {records.hv.number}


def test_roles_apply_only_inside_their_own_area(tree, records):
    """Grid worker in V's grid 1 and county leader: may change only the grid, view the county."""
    user = UserFactory(username="twohats")
    assign(user, Role.GRID_WORKER, tree.vg1)
    assign(user, Role.COUNTY_LEADER, tree.county)
    assert visible_numbers(user, "change") == {records.hv.number}
    assert visible_numbers(user, "reveal") == {records.hv.number}
    assert len(visible_numbers(user, "view")) == 3


def test_grid_scope_uses_the_grid_not_the_group(tree, users, records):
    other = Household.objects.create(
        number="5206221022110002",
        area=tree.v1,
        area_path=tree.v1.code,
        grid=tree.vg2,
        grid_path=tree.vg2.code,
        address="一组2号",
    )
    assert other.number not in visible_numbers(users.grid)
    assert other.number in visible_numbers(users.inside)


def test_persons_follow_the_same_rule(users, records):
    assert set(Person.objects.visible_to(users.inside)) == {records.pv}
    assert set(Person.objects.visible_to(users.neighbour)) == {records.pw}


def test_superuser_scope_is_all(users):
    assert users.admin.scope_prefixes("view") is ALL


def test_scope_is_cached_per_user_instance(users, django_assert_num_queries):
    users.inside.scope_prefixes("view")
    with django_assert_num_queries(0):
        users.inside.scope_prefixes("view")
        users.inside.scope_prefixes("change")
