"""Visits and compliance benchmark: a township's compliance page and a cadre's due list at visit-log scale.

Usage (a database of its own, seeded once with the demo county like the other scripts):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minqing_bench .venv/bin/python bench/visits.py \
        --households 1000000 --visits 5000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minqing_h3bench .venv/bin/python bench/visits.py \
        --households 20000 --visits 100000 --runs 10

Seeding (each step skipped when its rows are there, so a second run only measures):
- cadres: ``--village-cadres`` village cadres per village and one township official per township
  (users ``bench-cadre-…``), and one stationed cadre per ``--per-cadre`` paired households;
- pairings: every ``1/--paired-share``-th household without an open pairing gets one (结对帮扶);
- visits: ``--visits`` counted entries spread evenly over the last ``--months`` months, a share
  (``--paired-visits``) by the paired cadre to their households, the rest by a village cadre of the household's
  village. Rows are written with COPY in time order, chunk by chunk; each is sealed into its author's hash
  chain in Python exactly as ``core.hashchain.append`` would (so ``manage.py verify_logs`` passes on them);
- quota rules at the county (every household every 6 months, paired households 4 a month, village cadres 30 a
  month, township officials 1 a week, stationed cadres 4 a week), unless rules exist;
- the compliance figures are then recounted once (``compliance.services.stats_rebuild``, timed).

Measured through Django's test client as the real request (middleware, scoping, queries, template), with
varied parameters: the compliance page of each township for the running and the previous half year, the
month, the quarter and the year (as the county leader with ``area=``, and the township user's default page);
a village's page; the county page (1/8 of the work, for scale); the API summary; the due list of village
cadres, stationed cadres and the demo users; a cadre's activity page as the supervisor. Passes: warm-up, cold
(first request of each parameter set), warm (the same again), then each request's SELECTs replayed through a
plain cursor ("SQL": the database's share; "app": the rest). Targets: township page p95 <= 500 ms, due list
p95 <= 100 ms.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import math
import random
import sys
import time
import uuid
from collections import defaultdict

from _common import database_label, ensure_seeded, page_client
from _pagekit import Case, capture, kind_stats, print_table, progress, replay_ms, report_errors, run_pass, url
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

PREFIX = "bench-cadre-"
DEMO_DUE_USERS = ("village", "stationed", "grid", "township")
KINDS = ("home", "support", "policy", "phone", "safety")
FOUND = (
    "家中一切正常",
    "老人身体尚可，需定期复查",
    "子女外出务工，留守老人独居",
    "反映道路积水问题",
    "已宣传医保参保政策",
)
TARGETS = {"township page": 500.0, "due list": 100.0}


# ------------------------------------------------------------------------------------------------ seeding


def _user(model: type, username: str, last: str, first: str):
    """A bench cadre: no password to log in with (the benchmark uses force_login)."""
    user = model(username=username, last_name=last, first_name=first)
    user.set_unusable_password()
    return user


def seed_cadres(rng: random.Random, *, per_village: int, share: float, per_cadre: int) -> None:
    """Village cadres, township officials, stationed cadres and their pairings (skipped when present)."""
    from django.db.models import Exists, OuterRef

    from minqing.accounts.models import Assignment, User
    from minqing.accounts.roles import Role
    from minqing.areas.models import Area
    from minqing.assistance.models import Pairing
    from minqing.registry.models import Household

    if User.objects.filter(username__startswith=PREFIX).exists():
        print("cadres and pairings: already seeded", file=sys.stderr)
        return
    started = time.monotonic()
    step = max(1, round(1 / share)) if share > 0 else 0
    open_pairing = Pairing.objects.filter(household=OuterRef("pk"), ended_on__isnull=True)
    paired: dict[str, list[tuple[int, str]]] = defaultdict(list)
    if step:
        rows = (
            Household.objects.active()
            .annotate(taken=Exists(open_pairing))
            .filter(taken=False)
            .values_list("pk", "area_path")
            .order_by("pk")
        )
        for pk, path in rows.iterator(chunk_size=20000):
            if pk % step == 0:
                paired[path[:12]].append((pk, path))
    people: list[tuple[User, str, Area]] = []
    villages = list(Area.objects.filter(level="village").order_by("code"))
    for i, village in enumerate(villages):
        for k in range(per_village):
            user = _user(User, f"{PREFIX}v{i}-{k}", "村干", f"{i}-{k}")
            people.append((user, Role.VILLAGE_CADRE, village))
        households = paired.get(village.code, [])
        for j in range(math.ceil(len(households) / per_cadre)):
            user = _user(User, f"{PREFIX}s{i}-{j}", "驻村", f"{i}-{j}")
            people.append((user, Role.STATIONED_CADRE, village))
    for i, township in enumerate(Area.objects.filter(level="township").order_by("code")):
        people.append((_user(User, f"{PREFIX}t{i}", "乡镇", str(i)), Role.TOWNSHIP_STAFF, township))
    with transaction.atomic():
        User.objects.bulk_create([u for u, _r, _a in people], batch_size=2000)
        Assignment.objects.bulk_create(
            [Assignment(user=u, role=r, area=a) for u, r, a in people], batch_size=5000
        )
        stationed = defaultdict(list)
        for user, role, area in people:
            if role == Role.STATIONED_CADRE:
                stationed[area.code].append(user)
        start = timezone.localdate() - datetime.timedelta(days=365)
        pairings = []
        for village, households in paired.items():
            for n, (pk, path) in enumerate(households):
                cadre = stationed[village][n // per_cadre]
                pairings.append(Pairing(household_id=pk, cadre=cadre, area_path=path, started_on=start))
        Pairing.objects.bulk_create(pairings, batch_size=5000)
    print(
        f"seeded {len(people):,} cadres and {len(pairings):,} pairings in {time.monotonic() - started:.0f} s",
        file=sys.stderr,
    )


def seed_rules() -> None:
    from minqing.accounts.roles import Role
    from minqing.areas.models import Area
    from minqing.compliance.models import QuotaRule

    if QuotaRule.objects.exists():
        return
    county = Area.objects.filter(level="county").order_by("code").first()
    assert county is not None
    common = {"area": county, "area_path": county.code}
    QuotaRule.objects.bulk_create(
        [
            QuotaRule(kind="coverage", count=1, months=6, **common),
            QuotaRule(kind="paired", count=4, **common),
            QuotaRule(kind="cadre", count=30, role=Role.VILLAGE_CADRE, unit="month", **common),
            QuotaRule(kind="cadre", count=1, role=Role.TOWNSHIP_STAFF, unit="week", **common),
            QuotaRule(kind="cadre", count=4, role=Role.STATIONED_CADRE, unit="week", **common),
        ]
    )


def _visit_columns() -> tuple[list[str], list[str]]:
    from minqing.visits.models import Visit

    fields = [f for f in Visit._meta.concrete_fields if not f.primary_key]
    return [f.column for f in fields], [f.attname for f in fields]


def seed_visits(rng: random.Random, *, total: int, months: int, paired_share: float) -> None:
    """``total`` counted visit entries over the last ``months`` months, COPYed in time order and chained."""
    from minqing.accounts.models import Assignment
    from minqing.assistance.models import Pairing
    from minqing.core import hashchain
    from minqing.registry.models import Household
    from minqing.visits.models import Visit

    if Visit.objects.filter(author__username__startswith=PREFIX).exists():
        print(f"visits: already seeded ({Visit.objects.count():,} entries)", file=sys.stderr)
        return
    if connection.vendor != "postgresql":
        raise SystemExit("seeding visits needs PostgreSQL (COPY)")
    started = time.monotonic()
    households = list(Household.objects.active().values_list("pk", "area_path", "grid_path").order_by("pk"))
    where = {pk: (area, grid) for pk, area, grid in households}
    cadres: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for user_id, code, name in Assignment.objects.filter(
        user__username__startswith=f"{PREFIX}v", is_active=True
    ).values_list("user_id", "area__code", "user__username"):
        cadres[code].append((user_id, name))
    anyone = [c for group in cadres.values() for c in group]
    pairs = list(
        Pairing.objects.filter(ended_on__isnull=True, cadre__username__startswith=PREFIX).values_list(
            "household_id", "cadre_id", "cadre__username"
        )
    )
    spec, algorithm = hashchain.spec_of(Visit), hashchain.configured_algorithm()
    columns, attnames = _visit_columns()
    heads: dict[int, str] = {}
    now = timezone.now()
    span = datetime.timedelta(days=30.44 * months)
    first = now - span
    sql = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(Visit._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
    )
    done = 0
    with transaction.atomic():
        for chunk in range(months):
            n = total // months + (1 if chunk < total % months else 0)
            lo = first + span * chunk / months
            width = (span / months).total_seconds() - (60 if chunk == months - 1 else 0)
            offsets = sorted(rng.random() * width for _ in range(n))
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [Visit._meta.db_table, n],
                )
                ids = [row[0] for row in cursor.fetchall()]
            rows = []
            for pk, offset in zip(ids, offsets, strict=True):
                if pairs and rng.random() < paired_share:
                    household, author, name = rng.choice(pairs)
                else:
                    household = rng.choice(households)[0]
                    author, name = rng.choice(cadres.get(where[household][0][:12]) or anyone)
                area, grid = where[household]
                values = {
                    "client_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "household_id": household,
                    "area_path": area,
                    "grid_path": grid,
                    "author_id": author,
                    "author_name": name,
                    "entry_type": "visit",
                    "kind": rng.choice(KINDS),
                    "found": rng.choice(FOUND),
                    "done": "",
                    "raised": "",
                    "reason": "",
                    "created_at": lo + datetime.timedelta(seconds=offset),
                    "latitude": None,
                    "longitude": None,
                    "accuracy_m": None,
                    "corrects_id": None,
                    "origin_id": None,
                    "photo_hashes": [],
                }
                prev = heads.get(author, hashchain.GENESIS)
                values["prev_hash"] = prev
                values["row_hash"] = heads[author] = spec.row_hash(
                    prev, [values[a] for a in spec.attnames], algorithm
                )
                rows.append((pk, values))
            with connection.cursor() as cursor, cursor.copy(sql.replace(" (", " (id, ", 1)) as copy:
                for pk, values in rows:
                    copy.write_row([pk, *("[]" if a == "photo_hashes" else values[a] for a in attnames)])
            done += n
            progress("visits", done, total)
    print(f"seeded {total:,} visits in {time.monotonic() - started:.0f} s", file=sys.stderr)


def rebuild_figures() -> None:
    from minqing.compliance.services import stats_rebuild

    started = time.monotonic()
    out = stats_rebuild()
    print(f"compliance figures recounted in {time.monotonic() - started:.1f} s: {out}", file=sys.stderr)
    print(f"compliance figures recounted (stats_rebuild) in {time.monotonic() - started:.1f} s")


# ------------------------------------------------------------------------------------------------ cases


def build_cases(rng: random.Random, runs: int) -> tuple[dict[str, list[Case]], list[str]]:
    from minqing.accounts.models import Assignment
    from minqing.areas.models import Area
    from minqing.compliance import periods

    today = periods.today()
    half = periods.containing(today, 6)
    period_keys = [
        "",  # the default: the running period of the rule
        half.previous().key,  # ended: read from the monthly tallies
        periods.containing(today, 1).key,
        periods.containing(today, 3).key,
        periods.containing(today, 12).key,
    ]
    townships = list(Area.objects.filter(level="township").values_list("code", flat=True))
    villages = list(Area.objects.filter(level="village").values_list("code", flat=True))
    county = Area.objects.filter(level="county").values_list("code", flat=True).first()
    cadre_users = list(
        Assignment.objects.filter(user__username__startswith=PREFIX, is_active=True)
        .exclude(role="township_staff")
        .values_list("user__username", "user_id")
    )
    village_cadres = [c for c in cadre_users if c[0].startswith(f"{PREFIX}v")]
    stationed = [c for c in cadre_users if c[0].startswith(f"{PREFIX}s")]
    due_users = [*DEMO_DUE_USERS]
    due_users += [u for u, _ in rng.sample(village_cadres, min(len(village_cadres), runs))]
    due_users += [u for u, _ in rng.sample(stationed, min(len(stationed), runs))]

    def township(n: int) -> list[Case]:
        out = []
        for i in range(n):
            params = {"area": rng.choice(townships), "period": rng.choice(period_keys)}
            if i % 4 == 3:  # the township user's own page (朱家场镇), default or chosen period
                out.append(
                    Case("township page", "township", url("/compliance/", {"period": params["period"]}))
                )
            else:
                out.append(
                    Case("township page", "county", url("/compliance/", params), note=params["period"])
                )
        return out

    kinds = {
        "township page": township(runs + 1),
        "village page": [
            Case(
                "village page",
                "county",
                url("/compliance/", {"area": rng.choice(villages), "period": rng.choice(period_keys)}),
            )
            for _ in range(runs + 1)
        ],
        "county page": [
            Case("county page", "county", url("/compliance/", {"area": county, "period": p}))
            for p in (period_keys * 2)[: max(2, runs // 2) + 1]
        ],
        "API summary (township)": [
            Case(
                "API summary (township)",
                "county",
                url("/api/v1/compliance/", {"area": rng.choice(townships)}),
                api=True,
            )
            for _ in range(runs + 1)
        ],
        "due list": [
            Case("due list", rng.choice(due_users), "/compliance/due/") for _ in range(2 * runs + 1)
        ],
        "API due list": [
            Case("API due list", rng.choice(due_users), "/api/v1/compliance/due/", api=True)
            for _ in range(runs + 1)
        ],
        "cadre page (supervisor)": [
            Case("cadre page (supervisor)", "supervisor", f"/compliance/cadres/{rng.choice(cadre_users)[1]}/")
            for _ in range(runs + 1)
        ],
    }
    users = sorted({c.user for cases in kinds.values() for c in cases})
    return kinds, users


# ------------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=100_000, help="seed this many when empty")
    parser.add_argument("--visits", type=int, default=500_000, help="visit entries to seed (once)")
    parser.add_argument("--months", type=int, default=18, help="the visits span this many months back")
    parser.add_argument("--village-cadres", type=int, default=3, help="village cadres per village")
    parser.add_argument("--paired-share", type=float, default=0.05, help="share of households paired")
    parser.add_argument("--per-cadre", type=int, default=20, help="paired households per stationed cadre")
    parser.add_argument(
        "--paired-visits", type=float, default=0.3, help="share of visits to paired households"
    )
    parser.add_argument("--runs", type=int, default=10, help="parameter sets per page kind")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--markdown", action="store_true", help="README-ready tables")
    args = parser.parse_args()
    ensure_seeded(args.households)
    rng = random.Random(args.seed)
    seed_cadres(rng, per_village=args.village_cadres, share=args.paired_share, per_cadre=args.per_cadre)
    seed_rules()
    seed_visits(rng, total=args.visits, months=args.months, paired_share=args.paired_visits)
    rebuild_figures()
    with connection.cursor() as cursor:
        # A recount rewrites most rows: set the visibility map so that coverage scans stay index-only, as
        # autovacuum would shortly after the nightly job.
        for table in ("householdvisitstat", "visittally", "cadredaytally"):
            cursor.execute(f"VACUUM ANALYZE compliance_{table}")
        cursor.execute("ANALYZE")
    settings.DEBUG = False  # no query log, no template debug: before the first request
    logging.getLogger("minqing.request").setLevel(logging.WARNING)

    from minqing.assistance.models import Pairing
    from minqing.compliance.models import HouseholdVisitStat
    from minqing.registry.models import Household
    from minqing.visits.models import Visit

    kinds, users = build_cases(rng, args.runs)
    clients = {user: page_client(user) for user in users}
    warmups = [cases[0] for cases in kinds.values()]
    cases = [c for group in kinds.values() for c in group[1:]]
    print(f"# visits benchmark on {database_label()}")
    print(
        f"{Household.objects.count():,} households, {Visit.objects.count():,} visit entries,"
        f" {Pairing.objects.filter(ended_on__isnull=True).count():,} open pairings,"
        f" {HouseholdVisitStat.objects.filter(active=True).count():,} active households counted;"
        f" {len(cases)} requests per pass (--runs {args.runs}), {len(users)} users; times in ms"
    )
    warmed = run_pass("warm-up", warmups, clients, rng)
    cold = run_pass("cold pass", cases, clients, rng)
    warm = run_pass("warm pass", cases, clients, rng)
    captures, sql = [], []
    for done, case in enumerate(cases, 1):
        captured = capture(clients[case.user], case)
        ok = captured.outcome is not None and captured.outcome.ok
        captures.append(captured if ok else None)
        sql.append(replay_ms(captured.reads) if ok else None)
        progress("SQL capture and replay", done, len(cases))
    verdicts = []
    for label, outcomes in (
        ("cold: first request of each parameter set", cold),
        ("warm: the same again", warm),
    ):
        rows = []
        for kind in kinds:
            idx = [i for i, c in enumerate(cases) if c.kind == kind]
            stats = kind_stats(
                kind, [outcomes[i] for i in idx], [captures[i] for i in idx], [sql[i] for i in idx]
            )
            rows.append(stats)
            if kind in TARGETS:
                verdicts.append((label.split(":")[0], kind, stats.p95, TARGETS[kind]))
        print_table(label, rows, markdown=args.markdown)
    print()
    for label, kind, p95, target in verdicts:
        print(
            f"{label:<5} {kind:<14} p95 {p95:8.1f} ms  target <= {target:.0f} ms  {'ok' if p95 <= target else 'MISSED'}"
        )
    report_errors({"warm-up": (warmups, warmed), "cold": (cases, cold), "warm": (cases, warm)})
    return 1 if any(not o.ok for o in warmed + cold + warm) else 0


if __name__ == "__main__":
    sys.exit(main())
