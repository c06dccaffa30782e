"""Every API error answers in the one JSON shape — ``{"detail": "<Chinese>", ...}`` — with its own status,
never a 500 or an HTML page: CSRF failures, malformed bodies, oversize bodies, database constraint errors."""

from __future__ import annotations

import json
import re

import pytest
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.registry.models import EconomyYear, Place

CJK = re.compile(r"[\u4e00-\u9fff]")


def error_body(response, status: int) -> dict:
    """The response is ``status`` in the one error shape, with a Chinese ``detail``."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str) and CJK.search(body["detail"]), body
    return body


@pytest.fixture
def api(users) -> APIClient:
    client = APIClient()
    client.force_authenticate(users.inside)
    return client


def place_payload(tree) -> dict:
    return {"area": tree.v.code, "name": "鱼塘小卖部", "place_type": "shop", "address": "鱼塘村口"}


# ---------------------------------------------------------------------------------------------- CSRF


def test_session_write_without_csrf_token_is_403_in_chinese(users, tree):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users.inside)  # a browser session, not a token: CSRF applies
    assert client.get(reverse("api:place-list")).status_code == 200
    response = client.post(reverse("api:place-list"), place_payload(tree), format="json")
    body = error_body(response, 403)
    assert "CSRF Failed" not in body["detail"]
    assert body["code"] == "csrf_failed"
    assert not Place.objects.exists()


def test_session_write_with_csrf_token_passes(users, tree):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(users.inside)
    client.get(reverse("registry:household_list"))  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("api:place-list"), place_payload(tree), format="json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content


# ------------------------------------------------------------------------------------ malformed bodies


@pytest.mark.parametrize("raw", ['{"name": ', "[1, 2", "\xff\xfe", "NaN garbage"])
def test_malformed_json_is_400_in_chinese(api, raw):
    response = api.generic("POST", reverse("api:place-list"), raw.encode("latin-1"), "application/json")
    body = error_body(response, 400)
    assert body["code"] == "parse_error" and "JSON" in body["detail"]


def test_malformed_json_to_the_token_endpoint_is_400_in_chinese(users):
    response = APIClient().generic("POST", reverse("api:token"), b"{username", "application/json")
    assert error_body(response, 400)["code"] == "parse_error"


NESTED = [b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000]


@pytest.mark.parametrize("raw", NESTED, ids=["lists", "objects"])
def test_json_nested_too_deep_is_400_not_a_server_error(api, raw):
    """The decoder raises RecursionError, which DRF's parser does not catch (found by the attack re-run)."""
    body = error_body(api.generic("POST", reverse("api:place-list"), raw, "application/json"), 400)
    assert body["code"] == "parse_error"
    assert not Place.objects.exists()


@pytest.mark.parametrize("raw", NESTED, ids=["lists", "objects"])
def test_json_nested_too_deep_to_the_token_endpoint_without_login_is_400(users, raw):
    response = APIClient().generic("POST", reverse("api:token"), raw, "application/json")
    assert error_body(response, 400)["code"] == "parse_error"


def test_an_unsupported_content_type_is_415_in_chinese(api):
    response = api.generic("POST", reverse("api:place-list"), b"name=x", "text/plain")
    error_body(response, 415)


# -------------------------------------------------------------------------------------- oversize bodies


@pytest.fixture
def small_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    return 2048


def test_oversize_json_body_is_413_in_chinese(api, tree, small_limit):
    payload = {**place_payload(tree), "hazard_note": "隐" * small_limit}
    response = api.generic("POST", reverse("api:place-list"), json.dumps(payload), "application/json")
    body = error_body(response, 413)
    assert body["code"] == "request_too_large"
    assert not Place.objects.exists()


def test_oversize_form_body_is_413_in_chinese(api, tree, small_limit):
    response = api.post(reverse("api:place-list"), {**place_payload(tree), "address": "x" * 3 * small_limit})
    assert error_body(response, 413)["code"] == "request_too_large"


def test_oversize_multipart_body_is_413_in_chinese(api, tree, small_limit):
    payload = {**place_payload(tree), "address": "x" * 3 * small_limit}
    response = api.post(reverse("api:place-list"), payload, format="multipart")
    assert error_body(response, 413)["code"] == "request_too_large"


def test_a_body_within_the_limit_still_works(api, tree, small_limit):
    response = api.post(reverse("api:place-list"), place_payload(tree), format="json")
    assert response.status_code == 201, response.content


# ------------------------------------------------------------------------------------ database errors


def test_a_database_constraint_violation_is_409_in_chinese(api, tree, records, monkeypatch):
    """A constraint the service did not foresee (a race, a missed rule) is a conflict, not a 500."""

    def violate(**kwargs):
        with transaction.atomic():  # as every service: the failed statement rolls back its own block
            Place.objects.create(area=tree.v, area_path=tree.v.code, name="半截", place_type="shop")
            EconomyYear.objects.create(
                household=records.hv,
                year=2024,
                population=0,
                area_path=records.hv.area_path,
                net_per_capita=0,
            )

    monkeypatch.setattr("minqing.registry.api.place_create", violate)
    response = api.post(reverse("api:place-list"), place_payload(tree), format="json")
    body = error_body(response, 409)
    assert body["code"] == "integrity_error"
    assert not Place.objects.exists() and not EconomyYear.objects.exists()  # nothing half-written


@pytest.mark.parametrize("error", [IntegrityError, DataError])
def test_database_errors_never_leak_their_sql_text(api, tree, monkeypatch, error):
    def fail(**kwargs):
        raise error('value "99999999999999" is out of range for type numeric in "registry_economyyear"')

    monkeypatch.setattr("minqing.registry.api.place_create", fail)
    response = api.post(reverse("api:place-list"), place_payload(tree), format="json")
    body = error_body(response, 409 if error is IntegrityError else 400)
    assert body["code"] == ("integrity_error" if error is IntegrityError else "data_error")
    assert "registry_" not in response.content.decode() and "numeric" not in response.content.decode()
