"""Shared helpers for the benchmark scripts: Django set-up, seeding at scale, timing, raw SQL baselines."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
os.environ.setdefault("DEBUG", "1")  # the demo key; benchmarks never serve traffic
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def database_label() -> str:
    db = settings.DATABASES["default"]
    return f"{connection.vendor} {db.get('NAME')}"


def ensure_seeded(households: int) -> None:
    """Seed the configured database with the demo county at ``households`` households (once)."""
    from minqing.registry.models import Household

    call_command("migrate", verbosity=0)
    have = Household.objects.count()
    if have == 0:
        started = time.monotonic()
        call_command("seed_demo", households=households, stdout=sys.stderr)
        print(f"seeded {households:,} households in {time.monotonic() - started:.0f} s", file=sys.stderr)
    elif have != households:
        print(
            f"note: database holds {have:,} households (asked for {households:,}); using it as is",
            file=sys.stderr,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """(p50, p95) in milliseconds over ``runs`` calls after two warm-up calls."""
    fn()
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]


def raw(sql: str, params) -> Callable[[], object]:
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def sql_of(queryset) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def page_client(username: str) -> Client:
    from minqing.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def get_ok(client: Client, url: str) -> Callable[[], object]:
    def run():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def query_count(fn: Callable[[], object]) -> int:
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def report(rows: list[tuple[str, tuple[float, float], tuple[float, float] | None, str]]) -> None:
    print(f"{'measure':<38} {'p50 ms':>8} {'p95 ms':>8} {'raw p50':>8} {'raw p95':>8} {'ratio':>6}  note")
    for name, (p50, p95), baseline, note in rows:
        if baseline:
            r50, r95 = baseline
            ratio = p95 / r95 if r95 else float("inf")
            print(f"{name:<38} {p50:8.2f} {p95:8.2f} {r50:8.2f} {r95:8.2f} {ratio:6.1f}  {note}")
        else:
            print(f"{name:<38} {p50:8.2f} {p95:8.2f} {'':>8} {'':>8} {'':>6}  {note}")


def replay(fn: Callable[[], object]) -> Callable[[], object]:
    """The raw-SQL baseline of ``fn``: run it once, capture its SQL, and re-run that SQL with a plain cursor.

    This measures what the database itself spends on exactly the queries the selector or page issued.
    """
    with CaptureQueriesContext(connection) as captured:
        fn()
    statements = [
        q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]

    def run():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    return run
