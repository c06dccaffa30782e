"""The client address: X-Forwarded-For counts only through TRUSTED_PROXY_COUNT proxies.

One function (``core.middleware.ip_of``) gives it to the audit trail, the login log and lockout, the
request log and the API throttles, so a client cannot choose the address it is recorded or throttled as.
"""

import logging

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from minqing.accounts.models import LoginAttempt
from minqing.core.middleware import ip_of
from minqing.core.models import AuditEvent

SOCKET = "10.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, SOCKET),
        (0, "203.0.113.9", SOCKET),  # spoofed, and nobody we trust added it
        (0, "6.6.6.6, 203.0.113.9", SOCKET),
        (1, None, SOCKET),  # a local probe straight to gunicorn
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the client's own value is left of the proxy's
        (1, "6.6.6.6,203.0.113.9 ", "203.0.113.9"),
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),  # fewer hops than proxies: the first one
        (1, "2001:db8::7", "2001:db8::7"),
        (1, "6.6.6.6, not-an-address", SOCKET),  # never store what is not an address
        (1, "6.6.6.6, ", SOCKET),
    ],
)
def test_ip_of(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=SOCKET, **headers)
    assert ip_of(request) == expected


@pytest.fixture
def empty_cache():
    cache.clear()
    yield
    cache.clear()


CASES = [(0, "127.0.0.1"), (1, "203.0.113.9")]  # the test client's socket address is 127.0.0.1


@pytest.mark.parametrize(("proxies", "expected"), CASES)
def test_login_log_lockout_and_audit_use_the_trusted_address(client, users, settings, proxies, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    for _ in range(django_settings.LOGIN_MAX_FAILURES):
        client.post(
            reverse("accounts:login"),
            {"username": "inside", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
        )
    assert set(LoginAttempt.objects.values_list("ip", flat=True)) == {expected}
    assert AuditEvent.objects.get(verb="account.locked").ip == expected


@pytest.mark.parametrize(("proxies", "expected"), CASES)
def test_token_login_log_uses_the_trusted_address(users, settings, empty_cache, proxies, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    APIClient().post(
        reverse("api:token"),
        {"username": "inside", "password": "wrong-password"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
    )
    assert LoginAttempt.objects.get().ip == expected


@pytest.mark.parametrize(("proxies", "expected"), CASES)
def test_request_log_uses_the_trusted_address(client, db, settings, caplog, proxies, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    with caplog.at_level(logging.INFO, logger="minqing.request"):
        client.get(reverse("accounts:login"), HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert [r.ip for r in caplog.records if r.name == "minqing.request"] == [expected]


def hammer(api, forwarded_for, times):
    """POST an incomplete token request ``times`` times; the statuses (400 until throttled, then 429)."""
    return [
        api.post(reverse("api:token"), {}, HTTP_X_FORWARDED_FOR=forwarded_for(i)).status_code
        for i in range(times)
    ]


def test_throttle_ignores_a_spoofed_header_without_trusted_proxies(db, settings, empty_cache):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = hammer(APIClient(), lambda i: f"198.51.100.{i}", 61)
    assert statuses == [400] * 60 + [429]


def test_throttle_counts_per_client_behind_a_trusted_proxy(db, settings, empty_cache):
    settings.TRUSTED_PROXY_COUNT = 1
    api = APIClient()
    # Different clients behind the proxy: each has its own allowance.
    assert 429 not in hammer(api, lambda i: f"198.51.100.{i % 200}", 61)
    # One client changing what it sends left of the proxy's hop is still one client.
    statuses = hammer(api, lambda i: f"6.6.{i}.1, 203.0.113.9", 61)
    assert statuses == [400] * 60 + [429]
