"""/readyz: 200 with every check's figures, 503 naming each failed check; no login, no cache, no names."""

import datetime
import json
from collections import namedtuple
from unittest import mock

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.urls import reverse
from django.utils import timezone

from minqing.jobs import selectors

DiskUsage = namedtuple("DiskUsage", "total used free")
GIB = 1024**3
CHECKS = ["database", "migrations", "disk", "worker", "queue"]


@pytest.fixture
def healthy(monkeypatch, settings):
    """A live worker, an empty queue, plenty of disk: the real database and migrations."""
    state = {
        "workers": {"live": 1, "newest_seen_at": timezone.now() - datetime.timedelta(seconds=3)},
        "queue": {"ready": 0, "running": 0, "failed_last_day": 0, "oldest_ready_age_seconds": None},
        "disk": DiskUsage(100 * GIB, 50 * GIB, 50 * GIB),
    }
    monkeypatch.setattr(selectors, "worker_summary", lambda *, max_age_seconds=120: state["workers"])
    monkeypatch.setattr(selectors, "queue_summary", lambda: state["queue"])
    monkeypatch.setattr("minqing.ops.checks.shutil.disk_usage", lambda path: state["disk"])
    settings.READYZ_DISK_MIN_FREE_MB = 1024
    settings.READYZ_DISK_MIN_FREE_PERCENT = 5
    settings.READYZ_QUEUE_MAX_AGE_SECONDS = 600
    return state


def readyz(client):
    response = client.get(reverse("ops:readyz"))
    return response, response.json()


def test_ready(client, db, healthy):
    response, body = readyz(client)
    assert response.status_code == 200
    assert body["status"] == "ok" and body["failed"] == []
    assert list(body["checks"]) == CHECKS
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["migrations"]["unapplied"] == 0
    assert body["checks"]["disk"] == {"ok": True, "free_mb": 50 * 1024, "free_percent": 50.0, "ms": mock.ANY}
    assert body["checks"]["worker"]["live"] == 1
    assert 2 <= body["checks"]["worker"]["newest_seen_age_seconds"] < 60
    assert body["checks"]["queue"]["oldest_ready_age_seconds"] is None
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_no_login_and_nothing_but_figures(client, db, healthy, settings):
    response, body = readyz(client)
    text = json.dumps(body)
    assert response.status_code == 200  # anonymous
    for leak in (str(settings.VAR_DIR), str(settings.BASE_DIR), connection.vendor, "/", "\\\\"):
        assert leak not in text
    for check in body["checks"].values():
        for value in check.values():
            assert value is None or isinstance(value, (bool, int, float)), check


def test_only_get(client, db, healthy):
    assert client.post(reverse("ops:readyz")).status_code == 405


def expect_failure(client, name, **figures):
    response, body = readyz(client)
    assert response.status_code == 503
    assert body["status"] == "fail"
    assert body["failed"] == [name]
    assert body["checks"][name]["ok"] is False
    for key, value in figures.items():
        assert body["checks"][name][key] == value
    return body


def test_disk_below_absolute_threshold(client, db, healthy):
    healthy["disk"] = DiskUsage(10 * GIB, 10 * GIB - 500 * 1024**2, 500 * 1024**2)  # 500 MiB, 4.9 %
    expect_failure(client, "disk", free_mb=500)


def test_disk_below_percentage_threshold(client, db, healthy):
    healthy["disk"] = DiskUsage(1000 * GIB, 970 * GIB, 30 * GIB)  # 30 GiB but 3 %
    expect_failure(client, "disk", free_percent=3.0)


def test_unapplied_migration(client, db, healthy):
    with mock.patch(
        "minqing.ops.checks.MigrationExecutor.migration_plan", return_value=[("migration", False)] * 2
    ):
        expect_failure(client, "migrations", unapplied=2)


def test_no_worker_heartbeat(client, db, healthy):
    healthy["workers"] = {"live": 0, "newest_seen_at": timezone.now() - datetime.timedelta(minutes=30)}
    body = expect_failure(client, "worker", live=0)
    assert body["checks"]["worker"]["newest_seen_age_seconds"] >= 1800


def test_never_a_worker(client, db, healthy):
    healthy["workers"] = {"live": 0, "newest_seen_at": None}
    expect_failure(client, "worker", live=0, newest_seen_age_seconds=None)


def test_worker_window_is_the_setting(client, db, healthy, settings, monkeypatch):
    seen = {}

    def summary(*, max_age_seconds=120):
        seen["max_age"] = max_age_seconds
        return healthy["workers"]

    monkeypatch.setattr(selectors, "worker_summary", summary)
    settings.READYZ_WORKER_MAX_AGE_SECONDS = 90
    readyz(client)
    assert seen["max_age"] == 90


def test_queue_stuck(client, db, healthy):
    healthy["queue"] = {"ready": 7, "running": 1, "failed_last_day": 2, "oldest_ready_age_seconds": 3600.25}
    expect_failure(client, "queue", ready=7, running=1, failed_last_day=2, oldest_ready_age_seconds=3600.2)


def test_queue_busy_but_moving(client, db, healthy):
    healthy["queue"] = {"ready": 40, "running": 2, "failed_last_day": 0, "oldest_ready_age_seconds": 30.0}
    response, body = readyz(client)
    assert response.status_code == 200 and body["checks"]["queue"]["ready"] == 40


def test_a_check_that_raises_fails_alone_with_only_the_class_name(client, db, healthy, monkeypatch):
    def broken():
        raise RuntimeError("could not reach db.internal.example /var/lib/secret")

    monkeypatch.setattr(selectors, "queue_summary", broken)
    body = expect_failure(client, "queue", error="RuntimeError")
    assert "example" not in json.dumps(body)


def test_database_down(client, db, healthy):
    calls = []

    def summary(**kwargs):
        calls.append(kwargs)
        return healthy["workers"]

    with (
        mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused: db.host")),
        mock.patch.object(selectors, "worker_summary", summary),
    ):
        response, body = readyz(client)
    assert response.status_code == 503
    assert body["failed"] == ["database", "migrations", "worker", "queue"]
    assert body["checks"]["database"] == {"ok": False, "error": "OperationalError", "ms": mock.ANY}
    assert body["checks"]["disk"]["ok"] is True
    assert calls == []  # the checks that need the database are not tried
    assert "db.host" not in json.dumps(body)


def test_with_the_real_selectors_and_no_worker(client, db, monkeypatch):
    """No mocks for the jobs data: an empty queue passes, and without a worker the server is not ready."""
    monkeypatch.setattr(
        "minqing.ops.checks.shutil.disk_usage", lambda path: DiskUsage(100 * GIB, 0, 100 * GIB)
    )
    response, body = readyz(client)
    assert response.status_code == 503
    assert body["failed"] == ["worker"]
    assert body["checks"]["queue"]["ok"] is True
