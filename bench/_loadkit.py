"""Plumbing for bench/load.py: a loopback-only HTTP client with a session, latency statistics, the client
threads of a mix with the check that a list page shows the rows asked for, and the reports (the gunicorn
process is in ``_loadproc``).

Standard library only (``http.client`` + threads), so the load generator adds no dependency.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

from _loadproc import Client, Gunicorn, Memory, children, free_port, listening_master, memory_of, rss_kib  # noqa: F401

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class RefusedTarget(SystemExit):
    pass


def loopback_target(url: str) -> tuple[str, int]:
    """(host, port) of an ``http://`` URL on this machine; anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK:
        raise RefusedTarget(
            f"refusing {url!r}: only http://127.0.0.1 or http://localhost targets are allowed"
        )
    if parts.path not in ("", "/"):
        raise RefusedTarget(f"refusing {url!r}: give the server root, without a path")
    return parts.hostname, parts.port or 80


# -------------------------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Sample:
    kind: str
    ms: float
    ok: bool
    done: float  # time.monotonic() at completion
    reason: str = ""  # why it failed
    path: str = ""  # the failing request, for the error summary


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


@dataclass(frozen=True)
class Summary:
    count: int
    errors: int
    rate: float
    p50: float
    p95: float
    p99: float
    max: float


def summarize(samples: Sequence[Sample], seconds: float) -> Summary:
    ms = sorted(s.ms for s in samples)
    errors = sum(1 for s in samples if not s.ok)
    return Summary(
        count=len(ms),
        errors=errors,
        rate=len(ms) / seconds if seconds > 0 else 0.0,
        p50=percentile(ms, 50),
        p95=percentile(ms, 95),
        p99=percentile(ms, 99),
        max=ms[-1] if ms else float("nan"),
    )


# ------------------------------------------------------------------------------------------ the requests


@dataclass(frozen=True)
class Cursor:
    """An ``after=`` token of a row deep in a list, and the id of the row that must open its page."""

    token: str
    first: int


@dataclass
class Listing:
    """A household list as a user pages it: its filter, its size, cursors deep in it, its last row (末页)."""

    params: dict[str, str]
    households: int
    cursors: list[Cursor] = field(default_factory=list)
    last: int = 0  # the id of the list's last row: 末页 must end with it (0: not known)


def url(path: str, params: dict[str, object]) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "") and not (k == "page" and v == 1)}
    query = urlencode(kept)
    return f"{path}?{query}" if query else path


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


HOUSEHOLD_LINK = re.compile(rb'href="/households/(\d+)/"')


class Request(NamedTuple):
    """One GET of a mix; ``first`` / ``last``: the id the page's first / last row must have (0: any)."""

    kind: str
    path: str
    api: bool = False
    first: int = 0
    last: int = 0


def page_rows(body: bytes, api: bool) -> list[int]:
    """The household ids of a list page, in order: the API's results, or the links of the HTML table."""
    if api:
        return [row["id"] for row in json.loads(body)["results"]]
    return [
        int(pk) for pk in HOUSEHOLD_LINK.findall(body, max(0, body.find(b'data-testid="household-table"')))
    ]


def wrong_page(request: Request, body: bytes) -> str:
    """Why the page is not the one asked for, or "": a cursor the server rejects shows page 1 silently."""
    if not (request.first or request.last):
        return ""
    try:
        rows = page_rows(body, request.api)
    except (ValueError, KeyError, TypeError):
        return "not a list page"
    if (request.first and rows[:1] != [request.first]) or (request.last and rows[-1:] != [request.last]):
        return "wrong page"
    return ""


# ------------------------------------------------------------------------------------------ the runner

ABORT_AFTER = 200  # consecutive failed requests (all clients) that stop a mix: the server is down


@dataclass
class User:
    client: Client
    scope: Any
    rng: random.Random


