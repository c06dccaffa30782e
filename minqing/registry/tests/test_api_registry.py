"""Registry API reads: scoping, search, masking, audited reveal, query counts, schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minqing.core.models import AuditEvent
from minqing.registry.models import House, Place
from minqing.registry.tests.api_helpers import result_ids, url
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory

# ------------------------------------------------------------------------------------------- scoping

VISIBLE = {
    "inside": {"hv"},
    "grid": {"hv"},
    "neighbour": {"hw"},
    "above": {"hv", "hw"},
    "county": {"hv", "hw", "hx"},
    "supervisor": {"hv", "hw", "hx"},
    "data_admin": {"hv", "hw"},
    "admin": {"hv", "hw", "hx"},
    "desk": set(),
    "health": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("user", sorted(VISIBLE))
def test_household_and_person_lists_are_scoped(as_user, records, user):
    client = as_user(user)
    expected = {getattr(records, key).pk for key in VISIBLE[user]}
    assert result_ids(client.get(url("household"))) == expected
    people = {getattr(records, "p" + key[1]).pk for key in VISIBLE[user]}
    assert result_ids(client.get(url("person"))) == people


@pytest.mark.parametrize(
    ("user", "key", "code"),
    [
        ("inside", "hv", 200),
        ("inside", "hw", 404),
        ("neighbour", "hv", 404),
        ("neighbour", "hw", 200),
        ("above", "hw", 200),
        ("above", "hx", 404),
        ("county", "hx", 200),
        ("desk", "hv", 404),
        ("health", "hv", 404),
        ("nobody", "hv", 404),
    ],
)
def test_details_answer_404_out_of_scope(as_user, records, user, key, code):
    client = as_user(user)
    assert client.get(url("household", getattr(records, key).pk)).status_code == code
    assert client.get(url("person", getattr(records, "p" + key[1]).pk)).status_code == code


def test_houses_and_places_are_scoped(as_user, extra):
    client = as_user("inside")
    assert result_ids(client.get(url("house"))) == {extra["house_v"].pk}
    assert result_ids(client.get(url("place"))) == {extra["place_v"].pk}
    assert client.get(url("place", extra["place_w"].pk)).status_code == 404
    assert client.get(url("house", extra["house_w"].pk)).status_code == 404
    assert result_ids(as_user("above").get(url("place"))) == {extra["place_v"].pk, extra["place_w"].pk}
    assert result_ids(as_user("desk").get(url("house"))) == set()


# ------------------------------------------------------------------------------------ search, filter


@pytest.mark.parametrize(
    "query",
    ["龙在内", "5206221022110001", "52062210221100", "13800001111", "pv.id_number", "pv.id_number.lower"],
)
def test_household_search_by_name_number_id_and_phone(as_user, records, query):
    if query.startswith("pv.id_number"):
        query = records.pv.id_number.lower() if query.endswith("lower") else records.pv.id_number
    assert result_ids(as_user("above").get(url("household"), {"q": query})) == {records.hv.pk}


def test_search_never_crosses_scope(as_user, records):
    client = as_user("inside")
    assert result_ids(client.get(url("household"), {"q": "杨在邻"})) == set()
    assert result_ids(client.get(url("household"), {"q": records.pw.id_number})) == set()
    assert result_ids(client.get(url("person"), {"q": records.pw.id_number})) == set()


def test_person_search_and_area_filter(as_user, records, tree):
    client = as_user("above")
    assert result_ids(client.get(url("person"), {"q": records.pv.id_number})) == {records.pv.pk}
    assert result_ids(client.get(url("person"), {"q": "13800002222"})) == {records.pw.pk}
    assert result_ids(client.get(url("household"), {"area": tree.w.code})) == {records.hw.pk}
    assert result_ids(client.get(url("household"), {"grid": tree.vg1.code})) == {records.hv.pk}
    # A filter never widens the scope.
    assert result_ids(as_user("inside").get(url("household"), {"area": tree.x.code})) == set()


# ------------------------------------------------------------------------------------------- masking


@pytest.mark.parametrize("user", ["inside", "grid", "above", "county", "supervisor", "data_admin", "admin"])
def test_no_sensitive_value_in_clear_for_any_role(as_user, records, extra, user):
    client = as_user(user)
    pages = [
        url("household"),
        url("household", records.hv.pk),
        url("person"),
        url("person", records.pv.pk),
        url("place"),
        url("place", extra["place_v"].pk),
        url("house"),
    ]
    for page in pages:
        body = client.get(page).content.decode()
        for secret in (records.pv.id_number, "13800001111", "13900003333"):
            assert secret not in body, (page, secret)
    detail = client.get(url("household", records.hv.pk)).json()
    assert detail["phone"] == "138****1111"
    assert detail["members"][0]["id_number"] == records.pv.id_number_masked
    assert client.get(url("person", records.pv.pk)).json()["phone"] == "138****1111"


def test_household_detail_has_members_houses_and_economy(as_user, records, extra):
    body = as_user("inside").get(url("household", records.hv.pk)).json()
    assert [m["name"] for m in body["members"]] == ["龙在内"]
    assert [h["address"] for h in body["houses"]] == ["鱼塘村1号"]
    assert body["economy"] == []
    assert body["area"] == records.hv.area.code and body["grid_name"] == "鱼塘村第1网格"


# -------------------------------------------------------------------------------------------- reveal


def test_reveal_returns_clear_value_and_is_audited(as_user, records):
    response = as_user("inside").post(url("person", records.pv.pk, "reveal"), {"field": "id_number"})
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": records.pv.id_number}
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(verb="sensitive.revealed")
    assert event.target_id == str(records.pv.pk) and event.actor.username == "inside"

    response = as_user("inside").post(url("household", records.hv.pk, "reveal"), {"field": "phone"})
    assert response.json()["value"] == "13800001111"
    assert AuditEvent.objects.filter(verb="sensitive.revealed").count() == 2


@pytest.mark.parametrize(
    ("user", "code"), [("county", 403), ("supervisor", 403), ("neighbour", 404), ("desk", 404)]
)
def test_reveal_refused_without_reveal_scope(as_user, records, user, code):
    response = as_user(user).post(
        url("person", records.pv.pk, "reveal"), {"field": "id_number"}, format="json"
    )
    assert response.status_code == code
    assert records.pv.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(verb="sensitive.revealed").exists()


def test_reveal_rejects_unknown_field(as_user, records):
    response = as_user("inside").post(url("person", records.pv.pk, "reveal"), {"field": "name"})
    assert response.status_code == 400 and "field" in response.json()["errors"]


def test_reveal_error_does_not_echo_a_huge_field_name(as_user, records):
    response = as_user("inside").post(url("person", records.pv.pk, "reveal"), {"field": "x" * 100_000})
    assert response.status_code == 400 and len(response.content) < 2_000


# ----------------------------------------------------------------------------------------- performance


@pytest.mark.parametrize("basename", ["household", "person", "house", "place"])
def test_list_query_count_does_not_grow(as_user, tree, extra, basename, django_assert_max_num_queries):
    client = as_user("above")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(basename)).status_code == 200
    assert len(few.captured_queries) <= 3  # the caller's assignments, then one query for the page
    for n in range(25):
        household = HouseholdFactory(area=tree.v2, grid=tree.vg2, number=f"52062210221120{n:02d}")
        PersonFactory(household=household, phone=f"1380000{n:04d}")
        House.objects.create(
            area=tree.v2, area_path=tree.v2.code, grid=tree.vg2, grid_path=tree.vg2.code, household=household
        )
        Place.objects.create(
            area=tree.v2, area_path=tree.v2.code, name=f"店{n}", place_type="shop", address="x"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = client.get(url(basename)).json()["results"]
    assert len(rows) > 25


def test_household_detail_query_count_does_not_grow(as_user, records, django_assert_max_num_queries):
    client = as_user("inside")
    with CaptureQueriesContext(connection) as few:
        client.get(url("household", records.hv.pk))
    for n in range(10):
        PersonFactory(household=records.hv, relation="20", name=f"龙子{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url("household", records.hv.pk)).json()["members"]) == 11


# --------------------------------------------------------------------------------------------- schema


def test_registry_endpoints_are_in_the_schema(as_user):
    schema = as_user("inside").get(reverse("schema"), {"format": "json"}).json()
    for path in (
        "/api/v1/households/",
        "/api/v1/households/{id}/",
        "/api/v1/households/{id}/reveal/",
        "/api/v1/households/{id}/economy/",
        "/api/v1/persons/",
        "/api/v1/persons/{id}/move/",
        "/api/v1/persons/{id}/reveal/",
        "/api/v1/houses/",
        "/api/v1/places/{id}/",
    ):
        assert path in schema["paths"], path
    assert "409" in schema["paths"]["/api/v1/households/{id}/"]["patch"]["responses"]
