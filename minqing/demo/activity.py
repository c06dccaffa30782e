"""Four months of work in the focus village (鱼塘村): visit entries and the county's quota rules.

Only the focus village gets history, so a county of a million households costs no more than one of 3,000.
Visit entries are written the way ``bench/visits.py`` seeds them: built in time order with their historical
``created_at`` and sealed into each author's hash chain exactly as ``core.hashchain.append`` would (here
through ``Visit.objects.bulk_create``, i.e. ``hashchain.append_many``), so ``manage.py verify_logs`` passes.
Each entry first passes the checks a logged visit passes (``core.editing.validate``); its household is read
through the author's ``visit`` scope. Bulk inserts send no signals: ``demo.figures`` recounts the compliance
figures afterwards.
"""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from minqing.accounts.roles import Role
from minqing.areas.models import Area, Level
from minqing.checkins.workdays import is_workday, shift
from minqing.compliance.models import QuotaRule
from minqing.compliance.services import rule_save
from minqing.core.editing import validate
from minqing.core.scoping import under
from minqing.registry.models import Household
from minqing.visits.models import Visit, VisitKind

from .areas import FOCUS_VILLAGE
from .phrases import RAISED, SPOKEN, phrase_for

if TYPE_CHECKING:
    from minqing.accounts.models import User

#: Months of history before the running one (the running month up to yesterday is filled too).
MONTHS = 4
#: A point in the village: 7.6 km from the demo check-in rule's centre (县城, 27.24 N 108.91 E, 20 km).
VILLAGE_CENTRE = (27.295, 108.864)
#: Homes lie within about this many degrees of the centre (about 1.5 km).
SPREAD_DEG = 0.014
#: Visits per month to each paired household (the quota is 4: some months fall behind).
PAIRED_PER_MONTH = (2, 3, 3, 4, 4, 4, 4, 5, 5)
#: Visits per month by the grid worker and the village cadre (quotas 20 and 30).
MONTHLY = {"grid": (16, 26), "village": (22, 36)}
KINDS = {
    "stationed": {"support": 40, "home": 35, "policy": 12, "phone": 13},
    "grid": {"home": 45, "safety": 25, "policy": 20, "phone": 10},
    "village": {"home": 35, "policy": 25, "mediation": 15, "support": 15, "safety": 10},
}


def history_start(today: datetime.date | None = None) -> datetime.date:
    """The first day of the history: the first of the month ``MONTHS`` months before the running one."""
    today = today or timezone.localdate()
    return shift(today.replace(day=1), -MONTHS)


@dataclass
class Entry:
    at: datetime.datetime
    author: User
    household: Household
    kind: str


