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
  registry  household lists of a village and of the user's whole scope (county, township, grid): page 1,
            pages 2-5 (?page=N, read with OFFSET), deep pages (?after=<cursor> of a random row beyond
            page 5) and 末页 (?before=); household pages of random households in scope; lookups by ID
            number / phone / head name on /households/?q= and /api/v1/households/?q=
  full      registry, and (half of the requests of the roles that may view) condition searches with tags
            and an age range on /search/, key groups /groups/ and /groups/<code>/, charts
            /charts/persons/?dim=..., API /api/v1/search/persons/ (+ count/) and /search/households/

Prints req/s, p50/p95/p99/max (ms) and errors per mix and request kind ("deep": a cursor page beyond page
5, "last": 末页). Deep pages follow real ?after= cursors of rows sampled at set-up, signed with the server's
key (--start shares its random SECRET_KEY; with --url run this with the server's SECRET_KEY); every deep /
末页 page must start / end with the row expected, or it counts as an error ("wrong page"). Health groups
are searched only by users with the health right (the county leader's searches leave them out).
--seed-households N seeds an empty database (e.g. 3000 for a quick check) and never touches a seeded one.
--soak SECONDS runs the mix that long and adds the RSS of the gunicorn master and each worker at start and
end, and throughput per minute. Exits 1 when a mix's error rate is above --max-error-rate.
"""

from __future__ import annotations

import math
import os
import random
import secrets
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from _common import ROOT, database_label, ensure_seeded
from _loadkit import (
    Client,
    Gunicorn,
    Listing,
    RefusedTarget,
    Request,
    User,
    listening_master,
    load_average,
    load_parser,
    log_in_all,
    loopback_target,
    measure_mix,
    memory_of,
    server_env,
    url,
    weighted,
    wrong_page,
)
from _loadlists import DEEP, PAGE, read_listing

ROLES = ("village", "township", "county", "grid", "desk")  # clients take them in turn
DEEP_VILLAGES = 10  # villages per scope whose lists get cursors (deep village requests pick among them)
# Shares of the list requests: page 1 below SHALLOW, pages 2-5 below DEEPER, deep below LAST, then 末页.
SHALLOW, DEEPER, LAST = 0.70, 0.85, 0.97


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
    scope_list: Listing = field(default_factory=lambda: Listing({}, 0))  # /households/ unfiltered
    village_lists: list[Listing] = field(default_factory=list)  # up to DEEP_VILLAGES, with cursors
    health: bool = True  # may search health groups (county leaders may not: README roles)

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
    health_tags: frozenset[str] = frozenset()

    def tags_for(self, scope: Scope) -> list[str]:
        return (
            self.person_tags if scope.health else [t for t in self.person_tags if t not in self.health_tags]
        )


LABELS = {6: "county", 9: "township", 12: "village", 15: "grid"}


def read_data(rng: random.Random, sample_size: int = 2000) -> Data:
    """One pass over the households (reservoir samples per scope, household counts per village), then ID
    numbers of members of the sampled households; all through the ORM, before the load starts."""
    from minqing.accounts.models import User
    from minqing.registry.models import Household, Person
    from minqing.tags.models import Tag
    from minqing.tags.privacy import health_tags

    scopes, users = {}, {}
    for username in ROLES:
        user = User.objects.filter(username=username).first()
        assignments = user.active_assignments() if user else []
        if not assignments:
            raise SystemExit(f"demo user {username!r} is missing or has no assignment: run seed_demo first")
        code = assignments[0].area.code
        scopes[username] = Scope(
            username, LABELS.get(len(code), "area"), code, health=bool(user.scope_prefixes("health"))
        )
        users[username] = user

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
        weights, user = REGISTRY[scope.username], users[scope.username]
        candidates = [pk for pk, _, _ in scope.sample]  # random households of the scope
        if "list scope" in weights:
            scope.scope_list = read_listing(rng, user, {}, scope.households, candidates)
        deep = [(v, n) for v, n in scope.villages if n > DEEP * PAGE]
        if "list village" in weights or "api list" in weights:
            for village, n in rng.sample(deep, min(DEEP_VILLAGES, len(deep))):
                scope.village_lists.append(read_listing(rng, user, {"area": village}, n, candidates))
    tags = Tag.objects.filter(is_key_group=True, is_active=True)
    return Data(
        label=database_label(),
        households=total,
        persons=Person.objects.count(),
        scopes=scopes,
        person_tags=list(tags.filter(target="person").values_list("code", flat=True)),
        household_tags=list(tags.filter(target="household").values_list("code", flat=True)),
        health_tags=frozenset(tag.code for tag in health_tags(tags)),
    )


# -------------------------------------------------------------------------------------- the requests


def lookup(rng: random.Random, scope: Scope, api: bool) -> Request:
    _, phone, name = rng.choice(scope.sample)
    choices = {"name": name, "phone": phone, "id": rng.choice(scope.id_numbers) if scope.id_numbers else ""}
    by = rng.choice([k for k, v in choices.items() if v])
    if api:
        return Request(f"api lookup/{by}", url("/api/v1/households/", {"q": choices[by]}), True)
    return Request(f"lookup/{by}", url("/households/", {"q": choices[by]}))


def list_request(kind: str, listing: Listing, api: bool, r: float, rng: random.Random) -> Request:
    """By ``r``: page 1 (70%), ``?page=2-5`` (15%, OFFSET pages as old links ask for them), ``after=`` a
    cursor deep in the list (12%; pages 2-5 when the list has no page beyond DEEP) or 末页 (3%)."""
    path = "/api/v1/households/" if api else "/households/"
    pages, params = math.ceil(listing.households / PAGE), listing.params
    if pages <= 1 or r < SHALLOW:
        return Request(kind, url(path, params), api)
    if r < DEEPER or (r < LAST and not listing.cursors):
        return Request(kind, url(path, {**params, "page": rng.randint(2, min(DEEP, pages))}), api)
    if r < LAST:
        cursor = rng.choice(listing.cursors)
        return Request(f"{kind} deep", url(path, {**params, "after": cursor.token}), api, cursor.first)
    last = f"{url(path, params)}{'&' if params else '?'}before="  # 末页: before with no token
    return Request(f"{kind} last", last, api, last=listing.last)


def village_list(rng: random.Random, scope: Scope, api: bool) -> Request:
    """A village of the scope; deep pages and 末页 in one of the villages with cursors."""
    village, n = rng.choice(scope.villages)
    r = rng.random()
    if r >= DEEPER and scope.village_lists:
        chosen = rng.choice(scope.village_lists)
    else:
        chosen = Listing({"area": village}, n)
    return list_request("api list/village" if api else "list/village", chosen, api, r, rng)


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
        return list_request(f"list/{scope.label}", scope.scope_list, False, rng.random(), rng)
    if what == "household":
        return Request("household", f"/households/{rng.choice(scope.sample)[0]}/")
    return lookup(rng, scope, api=what == "api lookup")


def conditions(rng: random.Random, scope: Scope, data: Data) -> dict[str, object]:
    """County-wide (or scope-wide) conditions: 1-2 key-group tags, mostly an age range, sometimes an area."""
    params: dict[str, object] = {}
    if tags := data.tags_for(scope):
        params["tags_all"] = ",".join(sorted(rng.sample(tags, rng.choice((1, 1, 2)))))
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
    if what == "search":  # pages 2-5 by ?page=N: OFFSET, allowed up to MAX_OFFSET_PAGE
        page = 1 if rng.random() < 0.8 else rng.randint(2, DEEP)
        return Request("search", url("/search/", {**params, "page": page}))
    if what == "groups":
        return Request("groups", "/groups/")
    if what == "group":
        return Request("group", f"/groups/{rng.choice(data.tags_for(scope) + data.household_tags)}/")
    if what == "chart":
        dim = rng.choice(("area", "age", "sex", "tag"))
        one_tag = {"tags_all": rng.choice(data.tags_for(scope))} if data.tags_for(scope) else {}
        return Request(f"chart/{dim}", url("/charts/persons/", {**one_tag, "dim": dim}))
    if what == "api count":
        return Request("api search/count", url("/api/v1/search/persons/count/", params), True)
    if rng.random() < 0.25 and data.household_tags:
        tags = {"tags_all": rng.choice(data.household_tags)}
        return Request("api search/households", url("/api/v1/search/households/", tags), True)
    return Request("api search/persons", url("/api/v1/search/persons/", params), True)


def full_request(rng: random.Random, scope: Scope, data: Data) -> Request:
    if scope.username == "desk" or rng.random() < 0.5:
        return registry_request(rng, scope, data)
    return search_request(rng, scope, data)


MIXES: dict[str, Callable[[random.Random, Scope, Data], Request]] = {
    "registry": registry_request,
    "full": full_request,
}


def check_lists(users: list[User]) -> int:
    """Ask once, as each role, for a deep cursor page and 末页 of every list it pages (HTML and API) and
    check the rows: a token the server does not accept shows page 1, making "deep" requests page-1 ones."""
    checked, done = set(), 0
    for user in users:
        scope = user.scope
        if scope.username in checked:
            continue
        checked.add(scope.username)
        weights = REGISTRY[scope.username]
        lists = [(f"list/{scope.label}", scope.scope_list, False)] if "list scope" in weights else []
        for what, kind, api in (
            ("list village", "list/village", False),
            ("api list", "api list/village", True),
        ):
            lists += [(kind, v, api) for v in scope.village_lists] if what in weights else []
        for kind, listing, api in lists:
            for r in (DEEPER, LAST):  # a deep cursor, then 末页
                request = list_request(kind, listing, api, r, user.rng)
                if not (request.first or request.last):
                    continue
                status, body, _ = user.client.request("GET", request.path, api=api)
                problem = f"HTTP {status}" if status != 200 else wrong_page(request, body)
                if problem:
                    raise SystemExit(
                        f"set-up check of {request.kind} as {scope.username}: {problem} on {request.path}"
                        " (a cursor the server rejects shows page 1: does it use this script's SECRET_KEY?"
                        " With --url, run this script with the server's SECRET_KEY)"
                    )
                done += 1
    return done


# --------------------------------------------------------------------------------------------- main


def seed_if_empty(households: int) -> None:
    """--seed-households: migrate and seed a database that holds no household; a seeded one is left alone."""
    from django.db import connection

    from minqing.registry.models import Household

    if "registry_household" not in connection.introspection.table_names() or not Household.objects.exists():
        ensure_seeded(households)


def main() -> int:
    parser = load_parser(__doc__)
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

    if args.seed_households:
        seed_if_empty(args.seed_households)
    from django.conf import settings

    from minqing.core.fieldcrypt import dev_key_spec

    secret_key = secrets.token_urlsafe(50)
    # The field key stays the one the database was written with (the dev key derives from SECRET_KEY).
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS or dev_key_spec(settings.SECRET_KEY)
    if args.start:  # the server we start checks the cursors signed here: one random key for both
        settings.SECRET_KEY = secret_key
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
            server = Gunicorn(
                ROOT, python, server_env(ROOT, settings.DATABASES["default"], secret_key), args.workers, log
            )
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
            cursors = sum(len(x.cursors) for x in (s.scope_list, *s.village_lists))
            print(
                f"#   {s.username:<9} {s.label:<9} {s.code:<16} {s.households:>9,} households in scope,"
                f" {cursors} deep cursors ({len(s.village_lists)} village lists)"
            )
        print(f"# machine: {os.cpu_count()} CPUs, {load_average()} (the load generator shares them)")

        users = []
        for i in range(args.clients):
            scope = data.scopes[ROLES[i % len(ROLES)]]
            users.append(User(Client(host, port, timeout=args.timeout), scope, random.Random(rng.random())))
        login_started = time.monotonic()
        tokens = log_in_all(users, PASSWORD)
        print(
            f"# {len(users)} sessions and {tokens} API tokens in {time.monotonic() - login_started:.1f} s;"
            f" {check_lists(users)} deep and 末页 list pages checked: they show the rows expected"
        )

        for mix in mixes:
            worst = max(worst, measure_mix(mix, MIXES[mix], users, data, args, stop, server, master))
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
