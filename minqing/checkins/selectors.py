"""Reads of the check-in app: a cadre's own month, and the attendance report of an area (scoped by ``view``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Length
from django.utils import timezone

from minqing.accounts.models import Assignment, User
from minqing.areas.models import Area
from minqing.core.scoping import is_area_path, scope_root, under

from .models import CADRE_ROLES, CheckIn, CheckInAttempt, CheckInRule
from .services import checkin_areas, effective_rules
from .workdays import Month

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def area_for(user: User | AnonymousUser, code: str | None, action: str = "view") -> Area | None:
    """The area ``code`` if the user may take ``action`` over it (None otherwise: the page answers 404)."""
    code = (code or "").strip()
    if not is_area_path(code):
        return None
    area: Area | None = Area.objects.visible_to(user, action).filter(code=code).first()
    return area


def default_area(user: User | AnonymousUser, action: str = "view") -> Area | None:
    """The widest area the user may read: the common root of their scope, or their outermost area."""
    areas = Area.objects.visible_to(user, action)
    root = scope_root(user, action)
    found: Area | None = areas.filter(code=root).first() if root else None
    if found is None:
        found = areas.order_by(Length("code"), "code").first()
    return found


def area_choices(user: User | AnonymousUser, action: str = "view", limit: int = 600) -> list[tuple[str, str]]:
    """Counties, townships and villages the user may read (a county has about a hundred villages)."""
    rows = (
        Area.objects.visible_to(user, action)
        .filter(level__in=["province", "city", "county", "township", "village", "grid"])
        .order_by("code")
        .values_list("code", "name", "level")[:limit]
    )
    indent = {"province": 0, "city": 0, "county": 0, "township": 1, "village": 2, "grid": 3}
    return [(code, "\u3000" * indent.get(level, 0) + name) for code, name, level in rows]


# ------------------------------------------------------------------------------------------- my page


@dataclass
class DayCell:
    day: datetime.date | None
    checked: CheckIn | None = None
    workday: bool = False
    future: bool = False
    today: bool = False


@dataclass
class MyMonth:
    today: datetime.date
    month: Month
    checkin: CheckIn | None
    refused_today: list[CheckInAttempt]
    weeks: list[list[DayCell]]
    days_checked: int
    workdays_checked: int
    due: int
    rules: list[tuple[Area, CheckInRule | None]] = field(default_factory=list)

    @property
    def can_check_in(self) -> bool:
        return bool(self.rules)


def my_month(user: User, month: Month) -> MyMonth:
    """The cadre's page: today's check-in, today's refusals, the month as a calendar, the rules that apply."""
    today = timezone.localdate()
    rows = list(
        CheckIn.objects.filter(user=user, date__range=(month.first, month.last)).select_related("area")
    )
    by_day = {c.date: c for c in rows}
    checkin = by_day.get(today) if month.first <= today <= month.last else None
    if checkin is None and not (month.first <= today <= month.last):
        checkin = CheckIn.objects.filter(user=user, date=today).select_related("area").first()
    refused = list(
        CheckInAttempt.objects.filter(user=user, date=today).select_related("area").order_by("-at")[:5]
    )
    workdays = set(month.workdays)
    cells = [DayCell(None)] * month.first.weekday()
    for day in month.days:
        cells.append(DayCell(day, by_day.get(day), day in workdays, day > today, day == today))
    cells += [DayCell(None)] * (-len(cells) % 7)
    areas = checkin_areas(user)
    rules = effective_rules(areas)
    return MyMonth(
        today=today,
        month=month,
        checkin=checkin,
        refused_today=refused,
        weeks=[cells[i : i + 7] for i in range(0, len(cells), 7)],
        days_checked=len(rows),
        workdays_checked=sum(1 for c in rows if c.date in workdays),
        due=month.workdays_until(today),
        rules=[(area, rules[area.code]) for area in areas],
    )


# ---------------------------------------------------------------------------------------- the report


def _count(queryset: QuerySet[Any, Any]) -> Coalesce:
    per_user = queryset.order_by().values("user_id").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(per_user, output_field=IntegerField()), Value(0))


def members(area: Area) -> QuerySet[Assignment, Assignment]:
    """The active cadre assignments inside ``area`` (the people its attendance report lists)."""
    return Assignment.objects.filter(is_active=True, role__in=CADRE_ROLES, user__is_active=True).filter(
        under("area__code", area.code)
    )


def report_queryset(area: Area, month: Month) -> QuerySet[User, User]:
    """One row per cadre of the area with the month's check-in days (all, on working days) and refusals,
    ranked: most days first, fewest refusals next, then by name. Counts are of check-ins made for the area."""
    span = {"user": OuterRef("pk"), "date__range": (month.first, month.last)}
    inside = under("area_path", area.code)
    checkins = CheckIn.objects.filter(inside, **span)
    return (
        User.objects.filter(pk__in=members(area).values("user_id"))
        .annotate(
            days=_count(checkins),
            on_workdays=_count(checkins.filter(date__in=month.workdays)),
            refused=_count(CheckInAttempt.objects.filter(inside, **span)),
        )
        .order_by("-on_workdays", "-days", "refused", "last_name", "first_name", "username", "pk")
    )


@dataclass
class ReportRow:
    rank: int
    user: User
    areas: list[str]
    days: int
    on_workdays: int
    refused: int
    due: int

    @property
    def rate(self) -> int | None:
        """Attendance in percent: check-ins on working days over the working days so far."""
        return round(100 * self.on_workdays / self.due) if self.due else None


def report_rows(users: list[Any], area: Area, month: Month, *, start: int = 1) -> list[ReportRow]:
    """The page's users as report rows, with their cadre areas inside ``area`` (one query)."""
    places: dict[int, list[str]] = {}
    for assignment in (
        members(area).filter(user_id__in=[u.pk for u in users]).select_related("area").order_by("area__code")
    ):
        label = f"{assignment.area.short_name}·{assignment.get_role_display()}"
        places.setdefault(assignment.user_id, []).append(label)
    due = month.workdays_until(timezone.localdate())
    return [
        ReportRow(start + n, u, places.get(u.pk, []), u.days, u.on_workdays, u.refused, due)
        for n, u in enumerate(users)
    ]


def checkin_list(user: User, *, mine: bool = False) -> QuerySet[CheckIn, CheckIn]:
    """The API's list: the user's own check-ins and those of the areas they may read, newest first."""
    rows = CheckIn.objects.visible_to(user, "view")
    if mine:
        rows = rows.filter(user_id=user.pk)
    return rows.select_related("area", "user").order_by("-date", "-id")


def rule_list(user: User) -> QuerySet[CheckInRule, CheckInRule]:
    return (
        CheckInRule.objects.visible_to(user, "manage")
        .select_related("area", "updated_by")
        .order_by("area_path")
    )
