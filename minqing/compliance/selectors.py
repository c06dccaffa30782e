"""Reads of the compliance pages and API, each starting from ``visible_to(user, "view")``.

Coverage of the running period reads ``HouseholdVisitStat`` only: one index-only range scan of the area's
active households (``visitstat_area_idx``) gives, grouped by sub-area, how many there are and how many were
visited since the period began. An ended period reads ``VisitTally`` (distinct households with a visit in
its months). Paired households read the month's tally row of (household, cadre); cadres are counted on the
visit log's ``(author, created_at)`` index. Every list is bounded (``LIMIT``) or keyset-paged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from minqing.accounts.models import Assignment
from minqing.areas.models import Area, child_length
from minqing.assistance.models import Pairing
from minqing.core import codes
from minqing.core.scoping import in_grid, is_area_path, is_grid_path, path_allowed, scope_root, under

from . import periods
from .models import CadreDayTally, HouseholdVisitStat, RuleKind, RuleUnit, VisitTally
from .periods import Period
from .quotas import RuleSet, rules_around

#: Rows of the "who is behind" lists on a page; the full count is shown beside them.
BEHIND_SHOWN = 20


@dataclass
class AreaRow:
    """One sub-area's coverage (households visited in the period / active households)."""

    code: str
    name: str
    households: int
    visited: int
    months: int | None = None  # its rule: once every N months (None: no rule)

    @property
    def missing(self) -> int:
        return self.households - self.visited

    @property
    def percent(self) -> float:
        return round(100 * self.visited / self.households, 1) if self.households else 100.0


@dataclass
class CadreRow:
    """One cadre's visits against the per-cadre rule of their role where they serve."""

    user_id: int
    name: str
    role: str
    role_label: str
    area: str
    quota: int
    unit: str
    current: int = 0  # this week / month (the reference day's)
    previous: int = 0  # the week / month before

    @property
    def ratio(self) -> float:
        return self.current / self.quota if self.quota else 1.0

    @property
    def behind(self) -> bool:
        return self.current < self.quota


@dataclass
class Summary:
    """What the compliance page of an area shows for a period."""

    area: Area | None
    path: str
    period: Period
    reference: datetime.date
    month: datetime.date
    rows: list[AreaRow]
    households: int = 0
    visited: int = 0
    coverage_rule: Any = None
    paired_rule: Any = None
    paired_behind: list[Any] = field(default_factory=list)
    paired_behind_count: int = 0
    paired_total: int = 0
    cadres: list[CadreRow] = field(default_factory=list)
    cadres_behind_count: int = 0

    @property
    def percent(self) -> float:
        return round(100 * self.visited / self.households, 1) if self.households else 100.0


def pick_area(user: Any, raw: str | None) -> str | None:
    """The area path a page is about: ``?area=`` when it lies inside the user's view scope (None: it does
    not, or is no area code — the page answers 404), else the user's scope root."""
    raw = (raw or "").strip()
    if not raw:
        return scope_root(user, "view")
    if not is_area_path(raw) or not path_allowed(
        user.scope_prefixes("view"), raw, raw if is_grid_path(raw) else ""
    ):
        return None
    return raw


def default_period(rules: RuleSet, path: str, day: datetime.date | None = None) -> Period:
    """The running period of the area's household rule, or the running month without one."""
    rule = rules.effective(RuleKind.HOUSEHOLD_COVERAGE, path)
    return periods.containing(day or periods.today(), (rule.months or 1) if rule else 1)


def _in_area(path: str, field: str = "area_path") -> Q:
    return in_grid(path) if is_grid_path(path) else under(field, path)


def active_stats(user: Any, path: str) -> QuerySet[HouseholdVisitStat]:
    return HouseholdVisitStat.objects.visible_to(user, "view").filter(_in_area(path), active=True)


def _group_key(path: str) -> Any:
    return Substr("area_path", 1, child_length(path))


def _running(period: Period) -> bool:
    return period.end_at() > timezone.now()


def coverage_rows(user: Any, path: str, period: Period, rules: RuleSet) -> list[AreaRow]:
    """Per sub-area: active households and those visited in ``period`` (two grouped queries at most)."""
    stats = active_stats(user, path).annotate(k=_group_key(path)).values("k").order_by()
    if _running(period):
        counts = stats.annotate(n=Count("pk"), v=Count("pk", filter=Q(last_visit_at__gte=period.start_at())))
        grouped = {r["k"]: (r["n"], r["v"]) for r in counts}
    else:
        totals = {r["k"]: r["n"] for r in stats.annotate(n=Count("pk"))}
        visited_ids = active_stats(user, path).values("pk")
        tallies = (
            VisitTally.objects.visible_to(user, "view")
            .filter(
                _in_area(path), month__gte=period.start, month__lt=period.end, household_id__in=visited_ids
            )
            .annotate(k=_group_key(path))
            .values("k")
            .order_by()
            .annotate(v=Count("household_id", distinct=True))
        )
        seen = {r["k"]: r["v"] for r in tallies}
        grouped = {k: (n, min(n, seen.get(k, 0))) for k, n in totals.items()}
    names = dict(Area.objects.filter(code__in=list(grouped)).values_list("code", "name"))
    rows = []
    for code, (n, v) in grouped.items():
        rule = rules.effective(RuleKind.HOUSEHOLD_COVERAGE, code)
        rows.append(AreaRow(code, names.get(code, code), n, v, rule.months if rule else None))
    rows.sort(key=lambda r: (r.percent, -r.missing, r.code))
    return rows


