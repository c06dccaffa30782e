"""Page-level benchmark: whole requests of every page kind, with varied parameters drawn from the database.

Usage (a database of its own; seeded once with the demo county like the other scripts):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minqing_bench .venv/bin/python bench/pages.py --households 1000000
    DATABASE_URL=sqlite:///var/bench-100k.sqlite3 .venv/bin/python bench/pages.py --only "search,chart" --runs 20
    .venv/bin/python bench/pages.py --list-kinds

Each request goes through Django's test client (middleware, view, queries, template or JSON rendering, the
body read) as a demo user (county, township, village: force_login, the API through the same session with
Accept: application/json); anything but 200 is an error and is printed. Every page kind gets --runs
parameter sets drawn at random (--seed) from the database: areas, households, persons, names, ID numbers,
phones, tags (rare = fewer than 50 in the area by TagCount), age ranges. "county", "township" and
"village" are the scope searched; the user is the demo user of that level or one above it with area=.
Lists: first page; next (1..--walk clicks on 下一页); mid (an ?after= cursor at a random row, the link a
下一页 there would give); offset (?page=N, N <= 100: old links); last (末页, ?before=); before-last (末页
then 1..--walk clicks on 上一页). Searches: one tag, two tags, tag + age, common conditions without tags,
a rare tag, contradictory conditions (empty), pinyin initials. Charts by area/age/sex/tag for one tag and
for combined conditions; key groups, a group, 信息不全 and its lists; the API lists and searches.

Passes: a warm-up (one more parameter set per kind: templates, URL resolver), cold (each parameter set's
first request, in shuffled order; set-up clicked through the pagers, so first pages and 末页 may have
been read once), warm (the same sets again), then an untimed capture of each request's SQL
(CaptureQueriesContext) whose SELECTs are re-run through a plain cursor: "SQL" is their summed time,
"app" is page minus SQL per request (median and p95 of the pairs). "queries" is the most statements
one request ran ("w": of which writes, never replayed).
DEBUG is off after set-up unless --keep-debug; the request log stays at WARNING unless --request-log.
--only takes substrings of kind names (--list-kinds); --concurrency N re-runs the mix in N threads (the
GIL serialises Python: the real load test is bench/load.py). Health groups are left out: the county
leader may not search them.
"""

from __future__ import annotations

import argparse
import logging
import math
import random
import sys
import time
from collections.abc import Callable

from _common import database_label, ensure_seeded, page_client
from _pagekit import (  # after _common, which sets Django up
    LAST,
    NEXT,
    PREVIOUS,
    Captured,
    Case,
    capture,
    kind_stats,
    pager_chain,
    percentile,
    print_table,
    progress,
    random_rows,
    replay_ms,
    report_errors,
    run_concurrent,
    run_pass,
    url,
)
from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.http import QueryDict

USERS = ("county", "township", "village")
LEVELS = {"county": 6, "township": 9, "village": 12}
AGE_BANDS = ((60, 130), (80, 130), (65, 90), (0, 17), (6, 16), (18, 59), (16, 60), (30, 45))
# (tag, age_min, age_max) that cannot match: the age rule of the tag contradicts the range.
CONTRADICTIONS = (("elderly", 0, 30), ("minor", 40, 60), ("newborn", 5, 10), ("oldest-old", 0, 50))
RARE = 50  # a tag with fewer links than this in the area is rare
LISTS = {"hh list": "/households/", "person list": "/persons/"}
CHART_DIMS = ("area", "age", "sex", "tag")


