"""With DEBUG off every error answers the project's own Chinese page: no URL list, no traceback, no English."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.urls("minqing.core.tests.error_urls")

DEBUG_MARKERS = ("URLconf", "urlpatterns", "Traceback", "Django tried", "DEBUG = True", "RuntimeError")


def assert_plain(body: str) -> None:
    for marker in DEBUG_MARKERS:
        assert marker not in body, marker


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def test_unknown_url_is_the_chinese_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "未找到该页面或记录" in body and '<html lang="zh-hans">' in body
    assert_plain(body)


def test_unknown_url_for_a_logged_in_user_keeps_the_menu(client, users):
    client.force_login(users.inside)
    response = client.get("/households/999999999/")
    assert response.status_code == 404
    assert "未找到该页面或记录" in response.content.decode()
    assert_plain(response.content.decode())


def test_server_error_is_the_chinese_500_page(db):
    response = Client(raise_request_exception=False).get("/test-errors/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器出错了" in body
    assert_plain(body)


def test_a_lost_database_is_503_try_again_not_500(db):
    """During a database restart pages say "try again" (503, Retry-After); the app recovers by itself."""
    response = Client(raise_request_exception=False).get("/test-errors/database-down/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    body = response.content.decode()
    assert "数据库暂时不可用" in body and "没有保存" in body
    assert_plain(body)
    assert "OperationalError" not in body and "closed the connection" not in body


def test_a_lost_database_in_the_api_is_503_json(users, monkeypatch):
    from django.db import OperationalError
    from rest_framework.test import APIClient

    from minqing.registry.api import HouseholdViewSet

    def fail(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(HouseholdViewSet, "list", fail)
    api = APIClient()
    api.force_authenticate(users.inside)
    response = api.get("/api/v1/households/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.json() == {"detail": "数据库暂时不可用，操作没有保存，请稍后重试。"}


def test_permission_denied_is_the_chinese_403_page(client, users):
    client.force_login(users.inside)
    response = client.get("/test-errors/forbidden/")
    assert response.status_code == 403
    assert "无权执行该操作" in response.content.decode()
    assert_plain(response.content.decode())


def test_csrf_failure_is_the_chinese_403_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "请求已失效" in body and "CSRF verification failed" not in body
    assert_plain(body)


def test_unknown_host_is_the_chinese_400_page(db):
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
    assert_plain(response.content.decode())
