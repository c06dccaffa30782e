"""Every state change of a resident request, one function each (pages, desk and API are adapters over them).

Each service runs in one transaction, re-reads the ticket through ``Ticket.objects.visible_to`` with a row
lock, refuses an illegal transition with a Chinese ``ValidationError`` (code ``transition``), answers 403
(``PermissionDenied``) for a visible ticket the actor may not act on and 404 outside their view, and appends
one or more events to the ticket's timeline.
"""

from .closing import archive, notify_targets, rate, supervise, sweep, visit_back
from .common import ACTION_LABELS, ALLOWED, due_at, time_limit
from .filing import close_on_phone, file_ticket, parse_client_id
from .handling import (
    accept,
    decide_extension,
    dispatch,
    escalate,
    may_decide_extension,
    reply,
    request_extension,
    resolve,
    return_ticket,
    review_return,
)
from .routing import Route, build_route, paired_cadre, propose_route, routing_rule

__all__ = [
    "ACTION_LABELS",
    "ALLOWED",
    "Route",
    "accept",
    "archive",
    "build_route",
    "close_on_phone",
    "decide_extension",
    "dispatch",
    "due_at",
    "escalate",
    "file_ticket",
    "may_decide_extension",
    "notify_targets",
    "paired_cadre",
    "parse_client_id",
    "propose_route",
    "rate",
    "reply",
    "request_extension",
    "resolve",
    "return_ticket",
    "review_return",
    "routing_rule",
    "supervise",
    "sweep",
    "time_limit",
    "visit_back",
]
