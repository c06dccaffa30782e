"""Registry API writes: through the services, validated in Chinese, optimistic locking, scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from minqing.core.idnumber import make_id_number
from minqing.core.models import AuditEvent
from minqing.registry.models import House, Household, Person
from minqing.registry.tests.api_helpers import CJK, NEW_ID, head_payload, household_payload, url
from minqing.registry.tests.factories import HouseholdFactory, PersonFactory

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
