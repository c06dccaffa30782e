"""The home page shows each role its own work: counts, key groups, recent files, the caller box."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from minqing.accounts.roles import Role
from minqing.accounts.tests.factories import UserFactory, assign
from minqing.home.selectors import health_everywhere
from minqing.registry.tests.factories import PersonFactory
from minqing.tags.models import HouseholdTag, Tag, TagCount

HOME = reverse("home:index")
NO_AREA = "您的账号尚未分配管辖区域"


def section(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    return body[start : start + 1200]


@pytest.fixture
def groups(tree, records):
    """A key group counted per village (V: 7) and a health key group (V: 3); links for grid counts."""
    dibao = Tag.objects.create(
        code="dibao-key",
        name="低保重点",
        category="hardship",
        kind="manual",
        target="household",
        is_key_group=True,
    )
    sick = Tag.objects.create(
        code="sick-key", name="重病关注", category="health", kind="manual", target="person", is_key_group=True
    )
    TagCount.objects.create(tag=dibao, village_path=records.hv.area_path[:12], count=7)
    TagCount.objects.create(tag=dibao, village_path=records.hw.area_path[:12], count=4)
    TagCount.objects.create(tag=sick, village_path=records.hv.area_path[:12], count=3)
    HouseholdTag.objects.create(
        tag=dibao, household=records.hv, area_path=records.hv.area_path, grid_path=records.hv.grid_path
    )
    return dibao, sick


def get_home(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


def test_village_cadre_sees_its_counts_groups_and_recent_files(client, users, groups):
    body = get_home(client, users.inside)
    assert ">1<" in section(body, "count-households")
    assert ">1<" in section(body, "count-persons")
    assert "低保重点" in section(body, "home-group-dibao-key") and ">7<" in section(
        body, "home-group-dibao-key"
    )
    assert "重病关注" in body  # a village cadre holds health in its village
    assert "龙在内" in section(body, "home-recent")
    assert "杨在邻" not in body and NO_AREA not in body


def test_county_leader_counts_the_county_without_health_groups(client, users, groups):
    body = get_home(client, users.county)
    assert ">3<" in section(body, "count-households")
    assert ">11<" in section(body, "home-group-dibao-key")
    assert "重病关注" not in body  # county leaders do not hold health
    assert "caller-box" not in body


def test_grid_worker_counts_its_grid_live(client, users, groups):
    body = get_home(client, users.grid)
    assert ">1<" in section(body, "count-households")
    assert ">1<" in section(body, "home-group-dibao-key")  # counted from the links, not the village row


def test_health_groups_need_health_over_the_whole_scope(users, tree):
    assert health_everywhere(users.inside)
    assert not health_everywhere(users.county)
    mixed = assign(UserFactory(username="mixed"), Role.SUPERVISOR, tree.county)
    assign(mixed, Role.GRID_WORKER, tree.vg1)
    assert not health_everywhere(mixed)
    assert health_everywhere(users.admin)


def test_desk_home_is_the_caller_box_first(client, users, records):
    body = get_home(client, users.desk)
    assert body.index('data-testid="caller-box"') < body.index('data-testid="home-counts"')
    assert ">3<" in section(body, "count-households")
    assert "home-recent" not in body and "home-groups" not in body  # basic information only
    assert NO_AREA not in body


def test_department_staff_see_their_department_not_no_area(client, users):
    body = get_home(client, users.health)
    assert NO_AREA not in body
    assert "home-department" in body
    assert users.health.active_assignments()[0].department.name in body


def test_linked_resident_sees_the_basic_card_of_the_own_household(client, tree, records):
    resident = UserFactory(username="resident-1", phone="13800001111")
    assign(resident, Role.RESIDENT, tree.v)
    PersonFactory(household=records.hv, name="龙小妹", relation="20", sex="2", phone="")
    body = get_home(client, resident)
    card = section(body, "household-card")
    assert "龙在内" in card and records.hv.number in card
    assert "龙小妹" in body and "138****1111" in body
    assert records.pv.id_number not in body
    assert NO_AREA not in body


def test_a_resident_is_not_linked_to_a_household_of_another_village(client, tree, records):
    resident = UserFactory(username="resident-2", phone="13800002222")  # W's head phone
    assign(resident, Role.RESIDENT, tree.v)
    body = get_home(client, resident)
    assert "杨在邻" not in body
    assert "档案中没有登记手机号" in body and NO_AREA not in body


def test_resident_without_phone_is_told_what_to_ask_for(client, tree):
    resident = UserFactory(username="resident-3")
    assign(resident, Role.RESIDENT, tree.v)
    body = get_home(client, resident)
    assert "请工作人员为您的账号登记手机号码" in body and NO_AREA not in body


def test_user_without_assignment_is_told_so(client, users):
    assert NO_AREA in get_home(client, users.nobody)


def pg_extra(name: str) -> int:
    """PostgreSQL adds the statement timeout and, per capped count, a savepoint and two ``SET LOCAL``s
    (``core.db.no_merge_join``); counted roles make two capped counts."""
    if connection.vendor != "postgresql":
        return 0
    return 1 + (8 if name not in ("health", "nobody") else 0)


# A department official's menu asks once whether any household is paired with them (7, not 6).
@pytest.mark.parametrize(
    ("name", "budget"),
    [("inside", 14), ("grid", 14), ("county", 14), ("admin", 14), ("desk", 9), ("health", 7), ("nobody", 6)],
)
def test_home_query_budget(client, users, groups, django_assert_max_num_queries, name, budget):
    client.force_login(getattr(users, name))
    with django_assert_max_num_queries(budget + pg_extra(name)):
        assert client.get(HOME).status_code == 200


def test_home_queries_do_not_grow_with_the_data(client, users, tree, groups, django_assert_max_num_queries):
    client.force_login(users.inside)
    with django_assert_max_num_queries(50) as small:
        client.get(HOME)
    from minqing.registry.tests.factories import HouseholdFactory

    for n in range(15):
        PersonFactory(household=HouseholdFactory(area=tree.v1, grid=tree.vg1, head_name=f"龙新{n}"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(HOME)


def test_home_shows_resident_query_budget(client, tree, records, django_assert_max_num_queries):
    resident = UserFactory(username="resident-4", phone="13800001111")
    assign(resident, Role.RESIDENT, tree.v)
    client.force_login(resident)
    with django_assert_max_num_queries(10 + pg_extra("resident")):
        assert client.get(HOME).status_code == 200
