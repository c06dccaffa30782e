"""Login attempts per client address: the login page, the admin's login and the API token endpoint."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.accounts.models import LoginAttempt

PASSWORD = "Correct-Horse-42"
WRONG = "wrong-password"


@pytest.fixture(autouse=True)
def _limit(settings, fresh_cache):
    settings.LOGIN_RATE_PER_IP = 3
    settings.LOGIN_RATE_WINDOW_SECONDS = 600


def page(client, password=WRONG, ip="10.0.0.1", **headers):
    return client.post(
        reverse("accounts:login"), {"username": "inside", "password": password}, REMOTE_ADDR=ip, **headers
    )


def token(password=WRONG, ip="10.0.0.1"):
    return APIClient().post(
        reverse("api:token"), {"username": "inside", "password": password}, REMOTE_ADDR=ip
    )


def test_login_page_answers_429_after_the_limit(client, users):
    for _i in range(3):
        assert page(client).status_code == 200
    response = page(client, PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "该网络地址的登录尝试过于频繁，请 10 分钟后再试。" in body and "登录过于频繁" in body
    assert LoginAttempt.objects.count() == 3  # the refused attempt never reached the password check
    assert page(client, PASSWORD, ip="10.0.0.2").status_code == 302  # another address is not affected


def test_forwarded_for_is_ignored_without_trusted_proxies(client, users, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(3):
        page(client, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    assert page(client, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_behind_a_proxy_the_client_address_counts(client, users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _i in range(3):
        page(client, ip="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert page(client, ip="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert page(client, PASSWORD, ip="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302


def test_token_endpoint_answers_429_in_the_one_shape(users):
    for _i in range(3):
        assert token().status_code == 400
    response = token(PASSWORD)
    assert response.status_code == 429
    assert response.json() == {
        "detail": "该网络地址的登录尝试过于频繁，请 10 分钟后再试。",
        "code": "rate_limited",
    }
    assert response["Retry-After"] == "600"
    assert token(PASSWORD, ip="10.0.0.2").status_code == 200


def test_page_and_api_share_the_allowance(client, users):
    page(client)
    page(client)
    token()
    assert token(PASSWORD).status_code == 429
    assert page(client, PASSWORD).status_code == 429


def test_admin_login_counts_too(client, users):
    for _i in range(3):
        client.post(reverse("admin:login"), {"username": "root", "password": "x"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(
        reverse("admin:login"), {"username": "root", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 200 and "登录尝试过于频繁" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_a_new_window_allows_again(client, users, fresh_cache):
    for _i in range(4):
        page(client)
    assert page(client).status_code == 429
    fresh_cache.delete("minqing:login-rate:10.0.0.1")  # the window ended
    assert page(client).status_code == 200
