"""Readiness checks behind ``/readyz``: each returns pass/fail and a few numbers, never a name or a path.

A check that raises is a failed check whose detail is the exception's class name only (a message can
carry a host name, a path or a value).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from minqing.jobs import selectors as jobs

Result = dict[str, Any]


def database() -> Result:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def migrations() -> Result:
    executor = MigrationExecutor(connection)
    unapplied = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    return {"ok": unapplied == 0, "unapplied": unapplied}


def disk() -> Result:
    """Free space where uploads, exports and the SQLite file live (``MINQING_VAR_DIR``)."""
    usage = shutil.disk_usage(settings.VAR_DIR)
    free_percent = round(100 * usage.free / usage.total, 1) if usage.total else 0.0
    ok = (
        usage.free >= settings.READYZ_DISK_MIN_FREE_MB * 1024 * 1024
        and free_percent >= settings.READYZ_DISK_MIN_FREE_PERCENT
    )
    return {"ok": ok, "free_mb": usage.free // (1024 * 1024), "free_percent": free_percent}


def _age(moment: datetime | None) -> float | None:
    return None if moment is None else round((timezone.now() - moment).total_seconds(), 1)


def worker() -> Result:
    """At least one task worker has beaten its heart within ``READYZ_WORKER_MAX_AGE_SECONDS``."""
    summary = jobs.worker_summary(max_age_seconds=settings.READYZ_WORKER_MAX_AGE_SECONDS)
    live = int(summary["live"])
    return {"ok": live > 0, "live": live, "newest_seen_age_seconds": _age(summary["newest_seen_at"])}


def queue() -> Result:
    """The oldest task waiting to run is younger than ``READYZ_QUEUE_MAX_AGE_SECONDS``."""
    summary = jobs.queue_summary()
    oldest = summary["oldest_ready_age_seconds"]
    return {
        "ok": oldest is None or oldest <= settings.READYZ_QUEUE_MAX_AGE_SECONDS,
        "ready": summary["ready"],
        "running": summary["running"],
        "failed_last_day": summary["failed_last_day"],
        "oldest_ready_age_seconds": None if oldest is None else round(oldest, 1),
    }


CHECKS: dict[str, Callable[[], Result]] = {
    "database": database,
    "migrations": migrations,
    "disk": disk,
    "worker": worker,
    "queue": queue,
}


# Checks that read the database are skipped (failed) when the database itself does not answer.
NEEDS_DATABASE = {"migrations", "worker", "queue"}


def run_checks() -> dict[str, Result]:
    """Every check, in order, each timed; an exception fails that check only."""
    results: dict[str, Result] = {}
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and not results["database"]["ok"]:
            results[name] = {"ok": False, "error": "database unavailable"}
            continue
        started = time.perf_counter()
        try:
            result = check()
        except Exception as error:
            result = {"ok": False, "error": error.__class__.__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return results