class Run:
    """N client threads issuing one mix (``make(rng, scope, data) -> Request``) until the deadline, the
    request cap or a stop. A list page that is not the one asked for (``wrong_page``) is an error."""

    def __init__(
        self, users: list[User], make: Callable, data: Any, *, seconds: float, max_requests: int
    ) -> None:
        self.users, self.make, self.data = users, make, data
        self.seconds, self.max_requests = seconds, max_requests
        self.lock = threading.Lock()
        self.issued = 0
        self.samples: list[Sample] = []
        self.started = self.ended = 0.0
        self.failing = 0  # consecutive failures across all clients
        self.aborted = threading.Event()  # the server stopped answering: stop the mix

    def ticket(self) -> bool:
        with self.lock:
            if self.issued >= self.max_requests:
                return False
            self.issued += 1
            return True

    def client_loop(self, user: User, deadline: float, stop: threading.Event) -> None:
        mine: list[Sample] = []
        while not (stop.is_set() or self.aborted.is_set()) and time.monotonic() < deadline and self.ticket():
            request: Request = self.make(user.rng, user.scope, self.data)
            began = time.perf_counter()
            reason, body = "", b""
            try:
                status, body, _ = user.client.request("GET", request.path, api=request.api)
                if status != 200:
                    reason = f"HTTP {status}"
            except Exception as error:
                reason = type(error).__name__
            ms = (time.perf_counter() - began) * 1000
            reason = reason or wrong_page(request, body)
            mine.append(
                Sample(request.kind, ms, not reason, time.monotonic(), reason, request.path if reason else "")
            )
            with self.lock:
                self.failing = self.failing + 1 if reason else 0
                if self.failing >= ABORT_AFTER:
                    self.aborted.set()
            if reason and not reason.startswith(("HTTP", "wrong", "not a")):
                time.sleep(0.1)  # a connection error: do not spin
        with self.lock:
            self.samples.extend(mine)

    def run(self, stop: threading.Event, tick: Callable[[], None] | None = None, every: float = 60) -> None:
        self.started = time.monotonic()
        deadline = self.started + self.seconds
        threads = [
            threading.Thread(target=self.client_loop, args=(u, deadline, stop), daemon=True)
            for u in self.users
        ]
        for t in threads:
            t.start()
        next_tick = self.started + every
        while any(t.is_alive() for t in threads):
            time.sleep(0.2)
            if tick and time.monotonic() >= next_tick:
                tick()
                next_tick += every
        for t in threads:
            t.join()
        self.ended = max((s.done for s in self.samples), default=time.monotonic())