class Data:
    """What the cases are drawn from: the demo users' areas, villages, tags and their counts per area."""

    def __init__(self, rng: random.Random) -> None:
        from minqing.accounts.models import User
        from minqing.registry.models import Household, Person
        from minqing.search.selectors import GAPS
        from minqing.tags.models import Tag
        from minqing.tags.privacy import health_tags

        self.rng = rng
        self.users = {name: User.objects.get(username=name) for name in USERS}
        self.root = {name: u.active_assignments()[0].area.code for name, u in self.users.items()}
        village = Substr("area_path", 1, 12)
        self.households = dict(
            Household.objects.order_by().annotate(v=village).values_list("v").annotate(n=Count("id"))
        )
        self.persons = dict(
            Person.objects.order_by().annotate(v=village).values_list("v").annotate(n=Count("id"))
        )
        tags = Tag.objects.filter(is_active=True)
        health = {t.code for t in health_tags(tags)}  # the county leader may not search them (README roles)
        self.tags = {
            code: target for code, target in tags.values_list("code", "target") if code not in health
        }
        self.key_tags = sorted(set(tags.filter(is_key_group=True).values_list("code", flat=True)) - health)
        self.key_person_tags = [c for c in self.key_tags if self.tags[c] == "person"]
        self.gaps = [gap.key for gap in GAPS]
        self._counts: dict[str, dict[str, int]] = {}

    def villages(self, prefix: str) -> list[str]:
        return sorted(v for v in self.households if v.startswith(prefix))

    def size(self, area: str, persons: bool = False) -> int:
        counts = self.persons if persons else self.households
        return sum(n for v, n in counts.items() if v.startswith(area[:12]))

    def pick_area(self, level: str) -> tuple[str, str, str]:
        """(user, area= parameter or "", the area searched) for a scope level, the user drawn first."""
        users = USERS[: USERS.index(level) + 1]
        user = self.rng.choice(users)
        root = self.root[user]
        if len(root) >= LEVELS[level]:
            return user, "", root
        codes = sorted({v[: LEVELS[level]] for v in self.villages(root)})
        area = self.rng.choice(codes) if codes else root
        return user, area, area

    def tag_counts(self, area: str) -> dict[str, int]:
        """Links per tag in ``area`` from the per-village TagCount rows (grid and group scopes count live)."""
        from minqing.tags.models import TagCount

        if area not in self._counts:
            rows = TagCount.objects.filter(village_path__startswith=area[:12], tag__is_active=True)
            counts = dict(rows.order_by().values_list("tag__code").annotate(n=Sum("count")))
            self._counts[area] = {code: counts.get(code, 0) for code in self.tags}
        return self._counts[area]

    def rare_tag(self, area: str) -> tuple[str, int]:
        counts = self.tag_counts(area)
        rare = [c for c, n in counts.items() if 0 < n < RARE]
        if rare:
            code = self.rng.choice(rare)
        else:  # none under the bar at this scale: the rarest tag present
            code = min((c for c, n in counts.items() if n), key=counts.__getitem__, default=self.key_tags[0])
        return code, counts[code]


def canonical(path: str, params: dict, target: str) -> str:
    """The search page's own spelling of the query (anything else answers 302 to it)."""
    from minqing.search.forms import canonical_query

    query = canonical_query(QueryDict(url("", params).lstrip("?")), target).urlencode()
    return f"{path}?{query}" if query else path


