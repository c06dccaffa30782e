"""The ticket API role by role: list, retrieve, idempotent filing, one action per transition, the proposed
route and the category tree; exact status codes, the Chinese messages, nothing saved on bad input."""

import uuid

import pytest
from rest_framework.test import APIClient

from minqing.tickets.models import Status, Ticket


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def medical(file, users, records, cats, rules, stationed):
    return file(users.desk, household=records.hv.pk, category=cats.medical.pk)


@pytest.fixture
def housing(file, users, records, cats, rules):
    return file(users.desk, household=records.hw.pk, category=cats.housing.pk)


def body(cats, records, **extra):
    data = {
        "client_id": str(uuid.uuid4()),
        "channel": "hotline",
        "kind": "help",
        "category": cats.medical.pk,
        "household": records.hv.pk,
        "description": "老人需要就医帮助",
    }
    data.update(extra)
    return data


def test_list_is_scoped(api, users, medical, housing):
    api.force_authenticate(users.health)
    rows = api.get("/api/v1/tickets/").json()["results"]
    assert [r["number"] for r in rows] == [medical.number]
    assert rows[0]["handlers"][0]["name"] and "caller_phone" not in rows[0]
    api.force_authenticate(users.neighbour)
    assert [r["number"] for r in api.get("/api/v1/tickets/").json()["results"]] == [housing.number]
    api.force_authenticate(users.nobody)
    assert api.get("/api/v1/tickets/").json()["results"] == []
    api.force_authenticate(users.desk)
    found = api.get("/api/v1/tickets/", {"category": housing.category_id}).json()["results"]
    assert [r["number"] for r in found] == [housing.number]
    assert api.get("/api/v1/tickets/", {"category": 0}).status_code == 400


def test_anonymous_is_401(api, db):
    assert api.get("/api/v1/tickets/").status_code == 401


@pytest.mark.parametrize(
    ("who", "code"), [("inside", 200), ("desk", 200), ("health", 200), ("neighbour", 404), ("nobody", 404)]
)
def test_retrieve_role_by_role(who, code, api, users, medical):
    api.force_authenticate(getattr(users, who))
    response = api.get(f"/api/v1/tickets/{medical.pk}/")
    assert response.status_code == code
    if code == 200:
        assert [e["verb"] for e in response.json()["events"]] == ["filed", "dispatch"]


