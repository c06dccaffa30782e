"""Plumbing for bench/pages.py: one timed request through Django's test client, the SQL it ran replayed
through a plain cursor, the pager's links, random rows of a scope, percentiles and the report tables.

Imported after ``_common`` (which sets Django up).
"""

from __future__ import annotations

import html
import math
import re
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import Any
from urllib.parse import urlencode

from _common import page_client
from django.db import connection
from django.db.models import Max, Min, QuerySet
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.utils import CaptureQueriesContext

PAGER_LINK = re.compile(r'<a class="page-link" href="([^"]*)"[^>]*>\s*([^<]*?)\s*</a>')
FIRST, PREVIOUS, NEXT, LAST = "首页", "上一页", "下一页", "末页"
#: Statements that are not reads of the page: never replayed (writes are counted, the rest ignored).
NOT_REPLAYED = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SET ")
READS = ("SELECT", "WITH", "(SELECT", "VALUES", "EXPLAIN")


# -------------------------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Case:
    """One request of one page kind: who asks, for what URL, and what the body must contain to count."""

    kind: str
    user: str
    url: str
    api: bool = False
    expect: str = ""  # e.g. 'rel="prev"': a deep page that fell back to the first page is an error
    note: str = ""


@dataclass
class Outcome:
    ms: float
    ok: bool
    status: int | None
    size: int = 0
    error: str = ""  # "HTTP 503", "missing rel=prev", or a traceback


def url(path: str, params: dict[str, Any] | None = None) -> str:
    kept = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def _get(client: Client, case: Case) -> tuple[HttpResponseBase, bytes]:
    response = client.get(case.url, headers={"Accept": "application/json"} if case.api else None)
    return response, response.getvalue()  # the whole body, streamed or not


def fetch(client: Client, case: Case) -> Outcome:
    """The whole request (middleware, view, queries, rendering, body read), timed; never raises."""
    started = time.perf_counter()
    try:
        response, body = _get(client, case)
    except Exception:
        return Outcome((time.perf_counter() - started) * 1000, False, None, 0, traceback.format_exc())
    ms = (time.perf_counter() - started) * 1000
    error = ""
    if response.status_code != 200:
        location = response.get("Location", "")
        error = f"HTTP {response.status_code}" + (f" -> {location}" if location else "")
    elif case.expect and case.expect.encode() not in body:
        error = f"200 without {case.expect!r} (a deep link that fell back to another page?)"
    return Outcome(ms, not error, response.status_code, len(body), error)


@dataclass
class Captured:
    queries: int  # every statement the request ran
    reads: list[str] = field(default_factory=list)  # the SELECTs, as the final SQL text, for the replay
    writes: int = 0
    outcome: Outcome | None = None


def capture(client: Client, case: Case) -> Captured:
    """Run ``case`` once more (untimed) under ``CaptureQueriesContext`` and keep the SQL it issued."""
    with CaptureQueriesContext(connection) as captured:
        outcome = fetch(client, case)
    reads, writes = [], 0
    for query in captured.captured_queries:
        sql = query["sql"].strip()
        head = sql.upper()
        if head.startswith(NOT_REPLAYED) or "set_config(" in sql:
            continue
        if head.startswith(READS):
            reads.append(sql)
        else:
            writes += 1
    return Captured(len(captured.captured_queries), reads, writes, outcome)


def replay_ms(statements: Sequence[str]) -> float | None:
    """Milliseconds the database takes for exactly these statements through a plain cursor, rows fetched
    (None when one fails, e.g. cut off by the statement timeout the page's connection carries)."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()
    except Exception as error:
        print(f"replay failed ({type(error).__name__}: {str(error)[:120]})", file=sys.stderr)
        return None
    return (time.perf_counter() - started) * 1000


# ------------------------------------------------------------------------------------------------- runs


def progress(label: str, done: int, total: int) -> None:
    """A counter on stderr: rewritten in place on a terminal, a line per quarter otherwise."""
    if sys.stderr.isatty():
        if done == total or done % 25 == 0:
            print(
                f"\r{label}: {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True
            )
    elif done == total or done % max(1, math.ceil(total / 4)) == 0:
        print(f"{label}: {done}/{total}", file=sys.stderr, flush=True)


def run_pass(label: str, cases: list[Case], clients: dict, rng: Random) -> list[Outcome]:
    order = list(range(len(cases)))
    rng.shuffle(order)
    outcomes: list[Outcome | None] = [None] * len(cases)
    for done, i in enumerate(order, 1):
        outcomes[i] = fetch(clients[cases[i].user], cases[i])
        progress(label, done, len(cases))
    return [o for o in outcomes if o is not None]


def run_concurrent(
    cases: list[Case], users: Iterable[str], threads: int, rng: Random
) -> tuple[list[Outcome], float]:
    """The same mix in ``threads`` threads, each with its own clients and database connection."""
    order = list(range(len(cases)))
    rng.shuffle(order)
    lock = threading.Lock()
    outcomes: list[Outcome] = []

    def worker() -> None:
        try:
            clients = {user: page_client(user) for user in users}
            mine = []
            while True:
                with lock:
                    if not order:
                        break
                    case = cases[order.pop()]
                mine.append(fetch(clients[case.user], case))
            with lock:
                outcomes.extend(mine)
        finally:
            connection.close()  # this thread's connection (Django's are per thread)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return outcomes, time.perf_counter() - started


def report_errors(passes: dict[str, tuple[list[Case], list[Outcome]]]) -> None:
    """Every failure, grouped by kind and error: the count, one URL, and an exception's traceback once."""
    seen: Counter[tuple[str, str]] = Counter()
    example: dict[tuple[str, str], tuple[str, Case, Outcome]] = {}
    for label, (cases, outcomes) in passes.items():
        for case, o in zip(cases, outcomes, strict=True):
            if not o.ok:
                key = (case.kind, o.error.strip().splitlines()[-1][:160])
                seen[key] += 1
                example.setdefault(key, (label, case, o))
    if not seen:
        print("\nerrors: none (every request answered 200)")
        return
    print(f"\nerrors: {sum(seen.values())} requests")
    for key, n in seen.most_common():
        label, case, o = example[key]
        print(f"  {n} x {key[1]} on {case.kind} ({label}), user {case.user}: {case.url}")
        if o.status is None:  # an exception: its traceback, once
            print("    " + "\n    ".join(o.error.strip().splitlines()[-12:]))


