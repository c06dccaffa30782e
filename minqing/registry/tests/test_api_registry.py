"""Registry API: scoping, search, masking, audited reveal, service-backed writes, optimistic locking, query count."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.core.idnumber import make_id_number
from minqing.core.models import AuditEvent
from minqing.registry.models import House, Household, Person, Place
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory

CJK = re.compile(r"[\u4e00-\u9fff]")
NEW_ID = make_id_number("520622", date(1980, 1, 2), 11)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def as_user(api, users):
    def _as(name: str) -> APIClient:
        api.force_authenticate(getattr(users, name))
        return api

    return _as


@pytest.fixture
def extra(tree, records):
    """A house and a place in V and in W; the place phones are sensitive too."""
    return {
        "house_v": House.objects.create(
            area=tree.v1, area_path=tree.v1.code, address="鱼塘村1号", household=records.hv
        ),
        "house_w": House.objects.create(area=tree.w1, area_path=tree.w1.code, address="邻家村1号"),
        "place_v": Place.objects.create(
            area=tree.v,
            area_path=tree.v.code,
            name="鱼塘小卖部",
            place_type="shop",
            address="鱼塘村口",
            phone="13900003333",
        ),
        "place_w": Place.objects.create(
            area=tree.w, area_path=tree.w.code, name="邻家诊所", place_type="clinic", address="邻家村口"
        ),
    }


def url(basename: str, pk: int | None = None, action: str | None = None) -> str:
    if action:
        return reverse(f"api:{basename}-{action}", kwargs={"pk": pk})
    return reverse(f"api:{basename}-detail", kwargs={"pk": pk}) if pk else reverse(f"api:{basename}-list")


def result_ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def head_payload(**overrides) -> dict:
    head = {
        "name": "龙新户",
        "sex": "1",
        "birth_date": "1980-01-02",
        "id_number": NEW_ID,
        "phone": "13700007777",
    }
    return {**head, **overrides}


def household_payload(tree, **overrides) -> dict:
    data = {"area": tree.v1.code, "grid": tree.vg1.code, "address": "鱼塘村一组8号", "head": head_payload()}
    return {**data, **overrides}


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


# ------------------------------------------------------------------------------------ household writes


def test_create_household_with_head(as_user, tree, users):
    response = as_user("inside").post(url("household"), household_payload(tree), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["head_name"] == "龙新户" and body["member_count"] == 1
    assert body["number"].startswith(tree.v.code)
    assert NEW_ID not in response.content.decode() and "13700007777" not in response.content.decode()
    head = Person.objects.get(id_number=NEW_ID)
    assert head.household_id == body["id"] and head.relation == "02" and head.grid == tree.vg1
    assert AuditEvent.objects.filter(verb="registry.household.created", target_id=str(body["id"])).exists()


@pytest.mark.parametrize(
    ("id_number", "fragment"),
    [(NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"), "校验"), ("52062219800102", "")],
)
def test_create_household_invalid_id_is_400_in_chinese(as_user, tree, id_number, fragment):
    before = Household.objects.count()
    payload = household_payload(tree, head=head_payload(id_number=id_number))
    response = as_user("inside").post(url("household"), payload, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    message = " ".join(errors.get("head", {}).get("id_number", []) or errors.get("id_number", []))
    assert CJK.search(message) and fragment in message
    assert Household.objects.count() == before


def test_create_household_birth_date_must_match_id(as_user, tree):
    payload = household_payload(tree, head=head_payload(birth_date="1981-01-02"))
    response = as_user("inside").post(url("household"), payload, format="json")
    assert response.status_code == 400
    assert "出生日期" in response.json()["errors"]["head"]["birth_date"][0]


def test_create_household_duplicate_id_is_400(as_user, tree, records):
    before = (Household.objects.count(), Person.objects.count())
    payload = household_payload(tree, head=head_payload(id_number=records.pv.id_number))
    response = as_user("inside").post(url("household"), payload, format="json")
    assert response.status_code == 400
    assert "已登记" in response.json()["errors"]["head"]["id_number"][0]
    assert (Household.objects.count(), Person.objects.count()) == before


@pytest.mark.parametrize("area", ["w1", "x1"])
def test_create_household_outside_scope_writes_nothing(as_user, tree, area):
    payload = household_payload(tree, area=getattr(tree, area).code, grid=None)
    response = as_user("inside").post(url("household"), payload, format="json")
    assert response.status_code in (400, 404)
    assert "area" in response.json().get("errors", {"area": 1})
    assert not Household.objects.exists() and not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_read_only_roles_cannot_create(as_user, tree):
    for user in ("county", "supervisor", "desk"):
        response = as_user(user).post(url("household"), household_payload(tree), format="json")
        assert response.status_code in (400, 403, 404)
    assert not Household.objects.exists()


def test_patch_household_needs_version_and_bumps_it(as_user, records):
    client = as_user("inside")
    missing = client.patch(url("household", records.hv.pk), {"address": "新址"}, format="json")
    assert missing.status_code == 400
    assert "版本" in missing.json()["errors"]["version"][0]
    response = client.patch(url("household", records.hv.pk), {"address": "新址", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["address"] == "新址"
    event = AuditEvent.objects.get(verb="registry.household.updated")
    assert event.changes["住址"][1] == "新址"


def test_put_household_replaces_fields(as_user, records, tree):
    data = {"area": tree.v2.code, "grid": tree.vg2.code, "address": "二组9号", "dibao": "rural", "version": 1}
    response = as_user("inside").put(url("household", records.hv.pk), data, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["area"] == tree.v2.code and response.json()["dibao"] == "rural"
    records.pv.refresh_from_db()
    assert records.pv.area_path == tree.v2.code and records.pv.grid_path == tree.vg2.code


def test_unknown_area_code_is_400_in_chinese(as_user, tree):
    response = as_user("inside").post(url("household"), household_payload(tree, area="999"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["area"] == ["区划代码 999 不存在。"]


def test_stale_version_is_409_with_the_other_changes(as_user, records):
    url_hv = url("household", records.hv.pk)
    first = as_user("above").patch(url_hv, {"phone": "13611112222", "version": 1}, format="json")
    assert first.status_code == 200
    response = as_user("inside").patch(url_hv, {"address": "覆盖", "version": 1}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert "修改" in body["detail"] and body["current_version"] == 2
    assert len(body["changes"]) == 1 and body["changes"][0]["actor_name"]
    assert body["changes"][0]["changes"]["联系电话"] == ["138****1111", "136****2222"]
    assert "13611112222" not in response.content.decode()
    records.hv.refresh_from_db()
    assert records.hv.address != "覆盖" and records.hv.version == 2


@pytest.mark.parametrize("user", ["county", "supervisor", "desk", "neighbour"])
def test_read_only_or_outside_cannot_patch(as_user, records, user):
    response = as_user(user).patch(
        url("household", records.hv.pk), {"address": "x", "version": 1}, format="json"
    )
    assert response.status_code in (403, 404)
    records.hv.refresh_from_db()
    assert records.hv.address != "x" and records.hv.version == 1


def test_move_to_out_of_scope_area_is_refused(as_user, records, tree):
    response = as_user("inside").patch(
        url("household", records.hv.pk), {"area": tree.w1.code, "version": 1}, format="json"
    )
    assert response.status_code == 400 and "area" in response.json()["errors"]
    records.hv.refresh_from_db()
    assert records.hv.area_path == tree.v1.code


def test_economy_action_saves_a_year(as_user, records):
    client = as_user("inside")
    response = client.post(
        url("household", records.hv.pk, "economy"),
        {"year": 2024, "population": 2, "wage_income": "12000.00", "dibao_income": "2000"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Decimal(response.json()["net_per_capita"]) == Decimal("7000.00")
    assert client.get(url("household", records.hv.pk)).json()["economy"][0]["year"] == 2024
    assert as_user("county").post(url("household", records.hv.pk, "economy"), {"year": 2024}).status_code in (
        403,
        404,
    )


# -------------------------------------------------------------------------------------- person writes


def test_add_member_to_household(as_user, records):
    data = {
        "household": records.hv.pk,
        "name": "龙小妹",
        "relation": "30",
        "sex": "2",
        "birth_date": "2010-03-04",
        "id_number": make_id_number("520622", date(2010, 3, 4), 12),
    }
    response = as_user("inside").post(url("person"), data, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["household_number"] == records.hv.number
    records.hv.refresh_from_db()
    assert records.hv.member_count == 2


def test_cannot_add_member_out_of_scope(as_user, records):
    data = {
        "household": records.hw.pk,
        "name": "外人",
        "relation": "30",
        "sex": "2",
        "birth_date": "2010-03-04",
    }
    response = as_user("inside").post(url("person"), data, format="json")
    assert response.status_code == 400
    assert "不在您的管辖范围内" in response.json()["errors"]["household"][0]
    assert not Person.objects.filter(name="外人").exists()


def test_second_head_is_refused(as_user, records):
    data = {
        "household": records.hv.pk,
        "name": "二户主",
        "relation": "02",
        "sex": "1",
        "birth_date": "1990-01-01",
    }
    response = as_user("inside").post(url("person"), data, format="json")
    assert response.status_code == 400 and "relation" in response.json()["errors"]


def test_patch_person_with_version(as_user, records):
    client = as_user("inside")
    response = client.patch(url("person", records.pv.pk), {"occupation": "农民", "version": 1}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = client.patch(url("person", records.pv.pk), {"occupation": "教师", "version": 1}, format="json")
    assert stale.status_code == 409
    records.pv.refresh_from_db()
    assert records.pv.occupation == "农民"


def test_move_member_to_another_household(as_user, records, tree):
    member = PersonFactory(household=records.hv, relation="30", name="龙女儿", sex="2")
    target = HouseholdFactory(number="5206221022110002", area=tree.v2)
    PersonFactory(household=target, name="罗户主")
    response = as_user("inside").post(
        url("person", member.pk, "move"),
        {"to_household": target.pk, "relation": "12", "reason": "婚嫁"},
        format="json",
    )
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert member.household == target and member.area_path == tree.v2.code
    refused = as_user("inside").post(
        url("person", member.pk, "move"), {"to_household": records.hw.pk, "relation": "12", "reason": "x"}
    )
    assert refused.status_code == 400 and "to_household" in refused.json()["errors"]


# -------------------------------------------------------------------------------- house, place writes


def test_create_and_update_place_masks_phone(as_user, tree):
    client = as_user("inside")
    data = {"area": tree.v.code, "name": "鱼塘幼儿园", "place_type": "kindergarten", "address": "村委旁"}
    response = client.post(url("place"), {**data, "phone": "13500005555"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["phone"] == "135****5555" and "13500005555" not in response.content.decode()
    pk = response.json()["id"]
    updated = client.patch(url("place", pk), {"hazard_type": "01", "version": 1}, format="json")
    assert updated.status_code == 200 and updated.json()["hazard_type_display"] == "火灾隐患"
    assert (
        as_user("inside").post(url("place"), {**data, "area": tree.w.code}, format="json").status_code == 400
    )


def test_create_house_for_household_takes_its_area(as_user, records):
    response = as_user("inside").post(
        url("house"), {"household": records.hv.pk, "address": "新房"}, format="json"
    )
    assert response.status_code == 201, response.content
    house = House.objects.get(pk=response.json()["id"])
    assert house.area_path == records.hv.area_path and house.grid_path == records.hv.grid_path
    assert as_user("inside").post(url("house"), {"address": "无处"}, format="json").status_code == 400


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
