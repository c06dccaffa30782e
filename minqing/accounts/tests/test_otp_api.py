"""The API token endpoint with two-factor login on: ``otp`` in the body, errors in the one shape."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.accounts.models import User

from .otp_helpers import PASSWORD, code_of, enrol, wrong_code


@pytest.fixture(autouse=True)
def _otp_on(settings, fresh_cache):
    settings.OTP_REQUIRED = True


def ask(username, **extra):
    return APIClient().post(reverse("api:token"), {"username": username, "password": PASSWORD, **extra})


def me(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(reverse("api:me"))


def test_sensitive_user_needs_the_code(users):
    device, _codes = enrol(users.inside)
    response = ask("inside")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "该账号需要两步验证：请在 otp 字段中提供手机验证器上的动态码，或一个恢复码。",
        "code": "otp_required",
    }
    response = ask("inside", otp=wrong_code(device))
    assert response.status_code == 401
    assert response.json()["code"] == "otp_invalid" and "动态码不正确" in response.json()["detail"]
    response = ask("inside", otp=code_of(device))
    assert response.status_code == 200
    assert me(response.json()["token"]).status_code == 200


def test_recovery_code_works_once(users):
    _device, codes = enrol(users.inside, codes=True)
    assert ask("inside", otp=codes[0]).status_code == 200
    assert ask("inside", otp=codes[0]).status_code == 401


def test_not_enrolled_is_told_to_enrol_on_the_web(users):
    response = ask("inside", otp="123456")
    assert response.status_code == 400 and response.json()["code"] == "otp_not_enrolled"


def test_wrong_codes_lock(users, settings):
    device, _codes = enrol(users.inside)
    for _i in range(settings.LOGIN_MAX_FAILURES - 1):
        assert ask("inside", otp=wrong_code(device)).json()["code"] == "otp_invalid"
    response = ask("inside", otp=wrong_code(device))
    assert response.status_code == 401 and response.json()["code"] == "locked"
    assert "账号已锁定" in response.json()["detail"]
    assert User.objects.get(pk=users.inside.pk).is_locked
    response = ask("inside", otp=code_of(device))  # now the password step refuses
    assert response.status_code == 400 and "账号已锁定" in str(response.json())


def test_wrong_password_is_refused_before_the_code(users):
    device, _codes = enrol(users.inside)
    response = APIClient().post(
        reverse("api:token"), {"username": "inside", "password": "wrong", "otp": code_of(device)}
    )
    assert response.status_code == 400 and "用户名或密码不正确" in str(response.json())
    assert User.objects.get(pk=users.inside.pk).otp_failures == 0


def test_other_roles_need_no_code(users):
    response = ask("desker")
    assert response.status_code == 200 and me(response.json()["token"]).status_code == 200


def test_otp_off_needs_no_code(users, settings):
    settings.OTP_REQUIRED = False
    enrol(users.inside)
    assert ask("inside").status_code == 200