# ------------------------------------------------------------------------------------------------ pager


def pager_links(body: bytes) -> dict[str, str]:
    """The pager's enabled links by their text (首页 上一页 下一页 末页): query strings starting with '?'."""
    text = body.decode("utf-8", "replace")
    return {label: html.unescape(href) for href, label in PAGER_LINK.findall(text)}


def pager_chain(client: Client, start: str, label: str, steps: int) -> tuple[list[str], dict[str, str]]:
    """([start, the URL one click on the pager's ``label`` link away, two clicks, …], the links of the start
    page's pager): at most ``steps`` clicks, untimed, each page but the last one reached read once."""
    path = start.split("?", 1)[0]
    chain: list[str] = [start]
    offer: dict[str, str] = {}
    for step in range(steps):
        response, body = _get(client, Case("walk", "", chain[-1]))
        links = pager_links(body) if response.status_code == 200 else {}
        offer = links if step == 0 else offer
        if label not in links:
            break
        chain.append(path + links[label])
    return chain, offer


# ------------------------------------------------------------------------------------------ random rows


_BOUNDS: dict[str, tuple[Any, Any]] = {}


def random_rows(queryset: QuerySet, n: int, rng: Random, *fields: str) -> list[tuple]:
    """``n`` rows of ``queryset`` (with repeats) at random primary keys: index lookups, no ORDER BY random().

    The primary-key range of a queryset is read once (a scan of the scope) and remembered."""
    key = str(queryset.query)
    if key not in _BOUNDS:
        bounds = queryset.aggregate(lo=Min("pk"), hi=Max("pk"))
        _BOUNDS[key] = bounds["lo"], bounds["hi"]
    lo, hi = _BOUNDS[key]
    if lo is None:
        return []
    rows = []
    for _ in range(n):
        at = rng.randint(lo, hi)
        row = queryset.filter(pk__gte=at).order_by("pk").values_list(*fields).first()
        if row is None:
            row = queryset.filter(pk__lte=at).order_by("-pk").values_list(*fields).first()
        if row is not None:
            rows.append(row)
    return rows


# ------------------------------------------------------------------------------------------- statistics


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered), max(1, math.ceil(p / 100 * len(ordered)))) - 1]


@dataclass
class KindStats:
    kind: str
    n: int
    p50: float
    p95: float
    p99: float
    max: float
    queries: int
    writes: int
    sql50: float
    sql95: float
    app50: float
    app95: float
    errors: int


def kind_stats(
    kind: str, outcomes: list[Outcome], captures: list[Captured | None], sql: list[float | None]
) -> KindStats:
    ms = [o.ms for o in outcomes]
    sqls = [s for s in sql if s is not None]
    app = [o.ms - s for o, s in zip(outcomes, sql, strict=True) if s is not None]
    return KindStats(
        kind,
        len(ms),
        percentile(ms, 50),
        percentile(ms, 95),
        percentile(ms, 99),
        max(ms, default=float("nan")),
        max((c.queries for c in captures if c), default=0),
        max((c.writes for c in captures if c), default=0),
        percentile(sqls, 50),
        percentile(sqls, 95),
        percentile(app, 50),
        percentile(app, 95),
        sum(1 for o in outcomes if not o.ok),
    )


COLUMNS = ("n", "p50", "p95", "p99", "max", "queries", "SQL p50", "SQL p95", "app p50", "app p95", "errors")


def _cells(s: KindStats) -> list[str]:
    def f(v: float) -> str:
        return "-" if math.isnan(v) else f"{v:,.1f}"

    queries = f"{s.queries}" + (f" ({s.writes}w)" if s.writes else "")
    return [
        str(s.n),
        f(s.p50),
        f(s.p95),
        f(s.p99),
        f(s.max),
        queries,
        f(s.sql50),
        f(s.sql95),
        f(s.app50),
        f(s.app95),
        str(s.errors) if s.errors else "",
    ]


def print_table(title: str, rows: Iterable[KindStats], *, markdown: bool) -> None:
    rows = list(rows)
    print(f"\n{'### ' if markdown else '## '}{title}\n")
    if markdown:
        print("| page kind | " + " | ".join(COLUMNS) + " |")
        print("|---|" + "---:|" * len(COLUMNS))
        for s in rows:
            print(f"| {s.kind} | " + " | ".join(_cells(s)) + " |")
        return
    width = max([len("page kind"), *(len(s.kind) for s in rows)]) + 1
    widths = (4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 6)

    def line(first: str, cells: Sequence[str]) -> str:
        # East Asian characters are two columns wide on a terminal: pad by display width.
        pad = width - sum(2 if ord(ch) > 0x2E80 else 1 for ch in first)
        return first + " " * max(pad, 1) + " ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))

    print(line("page kind", COLUMNS))
    for s in rows:
        print(line(s.kind, _cells(s)))
