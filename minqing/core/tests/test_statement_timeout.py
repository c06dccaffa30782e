"""The safety net: a runaway statement of a web request is cut off and answered with a clear Chinese page."""

import time

import pytest
from django.db import OperationalError, connection
from django.test import Client

from minqing.core.statement_timeout import QUERY_CANCELED, ensure_statement_timeout, is_statement_timeout

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout: PostgreSQL only"
)


class FakeCause(Exception):
    sqlstate = QUERY_CANCELED


def timeout_error() -> OperationalError:
    error = OperationalError("canceling statement due to statement timeout")
    error.__cause__ = FakeCause()
    return error


def test_only_a_cancelled_statement_counts_as_a_timeout():
    assert is_statement_timeout(timeout_error())
    assert not is_statement_timeout(OperationalError("server closed the connection unexpectedly"))
    assert not is_statement_timeout(RuntimeError("boom"))
    assert not is_statement_timeout(None)


@pytest.fixture
def limit(settings):
    settings.DEBUG = False
    settings.DB_STATEMENT_TIMEOUT_MS = 200
    yield
    connection.__dict__.pop("_minqing_timeout", None)  # the SET is undone with the test's transaction


@postgres_only
@pytest.mark.urls("minqing.core.tests.error_urls")
def test_a_runaway_statement_is_cut_off_with_a_clear_page(db, limit):
    started = time.monotonic()
    response = Client(raise_request_exception=False).get("/test-errors/slow/")
    assert time.monotonic() - started < 1.5  # cut at 200 ms, not after the 2 s the query asks for
    assert response.status_code == 503 and "Retry-After" not in response
    body = response.content.decode()
    assert "查询时间过长" in body and "缩小区域范围" in body and "pg_sleep" not in body


@postgres_only
def test_the_limit_is_set_once_per_connection(db, django_assert_num_queries):
    ensure_statement_timeout(connection, 300)
    with django_assert_num_queries(0):
        ensure_statement_timeout(connection, 300)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "300ms"
    connection.__dict__.pop("_minqing_timeout", None)


def test_no_limit_means_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        ensure_statement_timeout(connection, 0)


def test_a_timeout_in_the_api_is_503_json_without_retry(users, monkeypatch):
    from rest_framework.test import APIClient

    from minqing.registry.api import HouseholdViewSet

    def fail(*args, **kwargs):
        raise timeout_error()

    monkeypatch.setattr(HouseholdViewSet, "list", fail)
    api = APIClient()
    api.force_authenticate(users.inside)
    response = api.get("/api/v1/households/")
    assert response.status_code == 503 and "Retry-After" not in response
    assert "缩小区域范围" in response.json()["detail"]
