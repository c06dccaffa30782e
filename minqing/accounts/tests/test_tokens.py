"""API tokens live API_TOKEN_LIFETIME_HOURS, then answer 401; a password change ends tokens and sessions."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from minqing.accounts.models import User, UserSession

PASSWORD = "Correct-Horse-42"
NEW_PASSWORD = "Another-Horse-77"


@pytest.fixture(autouse=True)
def _empty_cache(fresh_cache):
    """The token endpoint is throttled per client address."""


def issue(username="inside", password=PASSWORD):
    response = APIClient().post(reverse("api:token"), {"username": username, "password": password})
    assert response.status_code == 200, response.content
    return response.json()


def me(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(reverse("api:me"))


def age(key, delta):
    Token.objects.filter(key=key).update(created=timezone.now() - delta)


def test_token_answers_until_its_lifetime_ends(users, settings):
    body = issue()
    issued = timezone.now()
    expires = timezone.datetime.fromisoformat(body["expires"])
    assert abs(expires - issued - timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)) < timedelta(minutes=1)
    age(body["token"], timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS) - timedelta(minutes=1))
    assert me(body["token"]).status_code == 200


def test_expired_token_is_refused_in_chinese_and_deleted(users, settings):
    settings.API_TOKEN_LIFETIME_HOURS = 2
    key = issue()["token"]
    age(key, timedelta(hours=2, seconds=1))
    response = me(key)
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌已过期，请使用用户名和密码重新获取。", "code": "token_expired"}
    assert response.has_header("WWW-Authenticate")
    assert not Token.objects.filter(key=key).exists()


def test_asking_again_replaces_an_expired_token_only(users, settings):
    key = issue()["token"]
    assert issue()["token"] == key  # still valid: the same token for every client of the account
    age(key, timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS, seconds=1))
    fresh = issue()["token"]
    assert fresh != key and me(fresh).status_code == 200


def login(username="inside", password=PASSWORD):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    assert response.status_code == 302
    return client


def test_own_password_change_ends_tokens_and_other_sessions(users):
    key = issue()["token"]
    here, elsewhere = login(), login()
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert me(key).status_code == 401
    assert here.get(reverse("accounts:me")).status_code == 200  # the session that changed it goes on
    assert elsewhere.get(reverse("accounts:me")).status_code == 302
    # Only the continuing session is left, and it is known, so disabling the account still ends it.
    sessions = UserSession.objects.filter(user=users.inside)
    assert [s.session_key for s in sessions] == [here.session.session_key]
    assert Session.objects.filter(session_key=here.session.session_key).exists()


def test_admin_password_reset_ends_tokens_and_sessions(users):
    key = issue()["token"]
    theirs = login()
    admin = Client()
    admin.force_login(users.admin)
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[users.inside.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=users.inside.pk).check_password(NEW_PASSWORD)
    assert me(key).status_code == 401
    assert theirs.get(reverse("accounts:me")).status_code == 302
    assert not UserSession.objects.filter(user=users.inside).exists()
    assert admin.get(reverse("accounts:me")).status_code == 200


def test_password_set_anywhere_ends_tokens(users):
    key = issue()["token"]
    users.inside.set_password(NEW_PASSWORD)
    users.inside.save()
    assert not Token.objects.filter(user=users.inside).exists()
    assert me(key).status_code == 401


def test_saving_a_user_without_a_new_password_keeps_tokens(users):
    key = issue()["token"]
    users.inside.first_name = "新"
    users.inside.save()
    issue()  # a login saves last_login and may upgrade the stored hash: no new password
    assert me(key).status_code == 200