def _days(start: datetime.date, end: datetime.date, rng: random.Random) -> list[datetime.date]:
    """Days a cadre goes out: working days, and now and then a weekend day."""
    days = []
    day = start
    while day < end:
        if is_workday(day)[0] or rng.random() < 0.1:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A time of the working day (08:30–18:00 local)."""
    minutes = 8 * 60 + 30 + rng.randrange(9 * 60 + 30)
    naive = datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60, rng.randrange(60)))
    return timezone.make_aware(naive)


def _months(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """(first day, day after) of each month from ``start`` until ``end`` (exclusive)."""
    out, first = [], start
    while first < end:
        after = shift(first, 1)
        out.append((first, min(after, end)))
        first = after
    return out


def _kind(role: str, rng: random.Random) -> str:
    weights = KINDS[role]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def plan_entries(
    users: dict[str, User], households: dict[str, list[Household]], *, rng: random.Random
) -> list[Entry]:
    """Who visits whom when, in time order (ties in a fixed order)."""
    today = timezone.localdate()
    start = history_start(today)
    entries: list[Entry] = []
    for first, after in _months(start, today):
        days = _days(first, after, rng)
        if not days:
            continue
        share = (after - first).days / (shift(first, 1) - first).days  # the running month is partial
        for household in households["stationed"]:
            n = min(len(days), round(rng.choice(PAIRED_PER_MONTH) * share))
            for day in rng.sample(days, n):
                at = _moment(day, rng)
                entries.append(Entry(at, users["stationed"], household, _kind("stationed", rng)))
        for role in ("grid", "village"):
            if not households[role]:
                continue
            low, high = MONTHLY[role]
            for _n in range(round(rng.randint(low, high) * share)):
                household = rng.choice(households[role])
                entries.append(
                    Entry(_moment(rng.choice(days), rng), users[role], household, _kind(role, rng))
                )
    entries.sort(key=lambda e: (e.at, e.author.pk, e.household.pk))
    return entries


def home_of(household: Household, seed: int) -> tuple[float, float]:
    """Where the household lives: a stable point near the village centre."""
    rng = random.Random(f"{seed}:{household.number}")
    return (
        VILLAGE_CENTRE[0] + rng.uniform(-SPREAD_DEG, SPREAD_DEG),
        VILLAGE_CENTRE[1] + rng.uniform(-SPREAD_DEG, SPREAD_DEG),
    )


def build_visit(entry: Entry, *, rng: random.Random, seed: int) -> Visit:
    """A visit entry with its texts and the phone's position (none for a phone call), checked like input."""
    found, done = phrase_for(entry.kind, entry.household, timezone.localtime(entry.at).month, rng)
    position: dict[str, Decimal | None] = {"latitude": None, "longitude": None, "accuracy_m": None}
    if entry.kind != VisitKind.PHONE:
        lat, lon = home_of(entry.household, seed)
        position = {
            "latitude": Decimal(f"{lat + rng.uniform(-0.0003, 0.0003):.6f}"),
            "longitude": Decimal(f"{lon + rng.uniform(-0.0003, 0.0003):.6f}"),
            "accuracy_m": Decimal(f"{rng.uniform(4, 45):.1f}"),
        }
    visit = Visit(
        client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        household=entry.household,
        area_path=entry.household.area_path,
        grid_path=entry.household.grid_path,
        author=entry.author,
        author_name=entry.author.get_full_name() or entry.author.get_username(),
        kind=entry.kind,
        found=found,
        done=done,
        raised=rng.choice(RAISED) if entry.kind in SPOKEN and rng.random() < 0.12 else "",
        created_at=entry.at,
        **position,
    )
    validate(
        visit,
        exclude=["household", "author", "corrects", "origin", "client_id", "author_name", "photo_hashes"],
        validate_unique=False,
        validate_constraints=False,  # CHECK constraints: the database checks them on insert
    )
    return visit


def visited_households(users: dict[str, User]) -> dict[str, list[Household]]:
    """Each visiting login's households in the focus village, read through its ``visit`` scope."""
    out = {}
    for role in ("stationed", "grid", "village"):
        rows = (
            Household.objects.visible_to(users[role], "visit")
            .active()
            .filter(under("area_path", FOCUS_VILLAGE))
        )
        if role == "stationed":
            rows = rows.filter(responsible_cadre=users[role])
        out[role] = list(rows.order_by("number"))
    return out


def seed_visits(users: dict[str, User], *, seed: int) -> list[Visit]:
    """The visit log of the focus village's cadres; nothing when one of them has logged a visit already."""
    authors = [users[role] for role in ("stationed", "grid", "village")]
    if Visit.objects.filter(author__in=authors).exists():
        return []
    rng = random.Random(f"{seed}:visits")
    entries = plan_entries(users, visited_households(users), rng=rng)
    visits = [build_visit(entry, rng=rng, seed=seed) for entry in entries]
    with transaction.atomic():
        return Visit.objects.bulk_create(visits, batch_size=500)


#: The demo county's quota rules (考核规则): every household twice a year, paired households 4 a month
#: (方正县's rule), and each visiting role per week or month.
QUOTAS = [
    {"kind": "coverage", "count": 1, "months": 6, "note": "每户每半年至少走访一次"},
    {"kind": "paired", "count": 4, "note": "结对户每月至少走访四次"},
    {"kind": "cadre", "role": Role.VILLAGE_CADRE, "count": 30, "unit": "month"},
    {"kind": "cadre", "role": Role.GRID_WORKER, "count": 20, "unit": "month"},
    {"kind": "cadre", "role": Role.STATIONED_CADRE, "count": 4, "unit": "week"},
    {"kind": "cadre", "role": Role.TOWNSHIP_STAFF, "count": 1, "unit": "week"},
]


def ensure_quota_rules(admin: User) -> int:
    """The county's rules, through the rule service (validated, audited), when the county has none."""
    county = Area.objects.filter(level=Level.COUNTY).order_by("code").first()
    if county is None or QuotaRule.objects.filter(area=county).exists():
        return 0
    for data in QUOTAS:
        rule_save(actor=admin, rule=None, area=county, data={"role": "", "unit": "", **data})
    return len(QUOTAS)
