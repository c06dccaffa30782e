"""What the ticket pages show a user: the list tabs and the action forms of one ticket.

Reads only: the services check every rule again when a form is sent, so a button shown here never grants
anything; it only saves the user a refused click.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.core.scoping import ALL, path_allowed

from . import selectors, services
from .models import LEVEL_LENGTH, HandlerRole, Level, Status, Ticket, TicketHandler

if TYPE_CHECKING:
    from minqing.accounts.models import User

#: The ticket rights that open the ticket pages (department staff read through their department instead).
READ_ACTIONS = ("view", "dispatch", "handle", "supervise")

TAB_LABELS = {
    "mine": gettext_lazy("我的工单"),
    "department": gettext_lazy("部门工单"),
    "area": gettext_lazy("区域工单"),
    "triage": gettext_lazy("待分派"),
}


def departments_of(user: User) -> list[Any]:
    """The user's departments (department staff), from their active assignments."""
    found = {a.department_id: a.department for a in user.active_assignments() if a.department_id}
    return [found[k] for k in sorted(found)]


def may_read_tickets(user: User) -> bool:
    return any(user.can(action) for action in READ_ACTIONS) or bool(departments_of(user))


def check_reader(user: User) -> None:
    if not may_read_tickets(user):
        raise PermissionDenied(_("您的角色不能查看诉求工单。"))


def tabs_for(user: User) -> list[str]:
    tabs = ["mine"]
    if departments_of(user):
        tabs.append("department")
    tabs.append("area")
    if user.can("dispatch"):
        tabs.append("triage")
    return tabs


def with_handlers(rows: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """The list rows with their active handlers' names (one more query per page)."""
    active = TicketHandler.objects.filter(is_active=True).select_related("department", "user", "area")
    return rows.select_related("household").prefetch_related(
        Prefetch("handlers", queryset=active, to_attr="active_handlers")
    )


def tab_rows(user: User, tab: str) -> QuerySet[Ticket]:
    """The base queryset of a tab (scoped by the selectors); the filters narrow it further."""
    if tab == "mine":
        rows = selectors.my_tickets(user)
    elif tab == "department":
        ids = [d.pk for d in departments_of(user)]
        rows = selectors.department_queue(user, ids[0]) if ids else Ticket.objects.none()
        for other in ids[1:]:
            rows = rows | selectors.department_queue(user, other)
    elif tab == "triage":
        rows = selectors.triage_queue(user)
    else:
        rows = selectors.ticket_list(user)
    return with_handlers(rows)


@dataclass(frozen=True)
class Actions:
    """The transitions the user may take on the ticket now (what forms the detail page shows)."""

    names: frozenset[str]

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __getattr__(self, name: str) -> bool:  # {% if actions.accept %} in templates
        if name.startswith("_"):
            raise AttributeError(name)
        return name in self.names


def covers(user: User, action: str, ticket: Ticket) -> bool:
    prefixes = user.scope_prefixes(action)
    return prefixes is ALL or path_allowed(prefixes, ticket.area_path)


def county_dispatcher(user: User) -> bool:
    prefixes = user.scope_prefixes("dispatch")
    return prefixes is ALL or any(len(p) <= LEVEL_LENGTH[Level.COUNTY] for p in prefixes)


def available_actions(user: User, ticket: Ticket) -> Actions:
    status = ticket.status
    allowed = services.ALLOWED
    acting = selectors.acting_on(user, ticket)
    everything = user.scope_prefixes("handle") is ALL
    handler = everything or bool(acting)
    lead = everything or any(h.role == HandlerRole.LEAD for h in acting)
    dispatcher = covers(user, "dispatch", ticket)
    found: set[str] = set()
    if handler:
        found |= {name for name in ("accept", "reply") if status in allowed[name]}
    if lead:
        found |= {name for name in ("resolve", "return") if status in allowed[name]}
        if status in allowed["escalate"] and ticket.level != Level.COUNTY:
            found.add("escalate")
        if status in allowed["request_extension"] and ticket.extension_requested_until is None:
            found.add("request_extension")
    if dispatcher:
        found |= {n for n in ("review_return", "visit_back", "archive") if status in allowed[n]}
        # Re-routing a dispatched ticket is the desk's (county-wide) work; below it, only the triage queue's.
        if status == Status.NEW or (status in allowed["dispatch"] and county_dispatcher(user)):
            found.add("dispatch")
    if (
        ticket.extension_requested_until is not None
        and status in allowed["decide_extension"]
        and services.may_decide_extension(user, ticket)
    ):
        found.add("decide_extension")
    if covers(user, "supervise", ticket) and status in allowed["supervise"] and ticket.is_overdue():
        found.add("supervise")
    return Actions(frozenset(found))


def is_waiting(ticket: Ticket) -> bool:
    return ticket.status in (Status.NEW, Status.RETURNED)
