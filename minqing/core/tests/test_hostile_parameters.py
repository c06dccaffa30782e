"""No query parameter yields a 500: every list, search, chart and export route, with values that look like
numbers to ``str.isdigit`` but are not ("²", "٣"), wildcards and oversize values."""

import pytest
from django.urls import reverse

from .test_routes import LIST_ROUTES

HOSTILE = [
    {"area": "²"},
    {"area": "5206٣"},
    {"grid": "520622102211９０1"},
    {"area": "%", "grid": "_"},
    {"tags_all": "%25", "tags_none": "%", "tags_any": "_"},
    {"page": "²", "after": "²", "before": "%"},
    {"age_min": "²", "age_max": "1e9", "sex": "%"},
    {"q": "5" * 5000},
]


@pytest.mark.parametrize("params", HOSTILE, ids=lambda p: ",".join(p))
@pytest.mark.parametrize("name", LIST_ROUTES)
def test_list_routes_answer_hostile_parameters_without_a_server_error(name, params, client, users, records):
    client.force_login(users.county)
    response = client.get(reverse(name), params)
    assert response.status_code in (200, 302, 400, 403, 404), response.content[:300]


@pytest.mark.parametrize("params", HOSTILE[:5], ids=lambda p: ",".join(p))
def test_exports_refuse_hostile_parameters_without_a_server_error(params, client, users, records):
    client.force_login(users.county)
    response = client.post(reverse("exports:create"), {"kind": "households", **params})
    assert response.status_code in (200, 302, 400, 403), response.content[:300]
