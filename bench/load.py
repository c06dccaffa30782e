"""Load test: the production server (gunicorn) under mixes of real pages and API calls of several roles.

Usage (loopback only; households, ID numbers, phones and names are read once through the ORM from the
database the server uses, inside each demo user's scope):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minqing_bench .venv/bin/python bench/load.py --start --workers 5
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --mix registry --clients 20 --duration 60
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minqing_bench .venv/bin/python bench/load.py --start --soak 600

--start runs `gunicorn -c gunicorn.conf.py minqing.wsgi` (explicit flags when there is no gunicorn.conf.py)
on a free 127.0.0.1 port with DEBUG=0, a random SECRET_KEY and static files collected into var/bench-load/,
and stops it at the end. Each client is one demo user (password Minqing#2026) logged in once through the
login page, keeping its session; API calls use the user's token. Clients take turns by role:
village (鱼塘村), township (朱家场镇), county, grid (鱼塘村第1网格) and desk (service desk: lookups only).

Mixes:
  registry  household lists of a village and of the user's whole scope (county, township, grid), pages
            1-5 and deep pages up to the last; household pages of random households in scope; lookups
            by ID number / phone / head name on /households/?q= and /api/v1/households/?q=
  full      registry, and (half of the requests of the roles that may view) condition searches with tags
            and an age range on /search/, key groups /groups/ and /groups/<code>/, charts
            /charts/persons/?dim=..., API /api/v1/search/persons/ (+ count/) and /search/households/

Prints req/s, p50/p95/p99/max (ms) and errors per mix and per request kind ("deep" = beyond page 5).
--soak SECONDS runs the mix that long and adds the RSS of the gunicorn master and each worker at start and
end, and throughput per minute. Exits 1 when a mix's error rate is above --max-error-rate.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import secrets
import signal
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from _common import ROOT, database_label
from _loadkit import (
    Client,
    Gunicorn,
    Memory,
    RefusedTarget,
    Sample,
    listening_master,
    loopback_target,
    memory_of,
    summarize,
)

ROLES = ("village", "township", "county", "grid", "desk")  # clients take them in turn
PAGE = 50  # rows per list page (minqing.core.pagination.PAGE_SIZE)
MAX_PAGE = 100_000  # the pages clamp the page number there
DEEP = 5  # pages beyond this are "deep"
ABORT_AFTER = 200  # consecutive failed requests (all clients) that stop a mix: the server is down


# ------------------------------------------------------------------------------------------- the data


@dataclass
class Scope:
    """What one demo user may see, sampled from the database."""

    username: str
    label: str  # village / grid / township / county
    code: str
    households: int = 0
    sample: list[tuple[int, str, str]] = field(default_factory=list)  # (pk, phone, head name)
    id_numbers: list[str] = field(default_factory=list)
    villages: list[tuple[str, int]] = field(default_factory=list)  # (village code, households)

    def matches(self, area_path: str, grid_path: str) -> bool:
        return area_path.startswith(self.code) or grid_path.startswith(self.code)


@dataclass
class Data:
    label: str
    households: int
    persons: int
    scopes: dict[str, Scope]
    person_tags: list[str]
    household_tags: list[str]


LABELS = {6: "county", 9: "township", 12: "village", 15: "grid"}


def read_data(rng: random.Random, sample_size: int = 2000) -> Data:
    """One pass over the households (reservoir samples per scope, household counts per village), then ID
    numbers of members of the sampled households; all through the ORM, before the load starts."""
    from minqing.accounts.models import User
    from minqing.registry.models import Household, Person
    from minqing.tags.models import Tag

    scopes = {}
    for username in ROLES:
        user = User.objects.filter(username=username).first()
        assignments = user.active_assignments() if user else []
        if not assignments:
            raise SystemExit(f"demo user {username!r} is missing or has no assignment: run seed_demo first")
        code = assignments[0].area.code
        scopes[username] = Scope(username, LABELS.get(len(code), "area"), code)

    seen = Counter[str]()
    per_village = Counter[str]()
    total = 0
    rows = Household.objects.order_by().values_list("pk", "area_path", "grid_path", "phone", "head_name")
    for pk, area_path, grid_path, phone, head_name in rows.iterator(chunk_size=20_000):
        total += 1
        per_village[area_path[:12]] += 1
        for scope in scopes.values():
            if scope.matches(area_path, grid_path):
                seen[scope.username] += 1
                n = seen[scope.username]
                if len(scope.sample) < sample_size:
                    scope.sample.append((pk, phone or "", head_name or ""))
                elif (j := rng.randrange(n)) < sample_size:
                    scope.sample[j] = (pk, phone or "", head_name or "")
    for scope in scopes.values():
        scope.households = seen[scope.username]
        if not scope.sample:
            raise SystemExit(f"no household in the scope of {scope.username} ({scope.code})")
        village = scope.code[:12]
        scope.villages = (
            [(village, per_village[village])]
            if len(scope.code) >= 12
            else sorted((v, n) for v, n in per_village.items() if v.startswith(scope.code))
        )
        members = Person.objects.filter(household_id__in=[pk for pk, _, _ in scope.sample[:500]])
        scope.id_numbers = list(
            members.exclude(id_number=None).exclude(id_number="").values_list("id_number", flat=True)[:500]
        )
    tags = Tag.objects.filter(is_key_group=True, is_active=True)
    return Data(
        label=database_label(),
        households=total,
        persons=Person.objects.count(),
        scopes=scopes,
        person_tags=list(tags.filter(target="person").values_list("code", flat=True)),
        household_tags=list(tags.filter(target="household").values_list("code", flat=True)),
    )


# -------------------------------------------------------------------------------------- the requests

Request = tuple[str, str, bool]  # (kind, path, api)


def pick_page(rng: random.Random, households: int) -> int:
    """Mostly page 1, some of pages 2-5, and 15% deep: anywhere up to the last page."""
    last = max(1, min(math.ceil(households / PAGE), MAX_PAGE))
    r = rng.random()
    if last == 1 or r < 0.70:
        return 1
    if r < 0.85 or last <= DEEP:
        return rng.randint(2, min(DEEP, last))
    return rng.randint(DEEP + 1, last)


def with_page(kind: str, page: int) -> str:
    return f"{kind} deep" if page > DEEP else kind


def url(path: str, params: dict[str, object]) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "") and not (k == "page" and v == 1)}
    query = urlencode(kept)
    return f"{path}?{query}" if query else path


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def lookup(rng: random.Random, scope: Scope, api: bool) -> Request:
    _, phone, name = rng.choice(scope.sample)
    choices = {"name": name, "phone": phone, "id": rng.choice(scope.id_numbers) if scope.id_numbers else ""}
    by = rng.choice([k for k, v in choices.items() if v])
    if api:
        return f"api lookup/{by}", url("/api/v1/households/", {"q": choices[by]}), True
    return f"lookup/{by}", url("/households/", {"q": choices[by]}), False


def village_list(rng: random.Random, scope: Scope, api: bool) -> Request:
    village, n = rng.choice(scope.villages)
    page = pick_page(rng, n)
    if api:
        return (
            with_page("api list/village", page),
            url("/api/v1/households/", {"area": village, "page": page}),
            True,
        )
    return with_page("list/village", page), url("/households/", {"area": village, "page": page}), False


REGISTRY = {
    "village": {"list village": 20, "household": 35, "lookup": 25, "api lookup": 10, "api list": 10},
    "grid": {"list scope": 25, "household": 40, "lookup": 25, "api lookup": 10},
    "township": {
        "list village": 15,
        "list scope": 15,
        "household": 30,
        "lookup": 25,
        "api lookup": 10,
        "api list": 5,
    },
    "county": {
        "list village": 10,
        "list scope": 25,
        "household": 30,
        "lookup": 20,
        "api lookup": 10,
        "api list": 5,
    },
    "desk": {"lookup": 60, "api lookup": 40},  # the service desk has the lookup right only
}
SEARCH = {"search": 30, "groups": 8, "group": 12, "chart": 25, "api search": 15, "api count": 10}
AGE_BANDS = ((60, 130), (80, 130), (65, 90), (0, 17), (6, 16), (18, 59), (16, 60))


def registry_request(rng: random.Random, scope: Scope, data: Data) -> Request:
    what = weighted(rng, REGISTRY[scope.username])
    if what == "list village":
        return village_list(rng, scope, api=False)
    if what == "api list":
        return village_list(rng, scope, api=True)
    if what == "list scope":
        page = pick_page(rng, scope.households)
        return with_page(f"list/{scope.label}", page), url("/households/", {"page": page}), False
    if what == "household":
        return "household", f"/households/{rng.choice(scope.sample)[0]}/", False
    return lookup(rng, scope, api=what == "api lookup")


def conditions(rng: random.Random, scope: Scope, data: Data) -> dict[str, object]:
    """County-wide (or scope-wide) conditions: 1-2 key-group tags, mostly an age range, sometimes an area."""
    params: dict[str, object] = {}
    if data.person_tags:
        params["tags_all"] = ",".join(sorted(rng.sample(data.person_tags, rng.choice((1, 1, 2)))))
    if rng.random() < 0.7:
        params["age_min"], params["age_max"] = rng.choice(AGE_BANDS)
    if len(scope.code) < 12 and rng.random() < 0.3:  # narrow to one township / village of the scope
        village = rng.choice(scope.villages)[0]
        params["area"] = village[:9] if len(scope.code) == 6 else village
    if rng.random() < 0.15:
        params["sex"] = rng.choice(("1", "2"))
    return params


def search_request(rng: random.Random, scope: Scope, data: Data) -> Request:
    what = weighted(rng, SEARCH)
    params = conditions(rng, scope, data)
    if what == "search":
        page = 1 if rng.random() < 0.8 else rng.randint(2, DEEP)
        return "search", url("/search/", {**params, "page": page}), False
    if what == "groups":
        return "groups", "/groups/", False
    if what == "group":
        return "group", f"/groups/{rng.choice(data.person_tags + data.household_tags)}/", False
    if what == "chart":
        dim = rng.choice(("area", "age", "sex", "tag"))
        one_tag = {"tags_all": rng.choice(data.person_tags)} if data.person_tags else {}
        return f"chart/{dim}", url("/charts/persons/", {**one_tag, "dim": dim}), False
    if what == "api count":
        return "api search/count", url("/api/v1/search/persons/count/", params), True
    if rng.random() < 0.25 and data.household_tags:
        tags = {"tags_all": rng.choice(data.household_tags)}
        return "api search/households", url("/api/v1/search/households/", tags), True
    return "api search/persons", url("/api/v1/search/persons/", params), True


def full_request(rng: random.Random, scope: Scope, data: Data) -> Request:
    if scope.username == "desk" or rng.random() < 0.5:
        return registry_request(rng, scope, data)
    return search_request(rng, scope, data)


MIXES: dict[str, Callable[[random.Random, Scope, Data], Request]] = {
    "registry": registry_request,
    "full": full_request,
}


# ------------------------------------------------------------------------------------------ the runner


@dataclass
class User:
    client: Client
    scope: Scope
    rng: random.Random


class Run:
    """N client threads issuing one mix until the deadline, the request cap or a stop."""

    def __init__(self, users: list[User], mix: str, data: Data, *, seconds: float, max_requests: int) -> None:
        self.users, self.make, self.data = users, MIXES[mix], data
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
            kind, path, api = self.make(user.rng, user.scope, self.data)
            began = time.perf_counter()
            reason = ""
            try:
                status, _, _ = user.client.request("GET", path, api=api)
                if status != 200:
                    reason = f"HTTP {status}"
            except Exception as error:
                reason = type(error).__name__
            ms = (time.perf_counter() - began) * 1000
            mine.append(Sample(kind, ms, not reason, time.monotonic(), reason, path if reason else ""))
            with self.lock:
                self.failing = self.failing + 1 if reason else 0
                if self.failing >= ABORT_AFTER:
                    self.aborted.set()
            if reason and not reason.startswith("HTTP"):
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


# ------------------------------------------------------------------------------------------- reporting


def fmt_row(name: str, s, seconds: float) -> str:
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


# --------------------------------------------------------------------------------------------- main


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def server_env() -> dict[str, str]:
    """The environment of the gunicorn we start: production settings on the database this script read."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.pop("TESTING", None)
    if not env.get("DATABASE_URL"):
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise SystemExit("set DATABASE_URL so that the server and this script read the same database")
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    var = ROOT / "var" / "bench-load"
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MINQING_VAR_DIR=str(var),  # static files collected here; the database is DATABASE_URL
    )
    return env


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
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
    args = parser.parse_args()
    mixes = [m.strip() for m in args.mix.split(",") if m.strip()]
    if not mixes or any(m not in MIXES for m in mixes):
        parser.error(f"--mix takes {', '.join(MIXES)} (comma-separated)")
    if args.clients < 1 or args.max_requests < 1:
        parser.error("--clients and --max-requests must be positive")
    try:
        host, port = loopback_target(args.url) if args.url else ("127.0.0.1", 0)
    except RefusedTarget as refused:
        print(refused, file=sys.stderr)
        return 2
    seconds = args.soak or args.duration
    from minqing.accounts.checks import DEMO_PASSWORD as PASSWORD  # the published demo password

    rng = random.Random(args.seed)
    started = time.monotonic()
    data = read_data(rng)
    read_s = time.monotonic() - started

    server: Gunicorn | None = None
    stop = threading.Event()

    def on_signal(signum, frame):  # SIGTERM: stop cleanly like Ctrl+C (the server is stopped in finally)
        if not stop.is_set():
            stop.set()
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    worst = 0.0
    interrupted = False
    try:
        if args.start:
            python = ROOT / ".venv" / "bin" / "python"
            if not (python.parent / "gunicorn").exists():
                raise SystemExit("gunicorn is not installed in .venv")
            log = ROOT / "var" / "bench-load" / "gunicorn.log"
            server = Gunicorn(ROOT, python, server_env(), args.workers, log)
            server.start()
            port = server.port
            master = server.pid
            how = " ".join(server.command[1:])
        else:
            master = args.pid or listening_master(port)
            how = f"already running (master pid {master or 'not found'})"

        print(f"# load test on {data.label}: {data.households:,} households, {data.persons:,} persons")
        print(f"# server http://{host}:{port}: gunicorn {how}")
        if master:
            print(f"# gunicorn master {master}, {len(memory_of(master).workers)} workers")
        print(
            f"# {args.clients} clients, {'soak ' if args.soak else ''}{seconds:.0f} s per mix"
            f" (+{args.warmup:.0f} s warm-up), at most {args.max_requests:,} requests, mixes {', '.join(mixes)},"
            f" error threshold {100 * args.max_error_rate:.1f}%; data sampled in {read_s:.1f} s"
        )
        for s in data.scopes.values():
            print(f"#   {s.username:<9} {s.label:<9} {s.code:<16} {s.households:>9,} households in scope")
        print(f"# machine: {os.cpu_count()} CPUs, {load_average()} (the load generator shares them)")

        users = []
        tokens: dict[str, str] = {}
        for i in range(args.clients):
            scope = data.scopes[ROLES[i % len(ROLES)]]
            users.append(User(Client(host, port, timeout=args.timeout), scope, random.Random(rng.random())))
        login_started = time.monotonic()
        errors: list[str] = []

        def log_in(user: User) -> None:
            try:
                user.client.login(user.scope.username, PASSWORD)
            except Exception as error:
                errors.append(str(error))

        threads = [threading.Thread(target=log_in, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise SystemExit("login failed (is the database seeded with the demo users?): " + errors[0])
        for user in users:  # one token per user (DRF keeps one per user), fetched once
            name = user.scope.username
            if name not in tokens:
                tokens[name] = user.client.fetch_token(name, PASSWORD)
            user.client.token = tokens[name]
        print(
            f"# {len(users)} sessions and {len(tokens)} API tokens in {time.monotonic() - login_started:.1f} s"
        )

        for mix in mixes:
            if args.warmup > 0:
                Run(users, mix, data, seconds=args.warmup, max_requests=args.max_requests).run(stop)
            if server:
                server.remember()
            memory: list[Memory] = []

            def sample_memory(memory=memory) -> None:
                if master:
                    memory.append(memory_of(master))

            if args.soak:
                sample_memory()
            run = Run(users, mix, data, seconds=seconds, max_requests=args.max_requests)
            cpu = time.process_time()
            run.run(stop, tick=sample_memory if args.soak else None, every=args.bucket)
            cpu = time.process_time() - cpu
            if args.soak:
                sample_memory()
            worst = max(worst, report_mix(mix, run))
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
            if stop.is_set():
                break
        for user in users:
            user.client.close()
    except KeyboardInterrupt:
        stop.set()
        print("\ninterrupted", file=sys.stderr)
        interrupted = True
    finally:
        if server:
            for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl+C must not orphan the server
                signal.signal(signum, signal.SIG_IGN)
            left = server.stop()
            print(f"# server stopped{'; STILL ALIVE: ' + str(left) if left else ', no process left'}")
    if interrupted:
        return 130
    if worst > args.max_error_rate:
        print(f"FAIL: error rate {100 * worst:.2f}% above {100 * args.max_error_rate:.1f}%")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
