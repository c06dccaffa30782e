"""A cadre's own due list (今日/本周待访) and a cadre's activity as a supervisor sees it.

Due list:
- paired households (open pairings of the cadre) with fewer visits by the cadre this month than the
  paired rule asks; due *today* when the cadre's last visit is at least a month/N days old (4 a month:
  a week), so the visits spread over the month;
- households of the cadre's visit scope not visited in the running period of their household rule,
  oldest visit first (never visited first). The period's remaining work is spread over its remaining
  days: *today* shows that day's share, *this week* seven days' (both bounded).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateTimeField, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from minqing.accounts.models import Assignment
from minqing.assistance.models import Pairing
from minqing.core import codes
from minqing.core.queries import capped_count
from minqing.core.scoping import scope_root
from minqing.visits.models import Visit

from . import periods
from .models import HouseholdVisitStat, RuleKind, VisitTally
from .quotas import RuleSet, rules_around, rules_for_paths
from .selectors import BEHIND_SHOWN, CadreRow, cadre_rows

WEEKS_SHOWN = 12
LAST_VISITS_SHOWN = 20


@dataclass
class DueList:
    day: datetime.date
    month: datetime.date
    paired: list[Any] = field(default_factory=list)  # behind this month, with .done/.quota/.last_at/.today
    households_today: list[HouseholdVisitStat] = field(default_factory=list)
    households_week: list[HouseholdVisitStat] = field(default_factory=list)
    households_due: int = 0
    households_capped: bool = False
    per_day: int = 0
    quotas: list[CadreRow] = field(default_factory=list)

    @property
    def paired_today(self) -> list[Any]:
        return [p for p in self.paired if p.today]


def due_households(user: Any, day: datetime.date, rules: RuleSet, root: str) -> QuerySet[HouseholdVisitStat]:
    """Active households of the user's visit scope not visited since their rule's period began."""
    since = rules.case(
        RuleKind.HOUSEHOLD_COVERAGE,
        root,
        "area_path",
        lambda r: periods.containing(day, r.months or 1).start_at(),
        DateTimeField(),
    )
    return (
        HouseholdVisitStat.objects.visible_to(user, "visit")
        .filter(active=True)
        .annotate(since=since)
        .filter(since__isnull=False)
        .filter(Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=F("since")))
        .select_related("household")
        .order_by(F("last_visit_at").asc(nulls_first=True), "area_path", "pk")
    )


def open_pairings(user: Any, day: datetime.date) -> list[Any]:
    """The cadre's open pairings (at most 500) with this month's visits by the cadre and the last visit."""
    month = periods.month_of(day)[0]
    done = VisitTally.objects.filter(household_id=OuterRef("household_id"), author_id=user.pk, month=month)
    last = (
        Visit.objects.counted()
        .filter(household_id=OuterRef("household_id"), author_id=user.pk)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    rows = list(
        Pairing.objects.visible_to(user, "view")
        .open()
        .filter(cadre=user, household__status=codes.HouseholdStatus.NORMAL)
        .annotate(
            done=Coalesce(Subquery(done.values("visits")[:1], output_field=IntegerField()), 0),
            last_at=Subquery(last, output_field=DateTimeField()),
        )
        .select_related("household", "cadre")
        .order_by("area_path", "pk")[:500]
    )
    return rows


def paired_due(rows: list[Any], day: datetime.date, rules: RuleSet) -> list[Any]:
    """Of the cadre's open pairings, those still short of the month's paired quota, those due today first."""
    month = periods.month_of(day)[0]
    days = (periods.add_months(month, 1) - month).days
    due = []
    for p in rows:
        rule = rules.effective(RuleKind.PAIRED_MONTHLY, p.area_path)
        if rule is None or p.done >= rule.count:
            continue
        p.quota = rule.count
        gap = max(1, days // rule.count)
        p.today = p.last_at is None or timezone.localtime(p.last_at).date() <= day - datetime.timedelta(
            days=gap
        )
        due.append(p)
    due.sort(key=lambda p: (not p.today, p.done, p.last_at or timezone.now() - datetime.timedelta(days=9999)))
    return due


def due_list(user: Any, day: datetime.date | None = None) -> DueList:
    day = day or periods.today()
    root = scope_root(user, "visit")
    paths = [a.area.code for a in user.active_assignments()]
    pairings = open_pairings(user, day)
    # One read of the rules for the scope, the paired households and the user's own areas.
    rules = rules_around(root, [*paths, *{p.area_path for p in pairings}])
    result = DueList(day=day, month=periods.month_of(day)[0])
    result.paired = paired_due(pairings, day, rules)
    households = due_households(user, day, rules, root)
    result.households_due, result.households_capped = capped_count(households)
    rule = rules.effective(RuleKind.HOUSEHOLD_COVERAGE, root)
    end = periods.containing(day, rule.months or 1).end if rule else periods.month_of(day)[1]
    left = max(1, (end - day).days)
    result.per_day = math.ceil(result.households_due / left) if result.households_due else 0
    week = list(households[: min(BEHIND_SHOWN, result.per_day * 7)])
    result.households_week = week
    result.households_today = week[: result.per_day]
    result.quotas = cadre_rows(user.active_assignments(), rules, day)
    return result


# ---------------------------------------------------------------------------------------- cadre activity


@dataclass
class Activity:
    cadre: Any
    assignments: list[Assignment]
    weeks: list[tuple[datetime.date, int]]
    households_visited: int
    last_visits: list[Visit]
    pairings: list[Pairing]
    quotas: list[CadreRow]


def visible_cadre(reader: Any, cadre_id: int) -> list[Assignment]:
    """The cadre's active assignments when one lies in the reader's view scope (else [] → 404)."""
    rows = list(
        Assignment.objects.visible_to(reader, "view")
        .filter(user_id=cadre_id, is_active=True, user__is_active=True)
        .select_related("user", "area")
        .order_by("area__code", "role")
    )
    if not rows and reader.pk == cadre_id:
        rows = list(reader.active_assignments())
    return rows


def activity(reader: Any, assignments: list[Assignment], day: datetime.date | None = None) -> Activity:
    """Counted visits per week (last 12), distinct households this year, last entries, pairings, quotas."""
    day = day or periods.today()
    cadre = assignments[0].user
    visits = Visit.objects.visible_to(reader, "view").filter(author_id=cadre.pk)
    first_week = periods.week_of(day)[0] - datetime.timedelta(weeks=WEEKS_SHOWN - 1)
    per_week = dict(
        visits.counted()
        .filter(created_at__gte=periods.local_midnight(first_week))
        .annotate(w=TruncWeek("created_at"))
        .values("w")
        .order_by()
        .annotate(n=Count("pk"))
        .values_list("w", "n")
    )
    by_day = {
        timezone.localtime(w).date() if isinstance(w, datetime.datetime) else w: n
        for w, n in per_week.items()
    }
    weeks = [(first_week + datetime.timedelta(weeks=i), 0) for i in range(WEEKS_SHOWN)]
    weeks = [(w, by_day.get(w, 0)) for w, _ in weeks]
    year_start = periods.local_midnight(datetime.date(day.year, 1, 1))
    households = visits.counted().filter(created_at__gte=year_start).values("household_id").distinct().count()
    last = list(visits.select_related("household").order_by("-created_at", "-id")[:LAST_VISITS_SHOWN])
    month = periods.month_of(day)[0]
    done = VisitTally.objects.filter(household_id=OuterRef("household_id"), author_id=cadre.pk, month=month)
    pairings = list(
        Pairing.objects.visible_to(reader, "view")
        .open()
        .filter(cadre_id=cadre.pk)
        .annotate(done=Coalesce(Subquery(done.values("visits")[:1], output_field=IntegerField()), 0))
        .select_related("household")
        .order_by("done", "area_path", "pk")[:BEHIND_SHOWN]
    )
    quotas = cadre_rows(assignments, rules_for_paths([a.area.code for a in assignments]), day)
    return Activity(cadre, assignments, weeks, households, last, pairings, quotas)
