"""Shared fixtures for tests that run the real database backend and worker (imported by test modules)."""

from __future__ import annotations

import signal

import pytest
from django.db import close_old_connections, connection
from django_tasks_db.management.commands import db_worker

from minqing.jobs.worker import HeartbeatWorker

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings, monkeypatch):
    """Tasks go to the database queue (as in production) instead of running at once.

    The worker loop calls ``close_old_connections()``, which drops a connection that is not in autocommit
    mode: inside a test's transaction that would close PostgreSQL's connection (SQLite's in-memory test
    database is never closed). In tests it runs only outside a transaction, as in a real worker.
    """
    settings.TASKS = DB_TASKS

    def close_outside_transactions() -> None:
        if not connection.in_atomic_block:
            close_old_connections()

    monkeypatch.setattr(db_worker, "close_old_connections", close_outside_transactions)
    return settings


@pytest.fixture
def keep_signals():
    """``run_worker`` installs SIGINT/SIGTERM handlers: give pytest its own back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def make_worker(worker_id: str = "test-worker", **options) -> HeartbeatWorker:
    """A worker that runs the queue once in this thread (no heartbeat thread, no signal handlers)."""
    defaults = {
        "queue_names": ["default"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": worker_id,
        "excluded_queue_names": [],
        "heartbeat_seconds": 5,
        "stale_seconds": 120,
        "threaded": False,
    }
    return HeartbeatWorker(**{**defaults, **options})