def test_create_is_idempotent(api, users, cats, records, rules, stationed, depts):
    api.force_authenticate(users.desk)
    data = body(cats, records)
    first = api.post("/api/v1/tickets/", data, format="json")
    assert first.status_code == 201, first.json()
    again = api.post("/api/v1/tickets/", data, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Ticket.objects.count() == 1
    names = {h["name"] for h in first.json()["handlers"]}
    assert names == {depts.health.name, str(stationed)}
    assert first.json()["status"] == Status.DISPATCHED


def test_create_with_a_chosen_route(api, users, cats, records, rules, depts):
    api.force_authenticate(users.desk)
    data = body(cats, records, route={"departments": [depts.housing.pk]})
    response = api.post("/api/v1/tickets/", data, format="json")
    assert response.status_code == 201
    assert [h["department"] for h in response.json()["handlers"]] == [depts.housing.pk]


def test_create_bad_input_is_400_and_saves_nothing(api, users, cats, records):
    api.force_authenticate(users.desk)
    response = api.post("/api/v1/tickets/", body(cats, records, household=None), format="json")
    assert response.status_code == 400
    assert "来电人不在户籍档案中" in response.json()["errors"]["area"][0]
    response = api.post(
        "/api/v1/tickets/",
        body(cats, records, caller_phone="123", household=None, area=records.hv.area_id),
        format="json",
    )
    assert response.status_code == 400 and "caller_phone" in response.json()["errors"]
    assert api.post("/api/v1/tickets/", body(cats, records, category="abc"), format="json").status_code == 400
    assert api.post("/api/v1/tickets/", body(cats, records, client_id="x"), format="json").status_code == 400
    assert not Ticket.objects.exists()


def test_create_permissions(api, users, cats, records):
    api.force_authenticate(users.health)
    assert api.post("/api/v1/tickets/", body(cats, records), format="json").status_code == 403
    api.force_authenticate(users.inside)
    assert (
        api.post("/api/v1/tickets/", body(cats, records, household=records.hx.pk), format="json").status_code
        == 404
    )
    assert not Ticket.objects.exists()


def test_anonymous_caller(api, users, cats, tree):
    api.force_authenticate(users.desk)
    data = {
        "client_id": str(uuid.uuid4()),
        "channel": "hotline",
        "kind": "consult",
        "category": cats.other.pk,
        "area": tree.x.pk,
        "caller_name": "匿名",
        "caller_phone": "13912345678",
        "description": "咨询医保缴费时间",
    }
    response = api.post("/api/v1/tickets/", data, format="json")
    assert response.status_code == 201
    assert response.json()["caller_phone_masked"] != "13912345678" and response.json()["status"] == Status.NEW


def test_the_loop_through_the_api(api, users, medical):
    api.force_authenticate(users.health)
    url = f"/api/v1/tickets/{medical.pk}"
    assert api.post(f"{url}/resolve/", {"answer": "好了"}).status_code == 400  # out of order
    assert api.post(f"{url}/accept/").status_code == 200
    assert api.post(f"{url}/reply/", {"note": "已联系"}).status_code == 200
    assert api.post(f"{url}/resolve/", {}).status_code == 400
    response = api.post(f"{url}/resolve/", {"answer": "已诊治"})
    assert response.status_code == 200 and response.json()["status"] == Status.RESOLVED
    api.force_authenticate(users.desk)
    assert api.post(f"{url}/visit-back/", {"satisfaction": "great"}).status_code == 400
    assert api.post(f"{url}/visit-back/", {"satisfaction": "fairly"}).status_code == 200
    response = api.post(f"{url}/archive/")
    assert response.status_code == 200 and response.json()["status"] == Status.ARCHIVED


def test_action_permissions(api, users, medical, housing):
    api.force_authenticate(users.inside)
    assert api.post(f"/api/v1/tickets/{medical.pk}/accept/").status_code == 403
    api.force_authenticate(users.neighbour)
    assert api.post(f"/api/v1/tickets/{medical.pk}/accept/").status_code == 404
    api.force_authenticate(users.health)
    assert api.post(f"/api/v1/tickets/{housing.pk}/accept/").status_code == 404
    assert api.post(f"/api/v1/tickets/{medical.pk}/archive/").status_code == 403
    assert api.post("/api/v1/tickets/999999/accept/").status_code == 404


def test_return_review_extension_escalate_supervise(api, users, medical, depts):
    api.force_authenticate(users.health)
    url = f"/api/v1/tickets/{medical.pk}"
    assert api.post(f"{url}/escalate/", {"reason": "需要上级"}).status_code == 400  # a county department
    assert api.post(f"{url}/return/", {"reason": ""}).status_code == 400
    assert api.post(f"{url}/return/", {"reason": "不属本部门"}).status_code == 200
    api.force_authenticate(users.desk)
    data = {"approve": True, "note": "改派住建", "route": {"departments": [depts.housing.pk]}}
    response = api.post(f"{url}/review-return/", data, format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.DISPATCHED
    assert api.post(f"{url}/supervise/").status_code == 400  # not overdue
    api.force_authenticate(users.health)  # released by the approved return
    assert (
        api.post(f"{url}/request-extension/", {"until": "2099-01-01T00:00:00Z", "reason": "x"}).status_code
        == 404
    )


def test_dispatch_and_extension(api, users, file, records, cats, depts):
    lost = file(users.desk, household=records.hv.pk, category=cats.other.pk)
    api.force_authenticate(users.desk)
    url = f"/api/v1/tickets/{lost.pk}"
    assert api.post(f"{url}/dispatch/", {"route": {}}, format="json").status_code == 400
    route = {"route": {"departments": [depts.health.pk]}}
    assert api.post(f"{url}/dispatch/", route, format="json").status_code == 200
    api.force_authenticate(users.health)
    api.post(f"{url}/accept/")
    data = {"until": "2099-01-01T00:00:00Z", "reason": "等待检查结果"}
    assert api.post(f"{url}/request-extension/", data).status_code == 200
    assert api.post(f"{url}/decide-extension/", {"approve": True}).status_code == 403
    api.force_authenticate(users.desk)
    response = api.post(f"{url}/decide-extension/", {"approve": True, "note": "同意"})
    assert response.status_code == 200 and response.json()["due_at"].startswith("2099-01-01")


def test_route_endpoint(api, users, cats, records, rules, stationed, depts):
    api.force_authenticate(users.desk)
    response = api.get("/api/v1/tickets/route/", {"category": cats.medical.pk, "household": records.hv.pk})
    assert response.status_code == 200
    assert response.json()["departments"] == [{"id": depts.health.pk, "name": depts.health.name}]
    assert response.json()["cadre"]["id"] == stationed.pk and response.json()["has_lead"] is True
    response = api.get("/api/v1/tickets/route/", {"category": cats.other.pk})
    assert response.status_code == 200 and response.json()["has_lead"] is False
    assert api.get("/api/v1/tickets/route/").status_code == 400
    assert api.get("/api/v1/tickets/route/", {"category": 999999}).status_code == 400
    api.force_authenticate(users.inside)
    response = api.get("/api/v1/tickets/route/", {"category": cats.medical.pk, "household": records.hx.pk})
    assert response.status_code == 404
    api.force_authenticate(users.health)
    assert api.get("/api/v1/tickets/route/", {"category": cats.medical.pk}).status_code == 403


def test_category_tree(api, users, cats):
    api.force_authenticate(users.desk)
    rows = api.get("/api/v1/ticket-categories/").json()
    medical = next(r for r in rows if r["id"] == cats.medical.pk)
    assert {"id": cats.clinic.pk, "name": cats.clinic.name} in medical["children"]
    assert all(r["id"] != cats.clinic.pk for r in rows)  # children only under their parent


def test_close_on_phone(api, users, cats, records):
    api.force_authenticate(users.desk)
    data = body(cats, records, kind="consult", answer="每年12月31日前缴费")
    first = api.post("/api/v1/tickets/close-on-phone/", data, format="json")
    assert first.status_code == 201 and first.json()["status"] == Status.ARCHIVED
    again = api.post("/api/v1/tickets/close-on-phone/", data, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    response = api.post(
        "/api/v1/tickets/close-on-phone/", {**data, "client_id": str(uuid.uuid4()), "kind": "help"}
    )
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    api.force_authenticate(users.grid)  # files from visits, but has no dispatch right to close
    response = api.post(
        "/api/v1/tickets/close-on-phone/", {**data, "client_id": str(uuid.uuid4())}, format="json"
    )
    assert response.status_code == 403
    assert Ticket.objects.count() == 1
