"""Found by the schemathesis fuzz test: an id that is not a number (or any unknown address under /api/v1/)
answered Django's HTML 404 page, and the schema declared no error status at all (every 4xx looked
undocumented). Now the catch-all route answers a JSON 404 in the one error shape, and every operation
declares the error statuses it can answer."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from .test_error_shapes import error_body


@pytest.fixture
def api(users) -> APIClient:
    client = APIClient()
    client.force_authenticate(users.inside)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/households/abc/",
        "/api/v1/persons/%C2%80x/",
        "/api/v1/places/1%0A/",  # a newline inside the id
        "/api/v1/households/abc/economy/",
        "/api/v1/no-such-thing/",
    ],
)
def test_unknown_api_address_is_a_json_404(api, path):
    body = error_body(api.get(path), 404)
    assert body == {"detail": "未找到该接口或记录，请检查地址。"}
    error_body(api.patch(path, {"name": "x"}, format="json"), 404)


def test_unknown_api_address_asks_anonymous_callers_to_log_in(db):
    body = error_body(APIClient().get("/api/v1/households/abc/"), 401)
    assert "登录" in body["detail"]


def test_real_routes_and_the_slash_redirect_are_unchanged(api, records):
    assert api.get(f"/api/v1/households/{records.hv.pk}/").status_code == 200
    assert api.get("/api/v1/households").status_code == 301  # APPEND_SLASH, as before


def test_unknown_address_is_not_in_the_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert not [p for p in paths if "path" in p or p.endswith("{path}")]


def test_every_operation_declares_its_error_statuses():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate(schema)
    paths = schema["paths"]
    detail = paths["/api/v1/households/{id}/"]
    assert {"401", "403", "404", "503"} <= set(detail["get"]["responses"])
    assert {"400", "401", "403", "404", "409", "413", "415", "503"} <= set(detail["patch"]["responses"])
    assert "429" in paths["/api/v1/households/{id}/reveal/"]["post"]["responses"]
    listing = paths["/api/v1/areas/"]["get"]["responses"]
    assert {"400", "401", "403", "503"} <= set(listing) and "404" not in listing
    token = paths["/api/v1/auth/token/"]["post"]["responses"]
    assert {"400", "401", "429"} <= set(token) and "403" not in token
    assert paths["/api/v1/users/me/"]["get"]["responses"].keys() == {"200", "401", "403", "503"}
    # A status an operation declares itself keeps its own, more precise body (409 with the changes).
    conflict = detail["patch"]["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    assert conflict.endswith("/Conflict")
    error = schema["components"]["schemas"]["ApiError"]
    assert error["required"] == ["detail"]