class Builder:
    """The page kinds: name → a function of ``n`` giving ``n`` cases (set-up requests are untimed)."""

    def __init__(self, data: Data, clients: dict, walk: int) -> None:
        self.data, self.rng, self.clients, self.walk = data, data.rng, clients, walk
        self.notes: list[str] = []
        self.offers: dict[tuple[str, str], dict[str, str]] = {}
        self.chains: dict[tuple[str, str, str], list[str]] = {}
        self.kinds: dict[str, Callable[[int], list[Case]]] = {}
        for name, path in LISTS.items():
            for level in LEVELS:
                for variant in ("first", "next", "mid", "offset", "last", "before-last"):
                    self.add(f"{name} {variant}/{level}", self.list_case, path, variant, level)
        for user in USERS:
            self.add(f"household page/{user}", self.record_case, "household", user)
            self.add(f"person page/{user}", self.record_case, "person", user)
            for by in ("name", "name prefix", "id", "phone", "number", "digits (miss)"):
                self.add(f"lookup {by}/{user}", self.lookup_case, by, user)
            self.add(f"person lookup name/{user}", self.lookup_case, "person name", user)
        for level in LEVELS:
            for what in ("tag", "2 tags", "tag+age", "common", "rare", "empty", "initials"):
                self.add(f"search {what}/{level}", self.search_case, "person", what, level)
            for what in ("tag", "2 tags", "common", "rare", "empty"):
                self.add(f"hh search {what}/{level}", self.search_case, "household", what, level)
            for dim in CHART_DIMS:
                for what in ("tag", "combined"):
                    self.add(f"chart {dim} {what}/{level}", self.chart_case, dim, what, level)
            self.add(f"group/{level}", self.group_case, level)
            for api in ("households", "persons", "search persons", "search count", "search households"):
                self.add(f"api {api}/{level}", self.api_case, api, level)
        for user in USERS:
            self.add(f"groups/{user}", self.fixed_case, user, "/groups/")
            self.add(f"incomplete/{user}", self.fixed_case, user, "/groups/incomplete/")
            self.add(f"incomplete list/{user}", self.fixed_case, user, "/groups/incomplete/?list=")

    def add(self, name: str, fn: Callable[..., Case | None], *args: object) -> None:
        def build(n: int) -> list[Case]:
            cases = [fn(name, *args) for _ in range(n)]
            return [c for c in cases if c is not None]

        self.kinds[name] = build

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -------------------------------------------------------------------------------------- registry

    def list_case(self, kind: str, path: str, variant: str, level: str) -> Case | None:
        user, area, searched = self.data.pick_area(level)
        first = url(path, {"area": area})
        persons = path == "/persons/"
        if variant == "first":
            return Case(kind, user, first)
        if variant == "offset":  # ?page=N alone: old links and bookmarks, read with OFFSET up to page 100
            pages = max(1, math.ceil(self.data.size(searched, persons) / 50))
            if pages < 2:
                return None
            n = self.rng.randint(2, min(pages, 100))
            return Case(
                kind, user, url(path, {"area": area, "page": n}), expect='rel="prev"', note=f"page={n}"
            )
        if variant == "mid":
            return self.mid_case(kind, user, path, area, searched)
        chain = self.chain(user, first, NEXT)
        if len(chain) < 2:  # a one-page list
            return None
        if variant == "next":
            k = self.rng.randint(1, len(chain) - 1)
            return Case(kind, user, chain[k], expect='rel="prev"', note=f"{k} x {NEXT}")
        offer = self.offers[user, first]
        if LAST not in offer:
            self.note(f"{path}: the pager offers no {LAST} link (no ?before=): no last-page cases")
            return None
        last = path + offer[LAST]
        if variant == "last":
            return Case(kind, user, last, note=LAST)
        chain = self.chain(user, last, PREVIOUS)
        if len(chain) < 2:
            return None
        k = self.rng.randint(1, len(chain) - 1)
        return Case(kind, user, chain[k], expect='rel="next"', note=f"{LAST} + {k} x {PREVIOUS}")

    def chain(self, user: str, start: str, label: str) -> list[str]:
        """The pager walk from ``start``, cached (set-up reads each page once), and its first page's links."""
        if (user, start, label) not in self.chains:
            walk = pager_chain(self.clients[user], start, label, self.walk)
            self.chains[user, start, label], self.offers[user, start] = walk
        return self.chains[user, start, label]

    def mid_case(self, kind: str, user: str, path: str, area: str, searched: str) -> Case | None:
        """A cursor link to the page after a random row of the list: the deep page a next link would give."""
        try:
            from minqing.core.pagination import encode_cursor, ordering_keys
        except ImportError:
            self.note("no keyset pager (minqing.core.pagination.encode_cursor): no mid-list cursor cases")
            return None
        from minqing.core.scoping import under
        from minqing.registry import selectors

        u = self.data.users[user]
        qs = selectors.household_list(u) if path == "/households/" else selectors.person_rows(u)
        keys = ordering_keys(qs)
        picked = random_rows(qs.filter(under("area_path", searched)), 1, self.rng, "pk")
        if keys is None or not picked:
            return None
        token = encode_cursor(keys, qs, qs.get(pk=picked[0][0]))
        return Case(kind, user, url(path, {"area": area, "after": token}), expect='rel="prev"', note="after=")

    def record_case(self, kind: str, model: str, user: str) -> Case | None:
        from minqing.core.scoping import under
        from minqing.registry.models import Household, Person

        manager = Household.objects if model == "household" else Person.objects
        rows = random_rows(manager.filter(under("area_path", self.data.root[user])), 1, self.rng, "pk")
        return Case(kind, user, f"/{model}s/{rows[0][0]}/") if rows else None

    def lookup_case(self, kind: str, by: str, user: str) -> Case | None:
        from minqing.core.scoping import under
        from minqing.registry.models import Household, Person

        scope = under("area_path", self.data.root[user])
        if by in ("id", "digits (miss)", "person name"):
            people = Person.objects.filter(scope).exclude(id_number=None).exclude(id_number="")
            rows = random_rows(people, 1, self.rng, "id_number", "phone", "name")
            if not rows:
                return None
            id_number, phone, name = rows[0]
            if by == "person name":
                return Case(kind, user, url("/persons/", {"q": name}))
            if by == "digits (miss)":  # part of an ID or a phone: read as a head-name prefix, no match
                q = phone[:7] if phone and self.rng.random() < 0.5 else id_number[: self.rng.randint(6, 10)]
            else:
                q = id_number
            return Case(kind, user, url("/households/", {"q": q}))
        households = Household.objects.filter(scope)
        if by == "phone":
            households = households.exclude(phone="")
        rows = random_rows(households, 1, self.rng, "head_name", "phone", "number")
        if not rows:
            return None
        name, phone, number = rows[0]
        q = {
            "name": name,
            "name prefix": name[:1] if self.rng.random() < 0.5 else name[:2],
            "phone": phone,
            "number": number[: self.rng.randint(12, max(12, len(number)))],
        }[by]
        return Case(kind, user, url("/households/", {"q": q}))

    # ---------------------------------------------------------------------------------------- search

    def conditions(self, what: str, area: str, target: str) -> tuple[dict, str]:
        rng, data = self.rng, self.data
        if what == "tag":
            return {"tags_all": rng.choice(data.key_tags)}, ""
        if what == "2 tags":
            return {"tags_all": ",".join(sorted(rng.sample(data.key_tags, 2)))}, ""
        if what in ("tag+age", "combined"):
            low, high = rng.choice(AGE_BANDS)
            params = {"tags_all": rng.choice(data.key_person_tags), "age_min": low, "age_max": high}
            if what == "combined":
                params["sex"] = rng.choice(("1", "2"))
            return params, ""
        if what == "rare":
            code, n = data.rare_tag(area)
            return {"tags_all": code}, f"{n} in area"
        if what == "empty":
            if target == "household":
                return {"tags_all": "newborn,nonagenarian", "members_max": 1}, "contradiction"
            usable = [c for c in CONTRADICTIONS if c[0] in data.tags]
            code, low, high = rng.choice(usable)
            return {"tags_all": code, "age_min": low, "age_max": high}, "contradiction"
        if what == "initials":
            from minqing.core.scoping import under
            from minqing.registry.models import Person

            rows = random_rows(Person.objects.filter(under("area_path", area)), 1, rng, "name_initials")
            return {"q": rows[0][0][: rng.randint(2, 3)] if rows else "lgm"}, ""
        # common conditions, no tags
        if target == "household":
            options: list[dict[str, object]] = [
                {"poverty_alleviated": "true"},
                {"members_min": rng.randint(3, 6)},
                {"dibao": "rural"},
            ]
            return rng.choice(options), ""
        low, high = rng.choice(AGE_BANDS)
        params = {"sex": rng.choice(("1", "2")), "age_min": low, "age_max": high}
        if rng.random() < 0.5:
            params["health"] = "chronic"
        return params, ""

    def search_case(self, kind: str, target: str, what: str, level: str) -> Case:
        user, area, searched = self.data.pick_area(level)
        params, note = self.conditions(what, searched, target)
        path = "/search/" if target == "person" else "/search/households/"
        return Case(kind, user, canonical(path, {**params, "area": area}, target), note=note)

    def chart_case(self, kind: str, dim: str, what: str, level: str) -> Case:
        user, area, searched = self.data.pick_area(level)
        if what == "tag":
            params: dict = {"tags_all": self.rng.choice(self.data.key_person_tags)}
        else:
            params, _ = self.conditions("combined", searched, "person")
        return Case(kind, user, url("/charts/persons/", {**params, "area": area, "dim": dim}))

    def group_case(self, kind: str, level: str) -> Case:
        user, area, _ = self.data.pick_area(level)
        return Case(kind, user, url(f"/groups/{self.rng.choice(self.data.key_tags)}/", {"area": area}))

    def fixed_case(self, kind: str, user: str, path: str) -> Case:
        if path.endswith("="):
            path += self.rng.choice(self.data.gaps)
        return Case(kind, user, path)

    def api_case(self, kind: str, api: str, level: str) -> Case:
        user, area, searched = self.data.pick_area(level)
        if api in ("households", "persons"):
            return Case(kind, user, url(f"/api/v1/{api}/", {"area": area}), api=True)
        target = "household" if api == "search households" else "person"
        params, _ = self.conditions("tag" if target == "household" else "tag+age", searched, target)
        path = {
            "search persons": "persons/",
            "search count": "persons/count/",
            "search households": "households/",
        }
        return Case(kind, user, url(f"/api/v1/search/{path[api]}", {**params, "area": area}), api=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=100_000, help="seed this many when empty")
    parser.add_argument("--runs", type=int, default=10, help="parameter sets per page kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated substrings of kind names")
    parser.add_argument(
        "--walk", type=int, default=5, help="most pager clicks to reach next/before-last pages"
    )
    parser.add_argument("--concurrency", type=int, default=0, help="also run the mix in N threads")
    parser.add_argument("--markdown", action="store_true", help="README-ready tables")
    parser.add_argument("--keep-debug", action="store_true", help="keep DEBUG's query log and template debug")
    parser.add_argument("--request-log", action="store_true", help="keep the INFO line per request")
    parser.add_argument("--slowest", type=int, default=8, help="list the N slowest warm requests")
    parser.add_argument("--list-kinds", action="store_true")
    args = parser.parse_args()
    if not args.list_kinds:
        ensure_seeded(args.households)
    debug = "on" if settings.DEBUG else "off"
    if not args.keep_debug and settings.DEBUG:
        debug = "switched off for the run (no query log, no template debug)"
        settings.DEBUG = False  # before the first request: template engines read it when they are built
    if not args.request_log:
        logging.getLogger("minqing.request").setLevel(logging.WARNING)

    from minqing.registry.models import Household, Person
    from minqing.tags.models import HouseholdTag, PersonTag

    rng = random.Random(args.seed)
    clients = {user: page_client(user) for user in USERS}
    builder = Builder(Data(rng), clients, args.walk)
    terms = [t.strip() for t in args.only.split(",") if t.strip()]
    kinds = [k for k in builder.kinds if not terms or any(t in k for t in terms)]
    if args.list_kinds or not kinds:
        print("\n".join(builder.kinds) if args.list_kinds else f"no kind matches --only {args.only!r}")
        return 0 if args.list_kinds else 2

    started = time.perf_counter()
    cases: list[Case] = []
    warmups: list[Case] = []  # one more parameter set per kind, run first: the process warms up (templates)
    for kind in kinds:
        drawn = builder.kinds[kind](args.runs + 1)
        warmups += drawn[:1]
        cases += drawn[1:]
    setup_s = time.perf_counter() - started
    links = PersonTag.objects.count() + HouseholdTag.objects.count()
    md = "" if not args.markdown else "- "
    print(
        f"{'**' if args.markdown else '# '}page benchmark on {database_label()}{'**' if args.markdown else ''}"
    )
    print(
        f"{md}{Household.objects.count():,} households, {Person.objects.count():,} persons, {links:,} tag links;"
        f" DEBUG {debug}; seed {args.seed}"
    )
    print(
        f"{md}{len(kinds)} page kinds, {len(cases)} requests per pass (--runs {args.runs}),"
        f" cases drawn in {setup_s:.1f} s; times in ms"
    )
    for note in builder.notes:
        print(f"{md}note: {note}")

    warmed = run_pass("warm-up (one parameter set per kind, not reported)", warmups, clients, rng)
    cold = run_pass("cold pass", cases, clients, rng)
    warm = run_pass("warm pass", cases, clients, rng)
    captures: list[Captured | None] = []
    sql: list[float | None] = []
    for done, case in enumerate(cases, 1):
        captured = capture(clients[case.user], case)
        ok = captured.outcome is not None and captured.outcome.ok
        captures.append(captured if ok else None)
        sql.append(replay_ms(captured.reads) if ok else None)
        progress("SQL capture and replay", done, len(cases))

    for label, outcomes in (
        ("cold: first request of each parameter set", cold),
        ("warm: the same again", warm),
    ):
        rows = []
        for kind in kinds:
            idx = [i for i, c in enumerate(cases) if c.kind == kind]
            if idx:
                rows.append(
                    kind_stats(
                        kind, [outcomes[i] for i in idx], [captures[i] for i in idx], [sql[i] for i in idx]
                    )
                )
        print_table(label, rows, markdown=args.markdown)
    missing = [k for k in kinds if not any(c.kind == k for c in cases)]
    if missing:
        print(f"\nno cases (nothing to draw at this scale or pager): {', '.join(missing)}")

    if args.concurrency > 0:
        outcomes, seconds = run_concurrent(cases, USERS, args.concurrency, rng)
        ms = [o.ms for o in outcomes]
        serial = sum(o.ms for o in warm) / 1000
        print(
            f"\n## concurrency: {args.concurrency} threads, {len(ms)} requests in {seconds:.1f} s ="
            f" {len(ms) / seconds:.1f} req/s (warm pass one at a time: {len(warm) / serial:.1f} req/s);"
            f" p50 {percentile(ms, 50):.1f}, p95 {percentile(ms, 95):.1f}, p99 {percentile(ms, 99):.1f},"
            f" max {max(ms):.1f} ms; errors {sum(1 for o in outcomes if not o.ok)} (GIL-bound: see bench/load.py)"
        )

    slow = sorted(range(len(cases)), key=lambda i: warm[i].ms, reverse=True)[: args.slowest]
    if slow:
        print("\nslowest warm requests:")
        for i in slow:
            c = cases[i]
            print(
                f"  {warm[i].ms:9.1f} ms  {c.kind:<28} {c.user:<9} {c.url}{'  # ' + c.note if c.note else ''}"
            )
    report_errors({"warm-up": (warmups, warmed), "cold": (cases, cold), "warm": (cases, warm)})
    return 1 if any(not o.ok for o in warmed + cold + warm) else 0


if __name__ == "__main__":
    sys.exit(main())
