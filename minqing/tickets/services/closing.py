"""Closing the loop: visit-back (回访) with the resident's rating, the resident's own rating from the portal,
archive (归档), supervision (督办) and the daily overdue sweep.

不满意 reopens the ticket (重办): back to 办理中 with the same handlers, ``reopen_count`` + 1 and a new
deadline counted from now by the category's time limit. A ticket is archived only after its visit-back.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.registry.lookup import resident_household

from ..models import HandlerRole, Satisfaction, Status, Ticket
from .common import MAX_REASON, check_transition, due_at, event, locked, text

if TYPE_CHECKING:
    from minqing.accounts.models import User


def _satisfaction(value: Any) -> str:
    found = str(value or "")
    if found not in Satisfaction.values:
        raise ValidationError(
            {"satisfaction": _("请选择满意度：满意、基本满意或不满意。")}, code="satisfaction"
        )
    return found


def _rated(row: Ticket, *, actor: User, satisfaction: str, note: str, verb: str) -> Ticket:
    """Record the rating; 不满意 reopens (重办), any other closes the visit-back (已回访)."""
    check_transition(row, "visit_back")
    before, now = row.status, timezone.now()
    row.satisfaction = satisfaction
    data: dict[str, Any] = {"satisfaction": satisfaction}
    if satisfaction == Satisfaction.UNSATISFIED:
        row.status = Status.IN_PROGRESS
        row.reopen_count += 1
        row.resolved_at = None
        row.supervised_on = None
        data["due_at_before"] = row.due_at.isoformat()
        row.due_at = due_at(row.category, row.urgency, now)
        data["reopened"] = True
    else:
        row.status = Status.VISITED_BACK
    row.save()
    event(row, actor=actor, verb=verb, before=before, note=note, data=data, at=now)
    return row


@transaction.atomic
def visit_back(*, actor: User, ticket: Ticket | int, satisfaction: Any, note: str = "") -> Ticket:
    """回访: the desk or the village office (``dispatch`` over the area) records the resident's rating of a
    resolved ticket (已办结 → 已回访, or 不满意 → 办理中 again)."""
    row = locked(actor, ticket, "dispatch")
    rating = _satisfaction(satisfaction)
    return _rated(
        row,
        actor=actor,
        satisfaction=rating,
        note=text(note, "note", _("回访记录"), limit=MAX_REASON),
        verb="visit_back",
    )


@transaction.atomic
def rate(*, actor: User, ticket: Ticket | int, satisfaction: Any, note: str = "") -> Ticket:
    """The resident rates a resolved ticket of their own household from the portal (the visit-back by the
    resident). Any other ticket does not exist for them (404)."""
    household = resident_household(actor)
    pk = ticket if isinstance(ticket, int) else ticket.pk
    row = (
        Ticket.objects.select_for_update().filter(pk=pk, household_id=household.pk).first()
        if household is not None
        else None
    )
    if row is None:
        raise Http404
    rating = _satisfaction(satisfaction)
    return _rated(
        row,
        actor=actor,
        satisfaction=rating,
        note=text(note, "note", _("评价"), limit=MAX_REASON),
        verb="rate",
    )


@transaction.atomic
def archive(*, actor: User, ticket: Ticket | int) -> Ticket:
    """归档 (销号): a visited-back ticket is closed for good (已回访 → 已归档)."""
    row = locked(actor, ticket, "dispatch")
    check_transition(row, "archive")
    before, row.status, row.closed_at = row.status, Status.ARCHIVED, timezone.now()
    row.save(update_fields=["status", "closed_at", "updated_at"])
    event(row, actor=actor, verb="archive", before=before)
    return row


# ----------------------------------------------------------------------------------------- supervision


def notify_targets(ticket: Ticket) -> list[dict[str, str]]:
    """Whom a 督办 on ``ticket`` should reach: the superior of each lead handler (a village's township, a
    township's county desk, a department's desk); the desk when no one leads. Delivery comes later."""
    targets: list[dict[str, str]] = []
    county = ticket.area_path[:6]
    for handler in ticket.handlers.all():
        if not handler.is_active or handler.role != HandlerRole.LEAD:
            continue
        if handler.area_path and len(handler.area_path) > 9:
            targets.append({"kind": "area", "area": handler.area_path[:9], "for": handler.area_path})
        elif handler.area_path:
            targets.append({"kind": "desk", "area": county, "for": handler.area_path})
        else:
            targets.append(
                {"kind": "desk", "area": county, "for": f"department:{handler.department_id or ''}"}
            )
    return targets or [{"kind": "desk", "area": county, "for": ""}]


def _supervise(
    row: Ticket, *, actor: User | None, note: str, today: datetime.date, now: datetime.datetime
) -> bool:
    if row.supervised_on is not None and row.supervised_on >= today:
        return False
    row.supervised_on = today
    row.save(update_fields=["supervised_on", "updated_at"])
    event(
        row,
        actor=actor,
        verb="supervise",
        note=note,
        data={
            "notify": notify_targets(row),
            "overdue_hours": round((now - row.due_at).total_seconds() / 3600, 1),
        },
        at=now,
    )
    return True


@transaction.atomic
def supervise(*, actor: User, ticket: Ticket | int, note: str = "") -> tuple[Ticket, bool]:
    """督办 an overdue open ticket (``supervise`` over its area): ``(ticket, recorded)``; at most one per ticket
    per day, so a second one the same day (or after the sweep's) records nothing."""
    row = locked(actor, ticket, "supervise")
    check_transition(row, "supervise")
    now = timezone.now()
    if row.due_at >= now:
        raise ValidationError(_("工单尚未超期，不需要督办。"), code="not_overdue")
    recorded = _supervise(
        row,
        actor=actor,
        note=text(note, "note", _("督办意见"), limit=MAX_REASON),
        today=timezone.localdate(now),
        now=now,
    )
    return row, recorded


def sweep(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """The daily overdue sweep (``manage.py tickets_sweep``, ``PERIODIC_JOBS``): one system 督办 per overdue
    ticket per day, naming whom to notify. Idempotent: a second run the same day records nothing.
    Each ticket in its own short transaction, re-checked under its lock."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    done, last = 0, 0
    while True:
        ids = list(
            Ticket.objects.overdue(now)
            .exclude(supervised_on__gte=today)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return done
        for pk in ids:
            with transaction.atomic():
                row = Ticket.objects.select_for_update().filter(pk=pk).prefetch_related("handlers").first()
                if row is not None and row.is_overdue(now):
                    done += _supervise(
                        row, actor=None, note=_("系统督办：工单已超过办理时限。"), today=today, now=now
                    )
        last = ids[-1]
