"""Reads of tickets for the pages, the desk and the API to come: every read starts from
``Ticket.objects.visible_to(user, action)``; the figures are SQL aggregates (one query each)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from minqing.core.scoping import under

from .models import (
    DUE_SOON_HOURS,
    OPEN_STATUSES,
    Category,
    HandlerRole,
    Satisfaction,
    Status,
    Ticket,
    TicketEvent,
    TicketHandler,
    handler_q,
)

LIST_RELATED = ("category", "area")


def _listed(rows: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return rows.select_related(*LIST_RELATED).order_by("-created_at", "-id")


def ticket_list(user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Ticket]:
    """The tickets the user may read, filtered: ``status`` (one or a list), ``overdue``, ``due_soon``,
    ``category`` (id, with its sub-categories), ``channel``, ``kind``, ``urgency``, ``level``, ``area`` (a path
    prefix). Unknown values filter to nothing rather than being ignored."""
    rows = Ticket.objects.visible_to(user, "view")
    f = dict(filters or {})
    now = timezone.now()
    if f.get("status"):
        statuses = f["status"] if isinstance(f["status"], list | tuple) else [f["status"]]
        rows = rows.filter(status__in=statuses)
    if f.get("overdue"):
        rows = rows.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if f.get("due_soon"):
        rows = rows.filter(
            status__in=OPEN_STATUSES,
            due_at__gte=now,
            due_at__lt=now + datetime.timedelta(hours=DUE_SOON_HOURS),
        )
    if f.get("category"):
        rows = rows.filter(Q(category_id=f["category"]) | Q(category__parent_id=f["category"]))
    for name in ("channel", "kind", "urgency", "level"):
        if f.get(name):
            rows = rows.filter(**{name: f[name]})
    if f.get("area"):
        rows = rows.filter(under("area_path", str(f["area"])))
    return _listed(rows)


def my_tickets(user: Any, *, open_only: bool = True) -> QuerySet[Ticket]:
    """我的工单: tickets with an active handler row the user acts through (their own, their department's,
    their area's level). One query (the handler rows are an EXISTS)."""
    rows = Ticket.objects.visible_to(user, "handle")
    if open_only:
        rows = rows.filter(status__in=OPEN_STATUSES)
    return _listed(rows)


def department_queue(user: Any, department_id: int, *, open_only: bool = True) -> QuerySet[Ticket]:
    """A department's queue: tickets with an active handler row of the department, read within the user's
    view (a department's staff: their own department's only)."""
    routed = TicketHandler.objects.filter(ticket=OuterRef("pk"), department_id=department_id, is_active=True)
    rows = Ticket.objects.visible_to(user, "view").filter(Exists(routed))
    if open_only:
        rows = rows.filter(status__in=OPEN_STATUSES)
    return rows.select_related(*LIST_RELATED).order_by("due_at", "id")


def triage_queue(user: Any) -> QuerySet[Ticket]:
    """The desk's queue: tickets waiting for a route (待受理) or for the review of a return (退单待审)."""
    rows = Ticket.objects.visible_to(user, "dispatch").filter(status__in=[Status.NEW, Status.RETURNED])
    return rows.select_related(*LIST_RELATED).order_by("due_at", "id")


def ticket_detail(user: Any, pk: int) -> Ticket:
    """One ticket with its handlers and its timeline (three queries); 404 outside the user's view."""
    handlers = TicketHandler.objects.select_related("department", "user", "area").order_by(
        "assigned_at", "id"
    )
    events = TicketEvent.objects.order_by("created_at", "id")
    found = (
        Ticket.objects.visible_to(user, "view")
        .select_related("category", "area", "household", "created_by")
        .prefetch_related(Prefetch("handlers", queryset=handlers), Prefetch("events", queryset=events))
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def acting_on(user: Any, ticket: Ticket) -> list[TicketHandler]:
    """The ticket's active handler rows the user acts through (what buttons a page shows); in memory when the
    handlers are prefetched, else one query."""
    rows = handler_q(user, "handle")
    if rows is None:
        return []
    return list(ticket.handlers.filter(rows))


# ----------------------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Figures:
    """Volume, on-time rate, satisfaction and handling time of a group of tickets."""

    key: str
    label: str
    volume: int
    open: int
    overdue: int
    resolved: int
    on_time: int
    rated: int
    satisfied: int
    avg_hours: float | None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.resolved, 1) if self.resolved else None

    @property
    def satisfaction_rate(self) -> float | None:
        """满意 + 基本满意 among the rated, in percent."""
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


def _aggregates(prefix: str = "") -> dict[str, Any]:
    p = prefix
    now = timezone.now()
    handling = ExpressionWrapper(F(f"{p}resolved_at") - F(f"{p}created_at"), output_field=DurationField())
    return {
        "volume": Count(f"{p}id", distinct=bool(p)),
        "open": Count(f"{p}id", filter=Q(**{f"{p}status__in": OPEN_STATUSES}), distinct=bool(p)),
        "overdue": Count(
            f"{p}id", filter=Q(**{f"{p}status__in": OPEN_STATUSES, f"{p}due_at__lt": now}), distinct=bool(p)
        ),
        "resolved": Count(f"{p}id", filter=Q(**{f"{p}resolved_at__isnull": False}), distinct=bool(p)),
        "on_time": Count(
            f"{p}id",
            filter=Q(**{f"{p}resolved_at__isnull": False, f"{p}resolved_at__lte": F(f"{p}due_at")}),
            distinct=bool(p),
        ),
        "rated": Count(f"{p}id", filter=~Q(**{f"{p}satisfaction": ""}), distinct=bool(p)),
        "satisfied": Count(
            f"{p}id",
            filter=Q(**{f"{p}satisfaction__in": [Satisfaction.SATISFIED, Satisfaction.FAIRLY]}),
            distinct=bool(p),
        ),
        "avg": Avg(handling, filter=Q(**{f"{p}resolved_at__isnull": False})),
    }


def _hours(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 3600, 1)
    return round(float(value) / 3_600_000_000, 1)  # microseconds (SQLite's duration arithmetic)


def _figures(key: str, label: str, row: Mapping[str, Any]) -> Figures:
    return Figures(
        key=key,
        label=label,
        volume=row["volume"],
        open=row["open"],
        overdue=row["overdue"],
        resolved=row["resolved"],
        on_time=row["on_time"],
        rated=row["rated"],
        satisfied=row["satisfied"],
        avg_hours=_hours(row["avg"]),
    )


def stats_by_area(user: Any, *, length: int = 9, since: datetime.datetime | None = None) -> list[Figures]:
    """Figures per area at one level (``length`` of the area path: 9 townships, 12 villages) of the tickets
    the user may read, filed since ``since``. Two queries: the aggregate and the areas' names."""
    from minqing.areas.models import Area

    rows = Ticket.objects.visible_to(user, "view")
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    grouped = list(
        rows.annotate(unit=Substr("area_path", 1, length))
        .values("unit")
        .annotate(**_aggregates())
        .order_by("unit")
    )
    names = dict(Area.objects.filter(code__in=[r["unit"] for r in grouped]).values_list("code", "name"))
    return [_figures(r["unit"], names.get(r["unit"], r["unit"]), r) for r in grouped]


def stats_by_department(user: Any, *, since: datetime.datetime | None = None) -> list[Figures]:
    """Figures per department leading tickets the user may read (active 主办 rows). One query."""
    visible = Ticket.objects.visible_to(user, "view")
    if since is not None:
        visible = visible.filter(created_at__gte=since)
    rows = (
        TicketHandler.objects.filter(
            is_active=True, role=HandlerRole.LEAD, department__isnull=False, ticket__in=visible.values("pk")
        )
        .values("department_id", "department__name")
        .annotate(**_aggregates("ticket__"))
        .order_by("department__name")
    )
    return [_figures(str(r["department_id"]), r["department__name"], r) for r in rows]


def category_tree() -> list[Category]:
    """Active top-level categories with their active children (two queries): the filing form's choices."""
    children = Category.objects.filter(is_active=True).order_by("position", "code")
    return list(
        Category.objects.filter(parent__isnull=True, is_active=True)
        .prefetch_related(Prefetch("children", queryset=children))
        .order_by("position", "code")
    )
