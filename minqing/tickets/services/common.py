"""What every ticket service shares: the transition table, the scoped and locked re-read, the timeline
event, deadlines and ticket numbers. Each rule lives here once; the services in this package use it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core.editing import free_text
from minqing.core.scoping import ALL
from minqing.core.workdays import add_working_days

from ..models import (
    LEVEL_LENGTH,
    OPEN_STATUSES,
    Category,
    HandlerRole,
    Status,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketHandler,
    TimeLimit,
    TimeUnit,
    Urgency,
    handler_q,
)

if TYPE_CHECKING:
    from minqing.accounts.models import User

MAX_TEXT = 2000
MAX_REASON = 500

#: The statuses each action starts from; anything else is refused with ``transition_error``.
ALLOWED: dict[str, tuple[str, ...]] = {
    "dispatch": (Status.NEW, Status.DISPATCHED),
    "accept": (Status.DISPATCHED,),
    "reply": (Status.DISPATCHED, Status.IN_PROGRESS),
    "resolve": (Status.IN_PROGRESS,),
    "escalate": (Status.DISPATCHED, Status.IN_PROGRESS),
    "return": (Status.DISPATCHED, Status.IN_PROGRESS),
    "review_return": (Status.RETURNED,),
    "request_extension": (Status.DISPATCHED, Status.IN_PROGRESS),
    "decide_extension": OPEN_STATUSES,
    "visit_back": (Status.RESOLVED,),
    "archive": (Status.VISITED_BACK,),
    "supervise": OPEN_STATUSES,
}

#: How the timeline and the messages name each action.
ACTION_LABELS = {
    "filed": gettext_lazy("登记"),
    "dispatch": gettext_lazy("派单"),
    "accept": gettext_lazy("受理"),
    "reply": gettext_lazy("回复办理情况"),
    "resolve": gettext_lazy("办结"),
    "escalate": gettext_lazy("上报"),
    "return": gettext_lazy("退单"),
    "review_return": gettext_lazy("审核退单"),
    "request_extension": gettext_lazy("申请延期"),
    "decide_extension": gettext_lazy("审批延期"),
    "visit_back": gettext_lazy("回访"),
    "archive": gettext_lazy("归档"),
    "supervise": gettext_lazy("督办"),
    "triage": gettext_lazy("进入待分派队列"),
    "closed_on_phone": gettext_lazy("当场答复办结"),
    "rate": gettext_lazy("居民评价"),
}

#: Default limits when no TimeLimit row answers (the seeded rows say the same).
DEFAULT_LIMITS = {
    Urgency.CRITICAL: (6, TimeUnit.HOURS),
    Urgency.URGENT: (24, TimeUnit.HOURS),
    Urgency.NORMAL: (5, TimeUnit.WORKING_DAYS),
}


def transition_error(ticket: Ticket, action: str) -> ValidationError:
    return ValidationError(
        _("工单 %(number)s 当前状态为“%(status)s”，不能%(action)s。")
        % {"number": ticket.number, "status": ticket.get_status_display(), "action": ACTION_LABELS[action]},
        code="transition",
    )


def check_transition(ticket: Ticket, action: str) -> None:
    if ticket.status not in ALLOWED[action]:
        raise transition_error(ticket, action)


def text(value: Any, name: str, label: str, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    """Free text of a request or of a timeline line (``core.editing.free_text``)."""
    return free_text(value, name, label, limit=limit, required=required)


def pk_of(value: Any) -> int:
    return int(value if isinstance(value, int) else value.pk)


# --------------------------------------------------------------------------------- scoped, locked reads


def locked(actor: User, ticket: Ticket | int, action: str) -> Ticket:
    """The ticket re-read through ``visible_to(actor, action)`` and locked for the transaction.

    Invisible to the actor: 404 (as if it did not exist); visible but outside ``action``: 403.
    """
    pk = pk_of(ticket)
    found = Ticket.objects.visible_to(actor, action).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is not None:
        return found
    if action != "view" and Ticket.objects.visible_to(actor, "view").filter(pk=pk).exists():
        raise PermissionDenied(denied_message(action))
    raise Http404


def denied_message(action: str) -> str:
    if action == "handle":
        return _("这张工单没有派给您或您的部门，不能办理。")
    if action == "dispatch":
        return _("您没有这张工单所在区域的派单权限。")
    if action == "supervise":
        return _("您没有这张工单所在区域的督办权限。")
    return _("您的角色不能进行这项操作。")


def acting_handlers(actor: User, ticket: Ticket, *, lead: bool = False) -> list[TicketHandler]:
    """The active handler rows of ``ticket`` the actor acts through (403 when none, or no lead row)."""
    rows = handler_q(actor, "handle")
    found = list(ticket.handlers.filter(rows)) if rows is not None else []
    prefixes = actor.scope_prefixes("handle")
    if prefixes is ALL:
        found = list(ticket.handlers.filter(is_active=True))
    if lead:
        found = [h for h in found if h.role == HandlerRole.LEAD]
    if not found:
        if lead:
            raise PermissionDenied(
                _("只有这张工单的主办单位可以进行这项操作；协办单位和帮扶责任人请回复办理情况。")
            )
        raise PermissionDenied(denied_message("handle"))
    return found


def covering(actor: User, path: str, *actions: str) -> list[str]:
    """The actor's area prefixes for ``actions`` that cover the area ``path`` ("" for a superuser)."""
    found: list[str] = []
    for action in actions:
        prefixes = actor.scope_prefixes(action)
        if prefixes is ALL:
            return [""]
        found += [p for p in prefixes if path.startswith(p)]
    return found


