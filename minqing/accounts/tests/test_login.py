"""Login security: lockout, login log, idle sessions, password rules, disabling accounts."""

import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from minqing.accounts.models import LoginAttempt, User
from minqing.accounts.services import user_disable, user_unlock

PASSWORD = "Correct-Horse-42"


def post_login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_success_is_logged(client, users):
    response = post_login(client, "inside", PASSWORD)
    assert response.status_code == 302
    attempt = LoginAttempt.objects.get()
    assert attempt.success and attempt.user == users.inside


def test_wrong_password_message_is_chinese_and_logged(client, users):
    response = post_login(client, "inside", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert LoginAttempt.objects.filter(success=False, reason="bad_password").count() == 1


def test_unknown_user_gets_the_same_message(client, users):
    response = post_login(client, "ghost", "whatever-password")
    assert "用户名或密码不正确" in response.content.decode()


def test_five_failures_lock_for_fifteen_minutes(client, users):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        post_login(client, "inside", "wrong-password")
    user = User.objects.get(username="inside")
    assert user.is_locked
    minutes = (user.locked_until - timezone.now()).total_seconds() / 60
    assert 14 < minutes <= 15
    # Even the right password is refused while locked.
    response = post_login(client, "inside", PASSWORD)
    assert response.status_code == 200
    assert "账号已锁定" in response.content.decode()
    assert LoginAttempt.objects.filter(reason="locked").exists()


def test_lock_expires(client, users):
    User.objects.filter(username="inside").update(locked_until=timezone.now() - timezone.timedelta(seconds=1))
    assert post_login(client, "inside", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, users):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        post_login(client, "inside", "wrong-password")
    post_login(client, "inside", PASSWORD)
    assert User.objects.get(username="inside").failed_logins == 0


def test_admin_unlock(users):
    users.inside.locked_until = timezone.now() + timezone.timedelta(minutes=10)
    users.inside.save()
    user_unlock(actor=users.admin, user=users.inside)
    assert not User.objects.get(pk=users.inside.pk).is_locked


def test_idle_sessions_end_after_thirty_minutes(client, users, monkeypatch):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(users.inside)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now)
    client.get(reverse("home:index"))  # the first request after login moves the expiry
    expiry = Session.objects.get().expire_date
    monkeypatch.setattr(time, "time", lambda: now + 30)
    client.get(reverse("home:index"))  # within the touch interval: no write
    assert Session.objects.get().expire_date == expiry
    monkeypatch.setattr(time, "time", lambda: now + 61)
    client.get(reverse("home:index"))  # later: saved again, the idle time counts from here
    assert Session.objects.get().expire_date > expiry


def test_anonymous_visits_make_no_session(client, db):
    client.get(reverse("accounts:login"))
    assert not Session.objects.exists()


def test_expired_session_redirects_to_login(client, users):
    client.force_login(users.inside)
    Session.objects.all().update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("home:index"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("password", ["short1!", "password123", "1234567890123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_disable_ends_sessions(client, users):
    assert post_login(client, "inside", PASSWORD).status_code == 302
    assert client.get(reverse("home:index")).status_code == 200
    user_disable(actor=users.admin, user=users.inside)
    assert client.get(reverse("home:index")).status_code == 302
    assert post_login(client, "inside", PASSWORD).status_code == 200


def test_disable_requires_manage_right(users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        user_disable(actor=users.inside, user=users.neighbour)


def test_deploy_check_refuses_demo_password(db, settings):
    from minqing.accounts.checks import DEMO_PASSWORD, demo_passwords_changed

    settings.DEBUG = False
    user = User.objects.create_user("county", password=DEMO_PASSWORD)
    assert [e.id for e in demo_passwords_changed(None)] == ["minqing.E001"]
    user.set_password("A-much-better-Passphrase-7")
    user.save()
    assert demo_passwords_changed(None) == []


def test_data_admin_manages_only_accounts_of_their_area(client, users):
    client.force_login(users.data_admin)  # data admin of township T
    body = client.get(reverse("accounts:users")).content.decode()
    assert "inside" in body and "neighbour" in body and "leader" not in body and "root" not in body
    assert client.post(reverse("accounts:user_action", args=[users.county.pk, "disable"])).status_code == 404
    assert client.post(reverse("accounts:user_action", args=[users.inside.pk, "disable"])).status_code == 302
    assert not User.objects.get(pk=users.inside.pk).is_active
    client.force_login(users.neighbour)
    assert client.get(reverse("accounts:users")).status_code == 403


def test_admin_login_has_the_same_lockout_and_log(client, users):
    # Django's admin form would authenticate directly: unlimited guesses, nothing logged.
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(reverse("admin:login"), {"username": "root", "password": "wrong-password"})
    assert User.objects.get(username="root").is_locked
    assert LoginAttempt.objects.filter(username="root", success=False).count() == settings.LOGIN_MAX_FAILURES
    response = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    assert response.status_code == 200 and "账号已锁定" in response.content.decode()


def test_admin_login_is_for_staff_only(client, users):
    response = client.post(reverse("admin:login"), {"username": "inside", "password": PASSWORD})
    assert response.status_code == 200 and not client.session.get("_auth_user_id")
    assert client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD}).status_code == 302


def test_admin_shows_user_phones_masked_and_keeps_them_on_save(client, users):
    """Found by the attack re-run: the user admin printed phones (a resident's is their registry phone)."""
    resident = users.inside
    resident.phone = "13355966936"
    resident.save(update_fields=["phone"])
    client.force_login(users.admin)
    listing = client.get("/admin/accounts/user/").content.decode()
    assert "13355966936" not in listing and "133****6936" in listing
    change = f"/admin/accounts/user/{resident.pk}/change/"
    page = client.get(change).content.decode()
    assert "13355966936" not in page and "133****6936" in page
