"""API mechanics every endpoint inherits: scoping, auth, pagination without counts, Chinese errors, schema."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

PASSWORD = "Correct-Horse-42"


@pytest.fixture
def api():
    return APIClient()


def test_areas_are_scoped(api, users, tree):
    api.force_authenticate(users.neighbour)
    codes = {a["code"] for a in api.get(reverse("api:area-list"), {"page_size": 200}).json()["results"]}
    assert tree.w.code in codes and tree.wg1.code in codes
    assert tree.v.code not in codes and tree.t.code not in codes
    assert api.get(reverse("api:area-detail", kwargs={"code": tree.v.code})).status_code == 404


def test_no_assignment_sees_nothing(api, users):
    api.force_authenticate(users.nobody)
    assert api.get(reverse("api:area-list")).json()["results"] == []


def test_pagination_has_no_count(api, users):
    api.force_authenticate(users.admin)
    body = api.get(reverse("api:area-list"), {"page_size": 3}).json()
    assert set(body) == {"page", "next", "previous", "results"}
    assert len(body["results"]) == 3 and body["next"]
    second = api.get(body["next"]).json()
    assert second["page"] == 2 and second["previous"]


def test_next_and_previous_links_walk_every_row_once(api, users, tree):
    api.force_authenticate(users.admin)
    everything = [a["code"] for a in api.get(reverse("api:area-list"), {"page_size": 200}).json()["results"]]
    seen, url = [], reverse("api:area-list") + "?page_size=4"
    while url:
        body = api.get(url).json()
        assert "after=" in url or url.endswith("page_size=4")
        seen += [a["code"] for a in body["results"]]
        url = body["next"]
    assert seen == everything
    last = api.get(reverse("api:area-list"), {"page_size": 4, "before": ""}).json()
    assert [a["code"] for a in last["results"]] == everything[-4:] and last["next"] is None
    back = api.get(last["previous"]).json()
    assert [a["code"] for a in back["results"]] == everything[-8:-4]


@pytest.mark.parametrize("raw", ["abc", "999999", "-1"])
def test_bad_cursors_and_pages_are_the_first_page(api, users, raw):
    api.force_authenticate(users.admin)
    first = api.get(reverse("api:area-list"), {"page_size": 3}).json()["results"]
    for name in ("page", "after", "before"):
        response = api.get(reverse("api:area-list"), {"page_size": 3, name: raw})
        assert response.status_code == 200 and response.json()["results"] == first, name


def test_anonymous_gets_chinese_401(api, tree):
    response = api.get(reverse("api:area-list"))
    assert response.status_code in (401, 403)
    assert "登录" in response.json()["detail"]


def test_not_found_is_chinese(api, users):
    api.force_authenticate(users.inside)
    response = api.get(reverse("api:area-detail", kwargs={"code": "999999"}))
    assert response.status_code == 404
    assert "未找到" in response.json()["detail"]


def test_me_lists_assignments_and_scopes(api, users, tree):
    api.force_authenticate(users.above)
    body = api.get(reverse("api:me")).json()
    assert body["assignments"][0]["role"] == "township_staff"
    assert body["scopes"]["view"] == [tree.t.code]
    assert body["scopes"]["audit"] == []


def test_token_auth_with_lockout(api, users):
    url = reverse("api:token")
    response = api.post(url, {"username": "inside", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("api:me")).json()["username"] == "inside"
    bad = api.post(url, {"username": "inside", "password": "nope-nope-nope"})
    assert bad.status_code == 400 and "用户名或密码不正确" in str(bad.json())


def test_validation_errors_have_one_shape(api, users):
    response = api.post(reverse("api:token"), {"username": "inside"})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "提交的数据有误，请按提示修改。"
    assert "password" in body["errors"]


def test_schema_is_valid_openapi(api, users):
    from openapi_spec_validator import validate

    api.force_authenticate(users.inside)
    response = api.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert "/api/v1/areas/" in schema["paths"]


def test_docs_page_loads_without_cdn(client, users):
    client.force_login(users.inside)
    body = client.get(reverse("api-docs")).content.decode()
    assert "swagger" in body.lower()
    assert "cdn" not in body.lower() and "jsdelivr" not in body.lower()
