"""Working a ticket: dispatch (派单), accept (受理), reply and resolve (回复, 办结), escalate (上报), return
(退单) and its review, extension (延期) request and decision.

Permissions: ``dispatch`` over the ticket's area for dispatching and reviewing returns (the desk: the
county; a village or township office: its own area, and only to its own level or below); a handler row
the actor acts through for the rest (``handle``; lead rows only for resolving, escalating, returning and
asking for more time); extensions are decided by the level above (``dispatch`` or ``supervise`` over an
area strictly above the ticket's handling level).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.areas.models import Area
from minqing.core import audit

from ..models import LEVEL_LENGTH, Level, Status, Ticket
from .common import (
    MAX_REASON,
    acting_handlers,
    check_transition,
    covering,
    deactivate,
    event,
    locked,
    text,
)
from .routing import Route, apply_route, check_dispatch_route, routing_rule

if TYPE_CHECKING:
    from minqing.accounts.models import User


@transaction.atomic
def dispatch(*, actor: User, ticket: Ticket | int, route: Route, note: str = "") -> Ticket:
    """派单: set the ticket's handlers to ``route`` (待受理 → 已派单, or re-route an 已派单 ticket).

    A route without a lead is refused: a ticket must land with someone.
    """
    row = locked(actor, ticket, "dispatch")
    check_transition(row, "dispatch")
    if not route.has_lead:
        raise ValidationError(_("请选择承办部门或承办的村(社区)、乡镇(街道)。"), code="route")
    check_dispatch_route(actor, row.area_path, route)
    before = row.status
    apply_route(row, route)
    row.status = Status.DISPATCHED
    row.save(update_fields=["status", "level", "updated_at"])
    event(
        row,
        actor=actor,
        verb="dispatch",
        before=before,
        note=text(note, "note", _("说明"), limit=MAX_REASON),
        data={**route.describe(), "proposed": False},
    )
    return row


@transaction.atomic
def accept(*, actor: User, ticket: Ticket | int) -> Ticket:
    """受理: a handler takes the dispatched ticket on (已派单 → 办理中)."""
    row = locked(actor, ticket, "handle")
    acting_handlers(actor, row)
    check_transition(row, "accept")
    before, row.status = row.status, Status.IN_PROGRESS
    row.accepted_at = row.accepted_at or timezone.now()
    row.save(update_fields=["status", "accepted_at", "updated_at"])
    event(row, actor=actor, verb="accept", before=before)
    return row


@transaction.atomic
def reply(*, actor: User, ticket: Ticket | int, note: str) -> Ticket:
    """回复: any handler (lead, cooperating, paired cadre) adds progress to the timeline; no status change."""
    row = locked(actor, ticket, "handle")
    rows = acting_handlers(actor, row)
    check_transition(row, "reply")
    event(
        row,
        actor=actor,
        verb="reply",
        note=text(note, "note", _("办理情况"), required=True),
        data={"as": sorted({h.role for h in rows})},
    )
    return row


@transaction.atomic
def resolve(*, actor: User, ticket: Ticket | int, answer: str) -> Ticket:
    """办结: the lead handler closes its work with the reply to the resident (办理中 → 已办结)."""
    row = locked(actor, ticket, "handle")
    acting_handlers(actor, row, lead=True)
    check_transition(row, "resolve")
    row.reply = text(answer, "answer", _("办理结果"), required=True)
    before, row.status = row.status, Status.RESOLVED
    row.resolved_at = timezone.now()
    row.extension_requested_until = None
    row.save(update_fields=["status", "reply", "resolved_at", "extension_requested_until", "updated_at"])
    event(
        row,
        actor=actor,
        verb="resolve",
        before=before,
        note=row.reply,
        data={"on_time": row.resolved_at <= row.due_at},
    )
    return row


@transaction.atomic
def escalate(
    *, actor: User, ticket: Ticket | int, reason: str, departments: list[Any] | None = None
) -> Ticket:
    """上报 one level: village → township → county departments, with a reason (→ 已派单 at the new level).

    The deadline stays the original one: escalating does not buy time (ask for an extension for that).
    To the county the departments are ``departments`` if given, else the routing rule's; with none the ticket
    goes to the desk's triage queue (待受理). The paired cadre stays on the ticket. A county department
    cannot escalate further: if the matter is not its duty it returns the ticket (退单).
    """
    row = locked(actor, ticket, "handle")
    leads = acting_handlers(actor, row, lead=True)
    check_transition(row, "escalate")
    why = text(reason, "reason", _("上报原因"), limit=MAX_REASON, required=True)
    if row.level == Level.COUNTY:
        raise ValidationError(
            _("县直部门办理的工单不能再上报；如不属本部门职责，请退单并说明原因。"), code="transition"
        )
    before, old_level = row.status, row.level
    if row.level == Level.VILLAGE:
        township = Area.objects.get(code=row.area_path[:9])
        apply_route(row, Route(area=township))  # the paired cadre stays (``apply_route``)
        row.status = Status.DISPATCHED
        target = township.name
    else:
        if departments:
            from minqing.accounts.models import Department

            chosen = list(Department.objects.filter(pk__in=[int(d) for d in departments], is_active=True))
        else:  # the rule's departments, even when the rule sends the ticket to the village first
            rule = routing_rule(row.category, row.area_path)
            chosen = [d for d in rule.departments.all() if d.is_active] if rule is not None else []
        apply_route(row, Route(departments=chosen))
        row.level = Level.COUNTY
        row.status = Status.DISPATCHED if chosen else Status.NEW
        target = "、".join(d.name for d in chosen)
    row.save(update_fields=["status", "level", "updated_at"])
    event(
        row,
        actor=actor,
        verb="escalate",
        before=before,
        note=why,
        data={"from_level": old_level, "to_level": row.level, "to": target, "by": [h.pk for h in leads]},
    )
    if row.status == Status.NEW:
        event(
            row, actor=None, verb="triage", note=_("上报到县级但没有适用的承办部门，进入服务台待分派队列。")
        )
    return row


@transaction.atomic
def return_ticket(*, actor: User, ticket: Ticket | int, reason: str) -> Ticket:
    """退单: the lead says the ticket is not theirs, with a reason (→ 退单待审). Not a way to drop work: the
    handler keeps it (and sees it) until the desk reviews the return (``review_return``)."""
    row = locked(actor, ticket, "handle")
    leads = acting_handlers(actor, row, lead=True)
    check_transition(row, "return")
    why = text(reason, "reason", _("退单原因"), limit=MAX_REASON, required=True)
    before, row.status = row.status, Status.RETURNED
    row.save(update_fields=["status", "updated_at"])
    event(
        row,
        actor=actor,
        verb="return",
        before=before,
        note=why,
        data={"handlers": [h.pk for h in leads], "back_to": before},
    )
    return row


def _last_return(ticket: Ticket) -> dict[str, Any]:
    found = (
        ticket.events.filter(verb="return")
        .order_by("-created_at", "-id")
        .values_list("data", flat=True)
        .first()
    )
    return dict(found or {})


@transaction.atomic
def review_return(
    *, actor: User, ticket: Ticket | int, approve: bool, note: str, route: Route | None = None
) -> Ticket:
    """The desk's review of a 退单 (``dispatch`` over the area).

    Approved: the returning handlers are released and the ticket goes to ``route`` (已派单), or with no route
    back to the triage queue (待受理). Refused: it goes back to the handler in the status it had.
    """
    row = locked(actor, ticket, "dispatch")
    check_transition(row, "review_return")
    why = text(note, "note", _("审核意见"), limit=MAX_REASON, required=True)
    returned = _last_return(row)
    before = row.status
    if approve:
        if route is not None and route.has_lead:
            check_dispatch_route(actor, row.area_path, route)
            apply_route(row, route)
            row.status = Status.DISPATCHED
        else:
            deactivate(row.handlers.filter(pk__in=returned.get("handlers", []), is_active=True))
            row.status = Status.NEW
        data = {"approved": True, **(route.describe() if route is not None else {})}
    else:
        row.status = returned.get("back_to") or Status.DISPATCHED
        data = {"approved": False}
    row.save(update_fields=["status", "level", "updated_at"])
    event(row, actor=actor, verb="review_return", before=before, note=why, data=data)
    audit.record(
        actor=actor, verb="tickets.return_reviewed", target=row, changes={"通过": approve, "意见": why}
    )
    return row


@transaction.atomic
def request_extension(*, actor: User, ticket: Ticket | int, until: datetime.datetime, reason: str) -> Ticket:
    """延期申请: the lead asks for a later deadline, with a reason; one request pending at a time."""
    row = locked(actor, ticket, "handle")
    acting_handlers(actor, row, lead=True)
    check_transition(row, "request_extension")
    why = text(reason, "reason", _("延期原因"), limit=MAX_REASON, required=True)
    if row.extension_requested_until is not None:
        raise ValidationError(_("已有一项延期申请等待审批，请等审批后再申请。"), code="pending")
    if until <= row.due_at:
        raise ValidationError({"until": _("申请的期限应晚于现在的办理时限。")}, code="until")
    row.extension_requested_until = until
    row.save(update_fields=["extension_requested_until", "updated_at"])
    event(
        row,
        actor=actor,
        verb="request_extension",
        note=why,
        data={"until": until.isoformat(), "due_at": row.due_at.isoformat()},
    )
    return row


def may_decide_extension(actor: User, ticket: Ticket) -> bool:
    """The level above the ticket's handling level: a township office for a village's ticket, the desk or a
    supervisor (county-wide ``dispatch`` or ``supervise``) for a township's or a department's."""
    limit = LEVEL_LENGTH[Level(ticket.level)]
    reach = covering(actor, ticket.area_path, "dispatch", "supervise")
    county = LEVEL_LENGTH[Level.COUNTY]
    return any(len(p) < limit or (limit == county and len(p) <= county) for p in reach)


@transaction.atomic
def decide_extension(*, actor: User, ticket: Ticket | int, approve: bool, note: str = "") -> Ticket:
    """Approve (the deadline becomes the requested one) or refuse the pending extension request."""
    row = locked(actor, ticket, "view")
    if not may_decide_extension(actor, row):
        raise PermissionDenied(
            _("延期申请由上一级审批：村级工单由乡镇审批，乡镇和部门工单由服务台或监督员审批。")
        )
    check_transition(row, "decide_extension")
    if row.extension_requested_until is None:
        raise ValidationError(_("这张工单没有待审批的延期申请。"), code="transition")
    requested, old_due = row.extension_requested_until, row.due_at
    if approve:
        row.due_at = requested
        row.supervised_on = None
    row.extension_requested_until = None
    row.save(update_fields=["due_at", "extension_requested_until", "supervised_on", "updated_at"])
    event(
        row,
        actor=actor,
        verb="decide_extension",
        note=text(note, "note", _("审批意见"), limit=MAX_REASON),
        data={"approved": approve, "until": requested.isoformat(), "due_at_before": old_due.isoformat()},
    )
    audit.record(
        actor=actor,
        verb="tickets.extension_decided",
        target=row,
        changes={"通过": approve, "申请期限": requested, "原期限": old_due},
    )
    return row