# ------------------------------------------------------------------------------------------ timeline


def event(
    ticket: Ticket,
    *,
    actor: User | None,
    verb: str,
    before: str = "",
    note: str = "",
    data: Mapping[str, Any] | None = None,
    at: datetime.datetime | None = None,
) -> TicketEvent:
    """Append one line to the ticket's timeline (``before``: the status before the action, if it changed)."""
    saved = actor if actor is not None and actor.pk else None
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=saved,
        actor_name=(saved.get_full_name() or saved.get_username()) if saved is not None else "",
        verb=verb,
        from_status=before if before and before != ticket.status else "",
        to_status=ticket.status if before and before != ticket.status else "",
        note=note,
        data=dict(data or {}),
        created_at=at or timezone.now(),
    )


# ----------------------------------------------------------------------------------- deadlines, numbers


def time_limit(category: Category, urgency: str) -> tuple[int, str]:
    """(amount, unit) of the nearest rule: this category, then its parents, then the general rule."""
    lineage = category.lineage()
    rules = {
        rule.category_id: rule
        for rule in TimeLimit.objects.filter(
            Q(category_id__in=lineage) | Q(category__isnull=True), urgency=urgency
        )
    }
    for key in [*lineage, None]:
        if key in rules:
            return rules[key].amount, rules[key].unit
    return DEFAULT_LIMITS.get(urgency, DEFAULT_LIMITS[Urgency.NORMAL])  # type: ignore[call-overload]


def due_at(category: Category, urgency: str, start: datetime.datetime) -> datetime.datetime:
    """The deadline of a ticket started at ``start``: clock hours, or working days on the official calendar
    (``core.workdays``: holidays and make-up working days; Monday to Friday for a year it does not know)."""
    amount, unit = time_limit(category, urgency)
    if unit == TimeUnit.HOURS:
        return start + datetime.timedelta(hours=amount)
    return add_working_days(start, amount)


def next_number(now: datetime.datetime) -> str:
    """The next ticket number of the local day: ``YYYYMMDD`` + a 5-digit daily sequence.

    Race-safe: the counter row's UPDATE holds its lock until the filing transaction ends, so two desks
    filing at once get consecutive numbers, never the same one.
    """
    day = timezone.localdate(now)
    if not TicketCounter.objects.filter(day=day).exists():
        try:
            with transaction.atomic():
                TicketCounter.objects.create(day=day, last=0)
        except IntegrityError:  # created by a concurrent filing in between
            pass
    TicketCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = TicketCounter.objects.filter(day=day).values_list("last", flat=True).get()
    return f"{day:%Y%m%d}{last:05d}"


def level_of(path: str) -> str:
    """The level whose handlers sit at an area path of this length (village 12, township 9, else county)."""
    for level, length in LEVEL_LENGTH.items():
        if len(path) == length:
            return str(level)
    return "county"


def deactivate(rows: Iterable[TicketHandler]) -> list[int]:
    ids = [row.pk for row in rows]
    if ids:
        TicketHandler.objects.filter(pk__in=ids).update(is_active=False)
    return ids
