"""An unknown or disabled username answers exactly like an account's: message, status, lockout, hashing."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from minqing.accounts.models import LoginAttempt, User

PASSWORD = "Correct-Horse-42"
WRONG = "wrong-password"
# An account, a name nobody has, and a disabled account.
NAMES = ["inside", "ghost", "nobody"]


@pytest.fixture
def frozen(monkeypatch):
    """One clock for every attempt, so that the lock messages name the same time."""
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def page_answer(client, username, password=WRONG):
    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    errors = list(response.context["form"].non_field_errors()) if response.context else []
    return response.status_code, errors


def api_answer(client, username, password=WRONG):
    response = APIClient().post(reverse("api:token"), {"username": username, "password": password})
    return response.status_code, response.json()


@pytest.mark.parametrize("answer", [page_answer, api_answer], ids=["page", "api"])
def test_unknown_and_disabled_names_answer_like_an_account(
    client, users, hasher, frozen, fresh_cache, answer
):
    User.objects.filter(username="nobody").update(is_active=False)
    seen = {}
    for name in NAMES:
        steps = []
        for _ in range(settings.LOGIN_MAX_FAILURES + 2):
            before = hasher.runs
            status, body = answer(client, name)
            steps.append((status, body, hasher.runs - before))
        seen[name] = steps
    assert seen["ghost"] == seen["inside"]
    assert seen["nobody"] == seen["inside"]
    # Each allowed attempt hashes the password once (a dummy hash for the unknown name); none once locked.
    runs = [step[2] for step in seen["inside"]]
    assert runs == [1] * settings.LOGIN_MAX_FAILURES + [0, 0]
    assert "用户名或密码不正确" in str(seen["ghost"][0][1])
    assert "账号已锁定" in str(seen["ghost"][-1][1])


def test_unknown_name_is_logged_as_such(client, users, fresh_cache):
    page_answer(client, "ghost")
    attempt = LoginAttempt.objects.get()
    assert (attempt.username, attempt.user, attempt.reason) == ("ghost", None, "unknown_user")


def test_unknown_name_lock_expires_like_an_account(client, users, fresh_cache):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        page_answer(client, "ghost")
    assert "账号已锁定" in str(page_answer(client, "ghost")[1])
    later = timezone.now() + timezone.timedelta(minutes=settings.LOGIN_LOCK_MINUTES, seconds=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert "用户名或密码不正确" in str(page_answer(client, "ghost")[1])


def test_overlong_name_is_a_plain_error_not_a_crash(client, users, fresh_cache):
    # No account has a name over 150 characters; the login log's column holds no more.
    assert api_answer(client, "x" * 400)[0] == 400
    assert page_answer(client, "x" * 400)[0] == 200


def test_spent_username_locks_are_purged_daily_and_live_ones_kept(db):
    import datetime

    from django.utils import timezone

    from minqing.accounts.models import UsernameLock
    from minqing.accounts.services import username_locks_purge

    now = timezone.now()
    UsernameLock.objects.create(username="tried", failed_logins=2)
    UsernameLock.objects.create(
        username="spent", failed_logins=5, locked_until=now - datetime.timedelta(minutes=1)
    )
    UsernameLock.objects.create(
        username="live", failed_logins=5, locked_until=now + datetime.timedelta(minutes=9)
    )
    assert username_locks_purge() == "2 username lock(s) purged"
    assert list(UsernameLock.objects.values_list("username", flat=True)) == ["live"]