def log_in_all(users: list[User], password: str) -> int:
    """Log every client in through the login page (in parallel), then give it its user's API token (DRF
    keeps one per user: fetched once per user). Returns the number of tokens."""
    errors: list[str] = []

    def log_in(user: User) -> None:
        try:
            user.client.login(user.scope.username, password)
        except Exception as error:
            errors.append(str(error))

    threads = [threading.Thread(target=log_in, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit("login failed (is the database seeded with the demo users?): " + errors[0])
    tokens: dict[str, str] = {}
    for user in users:
        name = user.scope.username
        if name not in tokens:
            tokens[name] = user.client.fetch_token(name, password)
        user.client.token = tokens[name]
    return len(tokens)


# ------------------------------------------------------------------------------------------- reporting


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def fmt_row(name: str, s: Summary, seconds: float) -> str:
    share = f"{100 * s.errors / s.count:.1f}%" if s.count else "-"
    return (
        f"{name:<28} {s.count:>8,} {s.count / seconds:>8.1f} {s.p50:>8.1f} {s.p95:>8.1f} {s.p99:>8.1f}"
        f" {s.max:>8.1f} {s.errors:>7,} {share:>6}"
    )


def report_mix(mix: str, run: Run) -> float:
    seconds = max(1e-9, run.ended - run.started)
    total = summarize(run.samples, seconds)
    rate = total.errors / total.count if total.count else 1.0
    print(
        f"\n## mix {mix}: {len(run.users)} clients, {seconds:.1f} s, {total.count:,} requests,"
        f" {total.rate:.1f} req/s, errors {total.errors:,} ({100 * rate:.2f}%)"
    )
    header = (
        f"{'kind':<28} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    print(f"{header} {'errors':>7} {'err%':>6}")
    print(fmt_row("(all)", total, seconds))
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in run.samples:
        by_kind[s.kind].append(s)
    for kind in sorted(by_kind):
        print(fmt_row(kind, summarize(by_kind[kind], seconds), seconds))
    failures = Counter((s.kind, s.reason) for s in run.samples if not s.ok)
    examples = {(s.kind, s.reason): s.path for s in run.samples if not s.ok}
    for (kind, reason), n in failures.most_common(8):
        print(f"  error: {n:,} × {reason} on {kind}, e.g. {examples[kind, reason]}")
    if run.aborted.is_set():
        print(f"  ABORTED after {ABORT_AFTER} failed requests in a row: is the server still up?")
    return rate


def report_buckets(run: Run, every: float, memory: list[Memory]) -> None:
    print(f"\nthroughput over time ({every:.0f} s buckets; RSS = master + workers at the end of the bucket):")
    print(
        f"{'from s':>7} {'to s':>6} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'RSS MiB':>8}"
    )
    buckets: dict[int, list[Sample]] = defaultdict(list)
    last = max(
        0, math.ceil(run.seconds / every) - 1
    )  # requests finishing after the deadline count in the last
    for s in run.samples:
        buckets[min(last, int((s.done - run.started) // every))].append(s)
    for i in sorted(buckets):
        width = (
            min(every, run.ended - run.started - i * every)
            if i < last
            else run.ended - run.started - i * every
        )
        b = summarize(buckets[i], width)
        end = run.started + (i + 1) * every if i < last else run.ended
        rss = next((m.total_kib / 1024 for m in memory if m.at >= end - 1), None)
        rss_text = f"{rss:8.1f}" if rss is not None else f"{'':>8}"
        print(
            f"{i * every:>7.0f} {i * every + width:>6.0f} {b.count:>9,} {b.rate:>8.1f} {b.p50:>8.1f}"
            f" {b.p95:>8.1f} {b.errors:>7,} {rss_text}"
        )


def report_memory(first: Memory, last: Memory) -> None:
    def mib(kib: int | None) -> str:
        return f"{kib / 1024:8.1f}" if kib is not None else f"{'gone':>8}"

    print("\nmemory (VmRSS from /proc/<pid>/status, MiB):")
    print(f"{'process':<18} {'start':>8} {'end':>8} {'growth':>8}")
    rows = [("master", first.master, last.master)]
    start = dict(first.workers)
    end = dict(last.workers)
    for pid in sorted(start.keys() | end.keys()):
        rows.append(("worker", (pid, start.get(pid)), (pid, end.get(pid))))
    for name, (pid, a), (_, b) in rows:
        growth = f"{(b - a) / 1024:+8.1f}" if a is not None and b is not None else f"{'':>8}"
        print(f"{name + ' ' + str(pid):<18} {mib(a)} {mib(b)} {growth}")
    print(
        f"{'total':<18} {mib(first.total_kib)} {mib(last.total_kib)} {(last.total_kib - first.total_kib) / 1024:+8.1f}"
    )
    recycled = sorted(start.keys() - end.keys())
    if recycled:
        print(
            f"  workers replaced during the run (max_requests or a crash): {recycled} -> {sorted(end.keys() - start.keys())}"
        )


# ------------------------------------------------------------------------------- command line and mixes


def load_parser(description: str) -> argparse.ArgumentParser:
    """The command line of bench/load.py."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="an already running server, e.g. http://127.0.0.1:8000 (loopback only)")
    target.add_argument("--start", action="store_true", help="start gunicorn on a free 127.0.0.1 port")
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers with --start (default: the conf's, or 2×CPU+1)"
    )
    parser.add_argument("--mix", default="registry,full", help="registry, full, or both comma-separated")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30, help="seconds per mix")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="cap per mix")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of unrecorded load before each mix")
    parser.add_argument(
        "--soak", type=float, metavar="SECONDS", help="soak: run each mix this long, report memory"
    )
    parser.add_argument("--bucket", type=float, default=60, help="seconds per throughput bucket in a soak")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per request")
    parser.add_argument(
        "--max-error-rate", type=float, default=0.01, help="exit 1 above this share of errors"
    )
    parser.add_argument(
        "--pid", type=int, help="gunicorn master pid with --url (found by its socket otherwise)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--seed-households",
        type=int,
        metavar="N",
        help="migrate and seed an empty database with N households",
    )
    return parser


def measure_mix(
    mix: str, make: Callable, users: list[User], data: Any, args: Any, stop: threading.Event, server, master
) -> float:
    """Warm up, run and report one mix (with memory and throughput buckets in a soak); its error rate."""
    seconds = args.soak or args.duration
    if args.warmup > 0:
        Run(users, make, data, seconds=args.warmup, max_requests=args.max_requests).run(stop)
    if server:
        server.remember()
    memory: list[Memory] = []

    def sample_memory(memory=memory) -> None:
        if master:
            memory.append(memory_of(master))

    if args.soak:
        sample_memory()
    run = Run(users, make, data, seconds=seconds, max_requests=args.max_requests)
    cpu = time.process_time()
    run.run(stop, tick=sample_memory if args.soak else None, every=args.bucket)
    cpu = time.process_time() - cpu
    if args.soak:
        sample_memory()
    rate = report_mix(mix, run)
    print(
        f"  load generator: {cpu:.1f} s CPU in {run.ended - run.started:.1f} s"
        f" ({100 * cpu / max(1e-9, run.ended - run.started):.0f}% of one CPU); {load_average()}"
    )
    if args.soak:
        report_buckets(run, args.bucket, memory)
        if memory:
            report_memory(memory[0], memory[-1])
        else:
            print("\nmemory: gunicorn master not found (pass --pid)")
    return rate


def server_env(root: Path, db: dict[str, Any], secret_key: str) -> dict[str, str]:
    """The environment of the gunicorn we start: production settings on the database ``db`` this script
    read (settings.DATABASES["default"]), and the key this script signs the list cursors with."""
    from django.conf import settings

    env = dict(os.environ)
    env.pop("TESTING", None)
    if not env.get("DATABASE_URL"):
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise SystemExit("set DATABASE_URL so that the server and this script read the same database")
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    var = root / "var" / "bench-load"
    env.update(
        DEBUG="0",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MINQING_VAR_DIR=str(var),  # static files collected here; the database is DATABASE_URL
    )
    # The field key this script reads with (load.py fixes it before changing SECRET_KEY).
    env.setdefault("FIELD_ENCRYPTION_KEYS", settings.FIELD_ENCRYPTION_KEYS)
    # The simulated users sign in with the demo password from one address: no second factor to type, no
    # per-address login limit (both production defaults; their middleware still runs on every request).
    env.setdefault("MINQING_OTP_REQUIRED", "0")
    env.setdefault("LOGIN_RATE_PER_IP", "0")
    return env
