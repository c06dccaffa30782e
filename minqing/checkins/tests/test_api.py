"""``/api/v1/checkins/``: the same rules as the page, exact status codes, scoped lists."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.checkins.models import CheckIn, CheckInAttempt

from .conftest import ELSEWHERE_IP, OFFICE_IP, north_of_centre

pytestmark = pytest.mark.django_db

URL = reverse("api:checkin-list")


@pytest.fixture
def api():
    return APIClient()


def test_check_in_then_again(api, users, rule):
    api.force_authenticate(users.inside)
    first = api.post(URL, {}, format="json", REMOTE_ADDR=OFFICE_IP)
    assert first.status_code == 201
    assert (
        first.data["created"] is True and first.data["method"] == "network" and first.data["ip"] == OFFICE_IP
    )
    again = api.post(URL, {}, format="json", REMOTE_ADDR=ELSEWHERE_IP)
    assert again.status_code == 200
    assert (
        again.data["detail"] == "今日已签到"
        and again.data["id"] == first.data["id"]
        and not again.data["created"]
    )


def test_location_check_in_over_the_api(api, users, rule, stationed):
    api.force_authenticate(stationed)
    lat, lon = north_of_centre(400)
    response = api.post(
        URL, {"latitude": lat, "longitude": lon, "accuracy": 30}, format="json", REMOTE_ADDR=ELSEWHERE_IP
    )
    assert response.status_code == 201 and response.data["method"] == "location"


def test_refusal_is_403_with_the_reason_and_recorded(api, users, rule):
    api.force_authenticate(users.inside)
    response = api.post(URL, {}, format="json", REMOTE_ADDR=ELSEWHERE_IP)
    assert response.status_code == 403
    assert response.data["code"] == "checkin_refused" and response.data["reason"] == "no_position"
    assert "请在村委会办公网络内签到，或开启定位后在本村范围内签到" in response.data["detail"]
    assert CheckInAttempt.objects.count() == 1 and not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"latitude": 200, "longitude": 108}, "latitude"),
        ({"latitude": "abc", "longitude": 108}, "latitude"),
        ({"latitude": 27.5, "longitude": 108, "accuracy": 1e12}, "accuracy"),
        ({"latitude": 27.5}, "longitude"),
    ],
)
def test_bad_positions_are_400_in_chinese(body, field, api, users, rule):
    api.force_authenticate(users.inside)
    response = api.post(URL, body, format="json", REMOTE_ADDR=ELSEWHERE_IP)
    assert response.status_code == 400, response.data
    assert field in response.data["errors"] and response.data["detail"] == "提交的数据有误，请按提示修改。"
    assert not CheckInAttempt.objects.exists()


def test_roles_that_do_not_check_in_get_403_and_anonymous_401(api, users, rule):
    for user in (users.county, users.supervisor, users.nobody):
        api.force_authenticate(user)
        response = api.post(URL, {}, format="json", REMOTE_ADDR=OFFICE_IP)
        assert response.status_code == 403 and response.data["code"] == "permission_denied"
    api.force_authenticate(None)
    assert api.post(URL, {}, format="json").status_code == 401
    assert api.get(URL).status_code == 401


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("inside", {"inside", "gridder"}),  # the village cadre reads V, the grid inside it too
        ("grid", {"gridder"}),  # own, and V's grid 1 (nobody else checked in for it)
        ("above", {"inside", "gridder", "neighbour"}),
        ("county", {"inside", "gridder", "neighbour"}),
        ("neighbour", {"neighbour"}),
        ("desk", set()),
        ("nobody", set()),
    ],
)
def test_list_is_own_plus_scope(who, sees, api, users, rule, tree):
    for user, area in ((users.inside, tree.v), (users.grid, tree.vg1), (users.neighbour, tree.w)):
        CheckIn.objects.create(user=user, date="2026-10-09", area=area, area_path=area.code, method="network")
    api.force_authenticate(getattr(users, who))
    response = api.get(URL)
    assert response.status_code == 200
    names = {u.pk: u.username for u in (users.inside, users.grid, users.neighbour)}
    assert {names[row["user"]] for row in response.data["results"]} == sees
    mine = api.get(URL, {"mine": "1"}).data["results"]
    assert all(row["user"] == getattr(users, who).pk for row in mine)
