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
