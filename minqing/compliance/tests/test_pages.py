"""The compliance pages and API, role by role with exact status codes, and bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from minqing.compliance.models import QuotaRule
from minqing.core.models import AuditEvent

AREA = "/compliance/"
DUE = "/compliance/due/"
RULES = "/compliance/rules/"


def test_route_names():
    assert reverse("compliance:area") == AREA
    assert reverse("compliance:due") == DUE
    assert reverse("compliance:rules") == RULES
    assert reverse("compliance:cadre", args=[7]) == "/compliance/cadres/7/"
    assert reverse("api:compliance") == "/api/v1/compliance/"
    assert reverse("api:compliance-due") == "/api/v1/compliance/due/"


def statuses(client, users_and_codes, url):
    seen = {}
    for user, _code in users_and_codes:
        client.force_login(user)
        seen[user.username] = client.get(url).status_code
    return seen


def test_area_page_role_by_role(client, world):
    u = world.users
    township = f"{AREA}?area={world.tree.t.code}"
    expected = [
        (u.above, 200),
        (u.county, 200),
        (u.supervisor, 200),
        (u.data_admin, 200),
        (u.admin, 200),
        (u.inside, 404),
        (u.neighbour, 404),
        (u.grid, 404),  # T lies above their areas
        (u.desk, 403),
        (u.health, 403),
        (u.nobody, 403),
    ]
    assert statuses(client, expected, township) == {user.username: code for user, code in expected}
    client.logout()
    assert client.get(township).status_code == 302
    village = f"{AREA}?area={world.tree.v.code}"
    expected = [(u.inside, 200), (u.grid, 404), (u.neighbour, 404), (u.above, 200)]
    assert statuses(client, expected, village) == {user.username: code for user, code in expected}
    grid = f"{AREA}?area={world.tree.vg1.code}"
    assert statuses(client, [(u.grid, 200)], grid) == {u.grid.username: 200}


def test_area_page_content_and_bounded_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.users.above)
    with django_assert_max_num_queries(16):
        response = client.get(AREA)  # the township staff's own township by default
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="coverage">80.0%' in body
    assert "鱼塘村" in body and "邻家村" in body and "远方村" not in body
    assert "龙三" in body  # not visited this half year
    assert "懒" in body  # the lazy cadre is behind
    assert response.context["page"].total == 1
    past = client.get(f"{AREA}?area={world.tree.t.code}&period={world.rules.coverage and '2020-H1'}")
    assert past.status_code == 200 and 'data-testid="coverage">0.0%' in past.content.decode()
    garbage = client.get(f"{AREA}?period=2026-H9&after=zzz")
    assert garbage.status_code == 200  # a bad period is the default one, a bad cursor the first page


def test_due_page(client, world, django_assert_max_num_queries):
    u = world.users
    for user, code in (
        (u.inside, 200),
        (u.above, 200),
        (u.grid, 200),
        (u.county, 403),
        (u.supervisor, 403),
        (u.nobody, 403),
    ):
        client.force_login(user)
        assert client.get(DUE).status_code == code, user.username
    client.force_login(u.inside)
    # PostgreSQL: + SET LOCAL of the capped count (core.db.no_merge_join); the rules are read once
    with django_assert_max_num_queries(16):
        response = client.get(DUE)
    body = response.content.decode()
    assert "龙三" in body and "本月 0/4 次" in body


def test_cadre_page_role_by_role(client, world, django_assert_max_num_queries):
    u = world.users
    url = reverse("compliance:cadre", args=[u.inside.pk])
    expected = [
        (u.above, 200),
        (u.supervisor, 200),
        (u.county, 200),
        (u.inside, 200),
        (u.data_admin, 200),
        (u.neighbour, 404),
        (u.grid, 404),
        (u.desk, 403),
        (u.nobody, 403),
    ]
    assert statuses(client, expected, url) == {user.username: code for user, code in expected}
    assert statuses(client, [(u.above, 404)], reverse("compliance:cadre", args=[u.nobody.pk])) == {
        u.above.username: 404
    }
    client.force_login(u.supervisor)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    a = response.context["a"]
    assert a.households_visited >= 2 and sum(n for _w, n in a.weeks) == 2
    assert {p.household_id for p in a.pairings} == {world.hv.pk, world.h3.pk}


def test_rules_pages(client, world):
    u = world.users
    for user, code in ((u.inside, 200), (u.supervisor, 200), (u.nobody, 403)):
        client.force_login(user)
        assert client.get(RULES).status_code == code
    create = reverse("compliance:rule_create")
    for user, code in (
        (u.data_admin, 200),
        (u.inside, 200),
        (u.supervisor, 403),
        (u.county, 403),
        (u.nobody, 403),
    ):
        client.force_login(user)
        assert client.get(create).status_code == code, user.username
    client.force_login(u.inside)
    response = client.post(create, {"area": world.tree.v.pk, "kind": "paired", "count": 0, "enabled": "on"})
    assert response.status_code == 200 and not QuotaRule.objects.filter(area=world.tree.v).exists()
    response = client.post(
        create, {"area": world.tree.v.pk, "kind": "coverage", "count": 1, "months": "", "enabled": "on"}
    )
    assert "周期须为1、2、3、4、6或12个月（按自然年划分）。" in response.content.decode()
    response = client.post(create, {"area": world.tree.w.pk, "kind": "paired", "count": 2, "enabled": "on"})
    assert response.status_code == 200  # W is not among the inside user's choices
    response = client.post(create, {"area": world.tree.v.pk, "kind": "paired", "count": 2, "enabled": "on"})
    assert response.status_code == 302
    rule = QuotaRule.objects.get(area=world.tree.v)
    edit = reverse("compliance:rule_edit", args=[rule.pk])
    delete = reverse("compliance:rule_delete", args=[rule.pk])
    county_rule = reverse("compliance:rule_edit", args=[world.rules.coverage.pk])
    for user, url, code in (
        (u.neighbour, edit, 404),
        (u.supervisor, edit, 403),
        (u.inside, county_rule, 404),
        (u.data_admin, county_rule, 404),
        (u.supervisor, county_rule, 403),
        (u.inside, edit, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == code, (user.username, url)
    client.force_login(u.neighbour)
    assert client.post(delete).status_code == 404
    client.force_login(u.inside)
    assert (
        client.post(
            edit, {"area": world.tree.v.pk, "kind": "paired", "count": 3, "enabled": "on"}
        ).status_code
        == 302
    )
    assert QuotaRule.objects.get(pk=rule.pk).count == 3
    assert client.get(delete).status_code == 405
    assert client.post(delete).status_code == 302
    verbs = list(AuditEvent.objects.filter(verb__startswith="compliance.").values_list("verb", flat=True))
    assert sorted(verbs) == ["compliance.rule.created", "compliance.rule.deleted", "compliance.rule.updated"]


def test_api_summary_and_due(client, world, django_assert_max_num_queries):
    u = world.users
    url = f"/api/v1/compliance/?area={world.tree.t.code}"
    for user, code in ((u.above, 200), (u.supervisor, 200), (u.inside, 404), (u.desk, 403), (u.nobody, 403)):
        client.force_login(user)
        assert client.get(url).status_code == code, user.username
    client.force_login(u.above)
    with django_assert_max_num_queries(16):
        data = client.get(url).json()
    assert (data["households"], data["visited"], data["percent"]) == (5, 4, 80.0)
    assert [a["code"] for a in data["areas"]] == [world.tree.v.code, world.tree.w.code]
    assert data["paired_behind_count"] == 2 and data["paired_behind"][0]["household"] == world.h3.pk
    assert client.get("/api/v1/compliance/?area=abc").status_code == 404
    for user, code in ((u.inside, 200), (u.supervisor, 403), (u.nobody, 403)):
        client.force_login(user)
        assert client.get("/api/v1/compliance/due/").status_code == code, user.username
    client.force_login(u.inside)
    with django_assert_max_num_queries(18):
        data = client.get("/api/v1/compliance/due/").json()
    assert data["households_due"] == 1 and [p["household"] for p in data["paired"]] == [
        world.h3.pk,
        world.hv.pk,
    ]
    client.logout()
    assert client.get("/api/v1/compliance/due/").status_code == 401


@pytest.mark.parametrize("period", ["2026", "2026-Q1", "2026-12", "2026-T2", "2026-S1"])
def test_every_period_form_renders(client, world, period):
    client.force_login(world.users.above)
    assert client.get(f"{AREA}?period={period}").status_code == 200