def not_visited(user: Any, path: str, period: Period) -> QuerySet[HouseholdVisitStat]:
    """Active households of the area with no counted visit in ``period``, in area order (keyset-paged)."""
    stats = active_stats(user, path).select_related("household")
    if _running(period):
        stats = stats.filter(Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=period.start_at()))
    else:
        months = VisitTally.objects.filter(
            household_id=OuterRef("pk"), month__gte=period.start, month__lt=period.end
        )
        stats = stats.exclude(pk__in=months.values("household_id"))
    return stats.order_by("area_path", "pk")


def paired_progress(user: Any, path: str, month: datetime.date, rules: RuleSet) -> Any:
    """Open pairings of the area's active households with this month's visits by the paired cadre and the
    quota that governs the household (NULL: no paired rule there)."""
    done = VisitTally.objects.filter(
        household_id=OuterRef("household_id"), author_id=OuterRef("cadre_id"), month=month
    ).values("visits")[:1]
    quota = rules.case(RuleKind.PAIRED_MONTHLY, path, "area_path", lambda r: r.count, IntegerField())
    return (
        Pairing.objects.visible_to(user, "view")
        .open()
        .filter(under("area_path", path) if not is_grid_path(path) else Q(household__grid_path=path))
        .filter(household__status=codes.HouseholdStatus.NORMAL)
        .annotate(done=Coalesce(Subquery(done, output_field=IntegerField()), 0), quota=quota)
    )


def paired_behind(
    user: Any, path: str, month: datetime.date, rules: RuleSet
) -> tuple[list[Pairing], int, int]:
    """(the most-behind pairings, up to BEHIND_SHOWN; how many are behind; how many pairings are judged)."""
    judged: Any = paired_progress(user, path, month, rules).filter(quota__isnull=False)
    behind = judged.filter(done__lt=F("quota"))
    counts = judged.aggregate(total=Count("pk"), behind=Count("pk", filter=Q(done__lt=F("quota"))))
    rows = list(
        behind.select_related("household", "cadre").order_by("done", "area_path", "pk")[:BEHIND_SHOWN]
    )
    return rows, counts["behind"], counts["total"]


def _windows(day: datetime.date) -> dict[str, tuple[datetime.date, datetime.date]]:
    week, month = periods.week_of(day), periods.month_of(day)
    return {
        "week": week,
        "prev_week": (week[0] - datetime.timedelta(days=7), week[0]),
        "month": month,
        "prev_month": (periods.add_months(month[0], -1), month[0]),
    }


def cadre_counts(author_ids: list[int], day: datetime.date) -> dict[int, dict[str, int]]:
    """Counted visits per author in the week and month of ``day`` and the ones before, summed from the
    per-day tallies (one query, at most ~62 rows per author)."""
    if not author_ids:
        return {}
    win = _windows(day)
    first = min(a for a, _ in win.values())
    last = max(b for _, b in win.values())
    rows: Any = (
        CadreDayTally.objects.filter(author_id__in=author_ids, day__gte=first, day__lt=last)
        .values("author_id")
        .order_by()
        .annotate(
            **{k: Sum("visits", filter=Q(day__gte=a, day__lt=b), default=0) for k, (a, b) in win.items()}
        )
    )
    return {r["author_id"]: {k: r[k] for k in win} for r in rows}


def cadre_rows(assignments: list[Assignment], rules: RuleSet, day: datetime.date) -> list[CadreRow]:
    """One row per (cadre, role) whose role has a per-cadre rule where they serve, counts filled in."""
    rows: dict[tuple[int, str], CadreRow] = {}
    for a in assignments:
        rule = rules.effective(RuleKind.CADRE_VISITS, a.area.code, a.role)
        if rule is None or (a.user_id, a.role) in rows:
            continue
        rows[a.user_id, a.role] = CadreRow(
            a.user_id, str(a.user), a.role, a.get_role_display(), a.area.name, rule.count, rule.unit
        )
    counts = cadre_counts(sorted({r.user_id for r in rows.values()}), day)
    for row in rows.values():
        c = counts.get(row.user_id, {})
        cur, prev = ("week", "prev_week") if row.unit == RuleUnit.WEEK else ("month", "prev_month")
        row.current, row.previous = c.get(cur, 0), c.get(prev, 0)
    return sorted(rows.values(), key=lambda r: (r.ratio, r.current, r.name))


def area_cadres(user: Any, path: str, rules: RuleSet) -> list[Assignment]:
    """Active assignments of the area (roles with a cadre rule), inside the reader's view scope."""
    roles = rules.roles()
    if not roles:
        return []
    return list(
        Assignment.objects.visible_to(user, "view")
        .filter(is_active=True, role__in=roles, user__is_active=True)
        .filter(under("area__code", path[:12] if is_grid_path(path) else path))
        .select_related("user", "area")
        .order_by("user_id", "role")
    )


def summary(user: Any, path: str, period: Period | None, *, with_lists: bool = True) -> Summary:
    """The compliance page of an area: coverage, sub-areas ranked, paired households and cadres behind."""
    rules = rules_around(path)
    period = period or default_period(rules, path)
    reference = periods.reference_day(period)
    month = periods.month_of(reference)[0]
    area = Area.objects.filter(code=path).first() if path else None
    rows = coverage_rows(user, path, period, rules)
    result = Summary(area, path, period, reference, month, rows)
    result.households = sum(r.households for r in rows)
    result.visited = sum(r.visited for r in rows)
    result.coverage_rule = rules.effective(RuleKind.HOUSEHOLD_COVERAGE, path)
    result.paired_rule = rules.effective(RuleKind.PAIRED_MONTHLY, path)
    result.paired_behind, result.paired_behind_count, result.paired_total = paired_behind(
        user, path, month, rules
    )
    cadres = cadre_rows(area_cadres(user, path, rules), rules, reference)
    result.cadres_behind_count = sum(1 for c in cadres if c.behind)
    result.cadres = cadres[:BEHIND_SHOWN] if with_lists else []
    return result
